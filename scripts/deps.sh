#!/usr/bin/env bash
# Installs what building and testing fadsl needs on Debian/Ubuntu, when it is missing.
# The CUDA toolkit (NVRTC) is expected under /usr/local/cuda.
set -euo pipefail
need=()
command -v flex >/dev/null || need+=(flex)
command -v bison >/dev/null || need+=(bison)
command -v cmake >/dev/null || need+=(cmake)
command -v clang >/dev/null || need+=(clang)
[ -f /usr/include/CUnit/CUnit.h ] || need+=(libcunit1-dev)
# The sanitizer and fuzzer runtimes (only recommended by Debian's clang package).
if command -v clang >/dev/null &&
   ! echo 'int LLVMFuzzerTestOneInput(const char *d, long n) { return 0; }' |
     clang -fsanitize=fuzzer,address -x c - -o /dev/null 2>/dev/null; then
    need+=(libclang-rt-dev)
fi
command -v clang >/dev/null || need+=(libclang-rt-dev)
[ "$(command -v python3)" = /usr/bin/python3 ] && ! python3 -c "import pytest" 2>/dev/null && need+=(python3-pytest)
if [ ${#need[@]} -gt 0 ]; then
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y "${need[@]}" >/dev/null 2>&1 || { apt-get update >/dev/null && apt-get install -y "${need[@]}" >/dev/null; }
fi
# Another python3 (pyenv, a venv) takes pytest from pip.
python3 -c "import pytest" 2>/dev/null || python3 -m pip install -q pytest 2>/dev/null || true
if [ ! -f /usr/local/cuda/include/nvrtc.h ]; then
    echo "fadsl needs the CUDA toolkit (NVRTC) under /usr/local/cuda" >&2
    exit 1
fi
