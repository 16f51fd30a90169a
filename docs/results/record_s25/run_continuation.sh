#!/bin/bash
# issue 18, 25th session: continue a model under a config, alone, for MINUTES, then evaluate the final and the kept
# best over 100 starts (start_noop_max 30). Shared by run_cad10_long.sh and run_vf005.sh. From the repository root:
#   MINUTES=40 bash docs/results/record_s25/run_continuation.sh RUN CONFIG START_MODEL START_STEPS
# RUN is the folder under saves/experiments/s25/; RESUME=1 continues that run folder's last checkpoint instead.
set -e
run=saves/experiments/s25/$1
if [ -z "$RESUME" ]; then
  mkdir -p $run/checkpoints
  cp "$2" $run/config.yml
  cp "$3" $run/checkpoints/model_$4_steps.zip
fi
qwop-studio train --resume $run --max-minutes ${MINUTES:?set MINUTES} --no-progress >> $run/train.log 2>&1
for m in final_model best_model; do
  qwop-studio evaluate --model $run/$m.zip --episodes 100 --start-noop-max 30 --json $run/${m}_eval100.json \
      > $run/${m}_eval100.log 2>&1
done
