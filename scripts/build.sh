#!/usr/bin/env bash
# Set-up and main job: installs the build tools if missing (Debian), builds fadsl into
# build/, compiles a shipped example with fa-dslc (CUDA C and a cubin for sm_90a), then runs
# the C example (on a GPU it checks a causal GQA attention against a CPU reference; without
# one it compiles the kernel and says so).
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/deps.sh"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
echo "== fa-dslc examples/alibi_swa.fa --arch sm_90a --emit key"
./build/fa-dslc examples/alibi_swa.fa --arch sm_90a --emit key
./build/fa-dslc examples/alibi_swa.fa --arch sm_90a --emit cuda -o build/alibi_swa.cu
./build/fa-dslc examples/alibi_swa.fa --arch sm_90a --emit cubin -o build/alibi_swa.cubin
echo "== examples: causal GQA attention through the runtime"
./build/causal_gqa
