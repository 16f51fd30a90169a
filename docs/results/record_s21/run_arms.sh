#!/bin/bash
# issue 18, 21st session: the network-size arms (critic256.yml, wide256.yml: train_ppo_record with bigger nets)
# from scratch, seed 0, side by side on the 2-core VM for MINUTES (default 100) wall-clock minutes: both started
# from this one shell, so that Linux's autogroup gives them an equal share. Then each final model over 100 starts
# (start_noop_max 30, deterministic). ARMS chooses the arms; one arm alone gets both cores (the 21st session ran
# ARMS=critic256 MINUTES=110 alone, so that its minutes compare with the recipe's seeds, also run alone).
# Run from the repository root:
#   bash docs/results/record_s21/run_arms.sh
# The recipe's own curve by env steps is its two seeds' runs alone (record_s19, record_s20 evaluations CSVs).
# To continue an arm: qwop-studio train --resume $OUT/<arm>/run --max-minutes 60 --no-progress
minutes=${MINUTES:-100}
out=${OUT:-saves/experiments/s21}
arms=${ARMS:-critic256 wide256}
for arm in $arms; do
  mkdir -p $out/$arm
  qwop-studio train --config docs/results/record_s21/$arm.yml --max-minutes $minutes --seed 0 \
      --run-dir $out/$arm/run --no-progress > $out/$arm/train.log 2>&1 &
done
wait
for arm in $arms; do
  qwop-studio evaluate --model $out/$arm/run/final_model.zip --episodes 100 --start-noop-max 30 \
      --json $out/$arm/final_eval.json > $out/$arm/eval.log 2>&1 &
done
wait
