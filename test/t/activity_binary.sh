#!/usr/bin/env bash
# engage.activity through the binary protocol: COPY (FORMAT binary) out and back in gives
# the same values; a non-canonical or truncated binary value is rejected with 22P03.
set -euo pipefail
psql() { "$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 -d postgres "$@"; }
dir=$ENGAGE_WORK/activity_binary
mkdir -p "$dir"

psql <<SQL
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
DROP TABLE IF EXISTS act_out, act_in;
CREATE TABLE act_out (id int, a engage.activity);
INSERT INTO act_out VALUES (1, '{}'), (2, '{0-3,5,9-12}'), (3, '{-10--3,5-7}'), (4, '{2147483647}'),
    (5, '{-2147483648}'), (6, NULL), (7, (SELECT '{' || string_agg(i::text, ',') || '}' FROM generate_series(0, 999999, 3) AS i)::engage.activity);
\copy act_out TO '$dir/act.bin' WITH (FORMAT binary)
CREATE TABLE act_in (LIKE act_out);
\copy act_in FROM '$dir/act.bin' WITH (FORMAT binary)
SQL

same=$(psql -At -c "SELECT count(*) FROM act_out o JOIN act_in i USING (id) WHERE o.a::text IS NOT DISTINCT FROM i.a::text")
[ "$same" = 7 ] || { echo "binary round trip: $same of 7 values equal"; exit 1; }

# A hand-made binary COPY file with one activity value: base (int32), byte count (int32), bytes.
copyfile() {  # $1 = file, $2 = value bytes as printf escapes, $3 = value length
    { printf 'PGCOPY\n\377\r\n\0'; printf '\0\0\0\0\0\0\0\0'
      printf '\0\1'; printf "\\0\\0\\0\\$(printf '%03o' "$3")"; printf "$2"; printf '\377\377'; } >"$1"
}
copyfile "$dir/good.bin" '\0\0\0\010\0\0\0\001\003' 9          # base 8, one byte 0b11: {8-9}
copyfile "$dir/unaligned.bin" '\0\0\0\003\0\0\0\001\001' 9     # base 3: not a multiple of 8
copyfile "$dir/zero.bin" '\0\0\0\0\0\0\0\001\0' 9               # a zero first byte
copyfile "$dir/short.bin" '\0\0\0\0\0\0\0\002\001' 9            # says 2 bytes, has 1
psql -c "CREATE TABLE act_one (a engage.activity)"
psql -c "\copy act_one FROM '$dir/good.bin' WITH (FORMAT binary)"
got=$(psql -At -c "SELECT a::text FROM act_one")
[ "$got" = "{8-9}" ] || { echo "hand-made binary value read as $got"; exit 1; }
for f in unaligned zero short; do
    if out=$(psql -v VERBOSITY=verbose -c "\set VERBOSITY verbose" -c "\copy act_one FROM '$dir/$f.bin' WITH (FORMAT binary)" 2>&1); then
        echo "$f.bin was accepted"; exit 1
    fi
    echo "$out" | grep -q "22P03" || { echo "$f.bin: unexpected error: $out"; exit 1; }
done
psql -c "DROP TABLE act_out, act_in, act_one"
echo "activity binary I/O ok"
