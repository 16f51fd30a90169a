#!/bin/bash
# issue 20, 27th session: the queued next rollout (this commit) against the code before it (BASE, a git worktree of
# the parent commit), alternating whole `benchmarks.training` invocations (one round each, 2 workers), ROUNDS times.
# Each invocation's ratios to its own one-env measure are the figures compared; alone on the machine.
#   git worktree add /tmp/base <parent commit>; ROUNDS=3 bash docs/results/s27/ab_queue.sh > docs/results/s27/ab_queue.log
set -e
BASE=${BASE:-/tmp/base}
here=$(pwd)
for r in $(seq ${ROUNDS:-3}); do
  order="base queued"; [ $((r % 2)) = 0 ] && order="queued base"  # who goes first alternates
  for side in $order; do
    dir=$here; [ $side = base ] && dir=$BASE
    echo "=== round $r: $side ($dir)"
    (cd $dir && python -m benchmarks.training --seconds ${SECONDS_PER_RUN:-15} --runs 1 --workers 2)
  done
done
