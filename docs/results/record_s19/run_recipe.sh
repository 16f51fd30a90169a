#!/bin/bash
# issue 18, 19th session: the from-scratch recipe (recipe.yml here), alone on the 2-core VM, for MINUTES (default
# 95) wall-clock minutes, checkpoints every 10 minutes; then every 20-minute snapshot over 100 starts
# (start_noop_max 30, deterministic). Run from the repository root: SEED=0 bash docs/results/record_s19/run_recipe.sh
set -e
seed=${SEED:-0}
out=saves/experiments/s19/recipe_seed$seed
minutes=${MINUTES:-95}
mkdir -p $out
qwop-studio train --config docs/results/record_s19/recipe.yml --max-minutes $minutes --seed $seed --run-dir $out/run \
    --no-progress > $out/train.log 2>&1
python -m benchmarks.compare_runs --out $out/cmp --jobs 2 --marks 10 20 40 60 80 $minutes --episodes 100 \
    --title "from-scratch recipe at frames_per_step 2, seed $seed, alone on the 2-core VM" --arm recipe=$out/run \
    > $out/compare.log 2>&1
