#!/bin/bash
# issue 18, 23rd session: continue cadence10's kept best without the bonus, alone, MINUTES (default 25), then
# evaluate the final model over 100 starts. Usage from the repository root:
#   MINUTES=25 bash docs/results/record_s23/run_cad10_plain.sh
set -e
run=saves/experiments/s23/cad10_plain
mkdir -p $run/checkpoints
cp docs/results/record_s23/cad10_plain_config.yml $run/config.yml
cp docs/results/record_s23/cadence10_best_model.zip $run/checkpoints/model_90000000_steps.zip
qwop-studio train --resume $run --max-minutes ${MINUTES:-25} --no-progress > $run/train.log 2>&1
qwop-studio evaluate --model $run/final_model.zip --episodes 100 --start-noop-max 30 --json $run/eval100.json \
    > $run/eval100.log 2>&1
