#!/usr/bin/env bash
# pgbench with 8 clients for 15 s runs a mix of engage queries: incremental engagement states
# updated by UPDATE through engage.engagement_add and through the + operator (each with the
# event appended to a log in the same transaction), scores and aggregates grouped by customer
# over a fixed table, and a fit on a small sample.  Passes when no transaction failed, the
# server logged no error, every concurrent read gave the answer of a serial run, and every
# final state equals the state recomputed from the whole log (same events and last event,
# score equal within 1e-9 relative: the order of floating-point additions differs).
set -uo pipefail
db=engage_concurrency
SECONDS_RUN=${ENGAGE_PGBENCH_SECONDS:-15}
psql() { "$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
log=$ENGAGE_WORK/data.log
log_lines=$( [ -f "$log" ] && wc -l <"$log" || echo 0)

psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
psql -d $db <<'SQL' || exit 1
CREATE EXTENSION engage;
SET TimeZone = 'UTC';
-- fixed interactions of 200 customers, read by the scoring and aggregate queries
CREATE TABLE orders AS
SELECT 1 + g % 200 AS customer_id,
       timestamptz '2024-01-01 00:00+00' + (g * 7919 % 100000) * interval '5 minutes' AS occurred_at,
       (g % 97) + 0.25 AS amount
FROM generate_series(1, 20000) g;
CREATE INDEX ON orders (customer_id);
-- the event log and the incremental states kept by UPDATE
CREATE TABLE event_log (customer_id int, occurred_at timestamptz, weight float8);
INSERT INTO event_log SELECT c, '2024-01-01 00:00+00', 1 FROM generate_series(1, 200) c;
CREATE TABLE states (customer_id int PRIMARY KEY, state engage.engagement NOT NULL);
INSERT INTO states SELECT c, engage.engagement('2024-01-01 00:00+00', 1, '7 days') FROM generate_series(1, 200) c;
-- what the concurrent reads saw
CREATE TABLE seen (query text, customer_id int, answer text);
CREATE VIEW answer AS
SELECT customer_id,
       md5(pg_catalog.concat_ws(' ',
           engage.engagement_score(occurred_at, amount, '2024-06-01 00:00+00', '7 days'),
           engage.rfm(occurred_at, amount, '2024-06-01 00:00+00', '7 days'),
           engage.lifecycle_stage(occurred_at, '2024-06-01 00:00+00', '30 days', '90 days', '180 days'),
           engage.lifecycle_stage_personal(occurred_at, '2024-06-01 00:00+00', '30 days', '90 days', '180 days'),
           engage.activity_periods(occurred_at, '2024-01-01 00:00+00', '7 days'))) AS answer
FROM orders GROUP BY customer_id;
CREATE VIEW fit_answer AS
SELECT md5(engage.bgnbd_fit(r)::text) AS answer
FROM (SELECT engage.rfm(occurred_at, amount, '2024-06-01 00:00+00', '7 days') AS r
      FROM orders WHERE customer_id <= 60 GROUP BY customer_id) s;
SQL

cat >"$ENGAGE_WORK/add.sql" <<'SQL'
\set c random(1, 200)
\set m random(1, 200000)
\set w random(1, 5)
BEGIN;
INSERT INTO event_log VALUES (:c, timestamptz '2024-01-01 00:00+00' + :m * interval '1 minute', :w);
UPDATE states SET state = engage.engagement_add(state, timestamptz '2024-01-01 00:00+00' + :m * interval '1 minute', :w) WHERE customer_id = :c;
END;
SQL
cat >"$ENGAGE_WORK/merge.sql" <<'SQL'
\set c random(1, 200)
\set m random(1, 200000)
BEGIN;
INSERT INTO event_log VALUES (:c, timestamptz '2024-01-01 00:00+00' + :m * interval '1 minute', 2.5);
UPDATE states SET state = state OPERATOR(engage.+) engage.engagement(timestamptz '2024-01-01 00:00+00' + :m * interval '1 minute', 2.5, '7 days') WHERE customer_id = :c;
END;
SQL
cat >"$ENGAGE_WORK/score.sql" <<'SQL'
\set c random(1, 200)
INSERT INTO seen SELECT 'score', customer_id, answer FROM answer WHERE customer_id = :c;
SQL
cat >"$ENGAGE_WORK/fit.sql" <<'SQL'
INSERT INTO seen SELECT 'fit', 0, answer FROM fit_answer;
SQL

"$ENGAGE_BINDIR/pgbench" -n -c 8 -j 2 -T "$SECONDS_RUN" -d $db \
    -f "$ENGAGE_WORK/add.sql@6" -f "$ENGAGE_WORK/merge.sql@3" \
    -f "$ENGAGE_WORK/score.sql@3" -f "$ENGAGE_WORK/fit.sql@1" >"$ENGAGE_WORK/pgbench.out" 2>&1
status=$?
grep -E '^(number of (transactions actually processed|failed transactions)|tps|latency average)' "$ENGAGE_WORK/pgbench.out"
failed=0
if [ $status -ne 0 ] || ! grep -q '^number of failed transactions: 0 ' "$ENGAGE_WORK/pgbench.out"; then
    echo "FAIL: pgbench reported errors"
    tail -n 20 "$ENGAGE_WORK/pgbench.out"
    failed=1
fi
if [ -f "$log" ] && tail -n +"$((log_lines + 1))" "$log" | grep -E 'ERROR|FATAL|PANIC|terminated by signal'; then
    echo "FAIL: the server logged errors during the run"
    failed=1
fi

# Serial answers against what the concurrent clients saw, and the states against the log.
psql -d $db -At <<'SQL' >"$ENGAGE_WORK/concurrency.check" || failed=1
SELECT 'reads: ' || count(*) || ', differing from the serial answer: ' ||
       count(*) FILTER (WHERE s.answer IS DISTINCT FROM coalesce(a.answer, f.answer))
FROM seen s
LEFT JOIN answer a ON s.query = 'score' AND a.customer_id = s.customer_id
LEFT JOIN fit_answer f ON s.query = 'fit';
SELECT 'fits: ' || count(*) FROM seen WHERE query = 'fit';
SELECT 'events logged: ' || count(*) FROM event_log;
SELECT 'states differing from the log: ' || count(*)
FROM states s
JOIN (SELECT customer_id, engage.engagement_state(occurred_at, weight, '7 days') AS state
      FROM event_log GROUP BY customer_id) l USING (customer_id)
WHERE engage.engagement_events(s.state) <> engage.engagement_events(l.state)
   OR engage.engagement_last_event(s.state) <> engage.engagement_last_event(l.state)
   OR abs(engage.engagement_score(s.state, '2025-01-01') - engage.engagement_score(l.state, '2025-01-01'))
      > 1e-9 * greatest(1, abs(engage.engagement_score(l.state, '2025-01-01')));
SQL
cat "$ENGAGE_WORK/concurrency.check"
grep -q 'differing from the serial answer: 0$' "$ENGAGE_WORK/concurrency.check" || failed=1
grep -q '^states differing from the log: 0$' "$ENGAGE_WORK/concurrency.check" || failed=1
grep -q '^fits: [1-9]' "$ENGAGE_WORK/concurrency.check" || failed=1
[ $failed -eq 0 ] && psql -d postgres -c "DROP DATABASE $db"
exit $failed
