#!/usr/bin/env bash
# Every engage type through the client drivers dashboards use. psycopg 3, text and binary,
# reads the sample values of every type and real results on the CDNOW sample
# (test/clients/clients.py); then the dashboard view of test/clients/dashboard.sql is read
# through the PostgreSQL JDBC driver, psqlODBC, psycopg 3 and node-postgres, and every value
# must equal psql -At's text of it (test/clients/compare.py).
set -euo pipefail
cd "$ENGAGE_ROOT"
dir=test/clients
psql() { "$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
# Unaligned, no header: fields split by US, rows by RS, NULL as \N (compare.py's dump format).
dump() { psql -d engage_clients -At -F $'\x1f' -R $'\x1e' -P 'null=\N' "$@"; }

out=$(mktemp -d "${ENGAGE_WORK:-${TMPDIR:-/tmp}}/clients.XXXXXX")
psql -d postgres -c "DROP DATABASE IF EXISTS engage_clients" -c "CREATE DATABASE engage_clients" \
     -c "ALTER DATABASE engage_clients SET TimeZone = 'UTC'"
psql -d engage_clients -f test/demo/00_load.sql >/dev/null
psql -d engage_clients -f "$dir/dashboard.sql"
export PGDATABASE=engage_clients

# A quarter of the customers (spread over the cohort), as a dashboard's filter would pick them.
query="SELECT * FROM engage_dashboard WHERE customer_id % 4 = 1 ORDER BY customer_id"
dump -c "SELECT a.attname, format_type(a.atttypid, a.atttypmod),
                CASE WHEN t.typlen = -1 AND t.typelem <> 0 THEN format_type(t.typelem, NULL) END
         FROM pg_catalog.pg_attribute AS a JOIN pg_catalog.pg_type AS t ON t.oid = a.atttypid
         WHERE a.attrelid = 'engage_dashboard'::regclass AND a.attnum > 0 AND NOT a.attisdropped
         ORDER BY a.attnum" >"$out/columns"
dump -c "$query" >"$out/psql.reference"

failed=0
# step LABEL COMMAND...: runs it, notes a failure without stopping, prints its time.
step() {
    local label=$1 start
    start=$(date +%s%N)
    shift
    "$@" || { echo "FAILED: $label"; failed=1; }
    echo "$label: $((($(date +%s%N) - start) / 1000000)) ms"
}

# psycopg 3: the samples and queries, then the dashboard in binary (checked against psql's
# text in place) and in text (dumped).
step psycopg /usr/bin/python3 "$dir/clients.py" "$query" "$out"

# JDBC: compiled into the run's directory; the JVM in UTC, as the server's TimeZone.
jdbc=/usr/share/java/postgresql.jar
step javac javac -J-XX:TieredStopAtLevel=1 -d "$out/classes" -cp "$jdbc" "$dir/Clients.java"
step jdbc java -XX:TieredStopAtLevel=1 -Duser.timezone=UTC -cp "$jdbc:$out/classes" Clients "$query" "$out"

# psqlODBC through pyodbc.
step odbc /usr/bin/python3 "$dir/odbc.py" "$query" "$out"

# node-postgres, installed from the lock file when missing (make test's deps.sh does it first).
if [ ! -d "$dir/node_modules" ]; then
    step "npm ci" bash -c "cd $dir && npm ci --no-audit --no-fund"
fi
step node node "$dir/clients.mjs" "$query" "$out"

# Every dump against psql -At, value by value.
step compare /usr/bin/python3 "$dir/compare.py" "$out" jdbc-getString jdbc-getObject jdbc-binary-getObject \
    odbc-default odbc-cursor psycopg-text node-text node-parsed
psql -d postgres -c "DROP DATABASE engage_clients"
if [ "$failed" -ne 0 ]; then
    echo "dumps left in $out"
    exit 1
fi
rm -rf "$out"
