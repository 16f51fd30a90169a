#!/bin/bash
# every 5 minutes of each run evaluated over 100 starts; PPO's own statistics by 5-minute window
cd /work/main && D=saves/experiments/s24/cmp30
python -m benchmarks.compare_runs --out $D/cmp --jobs 2 --marks 5 10 15 20 25 30 --episodes 100 \
    --title "default config, sync vs async (latest weights), 2-core VM, each run alone" \
    --arm sync=$D/sync_s0,$D/sync_s1 --arm async-latest=$D/latest_s0,$D/latest_s1 > $D/compare.log 2>&1
python -m benchmarks.train_stats $D/sync_s0 $D/sync_s1 $D/latest_s0 $D/latest_s1 --window 5 --json $D/train_stats.json > $D/train_stats.log 2>&1
