#!/bin/bash
# issue 18, 17th session: lever "frames_per_step". The shipped runner (16th session, 59,367,440 env steps,
# frames_per_step 4) continued for 30 minutes with frames_per_step 3 (fps3), then 30 minutes with 2 (fps2),
# then the control, 30 minutes more at 4 (fps4): bash docs/results/record_s17/run.sh fps3 fps2 fps4,
# one after the other, each alone on the 2-core VM. Same weights, seed and hyperparameters as the shipped
# runner's last 30 minutes (wide1 in docs/results/record_s16/, the control at frames_per_step 4).
# Run from the repository root.
set -e
here=docs/results/record_s17
start=qwop_studio/assets/models/qwop_runner.zip
steps=59367440
for run in "$@"; do
  mkdir -p saves/experiments/s17/$run/checkpoints
  cp $here/${run}_config.yml saves/experiments/s17/$run/config.yml
  cp $start saves/experiments/s17/$run/checkpoints/model_${steps}_steps.zip
  qwop-studio train --resume saves/experiments/s17/$run --max-minutes 30 --no-progress
  qwop-studio evaluate --model saves/experiments/s17/$run/final_model.zip --episodes 100 --start-noop-max 30 \
      --json saves/experiments/s17/$run/eval100.json
done
