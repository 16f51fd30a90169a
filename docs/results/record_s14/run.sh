#!/bin/bash
# issue 18 record attempt (14th session): extended observation + demos of the previous runner + a 4-stage speed curriculum.
# Its final model shipped in the 14th and 15th sessions; it is kept in docs/results/runner_s14/ (evaluation: final_eval.json here).
set -e
mkdir -p saves/experiments/s14/record && cd saves/experiments/s14
cp ../../../docs/results/record_s14/config.yml record/config.yml
qwop-studio evaluate --model ../../../docs/results/runner_s9/qwop_runner.zip --episodes 20 --seed 500 --record runner_demos
qwop-studio train --config record/config.yml --max-minutes 105 --seed 0 --run-dir record/run --no-progress --demos runner_demos
