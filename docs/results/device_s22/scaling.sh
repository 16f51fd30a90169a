#!/usr/bin/env bash
# Issue 20's scaling curve on the 16-core device machine (22nd session): the default config's env steps/s
# while learning, async collection with 1/2/4/8/15 workers, against sync (one worker per core, its update
# on 1 and on 16 threads), lock-step and one QWOPEnv; then async with the update on 4 threads.
# 32 envs x 128 steps: the default's 4,096-step rollout (8 x 512), so the learner's work per env step is
# the default's, with enough envs for 15 workers (n_envs >= collection_workers).
# Each round is its own invocation (--runs 1) so a round that finishes is kept if a later one is cut off.
# Run from the repository root with the wheels of .whl (Box2D, gymnasium, SB3, sb3-contrib, pydantic)
# carried: the device image has torch 2.11 and numpy, not these. OUT: where the logs go.
set -u
OUT=${OUT:-/tmp/device_s22}
mkdir -p "$OUT"
python3 -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --upgrade --target /tmp/site .whl/*.whl \
  && export PYTHONPATH=/tmp/site:$PWD || exit 1
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=1 SDL_VIDEODRIVER=dummy SDL_AUDIODRIVER=dummy
{ nproc; lscpu | grep -E "Model name|^CPU\(s\)|Thread|Socket|MHz"; free -g | head -2
  python3 -c "import sys, torch, numpy, stable_baselines3 as s; print(sys.version.split()[0], torch.__version__, numpy.__version__, s.__version__)"
} > "$OUT/machine.txt" 2>&1
cat "$OUT/machine.txt"
COMMON="--seconds 10 --runs 1 --set n_envs=32 --set hyperparams.n_steps=128"
for round in 1 2; do
  echo "== round $round ($SECONDS s)"
  python3 -m benchmarks.training $COMMON --workers 1 2 4 8 15 2>&1 | tee "$OUT/round$round.log"
done
# In the 22nd session the rounds took 362 s, so this part ran as a second call to the warm machine.
if [ "$SECONDS" -lt 340 ] || [ "${THREADS4:-0}" = 1 ]; then
  echo "== async with the update on 4 threads ($SECONDS s)"
  python3 -m benchmarks.training $COMMON --workers 8 12 15 --set learner_threads=4 2>&1 | tee "$OUT/threads4.log"
fi
echo "== done ($SECONDS s)"
