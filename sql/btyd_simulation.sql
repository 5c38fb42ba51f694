-- Parameter recovery: customers simulated from known parameters (fixed seeds) are fitted
-- back; every parameter within 15% of the truth (these sample sizes give a few % typically).
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

-- simulation is deterministic per seed, and differs between seeds
SELECT count(*), sum(frequency), round(sum(recency)::numeric, 6) AS recency_sum
FROM engage.bgnbd_simulate(engage.bgnbd(0.5, 5, 0.8, 2.5), 1000, 52, 1);
SELECT count(*), sum(frequency), round(sum(recency)::numeric, 6) AS recency_sum
FROM engage.bgnbd_simulate(engage.bgnbd(0.5, 5, 0.8, 2.5), 1000, 52, 1);
SELECT sum(frequency) AS other_seed FROM engage.bgnbd_simulate(engage.bgnbd(0.5, 5, 0.8, 2.5), 1000, 52, 2);
-- simulated summaries are valid: 0 <= recency <= age, recency = 0 without repeat purchases
SELECT bool_and(recency >= 0 AND recency <= age AND (frequency > 0 OR recency = 0)) AS valid
FROM engage.paretonbd_simulate(engage.paretonbd(0.5, 5, 0.8, 10), 2000, 52, 3);
SELECT count(*) FROM engage.mbgnbd_simulate(engage.mbgnbd(0.5, 5, 0.8, 2.5), 0, 52, 3);

-- BG/NBD: 20,000 customers in two cohorts (ages 52 and 78 weeks); truth r = 0.5, alpha = 5, a = 0.8, b = 2.5
CREATE TABLE sim_bg AS
    SELECT * FROM engage.bgnbd_simulate(engage.bgnbd(0.5, 5, 0.8, 2.5), 10000, 52, 11)
    UNION ALL
    SELECT * FROM engage.bgnbd_simulate(engage.bgnbd(0.5, 5, 0.8, 2.5), 10000, 78, 12);
SELECT (m).converged, (m).customers,
       abs((m).r / 0.5 - 1) < 0.15 AS r_ok, abs((m).alpha / 5 - 1) < 0.15 AS alpha_ok,
       abs((m).a / 0.8 - 1) < 0.15 AS a_ok, abs((m).b / 2.5 - 1) < 0.15 AS b_ok
FROM (SELECT engage.bgnbd_fit(frequency, recency, age) AS m FROM sim_bg) s;

-- MBG/NBD: same truth
CREATE TABLE sim_mbg AS
    SELECT * FROM engage.mbgnbd_simulate(engage.mbgnbd(0.5, 5, 0.8, 2.5), 10000, 52, 21)
    UNION ALL
    SELECT * FROM engage.mbgnbd_simulate(engage.mbgnbd(0.5, 5, 0.8, 2.5), 10000, 78, 22);
SELECT (m).converged, (m).customers,
       abs((m).r / 0.5 - 1) < 0.15 AS r_ok, abs((m).alpha / 5 - 1) < 0.15 AS alpha_ok,
       abs((m).a / 0.8 - 1) < 0.15 AS a_ok, abs((m).b / 2.5 - 1) < 0.15 AS b_ok
FROM (SELECT engage.mbgnbd_fit(frequency, recency, age) AS m FROM sim_mbg) s;

-- Pareto/NBD: truth r = 0.5, alpha = 5, s = 0.8, beta = 10
CREATE TABLE sim_pnbd AS
    SELECT * FROM engage.paretonbd_simulate(engage.paretonbd(0.5, 5, 0.8, 10), 5000, 52, 31)
    UNION ALL
    SELECT * FROM engage.paretonbd_simulate(engage.paretonbd(0.5, 5, 0.8, 10), 5000, 78, 32);
SELECT (m).converged, (m).customers,
       abs((m).r / 0.5 - 1) < 0.15 AS r_ok, abs((m).alpha / 5 - 1) < 0.15 AS alpha_ok,
       abs((m).s / 0.8 - 1) < 0.15 AS s_ok, abs((m).beta / 10 - 1) < 0.15 AS beta_ok
FROM (SELECT engage.paretonbd_fit(frequency, recency, age) AS m FROM sim_pnbd) s;

-- the model's predictions match the simulated population: mean frequency at age 52
-- against E[X(52)] of the true model (within 3%)
SELECT abs(avg(frequency) / engage.expected_purchases(engage.bgnbd(0.5, 5, 0.8, 2.5), 52) - 1) < 0.03 AS bg_mean_ok
FROM sim_bg WHERE age = 52;
SELECT abs(avg(frequency) / engage.expected_purchases(engage.paretonbd(0.5, 5, 0.8, 10), 52) - 1) < 0.03 AS pnbd_mean_ok
FROM sim_pnbd WHERE age = 52;
-- and the share of zero-frequency customers against P(X(52) = 0)
SELECT abs(avg((frequency = 0)::int) - engage.prob_purchases(engage.mbgnbd(0.5, 5, 0.8, 2.5), 0, 52)) < 0.02 AS mbg_p0_ok
FROM sim_mbg WHERE age = 52;

DROP TABLE sim_bg, sim_mbg, sim_pnbd;
