-- Valid text values of every engage type: the base types, the composite types and the enums.
-- Creates (or refills) the temporary table engage_samples(type regtype, value text), used by
-- the input-function fuzzer (test/fuzz/io_fuzz.py), the install and dump/restore test
-- (test/t/install.sh), the upgrade test (test/t/upgrade.sh, the samples of the types an earlier
-- version has) and the client test (test/clients/clients.py). Each of them fails when a type of
-- schema engage has no row here: add samples for every new type (ordinary values, the empty
-- or NULL state, extremes). Needs CREATE EXTENSION engage first; may run any number of times.
BEGIN;
SET LOCAL TimeZone = 'UTC';
SET LOCAL client_min_messages = warning;
CREATE TEMP TABLE IF NOT EXISTS engage_samples (type regtype NOT NULL, value text NOT NULL);
DELETE FROM engage_samples;

-- engage.activity: empty, single periods, runs, negative periods, the extremes of the span.
INSERT INTO engage_samples
SELECT 'engage.activity', v FROM (VALUES
    ('{}'), ('{0}'), ('{0-3,5,9-12}'), ('{-10--3,5-7}'), ('{2147483647}'), ('{-2147483648}'),
    ('{-2147483648--2147483640}'), ('{2147483000-2147483647}'), ('{0-999999}'),
    ('{0,2,4,6,8,10,12,14,16,18,20}')) AS s(v);
INSERT INTO engage_samples
SELECT 'engage.activity', engage.activity_periods(t, '2024-01-01', '1 day')::text
FROM (VALUES ('2024-01-01'::timestamptz), ('2024-01-02 12:00'), ('2024-03-01'), ('2023-12-25')) AS r(t);
INSERT INTO engage_samples
SELECT 'engage.activity', engage.activity_periods(t, '2024-01-01', '7 days')::text
FROM generate_series(timestamptz '2020-01-01', '2030-01-01', '5 days') AS t;

-- engage.engagement: one event, merged states, tiny and huge scores and half-lives, negatives.
INSERT INTO engage_samples
SELECT 'engage.engagement', v::text FROM (VALUES
    (engage.engagement('2024-01-01', 1, '7 days')),
    (engage.engagement('2024-01-01 12:34:56.789012', -2.5, '1 microsecond')),
    (engage.engagement('1970-01-01', 1e300, '365000 days')),
    (engage.engagement('4713-11-24 00:00 BC', 5e-324, '1 day')),
    (engage.engagement('294276-12-31 23:59:59', -1e308, '1 day')),
    (engage.engagement('2024-01-01', 0, '30 days'))) AS s(v);
INSERT INTO engage_samples
SELECT 'engage.engagement', engage.engagement_state(t, w, '30 days')::text
FROM (VALUES ('2024-01-01'::timestamptz, 2.0::float8), ('2024-02-01', 3.5), ('2024-02-01', -1)) AS r(t, w);

-- engage.fitdata: from the aggregates (3 values plus weight), and literal forms with other
-- widths, options, an empty sample and extreme values.
INSERT INTO engage_samples
SELECT 'engage.fitdata', engage.fitdata(f, r, a)::text
FROM (VALUES (1.0::float8, 2.0::float8, 5.0::float8), (0, 0, 3), (1, 2, 5), (2, 30.43, 38.86)) AS v(f, r, a);
INSERT INTO engage_samples
SELECT 'engage.fitdata', engage.fitdata(f, r, a, w)::text
FROM (VALUES (1.0::float8, 2.0::float8, 5.0::float8, 0.5::float8), (0, 0, 1e300, 1e-300)) AS v(f, r, a, w);
INSERT INTO engage_samples
SELECT 'engage.fitdata', v FROM (VALUES
    ('k=3 tuples=0 weight=0 options={} data={}'),
    ('k=1 tuples=1 weight=1 options={} data={(7,1)}'),
    ('k=2 tuples=2 weight=3 options={0.5} data={(1,10.5,1),(3,99.25,2)}'),
    ('k=4 tuples=1 weight=2 options={0.1,2} data={(1,2,3,4,2)}'),
    ('k=3 tuples=1 weight=5e-324 options={} data={(-1.7976931348623157e+308,0,1.7976931348623157e+308,5e-324)}'),
    ('k=20 tuples=1 weight=1 options={0,8,9} data={(1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,1)}')) AS s(v);
-- with static covariates (two purchase covariates, one dropout covariate)
INSERT INTO engage_samples
SELECT 'engage.fitdata', engage.fitdata(f, r, a, ARRAY[g, -g], ARRAY[0.5 * g], 2)::text
FROM (VALUES (1.0::float8, 2.0::float8, 5.0::float8, 1.0::float8), (0, 0, 3, 0), (1, 2, 5, 1)) AS v(f, r, a, g);

-- Customer summaries.
INSERT INTO engage_samples
SELECT 'engage.rfm', engage.rfm(t, amount, '2024-02-01', '7 days')::text
FROM (VALUES (1, '2024-01-01 09:00'::timestamptz, 10.0::float8), (1, '2024-01-01 18:00', 5),
             (1, '2024-01-08 12:00', 30), (1, '2024-01-22 08:00', 24), (2, '2024-01-15 10:00', 99)) AS o(c, t, amount)
