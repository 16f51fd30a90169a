#!/bin/bash
# issue 18, 26th session: the from-scratch recipe as it was then (docs/results/record_s19/recipe.yml: 9 actions;
# train_ppo_record until the 27th session, which changed it), SEED default 0, with its gradient clipped per net
# (grad_clip: per_net), alone on the 2-core VM, for MINUTES (default 95, the 19th session's budget), in chunks if
# need be: RESUME=1 continues the run folder's last checkpoint. CONFIG and RUN choose another config and run folder
# (docs/results/record_s27/run_recipe_16a.sh runs the 27th session's recipe through this script); FROM=MODEL.zip
# starts the run folder from a kept model instead, with the config stored in it (docs/results/record_s28/).
# From the repository root:
#   MINUTES=95 bash docs/results/record_s26/run_recipe_per_net.sh
# then the curve against the 19th session's recipe (100 starts at each 10-minute mark):
#   python -m benchmarks.compare_runs --out saves/experiments/s26/cmp --marks 10 20 30 40 50 60 70 80 90 95 \
#       --arm per_net=saves/experiments/s26/recipe_per_net_s0
set -e
run=${RUN:-saves/experiments/s26/recipe_per_net_s${SEED:-0}}
mkdir -p "$(dirname $run)"
if [ -n "$FROM" ] && [ -z "$RESUME" ]; then
  qwop-studio train --resume $FROM --run-dir $run --max-minutes ${MINUTES:?set MINUTES} --no-progress > $run.train.log 2>&1
elif [ -z "$RESUME" ]; then
  qwop-studio train --config ${CONFIG:-docs/results/record_s19/recipe.yml} --set grad_clip=per_net --set seed=${SEED:-0} \
      --max-minutes ${MINUTES:-95} --run-dir $run --no-progress > $run.train.log 2>&1
else
  qwop-studio train --resume $run --max-minutes ${MINUTES:?set MINUTES} --no-progress >> $run.train.log 2>&1
fi
for m in final_model best_model; do
  [ -f $run/$m.zip ] && qwop-studio evaluate --model $run/$m.zip --episodes 100 --start-noop-max 30 \
      --json $run.${m}_eval100.json > $run.${m}_eval100.log 2>&1
done
