#!/bin/bash
# issue 18, 25th session: continue the 23rd session's cadence10 kept best WITH the bonus, alone, for MINUTES
# (default 100), then evaluate the final and the kept best over 100 starts. From the repository root:
#   MINUTES=100 bash docs/results/record_s25/run_cad10_long.sh      (RESUME=1 continues the run folder)
MINUTES=${MINUTES:-100} exec bash docs/results/record_s25/run_continuation.sh cad10_long \
    docs/results/record_s25/cad10_long_config.yml docs/results/record_s23/cadence10_best_model.zip 90000000
