#!/bin/bash
# issue 18, 17th session: fps2's final model (74,780,696 env steps) continued for 35 minutes with frames_per_step 1.
# Run from the repository root after run.sh fps2.
set -e
here=docs/results/record_s17
steps=74780696
mkdir -p saves/experiments/s17/fps1/checkpoints
cp $here/fps1_config.yml saves/experiments/s17/fps1/config.yml
cp saves/experiments/s17/fps2/final_model.zip saves/experiments/s17/fps1/checkpoints/model_${steps}_steps.zip
qwop-studio train --resume saves/experiments/s17/fps1 --max-minutes 35 --no-progress
qwop-studio evaluate --model saves/experiments/s17/fps1/final_model.zip --episodes 100 --start-noop-max 30 \
    --json saves/experiments/s17/fps1/eval100.json
