#!/usr/bin/python3
"""engage's dashboard view through psqlODBC, as Excel or Power BI read it (via pyodbc).

Two reads, each dumped for compare.py as decoded values (pyodbc hands over floats, integers,
decimals, datetimes and, for engage's types, which the driver reports as character data, the
text): the driver's defaults (odbc-default), and the options of large extracts: rows fetched
through a cursor in batches, engage's types as long varchar, booleans as bits (odbc-cursor).
DSN-less: the driver by its unixODBC name, the server by PGHOST (a socket directory or a host).

    odbc.py QUERY OUTDIR      (libpq environment: PGHOST, PGPORT, PGUSER, PGDATABASE)
"""
import datetime
import os
import sys

import pyodbc

from compare import write_dump

READS = {
    "odbc-default": "",
    "odbc-cursor": "UseDeclareFetch=1;Fetch=100;UnknownsAsLongVarchar=1;BoolsAsChar=0;",
}


def connection_string(options):
    env = os.environ
    return (f"Driver={{PostgreSQL Unicode}};Servername={env.get('PGHOST', 'localhost')};"
            f"Port={env.get('PGPORT', '5432')};Database={env['PGDATABASE']};Uid={env['PGUSER']};"
            f"SSLmode=disable;{options}")


def text_form(value):
    """pyodbc's decoded value as text for compare.py: booleans spelled out, times in ISO 8601."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime.datetime):
        return value.isoformat()
    return None if value is None else str(value)


def main():
    query, out = sys.argv[1], sys.argv[2]
    for read, options in READS.items():
        conn = pyodbc.connect(connection_string(options), autocommit=True)
        cur = conn.cursor()
        cur.execute(query)
        labels = [d[0] for d in cur.description]
        rows = [[text_form(v) for v in row] for row in cur.fetchall()]
        conn.close()
        write_dump(os.path.join(out, read + ".decoded"), labels, rows)


if __name__ == "__main__":
    main()
