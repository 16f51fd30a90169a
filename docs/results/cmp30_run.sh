# Sourced by the 30-minute comparison chains (docs/results/s15_cmp30/chain.sh, s24_cmp30/chain.sh), run in the
# experiment folder: `run NAME SEED [--set KEY=VALUE ...]` trains the default config for 30 minutes into NAME,
# its log in NAME.log, its command and start/end times in commands.log.
run() {  # name seed extra-sets...
  local name=$1 seed=$2; shift 2
  echo "$(date -u +%FT%T) start $name" >> commands.log
  echo "qwop-studio train --config train_ppo_upright --max-minutes 30 --seed $seed --run-dir $name --no-progress --set checkpoint_minutes=5 $*" >> commands.log
  qwop-studio train --config train_ppo_upright --max-minutes 30 --seed $seed --run-dir $name --no-progress \
      --set checkpoint_minutes=5 "$@" > $name.log 2>&1
  echo "$(date -u +%FT%T) end $name rc=$?" >> commands.log
}
