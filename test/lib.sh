# Shell helpers shared by the test runner, the demo and the benchmarks: a private copy of
# PostgreSQL with engage installed into it, and throwaway clusters on Unix sockets.
# Source it from the project root: . test/lib.sh

PGVER=15
PG_SYS_BIN=/usr/lib/postgresql/$PGVER/bin

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

# engage_temp_install DIR: copies the server into DIR and installs the built extension
# there (as PostgreSQL's own "make check" does), so tests never touch the system install.
# Prints the bin directory to use.
engage_temp_install() {
    local dest=$1
    mkdir -p "$dest/usr/lib/postgresql" "$dest/usr/share/postgresql"
    cp -a "/usr/lib/postgresql/$PGVER" "$dest/usr/lib/postgresql/"
    cp -a "/usr/share/postgresql/$PGVER" "$dest/usr/share/postgresql/"
    make -s install DESTDIR="$dest" >/dev/null
    [ "$(id -u)" -eq 0 ] && chown -R postgres: "$dest"
    echo "$dest/usr/lib/postgresql/$PGVER/bin"
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
