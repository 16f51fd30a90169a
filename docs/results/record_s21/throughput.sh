#!/bin/bash
# issue 18, 21st session: what the network-size arms cost per env step. Each config trains MINUTES (default 1)
# alone from scratch, ROUNDS interleaved rounds (default 2); env steps per training second from progress.csv.
# Run from the repository root: bash docs/results/record_s21/throughput.sh
set -e
minutes=${MINUTES:-1}
out=${OUT:-saves/experiments/s21/throughput}
for round in $(seq ${ROUNDS:-2}); do
  for arm in recipe critic256 wide256; do
    cfg=docs/results/record_s21/$arm.yml; [ $arm = recipe ] && cfg=docs/results/record_s19/recipe.yml  # train_ppo_record then
    qwop-studio train --config $cfg --max-minutes $minutes --run-dir $out/$arm-$round --no-progress > /dev/null 2>&1
    python -c "
import csv,sys; rows=list(csv.DictReader(open('$out/$arm-$round/progress.csv')))
print('$arm round $round: %.0f env steps/s' % (int(rows[-1]['step'])/float(rows[-1]['wall_time_s'])))"
  done
done
