#!/bin/bash
# issue 18, 25th session: the shipped runner continued with vf_coef 0.005 (see vf005_config.yml), alone, MINUTES
# (default 40), then the final and the kept best over 100 starts. From the repository root:
#   MINUTES=40 bash docs/results/record_s25/run_vf005.sh       (RESUME=1 continues the run folder)
MINUTES=${MINUTES:-40} exec bash docs/results/record_s25/run_continuation.sh vf005 \
    docs/results/record_s25/vf005_config.yml docs/results/runner_s17/qwop_runner.zip 74780696
