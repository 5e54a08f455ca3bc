#!/usr/bin/env bash
# The test command (CI runs exactly this): installs missing tools, then
#  1. a -Werror build and every CUnit suite (NVRTC compiles every shipped variant to
#     cubins; GPU suites run only where a GPU is, and say so when they skip);
#  2. an AddressSanitizer + UndefinedBehaviorSanitizer build of the host code and its suites;
#  3. a bounded libFuzzer run of the parser and checker;
#  4. the Python binding's CPU tests.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(dirname "$0")/deps.sh"
jobs=$(nproc)

echo "== 1. build (-Werror) and unit tests"
cmake -S . -B build-ci -DFA_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build build-ci -j"$jobs"
FADSL_CACHE_DIR=$(mktemp -d) ./build-ci/fadsl_tests

echo "== 2. sanitizers (host code; NVRTC suites excluded: the library is not instrumented)"
# -O1: at -O0 the random-variant suite alone ran past 13 minutes; at -O1 every host suite takes 2
CC=clang cmake -S . -B build-asan -DFA_WERROR=ON -DFA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug \
    -DCMAKE_C_FLAGS_DEBUG="-g -O1" >/dev/null
cmake --build build-asan -j"$jobs" --target fadsl_tests
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 FADSL_CACHE_DIR=$(mktemp -d) \
    ./build-asan/fadsl_tests $(./build-ci/fadsl_tests --list-cpu-host)

echo "== 3. fuzzing the parser and checker (bounded)"
CC=clang cmake -S . -B build-fuzz -DFA_FUZZ=ON -DFA_SANITIZE=ON -DCMAKE_BUILD_TYPE=Debug >/dev/null
cmake --build build-fuzz -j"$jobs" --target fuzz_parser
mkdir -p build-fuzz/corpus
./build-fuzz/fuzz_parser -max_total_time="${FA_FUZZ_SECONDS:-60}" -max_len=2048 -timeout=10 \
    build-fuzz/corpus tests/fuzz_corpus stdlib examples 2>&1 | tail -n 3

echo "== 4. Python binding (CPU tests)"
if python3 -c "import pytest" 2>/dev/null; then
    FADSL_LIBRARY=$PWD/build-ci/libfadsl.so python3 -m pytest -q python/tests
else
    echo "skipped: pytest is not available for $(command -v python3)"
fi
