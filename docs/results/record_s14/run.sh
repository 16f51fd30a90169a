#!/bin/bash
# issue 18 record attempt (14th session): extended observation + demos of the shipped runner + a 4-stage speed curriculum
cd /work/main/saves/experiments/s14
qwop-studio train --config record/config.yml --max-minutes 105 --seed 0 --run-dir record/run --no-progress --demos runner_demos
