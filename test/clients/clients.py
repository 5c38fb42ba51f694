#!/usr/bin/python3
"""engage's types through psycopg 3, in text and binary protocol.

Every type of schema engage (found in the catalog) is read from the sample values of
test/data/type_samples.sql and from real function results on the CDNOW sample (schema demo,
loaded by test/demo/00_load.sql), once with text and once with binary results:
  - composite types decode through psycopg.types.composite (CompositeInfo, register_composite)
    in both formats, to equal Python values;
  - enums decode through psycopg.types.enum in both formats, to the same member;
  - base types arrive in binary as raw bytes, which must equal the type's send function's
    output, and which, sent back as a binary parameter of that type (its receive function),
    must give the same text as the text-protocol read.
A base type without receive/send functions, or a type without samples, fails the test.

Then the dashboard query (test/clients/dashboard.sql) is read twice: in text, the values as the
server sent them, dumped for compare.py (psycopg-text.exact); in binary, each value decoded
and compared here with psql's text of it (OUTDIR/psql.reference) decoded by psycopg's text
loaders, base types through their send function as above (psycopg-binary).

    clients.py QUERY OUTDIR    (libpq environment: PGHOST, PGPORT, PGUSER, PGDATABASE)
"""
import os
import sys

import psycopg
from psycopg.adapt import Dumper, Transformer
from psycopg.pq import Format
from psycopg.types import TypeInfo
from psycopg.types.string import TextLoader
from psycopg.types.composite import CompositeInfo, register_composite
from psycopg.types.enum import EnumInfo, register_enum

import compare

SAMPLES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data", "type_samples.sql")

# Real results, read in both protocols. TimeZone is UTC (calendar days of engage.rfm).
QUERIES = [
    "SELECT customer_id, engage.rfm(occurred_at, amount, '1997-09-30', '7 days') AS rfm "
    "FROM demo.cdnow GROUP BY customer_id ORDER BY customer_id LIMIT 200",
    "SELECT customer_id, engage.rfm_holdout(occurred_at, amount, '1997-09-30', '1998-06-30', '7 days') "
    "FROM demo.cdnow GROUP BY customer_id ORDER BY customer_id LIMIT 200",
    "SELECT customer_id, (engage.rfm(occurred_at, amount, '1997-09-30', '7 days')).* "
    "FROM demo.cdnow GROUP BY customer_id ORDER BY customer_id LIMIT 50",
    "WITH s AS (SELECT engage.rfm(occurred_at, amount, '1997-09-30', '7 days') AS r "
    "           FROM demo.cdnow GROUP BY customer_id) "
    "SELECT engage.bgnbd_fit(r), engage.mbgnbd_fit(r), engage.paretonbd_fit(r), "
    "       engage.gammagamma_fit((r).frequency, (r).monetary) FILTER (WHERE (r).frequency > 0), "
    "       engage.fitdata((r).frequency, (r).recency, (r).age) FROM s",
    "SELECT engage.bgbb_fit(x, tx, n, w), engage.sbg_fit(tx + 1, x < 3, w) FROM (VALUES "
    "(6, 6, 6, 1203.0::float8), (5, 6, 6, 728), (4, 6, 6, 512), (3, 6, 6, 357), (2, 6, 6, 234), "
    "(1, 6, 6, 129), (5, 5, 6, 335), (4, 5, 6, 284), (3, 5, 6, 225), (2, 5, 6, 173), (1, 5, 6, 119), "
    "(0, 0, 6, 3464), (1, 1, 6, 504), (1, 2, 6, 333), (2, 4, 6, 150)) AS v(x, tx, n, w)",
    "SELECT customer_id, engage.lifecycle_stage(occurred_at, '1998-06-30', '90 days', '180 days', '365 days'), "
    "       engage.engagement_state(occurred_at, amount, '30 days'), "
    "       engage.activity_periods(occurred_at, '1997-01-01', '7 days') "
    "FROM demo.cdnow GROUP BY customer_id ORDER BY customer_id LIMIT 200",
    "SELECT a.customer_id, l.* FROM (SELECT customer_id, engage.activity_periods(occurred_at, '1997-01-01', '30 days') AS a "
    "FROM demo.cdnow GROUP BY customer_id ORDER BY customer_id LIMIT 20) AS a, engage.lifecycle(a.a, 0, 18) AS l",
]

failures = 0


def fail(msg):
    global failures
    failures += 1
    print("FAIL:", msg)


