#!/usr/bin/env bash
# Release metadata agree: META.json (PGXN Meta Spec 1.0.0: required keys, licence), the
# control file's default_version, the Makefile's EXTVERSION, the upgrade script to it, and a
# LICENSE with the PostgreSQL Licence.
set -euo pipefail
cd "$ENGAGE_ROOT"
control=$(sed -n "s/^default_version = '\(.*\)'/\1/p" engage.control)
makefile=$(sed -n 's/^EXTVERSION = //p' Makefile)
/usr/bin/python3 - "$control" "$makefile" <<'PY'
import json, os, sys
control, makefile = sys.argv[1:]
m = json.load(open("META.json"))
fail = []
for key in ("name", "abstract", "version", "maintainer", "license", "provides", "meta-spec"):
    if key not in m:
        fail.append(f"META.json lacks the required key {key}")
if m.get("meta-spec", {}).get("version") != "1.0.0":
    fail.append("META.json: meta-spec version is not 1.0.0")
if m.get("license") != "postgresql":
    fail.append("META.json: license is not postgresql")
versions = {"META.json version": m.get("version"), "engage.control": control, "Makefile": makefile,
            "META.json provides.engage": m.get("provides", {}).get("engage", {}).get("version")}
if len(set(versions.values())) != 1:
    fail.append(f"versions disagree: {versions}")
script = m.get("provides", {}).get("engage", {}).get("file", "")
if not os.path.exists(script):
    fail.append(f"META.json provides a file that the build does not make: {script}")
if fail:
    print("\n".join(fail)); sys.exit(1)
print(f"META.json, engage.control and Makefile agree on version {control}")
PY
grep -q 'Permission to use, copy, modify, and distribute this software' LICENSE ||
    { echo "LICENSE is not the PostgreSQL Licence"; exit 1; }
for up in src/engage--*--"$control".sql; do
    [ -e "$up" ] && echo "upgrade script to $control: $up"
done
