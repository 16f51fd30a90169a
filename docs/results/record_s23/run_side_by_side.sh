#!/bin/bash
# issue 18, 23rd session: three continuations of the shipped runner trained SIDE BY SIDE on the 2-core VM (each
# gets about two thirds of a core, as the 22nd session's three arms did): cadence5 and cadence10 (the gait-rhythm
# bonus, env/cadence.py, at two weights) and exp3 (the velocity term cubed). The 22nd session's control ran the
# same way for 95 minutes (docs/results/record_s22/). Then each final model over 100 starts. Usage:
#   MINUTES=100 bash docs/results/record_s23/run_side_by_side.sh cadence5 cadence10 exp3
HERE=docs/results/record_s23 SESSION=s23 MINUTES=${MINUTES:-100} \
    exec bash docs/results/record_s18/run_side_by_side.sh "$@"