def same(a, b):
    """Equality of decoded values, NaN equal to NaN, recursing into tuples."""
    if isinstance(a, (tuple, list)) and isinstance(b, (tuple, list)):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b))
    return compare.same_value(a, b)


def engage_types(conn):
    return conn.execute(
        "SELECT t.oid, t.oid::regtype::text, t.typtype, t.typreceive::oid <> 0 AND t.typsend::oid <> 0, "
        "       nullif(t.typsend, 0)::regproc::text "
        "FROM pg_catalog.pg_type AS t "
        "WHERE t.typnamespace = 'engage'::regnamespace AND t.typcategory <> 'A' "
        "  AND (t.typtype <> 'c' OR (SELECT relkind FROM pg_catalog.pg_class WHERE oid = t.typrelid) = 'c') "
        "ORDER BY 2").fetchall()


def raw_class(oid):
    """A bytes subclass that psycopg sends as a binary parameter of type oid."""
    cls = type(f"raw_{oid}", (bytes,), {})
    dumper = type(f"dump_{oid}", (Dumper,), {"format": Format.BINARY, "oid": oid,
                                              "dump": lambda self, obj: bytes(obj)})
    return cls, dumper


class BaseTypes:
    """Checks raw binary values of engage's base types against send and receive."""

    def __init__(self, conn, types):
        self.conn = conn
        self.send = {oid: send for oid, _, typtype, _, send in types if typtype == 'b'}
        self.name = {oid: name for oid, name, *_ in types}
        self.raw = {}
        for oid in self.send:
            cls, dumper = raw_class(oid)
            conn.adapters.register_dumper(cls, dumper)
            self.raw[oid] = cls

    def sent(self, oid, texts):
        """The send function's output for each text value of type oid, in one query."""
        return [r[0] for r in self.conn.execute(
            f"SELECT {self.send[oid]}(v::{self.name[oid]}) FROM unnest(%s::text[]) WITH ORDINALITY AS u(v, i) "
            "ORDER BY i", (texts,)).fetchall()]

    def check(self, oid, text, binary, where):
        """text: the text-protocol value; binary: the binary-protocol value (bytes)."""
        if text is None or binary is None:
            if (text is None) != (binary is None):
                fail(f"{where}: NULL in one protocol only")
            return
        if not isinstance(binary, (bytes, bytearray, memoryview)):
            fail(f"{where}: binary value of {self.name[oid]} decoded as {type(binary).__name__}")
            return
        binary = bytes(binary)
        sent = self.conn.execute(f"SELECT {self.send[oid]}(%s::{self.name[oid]})", (text,)).fetchone()[0]
        if sent != binary:
            fail(f"{where}: binary value differs from {self.send[oid]}() of the text value")
        back = self.conn.execute("SELECT %s::text", (self.raw[oid](binary),)).fetchone()[0]
        if back != text:
            fail(f"{where}: binary value read back through receive gives {back!r}, not {text!r}")


def read_both(conn, query, params=None):
    """The rows and column type OIDs of a query, in text and in binary protocol."""
    with conn.cursor() as cur:
        cur.execute(query, params)
        text_rows, oids = cur.fetchall(), [d.type_code for d in cur.description]
    with conn.cursor(binary=True) as cur:
        cur.execute(query, params)
        binary_rows = cur.fetchall()
    return text_rows, binary_rows, oids


def compare_protocols(conn, base, query, params, where):
    """Reads a query both ways; returns the number of values compared."""
    text_rows, binary_rows, oids = read_both(conn, query, params)
    if len(text_rows) != len(binary_rows):
        fail(f"{where}: {len(text_rows)} text rows, {len(binary_rows)} binary rows")
        return 0
    n = 0
    for i, (t_row, b_row) in enumerate(zip(text_rows, binary_rows)):
        for j, (t, b) in enumerate(zip(t_row, b_row)):
            n += 1
            if oids[j] in base.send:
                base.check(oids[j], t, b, f"{where} row {i} column {j}")
            elif not same(t, b):
                fail(f"{where} row {i} column {j}: text {t!r} != binary {b!r}")
    return n


