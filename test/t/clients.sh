#!/usr/bin/env bash
# Every engage type through a real client driver (psycopg 3), text and binary protocol:
# sample values of every type and real results on the CDNOW sample (test/clients.py).
set -euo pipefail
cd "$ENGAGE_ROOT"
psql() { "$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
psql -d postgres -c "DROP DATABASE IF EXISTS engage_clients" -c "CREATE DATABASE engage_clients"
psql -d engage_clients -f test/demo/00_load.sql >/dev/null
PGDATABASE=engage_clients /usr/bin/python3 test/clients.py
psql -d postgres -c "DROP DATABASE engage_clients"
