#!/bin/bash
# issue 20 (15th session): sync (the default) against async with decoupled PPO, 30 minutes each, each run alone,
# interleaved order sync s0, async s0, async s1, sync s1; then every 5 minutes evaluated over 100 starts.
cd /work/main/saves/experiments/s15/cmp30
run() {  # name seed extra-sets...
  local name=$1 seed=$2; shift 2
  echo "$(date -u +%FT%T) start $name" >> commands.log
  echo "qwop-studio train --config train_ppo_upright --max-minutes 30 --seed $seed --run-dir $name --no-progress --set checkpoint_minutes=5 $*" >> commands.log
  qwop-studio train --config train_ppo_upright --max-minutes 30 --seed $seed --run-dir $name --no-progress \
      --set checkpoint_minutes=5 "$@" > $name.log 2>&1
  echo "$(date -u +%FT%T) end $name rc=$?" >> commands.log
}
run sync_s0 0
run async_s0 0 --set collection=async
run async_s1 1 --set collection=async
run sync_s1 1
echo "$(date -u +%FT%T) compare" >> commands.log
bash compare.sh
echo "$(date -u +%FT%T) done" >> commands.log
