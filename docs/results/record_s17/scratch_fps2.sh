#!/bin/bash
# issue 18, 17th session: a first probe of frames_per_step 2 from scratch: the default config (train_ppo_upright,
# extended observation, its reward_schedule at 3.5 M env steps unchanged: env steps/s are about the same at 2 and 4
# frames, so the stage still comes at ~9 minutes), seed 0, 20 minutes alone on the 2-core VM, checkpoints every
# 5 minutes, the 5/10/20-minute snapshots evaluated over 100 starts. Compare: the same config at 4 frames, 16th
# session (docs/results/s16_default_extended_60min.csv). Run from the repository root; SEED=1 bash ... for another
# seed (18th session), into scratch_fps2_seed1.
set -e
seed=${SEED:-0}
out=saves/experiments/s17/scratch_fps2$([ "$seed" = 0 ] || echo _seed$seed)
mkdir -p $out
qwop-studio train --config train_ppo_upright --max-minutes 20 --seed $seed --run-dir $out/run --no-progress \
    --set checkpoint_minutes=5 --set env.frames_per_step=2 --set max_episode_steps=2000 > $out/train.log 2>&1
python -m benchmarks.compare_runs --out $out/cmp --jobs 2 --marks 5 10 20 --episodes 100 \
    --title "default config at frames_per_step 2, seed $seed, alone on the 2-core VM" --arm fps2=$out/run > $out/compare.log 2>&1
