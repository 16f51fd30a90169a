#!/bin/bash
# issue 18, 27th session: the from-scratch recipe with all 16 key combinations (env.reduced_action_set: false, as
# the shipped runner acts) and the gradient clipped per net (grad_clip: per_net): train_ppo_record since this
# session. SEED default 0, alone on the 2-core VM, for MINUTES (default 95, the 19th and 26th sessions' budget), in
# chunks if need be: RESUME=1 continues the run folder's last checkpoint; then the final and kept-best models over
# 100 starts. The 26th session's script does the work (its per_net setting is this config's own). From the
# repository root:
#   MINUTES=95 bash docs/results/record_s27/run_recipe_16a.sh
# Against the 26th session's run (9 actions, per_net, seed 0): docs/results/record_s26/.
CONFIG=train_ppo_record RUN=saves/experiments/s27/recipe_16a_s${SEED:-0} \
    exec bash "$(dirname "$0")/../record_s26/run_recipe_per_net.sh"
