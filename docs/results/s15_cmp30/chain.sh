#!/bin/bash
# issue 20 (15th session): sync (the default) against async with decoupled PPO, 30 minutes each, each run alone,
# interleaved order sync s0, async s0, async s1, sync s1; then every 5 minutes evaluated over 100 starts.
cd /work/main/saves/experiments/s15/cmp30
source /work/main/docs/results/cmp30_run.sh  # run NAME SEED [--set ...]
run sync_s0 0
run async_s0 0 --set collection=async
run async_s1 1 --set collection=async
run sync_s1 1
echo "$(date -u +%FT%T) compare" >> commands.log
bash compare.sh
echo "$(date -u +%FT%T) done" >> commands.log
