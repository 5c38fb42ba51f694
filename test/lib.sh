# Shell helpers shared by the test runner, the demo and the benchmarks: a private copy of
# PostgreSQL with engage installed into it, and throwaway clusters on Unix sockets.
# Source it from the project root: . test/lib.sh

# The PostgreSQL to test against, named by its pg_config (PGXS convention): `make test
# PG_CONFIG=/path/to/bin/pg_config` passes it on; the default is the one on PATH, Debian's 15.
PG_CONFIG=${PG_CONFIG:-pg_config}
PG_SYS_BIN=$("$PG_CONFIG" --bindir) || { echo "pg_config not found: $PG_CONFIG" >&2; return 1; }
PG_SHAREDIR=$("$PG_CONFIG" --sharedir)
PG_PKGLIBDIR=$("$PG_CONFIG" --pkglibdir)
PG_PGXS=$("$PG_CONFIG" --pgxs)
export PG_CONFIG

# Run a command as the owner of the clusters: the postgres user when we are root.
as_owner() {
    if [ "$(id -u)" -eq 0 ]; then
        runuser -u postgres -- env PATH="$PATH" "$@"
    else
        "$@"
    fi
}

# engage_workdir: a fresh directory for one run, owned by the cluster owner.
engage_workdir() {
    local dir
    dir=$(mktemp -d "${TMPDIR:-/tmp}/engage-$1.XXXXXX")
    chmod 755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres: "$dir"
    echo "$dir"
}

# engage_temp_install DIR: copies the server (its bin, lib and share directories, at their own
# paths under DIR) and installs the built extension there with DESTDIR, as PostgreSQL's own
# "make check" does, so tests never touch the installation itself. The binaries find lib and
# share relative to their own directory, so the copy runs as it is. Prints the bin directory.
engage_temp_install() {
    local dest=$1 dir
    for dir in "$PG_SYS_BIN" "$PG_PKGLIBDIR" "$PG_SHAREDIR"; do
        [ -e "$dest$dir" ] && continue
        mkdir -p "$dest$(dirname "$dir")"
        cp -a "$dir" "$dest$dir"
    done
    make -s install DESTDIR="$dest" PG_CONFIG="$PG_CONFIG" >/dev/null || return 1
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dest"
    echo "$dest$PG_SYS_BIN"
}

# pg_regress_path BINDIR: the pg_regress of the temporary installation whose bin directory is
# BINDIR (PGXS installs it under pkglibdir/pgxs/src/test/regress), else the installation's own.
pg_regress_path() {
    local dest=${1%"$PG_SYS_BIN"}
    local path
    path=$(dirname "$(dirname "$PG_PGXS")")/test/regress/pg_regress
    if [ -x "$dest$path" ]; then echo "$dest$path"; else echo "$path"; fi
}

# cluster_start BINDIR DATADIR [setting=value ...]: initdb and start a cluster that listens
# only on a Unix socket in DATADIR/.. ; prints nothing; sets nothing globally.
cluster_start() {
    local bindir=$1 datadir=$2; shift 2
    local sockdir
    sockdir=$(dirname "$datadir")
    as_owner "$bindir/initdb" -D "$datadir" -U postgres --auth=trust --no-sync \
        --encoding=UTF8 --locale=C.UTF-8 >"$datadir.initdb.log" 2>&1 ||
        { cat "$datadir.initdb.log" >&2; return 1; }
    {
        echo "listen_addresses = ''"
        echo "unix_socket_directories = '$sockdir'"
        echo "port = 5432"
        echo "fsync = off"
        echo "synchronous_commit = off"
        echo "full_page_writes = off"
        echo "max_parallel_workers_per_gather = 2"
        for s in "$@"; do echo "$s"; done
    } >>"$datadir/postgresql.conf"
    as_owner "$bindir/pg_ctl" -D "$datadir" -l "$datadir.log" -w start >/dev/null ||
        { cat "$datadir.log" >&2; return 1; }
}

# cluster_stop BINDIR DATADIR: stops it if it runs (safe to call twice).
cluster_stop() {
    local bindir=$1 datadir=$2
    [ -f "$datadir/postmaster.pid" ] || return 0
    as_owner "$bindir/pg_ctl" -D "$datadir" -m immediate -w stop >/dev/null 2>&1 || true
}
