#!/bin/bash
# issue 18, 25th session: continue the 23rd session's cadence10 kept best WITH the bonus, alone, for MINUTES
# (default 100), then evaluate the final and the kept best over 100 starts. From the repository root:
#   MINUTES=100 bash docs/results/record_s25/run_cad10_long.sh
# Resumable: a second call with RESUME=1 continues the run folder's last checkpoint for MINUTES more.
set -e
run=saves/experiments/s25/cad10_long
if [ -z "$RESUME" ]; then
  mkdir -p $run/checkpoints
  cp docs/results/record_s25/cad10_long_config.yml $run/config.yml
  cp docs/results/record_s23/cadence10_best_model.zip $run/checkpoints/model_90000000_steps.zip
fi
qwop-studio train --resume $run --max-minutes ${MINUTES:-100} --no-progress >> $run/train.log 2>&1
for m in final_model best_model; do
  qwop-studio evaluate --model $run/$m.zip --episodes 100 --start-noop-max 30 --json $run/${m}_eval100.json \
      > $run/${m}_eval100.log 2>&1
done
