-- Range, horizon, step and period arguments: a range or horizon that cannot hold one period or
-- step is an error (22023, with a hint), never a silent 0 or an empty set.  Every function with
-- such arguments, and what it does at the edge.
SET client_min_messages = warning;  -- no notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET TimeZone = 'UTC';
\set VERBOSITY default

-- CLV: a positive horizon shorter than one step (here "12 months" against a step of 30 weeks)
-- would be worth 0.  One step exactly, and a horizon of 0 (no step), are answers.
SELECT engage.clv('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, '(6.25,3.74,15.44,,,,,)', 2, 30, 38, 20, 12, 0.01, 30);
SELECT engage.clv('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, '(6.25,3.74,15.44,,,,,)', 2, 30.43, 38.86, 22.35, 4.3, 0.01, 4.345);
SELECT engage.clv('(0.525,6.183,0.891,1.614,,,,,,)'::engage.mbgnbd, '(6.25,3.74,15.44,,,,,)', 2, 30, 38, 20, 12, 0.01, 30);
SELECT engage.clv('(0.553,10.578,0.606,11.669,,,,,,)'::engage.paretonbd, '(6.25,3.74,15.44,,,,,)', 2, 30, 38, 20, 12, 0.01, 30);
SELECT engage.clv('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, '(6.25,3.74,15.44,,,,,)'::engage.gammagamma,
                  '(2,30,38,20)'::engage.rfm, 12, 0.01, 30);
SELECT round(engage.clv('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, '(6.25,3.74,15.44,,,,,)', 2, 30, 38, 20, 30, 0, 30)::numeric, 6) AS one_step,
       round((engage.expected_purchases('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, 30, 2, 30, 38)
              * engage.expected_spend('(6.25,3.74,15.44,,,,,)'::engage.gammagamma, 2, 20))::numeric, 6) AS direct,
       engage.clv('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, '(6.25,3.74,15.44,,,,,)', 2, 30, 38, 20, 0, 0.01, 30) AS no_horizon;

-- The lifecycle report over a range whose first period is after its last.
SELECT * FROM engage.lifecycle('{0-3}'::engage.activity, 5, 2);
-- one period, and a range outside the active periods, are answers (the last: no status)
SELECT * FROM engage.lifecycle('{0-3}'::engage.activity, 4, 4);
SELECT count(*) AS rows FROM engage.lifecycle('{0-3}'::engage.activity, 10, 20);

-- Stickiness: a window of n periods must hold one.
SELECT engage.active_periods('{0-3}'::engage.activity, 3, 0);
SELECT engage.active_periods('{0-3}'::engage.activity, 3, 1) AS last_one;

-- Periods and windows must be positive and of fixed length.
SELECT engage.activity_periods(t, '2024-01-01', '0 days') FROM (VALUES (timestamptz '2024-01-02')) AS v(t);
SELECT engage.period_of('2024-01-02', '2024-01-01', '-1 day');
SELECT engage.window_funnel('0 seconds', t, true, true) FROM (VALUES (timestamptz '2024-01-02')) AS v(t);
SELECT engage.lifecycle_stage(t, '2024-06-30', '90 days', '30 days', '365 days') FROM (VALUES (timestamptz '2024-01-02')) AS v(t);

-- Diagnostics: tracking and frequency_recency_matrix ranges.
SELECT count(*) FROM engage.frequency_recency_matrix('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, -1, 38);
SELECT count(*) FROM engage.tracking('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd,
                                     (SELECT engage.tracking_sample(1, t, '2024-01-01', '7 days')
                                      FROM (VALUES (timestamptz '2024-01-02')) AS v(t)), 0);
-- Simulators: a negative number of customers is an error; 0 customers is the empty sample asked for.
SELECT count(*) FROM engage.bgnbd_simulate('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, -1, 38, 1);
SELECT count(*) FROM engage.bgnbd_simulate('(0.243,4.414,0.793,2.426,,,,,,)'::engage.bgnbd, 0, 38, 1);
