#!/bin/bash
# issue 18, 22nd session: three continuations of the shipped runner trained SIDE BY SIDE on the 2-core VM (each
# gets about two thirds of a core): the control (the runner's own config), ent001 (entropy bonus 0.001) and
# posture0 (no posture term). Same seed, same start, same conditions for all arms; all started from this one
# shell, so Linux's autogroup gives them equal shares (the 18th session's lesson). Then each final model over
# 100 starts. Usage from the repository root:
#   MINUTES=95 bash docs/results/record_s22/run_side_by_side.sh control ent001 posture0
HERE=docs/results/record_s22 SESSION=s22 MINUTES=${MINUTES:-95} \
    exec bash docs/results/record_s18/run_side_by_side.sh "$@"
