#!/bin/bash
# issue 18, 22nd session: three continuations of the shipped runner trained SIDE BY SIDE on the 2-core VM (each
# gets about two thirds of a core): the control (the runner's own config), ent001 (entropy bonus 0.001) and
# posture0 (no posture term). Same seed, same start, same conditions for all arms; all started from this one
# shell, so Linux's autogroup gives them equal shares (the 18th session's lesson). Then each final model over
# 100 starts. Usage from the repository root:
#   MINUTES=95 bash docs/results/record_s22/run_side_by_side.sh control ent001 posture0
set -e
here=docs/results/record_s22
start=qwop_studio/assets/models/qwop_runner.zip
steps=74780696
minutes=${MINUTES:-95}
pids=()
for run in "$@"; do
  mkdir -p saves/experiments/s22/$run/checkpoints
  cp $here/${run}_config.yml saves/experiments/s22/$run/config.yml
  cp $start saves/experiments/s22/$run/checkpoints/model_${steps}_steps.zip
  qwop-studio train --resume saves/experiments/s22/$run --max-minutes $minutes --no-progress \
      > saves/experiments/s22/$run/train.log 2>&1 &
  pids+=($!)
done
wait "${pids[@]}"
for run in "$@"; do
  qwop-studio evaluate --model saves/experiments/s22/$run/final_model.zip --episodes 100 --start-noop-max 30 \
      --json saves/experiments/s22/$run/eval100.json > saves/experiments/s22/$run/eval100.log 2>&1 &
done
wait
