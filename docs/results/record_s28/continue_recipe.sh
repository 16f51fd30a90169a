#!/bin/bash
# issue 18, 28th session: the 27th session's from-scratch recipe run (train_ppo_record, seed 0, 115 minutes, 62 M env
# steps; its final model kept in docs/results/record_s27/) continued for MINUTES more (default 90), alone on the
# 2-core VM, then its final and kept-best models over 100 starts. RESUME=1 continues this run folder instead.
# From the repository root:
#   MINUTES=65 bash docs/results/record_s28/continue_recipe.sh
# Measured (28th session, 65 minutes, to 96.8 M env steps: 180 minutes from scratch): final model over 100 starts
# 97 % / 49.80 s, torso 94.8 % (recipe_16a_s0_cont_final_eval100.json; evaluation seed 1000: 97 % / 49.70 s);
# kept best (72 M) 97 % / 49.87 s. The final model is kept here (recipe_16a_s0_cont_final_model.zip) to go on with.
# The first attempt (continued_with_stage0_weights_*.csv) ran 40 minutes on the curriculum's first reward weights:
# a model resumed outside its run folder did not get its curriculum's weights back until this session's fix.
# The 26th session's script does the work (FROM: start the run folder from a kept model).
FROM=docs/results/record_s27/recipe_16a_s0_final_model.zip RUN=${RUN:-saves/experiments/s28/recipe_16a_s0_cont} \
    MINUTES=${MINUTES:-90} exec bash "$(dirname "$0")/../record_s26/run_recipe_per_net.sh"