GROUP BY c;
INSERT INTO engage_samples
SELECT 'engage.rfm_holdout', engage.rfm_holdout(t, amount, '2024-02-01', '2024-03-31', '1 day')::text
FROM (VALUES (1, '2024-01-01 09:00'::timestamptz, 10.0::float8), (1, '2024-01-08 12:00', 30),
             (2, '2024-01-15 10:00', 99), (2, '2024-03-01 10:00', 10)) AS o(c, t, amount)
GROUP BY c;
INSERT INTO engage_samples
SELECT 'engage.rfm', v FROM (VALUES
    ('(0,0,0,0)'), ('(,,,)'), ('(2147483647,1.7976931348623157e+308,-1.7976931348623157e+308,5e-324)'),
    ('(-2147483648,NaN,Infinity,-Infinity)'), ('(3,1.5,4.428571428571429,27.5)')) AS s(v);
INSERT INTO engage_samples
SELECT 'engage.rfm_holdout', v FROM (VALUES
    ('(0,0,0,0,0,0,0)'), ('(,,,,,,)'), ('(2147483647,1e300,1e300,1e-300,-2147483648,0,Infinity)')) AS s(v);

INSERT INTO engage_samples
SELECT 'engage.rfm_classic', engage.rfm_classic(t, amount, '2024-02-01', '1 day')::text
FROM (VALUES (1, '2024-01-01 09:00'::timestamptz, 10.0::float8), (1, '2024-01-08 12:00', NULL),
             (1, '2024-01-09 12:00', -4), (2, '2024-01-15 10:00', 99)) AS o(c, t, amount)
GROUP BY c;
INSERT INTO engage_samples
SELECT 'engage.rfm_classic', v FROM (VALUES
    ('(2024-01-01,2024-01-22,3,64,21.333333333333332,10)'), ('(,,,,,)'),
    ('(0001-01-01,9999-12-31,2147483647,1.7976931348623157e+308,5e-324,-Infinity)')) AS s(v);

-- Incremental purchase summaries: built by the aggregate and by purchases_add, literal
-- extremes (the first and last representable days, an empty history, orders without amounts).
INSERT INTO engage_samples
SELECT 'engage.purchases', engage.purchases(t, amount, 'Europe/Paris')::text
FROM (VALUES (1, '2024-01-01 09:00'::timestamptz, 10.0::float8), (1, '2024-01-01 23:30', 5),
             (1, '2024-01-08 12:00', NULL), (1, '2024-01-09 12:00', -4), (2, '2024-01-15 10:00', 99)) AS o(c, t, amount)
GROUP BY c;
INSERT INTO engage_samples
SELECT 'engage.purchases', engage.purchases_add(engage.purchases_add(NULL, '2024-03-01 10:00', 12.5, 'UTC'),
                                                '2024-02-01 10:00', NULL, 'UTC')::text;
INSERT INTO engage_samples
SELECT 'engage.purchases', v FROM (VALUES
    ('UTC {}'), ('America/New_York {2024-01-01:10,2024-01-10:0?,2024-01-20:30}'),
    ('UTC {-4713-11-24:1.7976931348623157e+308,5874897-12-31:-5e-324?}'),
    ('Asia/Kolkata {0001-01-01:0,2000-02-29:-1e-300?,9999-12-31:1e300}')) AS s(v);

-- Fitted models: real fits (of simulated or small samples), and literal extremes.
INSERT INTO engage_samples
SELECT 'engage.bgnbd'::regtype, engage.bgnbd_fit(frequency, recency, age)::text
FROM engage.bgnbd_simulate(engage.bgnbd(0.243, 4.414, 0.793, 2.426), 300, 38, 1)
UNION ALL
SELECT 'engage.mbgnbd'::regtype, engage.mbgnbd_fit(frequency, recency, age)::text
FROM engage.mbgnbd_simulate(engage.mbgnbd(0.243, 4.414, 0.793, 2.426), 300, 38, 1)
UNION ALL
SELECT 'engage.paretonbd'::regtype, engage.paretonbd_fit(frequency, recency, age)::text
FROM engage.paretonbd_simulate(engage.paretonbd(0.553, 10.578, 0.606, 11.669), 300, 38, 1)
UNION ALL
SELECT 'engage.paretonbd'::regtype,
       engage.paretonbd_fit(frequency, recency, age, ARRAY[g], ARRAY[g])::text
FROM generate_series(0, 1) g,
     engage.paretonbd_simulate(engage.paretonbd(0.553, 10.578, 0.606, 11.669), 300, 38, g)
UNION ALL
SELECT 'engage.ggomnbd'::regtype, engage.ggomnbd_fit(frequency, recency, age)::text
FROM engage.ggomnbd_simulate(engage.ggomnbd(0.8, 6, 0.05, 1.2, 3), 200, 104, 1)
UNION ALL
SELECT 'engage.ggomnbd'::regtype,
       engage.ggomnbd_fit(frequency, recency, age, ARRAY[g], ARRAY[g])::text
