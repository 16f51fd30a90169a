#!/bin/bash
# issue 18, 16th session: the two 30-minute continuations of the 14th session's runner (docs/results/runner_s14/),
# run one after the other, each alone on the 2-core VM. Run from the repository root.
#   cont1: the same 9 reduced actions, stronger speed weights (velocity 1.0 -> 1.5, time cost 40 -> 50, posture 0.25 -> 0.15)
#   wide1: the same, with all 16 actions: the runner widened first (widen_actions.py; unchanged deterministic play)
# wide1's final model ships as qwop_studio/assets/models/qwop_runner.zip.
set -e
here=docs/results/record_s16
start=docs/results/runner_s14/qwop_runner.zip
steps=44453896
mkdir -p saves/experiments/s16/cont1/checkpoints saves/experiments/s16/wide1/checkpoints
cp $here/cont1_config.yml saves/experiments/s16/cont1/config.yml
cp $here/wide1_config.yml saves/experiments/s16/wide1/config.yml
cp $start saves/experiments/s16/cont1/checkpoints/model_${steps}_steps.zip
python $here/widen_actions.py $start $here/wide1_config.yml saves/experiments/s16/wide1/checkpoints/model_${steps}_steps.zip
for run in cont1 wide1; do
  qwop-studio train --resume saves/experiments/s16/$run --max-minutes 30 --no-progress
  qwop-studio evaluate --model saves/experiments/s16/$run/final_model.zip --episodes 100 --start-noop-max 30 \
      --json saves/experiments/s16/$run/eval100.json
done
