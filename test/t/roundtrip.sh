#!/usr/bin/env bash
# The round-trip property test: values of every engage type generated from random and edge
# arguments read back equal in text and binary form (casts, send/receive, COPY in both
# formats) and compute; NaN and infinite arguments are rejected (test/fuzz/io_fuzz.py roundtrip).
set -euo pipefail
cd "$ENGAGE_ROOT"
/usr/bin/python3 test/fuzz/io_fuzz.py roundtrip "${ENGAGE_ROUNDTRIP_ROUNDS:-40}" "${ENGAGE_FUZZ_SEED:-1}"
