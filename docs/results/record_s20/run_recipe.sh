#!/bin/bash
# issue 18, 20th session: the record recipe, then the packaged config train_ppo_record (the 19th session's
# docs/results/record_s19/recipe.yml, unchanged; the 27th session changed train_ppo_record, so this runs recipe.yml), from scratch, alone on the 2-core VM, for MINUTES wall-clock
# minutes (default 130), checkpoints every 10 minutes; then the snapshots at MARKS over 100 starts each
# (start_noop_max 30, deterministic). Run from the repository root: SEED=1 bash docs/results/record_s20/run_recipe.sh
# To continue a run in another chunk: qwop-studio train --resume $OUT/run --max-minutes 60 --no-progress
set -e
seed=${SEED:-1}
minutes=${MINUTES:-130}
marks=${MARKS:-10 20 40 60 80 95 110 $minutes}
out=${OUT:-saves/experiments/s20/recipe_seed$seed}
mkdir -p $out
qwop-studio train --config docs/results/record_s19/recipe.yml --max-minutes $minutes --seed $seed --run-dir $out/run \
    --no-progress > $out/train.log 2>&1
python -m benchmarks.compare_runs --out $out/cmp --jobs 2 --marks $marks --episodes 100 \
    --title "train_ppo_record from scratch, seed $seed, alone on the 2-core VM" --arm recipe=$out/run \
    > $out/compare.log 2>&1
