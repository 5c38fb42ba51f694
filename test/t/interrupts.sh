#!/usr/bin/env bash
# statement_timeout and pg_cancel_backend stop every long aggregate of engage, every model
# fit in its final optimisation, the parsers and the loops sized by an argument promptly:
# each query below would run for many seconds; it is stopped by a 300 ms statement_timeout,
# and again by pg_cancel_backend 300 ms after it starts, and must end with SQLSTATE 57014 no
# later than LATE seconds after that moment.  Inputs that used to run away whatever the
# timeout end with an answer or a clean error (see "repro" below).
set -uo pipefail
LATE=${ENGAGE_CANCEL_LATE:-1.0}
DEADLINE_MS=300
db=engage_interrupts
psql() { "$ENGAGE_BINDIR/psql" -X -q -v ON_ERROR_STOP=1 "$@"; }
now() { date +%s.%N; }

psql -d postgres -c "DROP DATABASE IF EXISTS $db" -c "CREATE DATABASE $db" || exit 1
psql -d $db -c "CREATE EXTENSION engage" || exit 1
# Long literals for the parsers (stored compressed: a few MB): 25M activity periods, and
# a fit sample of 1M distinct tuples.
psql -d $db -c "CREATE TABLE literals AS SELECT '{' || repeat('1,', 25000000) || '2}' AS activity,
    (SELECT 'k=3 tuples=1000000 weight=1000000 options={} data={' ||
            string_agg(format('(%s,%s,%s,1)', g % 100, (g % 100) * 0.5, 100 + g / 1000.0), ',') || '}'
     FROM pg_catalog.generate_series(1, 1000000) g) AS fitdata" || exit 1

# Generated rows come from a set-returning function in the select list, which streams them
# (one in FROM would first be materialised).
rows="(SELECT pg_catalog.generate_series(1, 40000000) AS g) s"
at="(timestamptz '2000-01-01' + g * interval '1 minute')"
# 60,000 distinct summaries: gathered in about 20 ms, then the fits optimise for seconds, so
# the deadline falls in the final function.
sums="(SELECT g, (g % 20)::float8 AS f, (g % 20 > 0)::int * (1 + g % 97)::float8 AS r,
       200 + g / 1000.0 AS a FROM pg_catalog.generate_series(1, 60000) g) s"
