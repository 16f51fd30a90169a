#!/bin/bash
# issue 18, 27th session: the from-scratch recipe (train_ppo_record) with all 16 key combinations
# (env.reduced_action_set: false, as the shipped runner acts) and the gradient clipped per net (grad_clip: per_net),
# SEED default 0, alone on the 2-core VM, for MINUTES (default 95, the 19th and 26th sessions' budget), in chunks if
# need be: RESUME=1 continues the run folder's last checkpoint. From the repository root:
#   MINUTES=95 bash docs/results/record_s27/run_recipe_16a.sh
# Against the 26th session's run (9 actions, per_net, seed 0): docs/results/record_s26/.
set -e
run=saves/experiments/s27/recipe_16a_s${SEED:-0}
mkdir -p saves/experiments/s27
if [ -z "$RESUME" ]; then
  qwop-studio train --config train_ppo_record --set grad_clip=per_net --set env.reduced_action_set=false \
      --set seed=${SEED:-0} --max-minutes ${MINUTES:-95} --run-dir $run --no-progress > $run.train.log 2>&1
else
  qwop-studio train --resume $run --max-minutes ${MINUTES:?set MINUTES} --no-progress >> $run.train.log 2>&1
fi
for m in final_model best_model; do
  [ -f $run/$m.zip ] && qwop-studio evaluate --model $run/$m.zip --episodes 100 --start-noop-max 30 \
      --json $run.${m}_eval100.json > $run.${m}_eval100.log 2>&1
done
