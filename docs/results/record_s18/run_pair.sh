#!/bin/bash
# issue 18, 18th session: continue one model in several arms trained SIDE BY SIDE on the 2-core VM, each arm
# from the same start with its own config (docs/results/record_s18/<arm>_config.yml), for MINUTES (default 60)
# wall-clock minutes, then each final model evaluated over 100 starts (start_noop_max 30). Run from the repo root:
#   START=<model.zip> STEPS=<its num_timesteps> OUT=saves/experiments/s18 bash docs/results/record_s18/run_pair.sh ARM...
# An arm whose config names a ReferenceStartWrapper on saves/recordings/s18_start needs those recordings:
# this script makes them first from START (40 deterministic races, seed 1000, evaluate --record).
# All arms start from this one shell: side-by-side arms must share a session, because the kernel's autogroup
# scheduling shares the CPU equally between sessions (setsid), not between processes.
set -e
here=docs/results/record_s18
: "${START:?the model to continue}" "${STEPS:?its num_timesteps}"
out=${OUT:-saves/experiments/s18}
minutes=${MINUTES:-60}
if grep -q "saves/recordings/s18_start" $(printf "$here/%s_config.yml " "$@"); then
  rm -rf saves/recordings/s18_start
  qwop-studio evaluate --model "$START" --episodes 40 --start-noop-max 30 --seed 1000 \
      --record saves/recordings/s18_start --json saves/recordings/s18_start.json > /dev/null
fi
pids=(); arms=("$@")
for run in "$@"; do
  mkdir -p $out/$run/checkpoints
  cp $here/${run}_config.yml $out/$run/config.yml
  cp "$START" $out/$run/checkpoints/model_${STEPS}_steps.zip
  qwop-studio train --resume $out/$run --max-minutes $minutes --no-progress > $out/$run/train.log 2>&1 &
  pids+=($!)
done
for i in "${!pids[@]}"; do  # an arm that fails does not stop the others' evaluations
  wait "${pids[$i]}" || echo "arm ${arms[$i]}: training failed (see its train.log)"
done
for run in "$@"; do
  [ -f $out/$run/final_model.zip ] || continue
  qwop-studio evaluate --model $out/$run/final_model.zip --episodes 100 --start-noop-max 30 \
      --json $out/$run/eval100.json > $out/$run/eval100.log 2>&1 &
done
wait