declare -A query=(
    [engagement_score]="SELECT engage.engagement_score($at, 1, '2100-01-01', '7 days') FROM $rows"
    [rfm]="SELECT engage.rfm($at, 1, '2100-01-01', '1 day') FROM $rows"
    [rfm_holdout]="SELECT engage.rfm_holdout($at, 1, '2050-01-01', '2100-01-01', '1 day') FROM $rows"
    [lifecycle_stage]="SELECT engage.lifecycle_stage($at, '2100-01-01', '30 days', '90 days', '180 days') FROM $rows"
    [lifecycle_stage_personal]="SELECT engage.lifecycle_stage_personal($at, '2100-01-01', '30 days', '90 days', '180 days') FROM $rows"
    [activity_periods]="SELECT engage.activity_periods($at, '2000-01-01', '1 hour') FROM (SELECT pg_catalog.generate_series(1, 40000000) % 50000000 AS g) s"
    [window_funnel]="SELECT engage.window_funnel('1 day', $at, g % 3 = 0, g % 3 = 1, g % 3 = 2) FROM $rows"
    [retention]="SELECT engage.retention(g % 2 = 0, g % 3 = 0) FROM $rows"
    [nps]="SELECT engage.nps(g % 11) FROM $rows"
    [engagement_state]="SELECT engage.engagement_state($at, 1, '7 days') FROM $rows"
    [bgnbd_fit]="SELECT engage.bgnbd_fit(f, r, a) FROM $sums"
    [mbgnbd_fit]="SELECT engage.mbgnbd_fit(f, r, a) FROM $sums"
    [paretonbd_fit]="SELECT engage.paretonbd_fit(f, r, a) FROM $sums"
    [ggomnbd_fit]="SELECT engage.ggomnbd_fit(f, r, a) FROM $sums"
    [compare_models]="SELECT count(*) FROM engage.compare_models((SELECT engage.fitdata(f, r, a) FROM $sums))"
    [bgbb_fit]="SELECT engage.bgbb_fit(x, x + (x > 0)::int * (g % 7), x + g % 7 + g % 500) FROM (SELECT g, (g % 13)::int AS x FROM $sums) t"
    # (spend summaries that determine the model: about 3 s of optimisation)
    [gammagamma_fit]="SELECT engage.gammagamma_fit(1 + g % 20, exp((g::int8 * 7919 % 10007) / 2500.0)) FROM pg_catalog.generate_series(1, 600000) g"
    # (a fit that converges after seconds: the deadline falls in the optimisation; a
    # covariate of 997 values makes 593,724 distinct tuples, as the two-stage start fits
    # the 81,441 without it in half a second)
    [sbg_fit]="SELECT engage.sbg_fit(1 + (g::int8 * 7919 % 300000)::int / (1 + g % 50), g % 7 = 0, ARRAY[(g::int8 * 104729 % 997) / 997.0::float8]) FROM pg_catalog.generate_series(1, 600000) g"
    # the bootstrap: 100,000 replicates of a small sample
    [bgnbd_bootstrap_replicates]="SELECT count(*) FROM (SELECT engage.fitdata(frequency, recency, age) AS s FROM engage.bgnbd_simulate(engage.bgnbd(0.243, 4.414, 0.793, 2.426), 3000, 52, 1)) t, engage.bgnbd_bootstrap(t.s, 100000, 1)"
    # parsers of long literals
    [activity_in]="SELECT engage.active_periods(activity::engage.activity) FROM literals"
    [fitdata_in]="SELECT (fitdata::engage.fitdata) IS NOT NULL FROM literals"
    # loops as long as an argument is large: sums over 2^31 terms, customers of 5M purchases
    [bgbb_prob]="SELECT engage.prob_purchases(engage.bgbb(1.2, 0.75, 0.66, 2.78), 5, 2147483647)"
    [bgbb_p_alive]="SELECT engage.p_alive(engage.bgbb(1e-9, 1e9, 1e-9, 1e9), 1, 1, 2147483647)"
    [bgnbd_simulate]="SELECT count(*) FROM engage.bgnbd_simulate(engage.bgnbd(1, 1e-5, 1e-10, 1e10), 100000, 52, 1)"
)

failed=0
# check NAME HOW STARTED STOPPED_AT OUTPUT: the query must have failed with 57014 in time.
check() {
    local late
    late=$(echo "$4 - $3" | bc -l)
    if ! grep -q 'canceling statement' <<<"$5"; then
        echo "FAIL $1 ($2): not cancelled: $5"
        failed=1
    elif (($(echo "$late > $LATE" | bc -l))); then
        printf 'FAIL %-26s %-16s stopped %.2f s after the deadline\n' "$1" "$2" "$late"
        failed=1
    else
        printf 'ok   %-26s %-16s stopped %.2f s after the deadline\n' "$1" "$2" "$late"
    fi
}

for name in $(printf '%s\n' "${!query[@]}" | sort); do
    # 1. statement_timeout
    start=$(now)
    out=$(PGOPTIONS="-c statement_timeout=${DEADLINE_MS}ms" psql -d $db -c "${query[$name]}" 2>&1)
    check "$name" statement_timeout "$(echo "$start + $DEADLINE_MS / 1000" | bc -l)" "$(now)" "$out"

    # 2. pg_cancel_backend from another session
    app="engage_cancel_$name"
    PGAPPNAME=$app psql -d $db -c "${query[$name]}" >"$ENGAGE_WORK/cancel.$name.out" 2>&1 &
    client=$!
    sleep $(echo "$DEADLINE_MS / 1000" | bc -l)
    for _ in $(seq 50); do
        n=$(psql -d $db -Atc "SELECT count(*) FROM pg_stat_activity WHERE application_name = '$app' AND state = 'active'")
        [ "$n" = 1 ] && break
        sleep 0.1
    done
    cancelled_at=$(now)
    psql -d $db -Atc "SELECT pg_cancel_backend(pid) FROM pg_stat_activity WHERE application_name = '$app'" >/dev/null
    wait $client
    check "$name" pg_cancel_backend "$cancelled_at" "$(now)" "$(cat "$ENGAGE_WORK/cancel.$name.out")"
done

