#!/bin/bash
# issue 18, 25th session: a first probe of the from-scratch recipe with vf_coef 0.005 (train_ppo_record as it was
# then, docs/results/record_s19/recipe.yml; everything else as shipped, seed 0), alone, MINUTES (default 25), then the final model over 100 starts. From the repository root:
#   MINUTES=25 bash docs/results/record_s25/run_recipe_vf005_probe.sh
set -e
run=saves/experiments/s25/recipe_vf005
qwop-studio train --config docs/results/record_s19/recipe.yml --set hyperparams.vf_coef=0.005 --max-minutes ${MINUTES:-25} \
    --run-dir $run --no-progress > $run.train.log 2>&1
qwop-studio evaluate --model $run/final_model.zip --episodes 100 --start-noop-max 30 --json $run.final_eval100.json \
    > $run.final_eval100.log 2>&1
