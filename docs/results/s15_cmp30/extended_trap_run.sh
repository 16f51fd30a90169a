#!/bin/bash
# 15th session: does the extended observation keep the default config out of the fall-at-once trap on the
# seeds where it fell for 30 minutes (sync s0; async s1)? Both seeds side by side (~1 core each), 10 minutes.
cd /work/main/saves/experiments/s15/trap
for s in 0 1; do
  echo "$(date -u +%FT%T) qwop-studio train --config train_ppo_upright --max-minutes 10 --seed $s --run-dir ext_s$s --no-progress --set checkpoint_minutes=2.5 --set env.observation=extended" >> commands.log
  qwop-studio train --config train_ppo_upright --max-minutes 10 --seed $s --run-dir ext_s$s --no-progress \
      --set checkpoint_minutes=2.5 --set env.observation=extended > ext_s$s.log 2>&1 &
done
wait
(cd /work/main && python -m benchmarks.compare_runs --out saves/experiments/s15/trap/cmp --jobs 2 --marks 2.5 5 7.5 10 --episodes 100 \
    --title "default + extended observation, seeds 0/1 side by side, 2-core VM" --arm extended=saves/experiments/s15/trap/ext_s0,saves/experiments/s15/trap/ext_s1) > compare.log 2>&1
echo "$(date -u +%FT%T) done" >> commands.log
