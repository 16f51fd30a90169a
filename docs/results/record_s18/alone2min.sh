#!/bin/bash
# 2 minutes alone of the control config from the shipped runner: its env steps/s today (issue 20 evidence)
set -e
out=saves/experiments/s18/alone2min
rm -rf $out; mkdir -p $out/checkpoints
cp docs/results/record_s18/control99_config.yml $out/config.yml
cp qwop_studio/assets/models/qwop_runner.zip $out/checkpoints/model_74780696_steps.zip
(while sleep 1; do head -1 /proc/stat; done) > $out/stat.log &
sp=$!
qwop-studio train --resume $out --max-minutes 2 --no-progress > $out/train.log 2>&1
kill $sp