class BinaryDashboard:
    """The dashboard's binary values against psql's text of them (compare.Reference): each value
    equal to the text decoded by psycopg's text loaders; a base type's bytes (also inside
    arrays) equal to its send function's output for the text, checked per type in one query."""

    READ = "psycopg-binary"

    def __init__(self, conn, base, ref, report):
        self.conn, self.base, self.ref, self.report = conn, base, ref, report
        self.pending = {}  # oid -> [(text, bytes, row, column)]

    def check(self, query):
        with self.conn.cursor(binary=True) as cur:
            cur.execute(query)
            oids = [d.type_code for d in cur.description]
            labels = [d.name for d in cur.description]
            rows = cur.fetchall()
        if not self.report.shape(self.READ, labels, rows):
            return oids
        self.elem = dict(self.conn.execute(
            "SELECT oid, typelem FROM pg_catalog.pg_type WHERE oid = ANY(%s)", (oids,)).fetchall())
        tx = Transformer(self.conn)
        loaders = [tx.get_loader(oid, Format.TEXT) for oid in oids]
        for i, (ref_row, row) in enumerate(zip(self.ref.rows, rows)):
            for j, (text, got) in enumerate(zip(ref_row, row)):
                want = None if text is None else loaders[j].load(text.encode())
                if not self.match(oids[j], want, got, (i, j)):
                    self.report.value(self.READ, i, j, text, repr(got), False)
        for oid, values in self.pending.items():
            sent = self.base.sent(oid, [text for text, *_ in values])
            for (text, got, i, j), expected in zip(values, sent):
                if expected != got:
                    self.report.value(self.READ, i, j, self.ref.rows[i][j],
                                      f"{got!r}, not {self.base.send[oid]}() of {text!r}", False)
        return oids

    def match(self, oid, want, got, cell):
        if isinstance(want, list) and isinstance(got, list):
            return len(want) == len(got) and all(
                self.match(self.elem.get(oid, 0), w, g, cell) for w, g in zip(want, got))
        if oid in self.base.send and isinstance(want, str) and isinstance(got, (bytes, memoryview)):
            self.pending.setdefault(oid, []).append((want, bytes(got)) + cell)
            return True
        return same(want, got)


def dashboard(conn, base, query, out):
    """The dashboard query in binary (checked here) and in text (dumped for compare.py)."""
    ref = compare.Reference(out)
    report = compare.Report(ref)
    oids = BinaryDashboard(conn, base, ref, report).check(query)
    verdict = "as psql" if not report.failures else f"{report.failures} differ"
    print(f"{BinaryDashboard.READ}: {len(ref.rows)} rows x {len(ref.columns)} columns, {verdict}")
    with conn.cursor() as cur:
        for oid in oids:
            cur.adapters.register_loader(oid, TextLoader)
        cur.execute(query)
        compare.write_dump(os.path.join(out, "psycopg-text.exact"),
                           [d.name for d in cur.description], cur.fetchall())
    return report.failures


def main():
    query, out = sys.argv[1], sys.argv[2]
    conn = psycopg.connect(autocommit=True)
    conn.execute("SET client_min_messages = error")
    conn.execute("SET TimeZone = 'UTC'")
    conn.execute("CREATE EXTENSION IF NOT EXISTS engage")
    conn.execute(open(SAMPLES).read())
    types = engage_types(conn)
    for oid, name, typtype, has_binary, _ in types:
        if typtype == 'b' and not has_binary:
            fail(f"{name} has no receive/send functions: binary clients cannot read it")
        elif typtype == 'b':
            TypeInfo.fetch(conn, name).register(conn)  # its array type, read as a list
        elif typtype == 'c':
            register_composite(CompositeInfo.fetch(conn, name), conn)
        elif typtype == 'e':
            register_enum(EnumInfo.fetch(conn, name), conn)
    base = BaseTypes(conn, [t for t in types if t[3]])

    for oid, name, typtype, _, _ in types:
        samples = [r[0] for r in conn.execute(
            "SELECT value FROM engage_samples WHERE type = %s ORDER BY value", (oid,)).fetchall()]
        if not samples:
            fail(f"{name} has no sample values in test/data/type_samples.sql")
            continue
        n = 0
        for s in samples:
            n += compare_protocols(conn, base, f"SELECT %s::{name}, ARRAY[%s::{name}]::text", (s, s), f"{name} {s!r}")
        print(f"{name}: {len(samples)} samples read alike in text and binary ({n} values)")

    for k, q in enumerate(QUERIES):
        n = compare_protocols(conn, base, q, None, f"query {k}")
        print(f"query {k}: {n} values read alike in text and binary")
        if n == 0:
            fail(f"query {k} returned nothing")
    differ = dashboard(conn, base, query, out)
    conn.close()
    if failures or differ:
        sys.exit(f"{failures} failures, {differ} dashboard values differ from psql")
    print("clients: every engage type reads alike through psycopg in text and binary")


if __name__ == "__main__":
    main()