# Queries that ran for many seconds or for ever, whatever the timeout: with a 1 s
# statement_timeout each must end within REPRO_LIMIT seconds with the output matching its
# pattern (the answer, the SQLSTATE of a clean error, or 57014 where it may still be running
# at the deadline on a slow machine).
REPRO_LIMIT=${ENGAGE_REPRO_LIMIT:-2.5}
declare -A repro=(
    [activity_overlapping_ranges]="SELECT engage.active_periods(('{' || repeat('0-999999,', 20000) || '0}')::engage.activity)"
    [paretonbd_simulate_stalled_clock]="SELECT count(*) FROM engage.paretonbd_simulate(ROW(1, 1e-300, 1, 1, 0, 0, true, NULL, NULL, NULL)::engage.paretonbd, 1, 10, 1)"
    [bgnbd_simulate_no_dropout]="SELECT count(*) FROM engage.bgnbd_simulate(ROW(1e10, 1e-10, 1e-10, 1e10, 0, 0, true, NULL, NULL, NULL)::engage.bgnbd, 1, 1e300, 1)"
    [mbgnbd_simulate_no_dropout]="SELECT count(*) FROM engage.mbgnbd_simulate(ROW(1e10, 1e-10, 1e-10, 1e10, 0, 0, true, NULL, NULL, NULL)::engage.mbgnbd, 1, 1e300, 1)"
    [paretonbd_p_alive_far_quadrature]="SELECT engage.p_alive(ROW(1, 1, 1e21, 1e25, 0, 0, true, NULL, NULL, NULL)::engage.paretonbd, 1e19, 1e20, 2e20)"
    # (the negative binomial tail summed up to 2^31 terms; now a continued fraction)
    [bgnbd_prob_huge_n]="SELECT engage.prob_purchases(engage.bgnbd(0.24, 4.41, 0.79, 2.43), 2147483647, 52)"
)
declare -A outcome=(
    [activity_overlapping_ranges]='^1000000$'
    [paretonbd_simulate_stalled_clock]='ERROR:  (54000|57014):'
    [bgnbd_simulate_no_dropout]='ERROR:  (54000|57014):'
    [mbgnbd_simulate_no_dropout]='ERROR:  (54000|57014):'
    [paretonbd_p_alive_far_quadrature]='^0$'
    [bgnbd_prob_huge_n]='^0$'
)
for name in $(printf '%s\n' "${!repro[@]}" | sort); do
    start=$(now)
    out=$(PGOPTIONS="-c statement_timeout=1s" psql -At -v VERBOSITY=verbose -d $db -c "${repro[$name]}" 2>&1 | head -n 1)
    took=$(echo "$(now) - $start" | bc -l)
    if ! grep -Eq "${outcome[$name]}" <<<"$out"; then
        echo "FAIL $name: expected ${outcome[$name]}, got: $out"
        failed=1
    elif (($(echo "$took > $REPRO_LIMIT" | bc -l))); then
        printf 'FAIL %-34s took %.2f s: %s\n' "$name" "$took" "$out"
        failed=1
    else
        printf 'ok   %-34s took %.2f s: %s\n' "$name" "$took" "$out"
    fi
done

# A group of 10M distinct shuffled times: lifecycle_stage_personal sorts them while gathering
# and again in its final function (a few seconds in all, depending on the machine); deadlines
# spread over the run fall in those sorts. A run that ends before its deadline says nothing
# about interrupts and is skipped, but at least one deadline must fall inside the run.
big="SELECT engage.lifecycle_stage_personal(timestamptz '2000-01-01' + (g::int8 * 7919 % 10000000) * interval '1 minute', '2100-01-01', '30 days', '90 days', '180 days') FROM (SELECT pg_catalog.generate_series(1, 10000000) AS g) s"
sort_checks=0
for ms in 1000 2000 3500; do
    start=$(now)
    out=$(PGOPTIONS="-c statement_timeout=${ms}ms" psql -d $db -c "$big" 2>&1)
    if ! grep -q 'canceling statement' <<<"$out" && grep -q '(1 row)' <<<"$out"; then
        echo "skip sorting 10M times (timeout ${ms}ms): the query ended before its deadline"
        continue
    fi
    check "sorting 10M times" "timeout ${ms}ms" "$(echo "$start + $ms / 1000" | bc -l)" "$(now)" "$out"
    sort_checks=$((sort_checks + 1))
done
if [ $sort_checks -eq 0 ]; then
    echo "FAIL sorting 10M times: no deadline fell inside the run"
    failed=1
fi

psql -d postgres -c "DROP DATABASE $db"
exit $failed
