#!/bin/bash
# Session 29, run 3 (H200): issue #5's timing on HEAD (the 64-bit claim tags of c39c5c3 and
# the merge of ef6abfa were timed only by claims_probe before): session 28's next_h100.sh
# part b, i.e. bench/paged_decode.py eager and under CUDA graphs, and claims_probe.py.
bash bench/results/2026-11-29-h200-session28/next_h100.sh b
