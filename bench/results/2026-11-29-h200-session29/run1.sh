#!/bin/bash
# Session 29, run 1 (H200): correctness on HEAD ef6abfa before anything else. gpu_paged has 49
# cases that never ran on c39c5c3's 64-bit claim tags, and ef6abfa's merge loop never ran.
# This is session 28's next_h100.sh part a (gpu_paged + gpu_fwd in full, pytest split/paged).
bash bench/results/2026-11-29-h200-session28/next_h100.sh a
