#!/bin/bash
# issue 20 (24th session): sync (the default) against async with `async_weights: latest`, the default config,
# 30 minutes each, each run alone on the 2-core VM, interleaved order sync s0, latest s0, latest s1, sync s1;
# then every 5 minutes of each run evaluated over 100 starts (compare.sh).
cd /work/main/saves/experiments/s24/cmp30
run() {  # name seed extra-sets...
  local name=$1 seed=$2; shift 2
  echo "$(date -u +%FT%T) start $name" >> commands.log
  echo "qwop-studio train --config train_ppo_upright --max-minutes 30 --seed $seed --run-dir $name --no-progress --set checkpoint_minutes=5 $*" >> commands.log
  qwop-studio train --config train_ppo_upright --max-minutes 30 --seed $seed --run-dir $name --no-progress \
      --set checkpoint_minutes=5 "$@" > $name.log 2>&1
  echo "$(date -u +%FT%T) end $name rc=$?" >> commands.log
}
run sync_s0 0
run latest_s0 0 --set collection=async --set async_weights=latest
run latest_s1 1 --set collection=async --set async_weights=latest
run sync_s1 1
echo "$(date -u +%FT%T) compare" >> commands.log
bash /work/main/docs/results/s24_cmp30/compare.sh
echo "$(date -u +%FT%T) done" >> commands.log
