#!/usr/bin/python3
"""Property test of the input functions of engage's own types.

For every base type in schema engage (found in the catalog), feeds its text input function
(typinput) and its binary receive function (typreceive, through COPY ... FORMAT binary) with
random strings and bytes and with mutations (bit flips, truncations, extensions, splices) of
the valid values in test/data/type_samples.sql. Every attempt must either succeed or fail
with an ordinary SQL error; a backend crash, a lost connection or an internal error (SQLSTATE
XX000) fails the test. Every value that either input function accepted must then print and
read back to the same value (same text, same binary form). A type of schema engage without
sample values, or a base type without receive and send functions, fails the test.

    io_fuzz.py [ITERATIONS [SEED]]   (libpq environment: PGHOST, PGPORT, PGUSER, PGDATABASE)
"""
import os
import random
import struct
import sys

import psycopg
from psycopg import errors, sql

ITERATIONS = int(sys.argv[1]) if len(sys.argv) > 1 else 300
SEED = int(sys.argv[2]) if len(sys.argv) > 2 else 1
rng = random.Random(SEED)
SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "type_samples.sql")


# Binary values found by this fuzzer that an input function once got wrong: (type, payload
# in hex, the SQLSTATE it must now raise, or None when it must be accepted).
KNOWN_BINARY = [
    # last_event one microsecond past the end of the timestamp range: was accepted and then
    # could not be printed
    ("engage.engagement", "3ff00000000000007fffff5bb3b2a000000000141dd760000000000000000001", "22008"),
    # the last valid microsecond
    ("engage.engagement", "3ff00000000000007fffff5bb3b29fff000000141dd760000000000000000001", None),
    # a bitmap running past period 2147483647: was accepted, printed as {2147483641} but was
    # not equal to that value read back
    ("engage.activity", "7ffffff800000009020300000000000010", "22P03"),
    # the last byte of the period range
    ("engage.activity", "7ffffff80000000102", None),
    # a NaN option (with any payload bits): was accepted, and equal-looking samples could not
    # be merged
    ("engage.fitdata", "0000000100000001000000017ff80000000000003ff00000000000003ff0000000000000", "22P03"),
    ("engage.fitdata", "000000010000000100000001ffffffff9999999a3ff00000000000003ff0000000000000", "22P03"),
    ("engage.fitdata", "0000000100000001000000013fb999999999999a3ff00000000000003ff0000000000000", None),
]


class Crash(Exception):
    pass


def engage_types(conn):
    """(type, typtype, receive function or None, send function or None), arrays excluded."""
    return conn.execute(
        "SELECT t.oid::regtype::text, t.typtype, nullif(t.typreceive, 0)::regproc::text, "
        "       nullif(t.typsend, 0)::regproc::text "
        "FROM pg_catalog.pg_type AS t "
        "WHERE t.typnamespace = 'engage'::regnamespace AND t.typcategory <> 'A' "
        "  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c') "
        "ORDER BY 1").fetchall()


def sample_values(conn, typname):
    """Valid values of a type: its rows in engage_samples (test/data/type_samples.sql)."""
    rows = conn.execute(
        "SELECT value FROM engage_samples WHERE type = %s::regtype ORDER BY value", (typname,)).fetchall()
    return [r[0] for r in rows]


def mutate(data: bytes) -> bytes:
    data = bytearray(data)
    for _ in range(rng.randint(1, 4)):
        op = rng.randrange(7)
        if op == 0 and data:
            i = rng.randrange(len(data))
            data[i] ^= 1 << rng.randrange(8)
        elif op == 1 and data:
            del data[rng.randrange(len(data)):]
        elif op == 2:
            data += bytes(rng.randrange(256) for _ in range(rng.randint(1, 16)))
        elif op == 3 and data:
            i = rng.randrange(len(data))
            data[i] = rng.choice([0, 0xff, 0x7f, 0x80, ord('-'), ord('9'), ord(','), ord(')'),
                                  ord('('), ord('{'), ord('}'), ord('e'), ord(' ')])
        elif op == 4 and len(data) > 4:
            i, j = sorted(rng.sample(range(len(data)), 2))
            data[i:j] = data[i:j][::-1]
        elif op == 5 and len(data) >= 4:
            # overwrite an aligned 32-bit word (lengths, counts) with an extreme integer
            i = rng.randrange(len(data) - 3)
            data[i:i + 4] = struct.pack("!i", rng.choice([0, 1, -1, 2**31 - 1, -2**31, 2**30, 255, 256]))
        else:
            i = rng.randrange(len(data) + 1)
            data[i:i] = data[:rng.randrange(len(data) + 1)]
    return bytes(data)


def binary_copy(payload: bytes) -> bytes:
    header = b"PGCOPY\n\xff\r\n\x00" + struct.pack("!ii", 0, 0)
    row = struct.pack("!hi", 1, len(payload)) + payload
    return header + row + struct.pack("!h", -1)


def attempt(conn, what, fn):
    """Runs fn in its own transaction; True if accepted, False on an ordinary SQL error."""
    try:
        with conn.transaction():
            fn()
        return True
    except errors.InternalError_ as e:
        raise Crash(f"internal error (XX000) on {what!r}: {e}")
    except psycopg.Error as e:
        if conn.broken or e.sqlstate is None:
            raise Crash(f"connection lost (backend crash?) on {what!r}: {e}")
        return False


