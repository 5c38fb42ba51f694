#!/usr/bin/env bash
# Builds a PostgreSQL major release from Debian's source package into a cache directory
# (never into the system) and prints the path of its pg_config, for
#     make test PG_CONFIG=$(bash test/pgbuild.sh 18)
#
#   bash test/pgbuild.sh MAJOR    e.g. 18
#
# The cache is $ENGAGE_PG_CACHE (default: /var/tmp/engage-pg), one folder per source version;
# a finished build is reused, and concurrent calls for one major wait for each other's build.
# The source comes from Debian's archive: Debian 12 does not package PostgreSQL 18, so the
# source package is fetched from sid with apt-get's own lists and sources kept in a scratch
# directory (the system's apt configuration and state are not touched; nothing is installed
# from sid). Building needs bison, flex, gcc, make, zlib and, for the download, dpkg-dev; as
# root, missing ones are installed. The build: ./configure --without-icu --without-readline,
# make (about 5 minutes on 2 idle cores), and postgres_fdw from contrib (the distributed test
# uses it). Progress goes to stderr; stdout is only the pg_config path.
set -euo pipefail

major=${1:?usage: pgbuild.sh MAJOR}
[[ $major =~ ^[0-9]+$ ]] || { echo "usage: pgbuild.sh MAJOR (a number, e.g. 18)" >&2; exit 2; }
cache=${ENGAGE_PG_CACHE:-/var/tmp/engage-pg}
log() { echo "pgbuild: $*" >&2; }

# The newest finished build of this major, if any: prints its pg_config.
finished_build() {
    local stamp
    stamp=$(ls -d "$cache"/postgresql-"$major".*/.engage-built 2>/dev/null | sort -V | tail -n 1)
    [ -n "$stamp" ] && echo "$(dirname "$stamp")/inst/bin/pg_config"
}
if pg_config=$(finished_build); then
    echo "$pg_config"
    exit 0
fi

mkdir -p "$cache"
exec 9>"$cache/.lock-$major"
flock 9
# another call may have finished the build while this one waited
if pg_config=$(finished_build); then
    echo "$pg_config"
    exit 0
fi

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need=()
for pkg in bison flex gcc make libc6-dev zlib1g-dev perl dpkg-dev xz-utils bzip2; do
    have_pkg "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || { log "missing Debian packages: ${need[*]} (install them as root)"; exit 1; }
    log "installing ${need[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null ||
        { apt-get update -qq >/dev/null && apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null; }
fi

download=$cache/download-$major
if ! ls "$download"/postgresql-"$major"_*.orig.tar.* >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { log "downloading the source needs root (apt-get source from sid)"; exit 1; }
    log "downloading the source package postgresql-$major from sid"
    # apt's own scratch state, readable and writable by its unprivileged download user _apt
    apt_dir=$(mktemp -d "$cache/apt.XXXXXX")
    trap 'rm -rf "$apt_dir"' EXIT
    mkdir -p "$apt_dir/lists/partial" "$apt_dir/cache/archives/partial" "$apt_dir/download"
    echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] http://deb.debian.org/debian sid main" \
        >"$apt_dir/sid.list"
    id _apt >/dev/null 2>&1 && chown -R _apt: "$apt_dir"
    apt_opts=(-qq -o Dir::Etc::SourceList="$apt_dir/sid.list" -o Dir::Etc::SourceParts=/dev/null
              -o Dir::State::Lists="$apt_dir/lists" -o Dir::Cache="$apt_dir/cache")
    apt-get "${apt_opts[@]}" update >&2
    (cd "$apt_dir/download" && apt-get "${apt_opts[@]}" source --download-only "postgresql-$major" >&2)
    mkdir -p "$download"
    chown root: "$apt_dir/download"/*
    mv "$apt_dir/download"/* "$download/"
    rm -rf "$apt_dir"
    trap - EXIT
fi
tarball=$(ls "$download"/postgresql-"$major"_*.orig.tar.* | sort -V | tail -n 1)
version=$(basename "$tarball" | sed -E "s/^postgresql-${major}_([^.]+\.[^.]+)\.orig\.tar\..*/\1/")
tree=$cache/postgresql-$version
log "building PostgreSQL $version in $tree (about 5 minutes on 2 idle cores)"
rm -rf "$tree"
mkdir -p "$tree"
tar -xf "$tarball" -C "$tree" --strip-components=1
(
    cd "$tree"
    ./configure --prefix="$tree/inst" --without-icu --without-readline >configure.log 2>&1 ||
        { tail -n 40 configure.log >&2; exit 1; }
    { make -s -j"$(nproc)" && make -s install && make -s -C contrib/postgres_fdw install; } \
        >build.log 2>&1 || { tail -n 40 build.log >&2; exit 1; }
) || { log "build failed: logs in $tree"; exit 1; }
touch "$tree/.engage-built"
echo "$tree/inst/bin/pg_config"
