#!/bin/bash
# Session 19 run 3: the paged GPU suite on the fixed-share claims build.
cd build-lead && FADSL_CACHE_DIR=/tmp/fc ./fadsl_tests gpu_paged > $OUT/gpu_paged.txt 2>&1
