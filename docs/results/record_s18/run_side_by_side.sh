#!/bin/bash
# issue 18, 18th session: two continuations of the shipped runner trained SIDE BY SIDE on the 2-core VM (each
# gets about one core, so 60 wall-clock minutes here are about 30 minutes alone): the control (gamma 0.99, as the
# runner was trained) and one lever (gamma 0.995). Same seed, same start, same conditions for both arms.
# Usage from the repository root: bash docs/results/record_s18/run_side_by_side.sh control99 gamma995
# Other sessions' arms run through this same script: HERE (where the arms' configs are) and SESSION (the folder
# under saves/experiments/) default to this session's (docs/results/record_s22/run_side_by_side.sh sets them).
set -e
here=${HERE:-docs/results/record_s18}
session=${SESSION:-s18}
start=qwop_studio/assets/models/qwop_runner.zip
steps=74780696
minutes=${MINUTES:-60}
pids=()
for run in "$@"; do
  mkdir -p saves/experiments/$session/$run/checkpoints
  cp $here/${run}_config.yml saves/experiments/$session/$run/config.yml
  cp $start saves/experiments/$session/$run/checkpoints/model_${steps}_steps.zip
  qwop-studio train --resume saves/experiments/$session/$run --max-minutes $minutes --no-progress \
      > saves/experiments/$session/$run/train.log 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
for run in "$@"; do
  qwop-studio evaluate --model saves/experiments/$session/$run/final_model.zip --episodes 100 --start-noop-max 30 \
      --json saves/experiments/$session/$run/eval100.json > saves/experiments/$session/$run/eval100.log 2>&1 &
done
wait
