#!/usr/bin/env bash
# A short run of the input-function fuzzer inside make test: random and mutated text and
# binary input for every base type of engage, no crash, no XX000, every accepted value
# round-trips (the long run: bash test/fuzz/run.sh).
set -euo pipefail
cd "$ENGAGE_ROOT"
/usr/bin/python3 test/fuzz/io_fuzz.py "${ENGAGE_IO_FUZZ_ITERATIONS:-1000}" "${ENGAGE_FUZZ_SEED:-1}"
