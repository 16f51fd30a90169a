#!/bin/bash
# issue 18, 25th session: the vf005 run's checkpoints over 100 starts (start_noop_max 30, evaluation seed 0, the
# default), two at a time on the 2 cores; then the chosen one again with evaluation seed 1 (other starts), so the
# figure reported is not the best of several draws. From the repository root:
#   bash docs/results/record_s25/evaluate_candidates.sh STEP [STEP ...]        (STEP: e.g. 90000000)
#   SEED=1 bash docs/results/record_s25/evaluate_candidates.sh STEP            (the confirmation)
set -e
run=saves/experiments/s25/vf005
seed=${SEED:-0}
for step in "$@"; do
  model=$run/checkpoints/model_${step}_steps.zip
  qwop-studio evaluate --model $model --episodes 100 --start-noop-max 30 --seed $((seed * 1000)) \
      --json $run/eval_${step}_seed${seed}.json > $run/eval_${step}_seed${seed}.log 2>&1 &
  while [ "$(jobs -r | wc -l)" -ge 2 ]; do sleep 1; done
done
wait
for step in "$@"; do
  echo "$step seed $seed: $(grep -m1 'success rate' $run/eval_${step}_seed${seed}.log) $(grep -m1 'upright' $run/eval_${step}_seed${seed}.log)"
done