FROM generate_series(0, 1) g,
     engage.ggomnbd_simulate(engage.ggomnbd(0.8, 6, 0.05, 1.2, 3, '{0.5}', '{-0.7}'), 200, 104, 2 + g::int,
                             ARRAY[g], ARRAY[g])
UNION ALL
SELECT 'engage.bgbb'::regtype, engage.bgbb_fit(x, tx, n, w)::text
FROM (VALUES (6, 6, 6, 1203.0::float8), (5, 6, 6, 728), (4, 6, 6, 512), (3, 6, 6, 357), (2, 6, 6, 234),
             (1, 6, 6, 129), (5, 5, 6, 335), (4, 5, 6, 284), (3, 5, 6, 225), (2, 5, 6, 173), (1, 5, 6, 119),
             (0, 0, 6, 3464), (1, 1, 6, 504), (1, 2, 6, 333), (2, 4, 6, 150)) AS v(x, tx, n, w)
UNION ALL
SELECT 'engage.gammagamma'::regtype, engage.gammagamma_fit(f, m)::text
FROM (VALUES (1.0::float8, 20.0::float8), (2, 35.5), (5, 12), (3, 60), (1, 8.25), (4, 27)) AS v(f, m)
UNION ALL
SELECT 'engage.sbg'::regtype, engage.sbg_fit(t, churned)::text
FROM (VALUES (1, true), (1, true), (2, true), (3, true), (5, false), (5, false), (4, true)) AS v(t, churned);
INSERT INTO engage_samples
SELECT t::regtype, v FROM (VALUES
    ('engage.bgnbd', '(0.243,4.414,0.793,2.426,-9582.4,2357,t,,,)'), ('engage.bgnbd', '(,,,,,,,,,)'),
    ('engage.bgnbd', '(0.243,4.414,0.793,2.426,-9582.4,2357,t,"{{1.6e-4,0,0,0},{0,0.143,0,0},{0,0,0.0345,0},{0,0,0,0.4975}}",,)'),
    ('engage.mbgnbd', '(1e-300,1e300,5e-324,1.7976931348623157e+308,-Infinity,0,f,{},{},{})'),
    ('engage.paretonbd', '(0.553,10.578,0.606,11.669,-9595,2357,t,,,)'), ('engage.paretonbd', '(NaN,,,,,,,,,)'),
    ('engage.paretonbd', '(0.553,10.578,0.606,11.669,-9595,2357,f,,"{0.5,-1e-300}",{})'),
    ('engage.ggomnbd', '(0.553,10.578,1e-6,0.606,1.2e-5,-9594.97,2357,f,,,)'), ('engage.ggomnbd', '(,,,,,,,,,,)'),
    ('engage.ggomnbd', '(1e-300,1e300,5e-324,1.7976931348623157e+308,1,-Infinity,0,t,"{{1,0,0,0,0},{0,1,0,0,0},{0,0,1,0,0},{0,0,0,1,0},{0,0,0,0,1}}",{},{0.5})'),
    ('engage.bgbb', '(1.204,0.750,0.657,2.783,-33225.6,11104,t,,,)'),
    ('engage.bgbb', '(1.204,0.750,0.657,2.783,-33225.6,11104,t,,{0.3},"{-0.2,0.1}")'),
    ('engage.gammagamma', '(6.25,3.74,15.44,-4000,946,t,,)'), ('engage.gammagamma', '(,,,,,,,)'),
    ('engage.gammagamma', '(3.15,5.59,54.03,-1670.4,387,t,,"{-0.006,0.04}")'),
    ('engage.sbg', '(0.668,3.806,-1611.2,1000,t,"{{0.01,0.02},{0.02,0.5}}",)'), ('engage.sbg', '(0,0,0,0,f,,)'),
    ('engage.sbg', '(0.668,3.806,-1611.2,1000,t,,"{0.5,-0.25}")')) AS s(t, v);
INSERT INTO engage_samples
SELECT 'engage.prediction_interval'::regtype,
       engage.p_alive_interval('(0.243,4.414,0.793,2.426,-9582.4,2357,t,"{{1.6e-4,0,0,0},{0,0.143,0,0},{0,0,0.0345,0},{0,0,0,0.4975}}",,)'::engage.bgnbd,
                               2, 30.43, 38.86)::text
UNION ALL
SELECT t::regtype, v FROM (VALUES
    ('engage.prediction_interval', '(1,0,1,1)'), ('engage.prediction_interval', '(,,,)'),
    ('engage.prediction_interval', '(1e308,1.7976931348623157e+308,5e-324,Infinity)')) AS s(t, v);

-- Enums: every label of every enum type of the extension.
INSERT INTO engage_samples
SELECT e.enumtypid::regtype, e.enumlabel
FROM pg_catalog.pg_enum AS e JOIN pg_catalog.pg_type AS t ON t.oid = e.enumtypid
WHERE t.typnamespace = 'engage'::regnamespace;
COMMIT;
