#!/bin/bash
# 16th session, issue 18 (next step 1): the default config with the extended observation, 60 minutes, seed 0,
# ALONE on the 2-core VM (nothing else running), checkpoints every 5 minutes; then each 5/10/20/30/40/50/60-minute
# snapshot evaluated over 100 starts (start_noop_max 30). Decides whether `observation: extended` becomes the default.
cd /work/main/saves/experiments/s16/ext60
echo "$(date -u +%FT%T) qwop-studio train --config train_ppo_upright --max-minutes 60 --seed 0 --run-dir ext_s0 --no-progress --set checkpoint_minutes=5 --set env.observation=extended" >> commands.log
qwop-studio train --config train_ppo_upright --max-minutes 60 --seed 0 --run-dir ext_s0 --no-progress \
    --set checkpoint_minutes=5 --set env.observation=extended > ext_s0.log 2>&1
echo "$(date -u +%FT%T) trained" >> commands.log
(cd /work/main && python -m benchmarks.compare_runs --out saves/experiments/s16/ext60/cmp --jobs 2 --marks 5 10 20 30 40 50 60 --episodes 100 \
    --title "default config + extended observation, seed 0, alone on the 2-core VM" --arm extended=saves/experiments/s16/ext60/ext_s0) > compare.log 2>&1
qwop-studio evaluate --model ext_s0/best_model.zip --episodes 100 --start-noop-max 30 --json best_eval100.json > best_eval.log 2>&1
qwop-studio evaluate --model ext_s0/final_model.zip --episodes 100 --start-noop-max 30 --json final_eval100.json > final_eval.log 2>&1
echo "$(date -u +%FT%T) done" >> commands.log
