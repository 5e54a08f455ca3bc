#!/bin/bash
# Session 29, run 4 (H200): session 28's next_h100.sh part a as amended (gpu 380 s, pytest
# 180 s), on a fresh machine, to check it fits one device call now that gpu_paged compiles ahead.
t0=$SECONDS
bash bench/results/2026-11-29-h200-session28/next_h100.sh a
echo "part a: $((SECONDS - t0)) s"
