#!/usr/bin/env bash
# Builds a PostgreSQL major release from Debian's source package into a cache directory
# (never into the system) and prints the path of its pg_config, for
#     make test PG_CONFIG=$(bash test/pgbuild.sh 18)
#
#   bash test/pgbuild.sh MAJOR    e.g. 18
#
# The cache is $ENGAGE_PG_CACHE (default: /var/tmp/engage-pg), one folder per source version;
# a finished build is reused. The source comes from Debian's archive: Debian 12 does not
# package PostgreSQL 18, so a deb-src entry for sid is added for the download alone and
# removed again at once (nothing is installed from sid). Building needs bison, flex, gcc,
# make, zlib and, for the download, dpkg-dev; as root, missing ones are installed.
# The build: ./configure --without-icu --without-readline, make (about 5 minutes on 2
# cores), and postgres_fdw from contrib (the distributed test uses it).
set -euo pipefail

major=${1:?usage: pgbuild.sh MAJOR}
cache=${ENGAGE_PG_CACHE:-/var/tmp/engage-pg}
log() { echo "pgbuild: $*" >&2; }

# An earlier build of this major, finished: print it and stop.
for done_stamp in "$cache"/postgresql-"$major".*/.engage-built; do
    [ -e "$done_stamp" ] || continue
    echo "$(dirname "$done_stamp")/inst/bin/pg_config"
    exit 0
done

have_pkg() { dpkg-query -W -f='${Status}' "$1" 2>/dev/null | grep -q 'install ok installed'; }
need=()
for pkg in bison flex gcc make libc6-dev zlib1g-dev perl dpkg-dev xz-utils bzip2; do
    have_pkg "$pkg" || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
    [ "$(id -u)" -eq 0 ] || { log "missing Debian packages: ${need[*]} (install them as root)"; exit 1; }
    log "installing ${need[*]}"
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2 ||
        { apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >&2; }
fi

mkdir -p "$cache"
download=$cache/download-$major
if ! ls "$download"/postgresql-"$major"_*.orig.tar.* >/dev/null 2>&1; then
    [ "$(id -u)" -eq 0 ] || { log "downloading the source needs root (apt-get source with a temporary sid entry)"; exit 1; }
    mkdir -p "$download"
    sidlist=/etc/apt/sources.list.d/engage-pgbuild-sid-src.sources
    cleanup_sid() { rm -f "$sidlist"; apt-get update -qq >&2 || true; }
    trap cleanup_sid EXIT
    cat >"$sidlist" <<EOF
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: sid
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    log "downloading the source package postgresql-$major from sid"
    apt-get update -qq >&2
    (cd "$download" && apt-get source --download-only -qq "postgresql-$major" >&2)
    cleanup_sid
    trap - EXIT
fi
tarball=$(ls "$download"/postgresql-"$major"_*.orig.tar.* | sort -V | tail -n 1)
version=$(basename "$tarball" | sed -E "s/^postgresql-${major}_([^.]+\.[^.]+)\.orig\.tar\..*/\1/")
tree=$cache/postgresql-$version
log "building PostgreSQL $version in $tree (about 5 minutes on 2 cores)"
rm -rf "$tree"
mkdir -p "$tree"
tar -xf "$tarball" -C "$tree" --strip-components=1
(
    cd "$tree"
    ./configure --prefix="$tree/inst" --without-icu --without-readline >configure.log 2>&1 ||
        { tail -n 40 configure.log >&2; exit 1; }
    make -s -j"$(nproc)" >build.log 2>&1 || { tail -n 40 build.log >&2; exit 1; }
    make -s install >>build.log 2>&1
    make -s -C contrib/postgres_fdw install >>build.log 2>&1
) || { log "build failed: logs in $tree"; exit 1; }
touch "$tree/.engage-built"
echo "$tree/inst/bin/pg_config"
