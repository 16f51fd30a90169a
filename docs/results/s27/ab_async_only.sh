#!/bin/bash
# issue 20, 27th session: only the default's async arm (train_ppo_upright, async, latest weights, 2 workers, fresh
# policy), SECONDS_PER_RUN of learning each, alternating the code before the queued rollout (BASE worktree) and
# after it (this checkout), ROUNDS rounds, who goes first alternating; prints env steps/s per run. Alone on the machine.
#   ROUNDS=4 SECONDS_PER_RUN=30 bash docs/results/s27/ab_async_only.sh > docs/results/s27/ab_async_only.log
set -e
BASE=${BASE:-/tmp/base}
here=$(pwd)
measure='from qwop_studio.train.benchmark import training_throughput
from qwop_studio.train.config import load_config
from qwop_studio.train.torch_setup import prepare_torch_process
prepare_torch_process()
r = training_throughput(load_config("train_ppo_upright"), '${SECONDS_PER_RUN:-30}')
print(f"{r.env_steps_per_s:,.0f} env steps/s over {r.seconds:.1f} s")'
for r in $(seq ${ROUNDS:-4}); do
  order="base queued"; [ $((r % 2)) = 0 ] && order="queued base"
  for side in $order; do
    dir=$here; [ $side = base ] && dir=$BASE
    echo "round $r $side: $(cd $dir && python -c "$measure" 2>/dev/null | tail -1)"
  done
done
