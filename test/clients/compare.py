#!/usr/bin/python3
"""What each client read of the dashboard view, compared with psql's text of it.

test/t/clients.sh writes into one directory:
  columns           the view's columns: name, type (format_type), element type of arrays
  psql.reference    psql -At of the query (fields split by US, rows by RS, NULL as \\N)
and each client writes there one dump per way it reads the rows, in the same format with a
first record of the column labels it was given:
  CLIENT-READ.exact     the text the driver hands over; must equal psql's, byte for byte
  CLIENT-READ.decoded   the driver's decoded values written in the language's own text form:
                        numbers, booleans (true/t/1), timestamps (ISO 8601) and arrays (a JSON
                        list of strings) are compared as values, everything else as text
A difference is reported as a small diff naming the client, the row and the column.

    compare.py DIR [CLIENT-READ ...]     (no names: every dump in DIR)
"""
import datetime
import decimal
import glob
import json
import math
import os
import sys

US, RS, NULL = "\x1f", "\x1e", "\\N"
SHOWN_PER_READ = 10


def parse_dump(text):
    """Records of a dump (or of psql -At with US, RS and NULL as \\N) as lists of str or None."""
    if text.endswith("\n"):
        text = text[:-1]
    records = text.split(RS)
    if records and records[-1] == "":
        records.pop()
    return [[None if v == NULL else v for v in r.split(US)] for r in records]


def write_dump(path, labels, rows):
    """Writes a dump: the column labels, then the rows (str or None)."""
    with open(path, "w", encoding="utf-8") as f:
        for record in [labels] + rows:
            f.write(US.join(NULL if v is None else v for v in record) + RS)


def parse_array(text):
    """The elements of a one-dimensional array literal as str or None (NULL)."""
    if not (text.startswith("{") and text.endswith("}")):
        raise ValueError(f"not an array literal: {text!r}")
    elems, i, body = [], 0, text[1:-1]
    while i < len(body):
        if body[i] == '"':
            i, value = i + 1, []
            while body[i] != '"':
                if body[i] == "\\":
                    i += 1
                value.append(body[i])
                i += 1
            elems.append("".join(value))
            i += 1
        else:
            j = body.find(",", i)
            j = len(body) if j < 0 else j
            word = body[i:j]
            elems.append(None if word == "NULL" else word)
            i = j
        if i < len(body):
            if body[i] != ",":
                raise ValueError(f"unexpected {body[i]!r} in array literal {text!r}")
            i += 1
    return elems


def as_timestamp(text):
    """An ISO 8601 or PostgreSQL timestamptz text as an aware datetime (naive ones as UTC)."""
    t = datetime.datetime.fromisoformat(text.replace("Z", "+00:00"))
    return t if t.tzinfo else t.replace(tzinfo=datetime.timezone.utc)


BOOLEANS = {"t": True, "true": True, "1": True, "f": False, "false": False, "0": False}
VALUE_OF = {
    "smallint": int, "integer": int, "bigint": int,
    "double precision": float, "real": float,
    "numeric": decimal.Decimal,
    "boolean": lambda s: BOOLEANS[s.lower()],
    "timestamp with time zone": as_timestamp,
}


def same_value(a, b):
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return a == b


def decoded_equal(typ, elem, expected, got):
    """A decoded value (in its language's text form) against psql's text of it."""
    if expected is None or got is None:
        return expected is got
    if elem and got.startswith("["):
        items = json.loads(got)
        ref = parse_array(expected)
        return len(items) == len(ref) and all(
            decoded_equal(elem, None, r, None if g is None else str(g)) for r, g in zip(ref, items))
    if typ in VALUE_OF:
        try:
            return same_value(VALUE_OF[typ](expected), VALUE_OF[typ](got))
        except (ValueError, KeyError, decimal.InvalidOperation):
            return False
    return got == expected


class Reference:
    """psql's rows of the dashboard and the view's column types."""

    def __init__(self, directory):
        self.columns = [(r[0], r[1], r[2] or None) for r in parse_dump(read(directory, "columns"))]
        self.rows = parse_dump(read(directory, "psql.reference"))
        self.names = [c[0] for c in self.columns]

    def row_label(self, i):
        return f"row {i + 1} ({self.names[0]} {self.rows[i][0]})"


class Report:
    """Counts differences; prints the first few of each read as a small diff."""

    def __init__(self, ref):
        self.ref = ref
        self.failures = 0
        self.shown = {}

    def fail(self, read, where, expected, got):
        self.failures += 1
        self.shown[read] = self.shown.get(read, 0) + 1
        if self.shown[read] <= SHOWN_PER_READ:
            print(f"--- psql -At: {where}\n+++ {read}\n-{expected}\n+{got}")
        elif self.shown[read] == SHOWN_PER_READ + 1:
            print(f"... ({read}: further differences not shown)")

    def value(self, read, i, j, expected, got, equal):
        """One value: equal(expected, got) decides; both as psql and the client show them."""
        if not equal:
            name, typ, _ = self.ref.columns[j]
            self.fail(read, f"{self.ref.row_label(i)}, column {name} ({typ})",
                      "NULL" if expected is None else expected, "NULL" if got is None else got)

    def shape(self, read, labels, rows):
        """Column labels and row count; False (after a report) when they differ."""
        if labels != self.ref.names:
            self.fail(read, "column labels", " ".join(self.ref.names), " ".join(map(str, labels)))
            return False
        if len(rows) != len(self.ref.rows):
            self.fail(read, "row count", len(self.ref.rows), len(rows))
            return False
        for i, row in enumerate(rows):
            if len(row) != len(labels):
                self.fail(read, f"{self.ref.row_label(i)}: number of fields", len(labels), len(row))
                return False
        return True

    def dump(self, path):
        """Compares one client dump file; returns the number of values compared."""
        read, kind = os.path.basename(path).rsplit(".", 1)
        records = parse_dump(open(path, encoding="utf-8").read())
        if not records:
            self.fail(read, "dump", "column labels and rows", "nothing")
            return 0
        if not self.shape(read, records[0], records[1:]):
            return 0
        n = 0
        for i, (ref_row, row) in enumerate(zip(self.ref.rows, records[1:])):
            for j, (expected, got) in enumerate(zip(ref_row, row)):
                _, typ, elem = self.ref.columns[j]
                equal = got == expected if kind == "exact" else decoded_equal(typ, elem, expected, got)
                self.value(read, i, j, expected, got, equal)
                n += 1
        return n


def read(directory, name):
    with open(os.path.join(directory, name), encoding="utf-8") as f:
        return f.read()


def main():
    directory, names = sys.argv[1], sys.argv[2:]
    ref = Reference(directory)
    report = Report(ref)
    paths = sorted(glob.glob(os.path.join(directory, "*.exact")) + glob.glob(os.path.join(directory, "*.decoded")))
    if names:
        paths = [p for p in paths if os.path.basename(p).rsplit(".", 1)[0] in names]
        missing = set(names) - {os.path.basename(p).rsplit(".", 1)[0] for p in paths}
        for name in sorted(missing):
            report.fail(name, "dump", "a dump in " + directory, "none")
    if not ref.rows:
        report.fail("psql", "reference", "rows", "none")
    for path in paths:
        before = report.failures
        n = report.dump(path)
        verdict = "as psql" if report.failures == before else f"{report.failures - before} differ"
        print(f"{os.path.basename(path)}: {len(ref.rows)} rows x {len(ref.columns)} columns, {n} values {verdict}")
    if report.failures:
        sys.exit(f"dashboard: {report.failures} values differ from psql")


if __name__ == "__main__":
    main()
