#!/bin/bash
# issue 20, 25th session: what the env's per-step Python cut buys, measured alone on the 2-core VM.
# 1. one QWOPEnv, this tree against the commit before the cut (interleaved rounds, fresh processes);
# 2. learning throughput (python -m benchmarks.training, the default config, 2 workers), this tree and the
#    commit before the cut in alternating single-round invocations (each invocation measures one env, lock-step,
#    sync and async with latest weights in its own rounds, so its ratios are its own; the absolute figures of
#    the two trees are compared invocation by invocation).
# Usage from the repository root: BASE=<commit before the cut> bash docs/results/s25_env/throughput.sh
set -e
out=docs/results/s25_env
BASE=${BASE:?set BASE to the commit before the env cut}
python -m benchmarks.versions --base "$BASE" --runs 7 > $out/versions_extended.log 2>&1
python -m benchmarks.versions --base "$BASE" --runs 5 --observation qwop-gym > $out/versions_qwop_gym.log 2>&1
tree=$(mktemp -d)/base
git worktree add --detach --quiet "$tree" "$BASE"
trap 'git worktree remove --force "$tree"' EXIT
for round in 1 2 3; do
  python -m benchmarks.training --seconds 15 --runs 1 --workers 2 > $out/training_new_$round.log 2>&1
  (cd "$tree" && PYTHONPATH="$tree" python -m benchmarks.training --seconds 15 --runs 1 --workers 2) \
      > $out/training_base_$round.log 2>&1
done