def fuzz_type(conn, typname, recv, send):
    """Fuzzes one base type; returns the number of failures."""
    failures = 0
    samples = sample_values(conn, typname)
    typ = sql.SQL(typname)
    conn.execute(sql.SQL("CREATE TEMP TABLE fuzz_sink (v {})").format(typ))
    binaries = [conn.execute(sql.SQL("SELECT {}(%s::{})").format(sql.SQL(send), typ), (s,)).fetchone()[0]
                for s in samples]
    accepted = rejected = 0
    for _ in range(ITERATIONS):
        if rng.random() < 0.2:
            text = bytes(rng.randrange(1, 128) for _ in range(rng.randint(0, 40))).decode()
        else:
            text = mutate(rng.choice(samples).encode()).replace(b"\x00", b"").decode("utf-8", "replace")
        ok = attempt(conn, text, lambda: conn.execute(
            sql.SQL("INSERT INTO fuzz_sink VALUES (%s::{})").format(typ), (text,)))
        accepted, rejected = accepted + ok, rejected + (not ok)
        payload = mutate(rng.choice(binaries)) if rng.random() < 0.8 else \
            bytes(rng.randrange(256) for _ in range(rng.randint(0, 64)))

        def copy_in(data=binary_copy(payload)):
            with conn.cursor().copy("COPY fuzz_sink FROM STDIN (FORMAT binary)") as cp:
                cp.write(data)
        ok = attempt(conn, payload, copy_in)
        accepted, rejected = accepted + ok, rejected + (not ok)
    # Whatever either input function accepted prints, and reads back to the same text and
    # the same binary form.
    rows = conn.execute(sql.SQL("SELECT ctid::text, {send}(v) FROM fuzz_sink").format(
        send=sql.SQL(send))).fetchall()
    for ctid, binary in rows:
        out, again = [], []
        if not attempt(conn, binary, lambda: out.append(conn.execute(
                "SELECT v::text FROM fuzz_sink WHERE ctid = %s::tid", (ctid,)).fetchone()[0])):
            print(f"{typname}: accepted value does not print: binary {binary.hex()}")
            failures += 1
        elif not attempt(conn, out[0], lambda: again.append(conn.execute(
                sql.SQL("SELECT %s::{t}::text, {send}(%s::{t})").format(t=typ, send=sql.SQL(send)),
                (out[0], out[0])).fetchone())):
            print(f"{typname}: accepted value does not read back: {out[0]!r}")
            failures += 1
        elif again[0] != (out[0], binary):
            print(f"{typname}: accepted value changes on a round trip: {out[0]!r} -> {again[0][0]!r}, "
                  f"binary {binary.hex()} -> {again[0][1].hex()}")
            failures += 1
    conn.execute("DROP TABLE fuzz_sink")
    print(f"{typname}: {len(samples)} samples, {accepted} inputs accepted, "
          f"{rejected} rejected with an error")
    return failures


def check_known_binary(conn):
    """Replays KNOWN_BINARY; returns the number of failures."""
    failures = 0
    for typname, payload, sqlstate in KNOWN_BINARY:
        conn.execute(sql.SQL("CREATE TEMP TABLE fuzz_sink (v {})").format(sql.SQL(typname)))
        got = None
        try:
            with conn.transaction():
                with conn.cursor().copy("COPY fuzz_sink FROM STDIN (FORMAT binary)") as cp:
                    cp.write(binary_copy(bytes.fromhex(payload)))
        except psycopg.Error as e:
            if conn.broken:
                raise Crash(f"connection lost on {payload}")
            got = e.sqlstate
        if got is None and not attempt(conn, payload, lambda: conn.execute(
                sql.SQL("SELECT v::text::{} FROM fuzz_sink").format(sql.SQL(typname)))):
            got = "accepted, but does not print and read back"
        conn.execute("DROP TABLE fuzz_sink")
        if got != sqlstate:
            print(f"{typname}: binary {payload} gave SQLSTATE {got}, expected {sqlstate}")
            failures += 1
    return failures


def main():
    conn = psycopg.connect(autocommit=True)
    conn.execute("SET client_min_messages = error")
    conn.execute("CREATE EXTENSION IF NOT EXISTS engage")
    conn.execute(open(SAMPLES).read())
    failures = 0
    try:
        failures += check_known_binary(conn)
        for typname, typtype, recv, send in engage_types(conn):
            if not sample_values(conn, typname):
                print(f"{typname}: no sample values in test/data/type_samples.sql")
                failures += 1
            elif typtype == 'b' and (recv is None or send is None):
                print(f"{typname}: no binary receive/send functions")
                failures += 1
            elif typtype == 'b':
                failures += fuzz_type(conn, typname, recv, send)
    except Crash as e:
        raise SystemExit(str(e))
    conn.close()
    if failures:
        raise SystemExit(f"{failures} failures")
    print("input functions: no crash, no internal error, every accepted value round-trips")


if __name__ == "__main__":
    main()
