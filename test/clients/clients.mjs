// engage's dashboard view through node-postgres (pg), as a Node.js dashboard backend reads it:
// once with every type parser replaced by the identity, the text the server sent
// (node-text.exact), and once with pg's default parsers, numbers, booleans, Dates and arrays
// of built-in types decoded (node-parsed.decoded); both dumped for compare.py.
//
//   node clients.mjs QUERY OUTDIR     (libpq environment: PGHOST, PGPORT, PGUSER, PGDATABASE)
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import pg from 'pg';

const US = '\x1f', RS = '\x1e', NULL = '\\N';
const [query, out] = process.argv.slice(2);

// A decoded value in text: Dates in ISO 8601, arrays as a JSON list of element strings.
function textForm(v) {
  if (v === null) return null;
  if (v instanceof Date) return v.toISOString();
  if (Array.isArray(v)) return JSON.stringify(v.map((e) => (e === null ? null : textForm(e))));
  return String(v);
}

function writeDump(name, fields, rows) {
  const records = [fields.map((f) => f.name), ...rows.map((r) => r.map(textForm))];
  writeFileSync(join(out, name), records.map((r) => r.map((v) => (v === null ? NULL : v)).join(US) + RS).join(''));
}

const client = new pg.Client();
await client.connect();
try {
  const text = await client.query({ text: query, rowMode: 'array', types: { getTypeParser: () => (v) => v } });
  writeDump('node-text.exact', text.fields, text.rows);
  const parsed = await client.query({ text: query, rowMode: 'array' });
  writeDump('node-parsed.decoded', parsed.fields, parsed.rows);
} finally {
  await client.end();
}
