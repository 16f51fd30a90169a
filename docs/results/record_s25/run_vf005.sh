#!/bin/bash
# issue 18, 25th session: the shipped runner continued with vf_coef 0.005 (see vf005_config.yml), alone, MINUTES
# (default 40), then the final and the kept best over 100 starts. From the repository root:
#   MINUTES=40 bash docs/results/record_s25/run_vf005.sh       (RESUME=1 continues the run folder)
set -e
run=saves/experiments/s25/vf005
if [ -z "$RESUME" ]; then
  mkdir -p $run/checkpoints
  cp docs/results/record_s25/vf005_config.yml $run/config.yml
  cp qwop_studio/assets/models/qwop_runner.zip $run/checkpoints/model_74780696_steps.zip
fi
qwop-studio train --resume $run --max-minutes ${MINUTES:-40} --no-progress >> $run/train.log 2>&1
for m in final_model best_model; do
  qwop-studio evaluate --model $run/$m.zip --episodes 100 --start-noop-max 30 --json $run/${m}_eval100.json \
      > $run/${m}_eval100.log 2>&1
done
