#!/bin/bash
# issue 18, 17th session: each continuation's kept best model (the trainer's best over 50 in-training starts)
# evaluated over 100 starts, two at a time (after all training ended). Run from the repository root.
set -e
for run in "$@"; do
  qwop-studio evaluate --model saves/experiments/s17/$run/best_model.zip --episodes 100 --start-noop-max 30 \
      --json saves/experiments/s17/$run/best_eval100.json > saves/experiments/s17/$run/best_eval100.log 2>&1 &
  if (( $(jobs -r | wc -l) >= 2 )); then wait -n; fi
done
wait
