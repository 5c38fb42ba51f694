#!/usr/bin/env bash
# Installs the Debian packages that building, testing and the demo need, when they are missing,
# and node-postgres for the client test (npm ci in test/clients, from its lock file).
# Runs apt-get only as root; otherwise it names what to install and fails.
#   bash test/deps.sh [EXTRA_PACKAGE ...]   (e.g. valgrind, for make valgrind)
set -euo pipefail
clients=$(cd "$(dirname "$0")/clients" && pwd)

# PostgreSQL itself comes from Debian (15) unless PG_CONFIG names another installation, e.g.
# one built by test/pgbuild.sh: then that installation must exist and nothing is installed
# for it.
pgver=15
need=()
have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }

pg_pkgs=()
if [ "${PG_CONFIG:-pg_config}" = pg_config ]; then
    pg_pkgs=("postgresql-$pgver" "postgresql-server-dev-$pgver" postgresql-contrib)
elif ! "$PG_CONFIG" --pgxs >/dev/null 2>&1; then
    echo "PG_CONFIG=$PG_CONFIG is not a working pg_config" >&2
    exit 1
fi
for pkg in make gcc libc6-dev "${pg_pkgs[@]}" python3 python3-psycopg sqlsmith \
           default-jdk-headless libpostgresql-jdbc-java odbc-postgresql unixodbc python3-pyodbc nodejs \
           "$@"; do
    have_pkg "$pkg" || need+=("$pkg")
done
# npm is part of some builds of the nodejs package, a package of its own in Debian's.
command -v npm >/dev/null || need+=(npm)

node_modules() {
    [ -d "$clients/node_modules" ] && return 0
    echo "installing node-postgres into test/clients (npm ci)"
    (cd "$clients" && npm ci --no-audit --no-fund --silent)
}

if [ ${#need[@]} -eq 0 ]; then
    node_modules
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "missing Debian packages: ${need[*]}" >&2
    echo "install them as root: apt-get install ${need[*]}" >&2
    exit 1
fi

echo "installing Debian packages: ${need[*]}"
# The tests start their own throwaway clusters: no need for Debian's default cluster.
if [ ! -e /etc/postgresql-common/createcluster.conf ]; then
    mkdir -p /etc/postgresql-common
    echo 'create_main_cluster = false' > /etc/postgresql-common/createcluster.conf
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
node_modules
