#!/bin/bash
# issue 20 (24th session): sync (the default) against async with `async_weights: latest`, the default config,
# 30 minutes each, each run alone on the 2-core VM, interleaved order sync s0, latest s0, latest s1, sync s1;
# then every 5 minutes of each run evaluated over 100 starts (compare.sh).
cd /work/main/saves/experiments/s24/cmp30
source /work/main/docs/results/cmp30_run.sh  # run NAME SEED [--set ...]
run sync_s0 0
run latest_s0 0 --set collection=async --set async_weights=latest
run latest_s1 1 --set collection=async --set async_weights=latest
run sync_s1 1
echo "$(date -u +%FT%T) compare" >> commands.log
bash /work/main/docs/results/s24_cmp30/compare.sh
echo "$(date -u +%FT%T) done" >> commands.log
