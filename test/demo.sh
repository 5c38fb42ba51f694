#!/usr/bin/env bash
# make demo: installs engage, starts a throwaway cluster, loads the bundled data
# (test/data/) and prints what every family of engage functions computes on it.
set -euo pipefail
cd "$(dirname "$0")/.."
. test/lib.sh

work=$(engage_workdir demo)
if [ "$(id -u)" -eq 0 ]; then
    make -s install >/dev/null
    bindir=$PG_SYS_BIN
else
    bindir=$(engage_temp_install "$work/inst")
fi
datadir=$work/data
trap 'cluster_stop "$bindir" "$datadir"; rm -rf "$work"' EXIT
cluster_start "$bindir" "$datadir"

export PGHOST=$work PGPORT=5432 PGUSER=postgres PGDATABASE=postgres
for f in test/demo/*.sql; do
    as_owner "$bindir/psql" -X -q -v ON_ERROR_STOP=1 -P pager=off -f "$f"
done
