#!/usr/bin/env bash
# A short sqlsmith run inside make test (the long run: bash test/fuzz/run.sh).
set -euo pipefail
bash "$ENGAGE_ROOT/test/fuzz/sqlsmith.sh" 3000 "${ENGAGE_FUZZ_SEED:-1}"
