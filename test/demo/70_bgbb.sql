-- BG/BB (Fader, Hardie & Shang 2010) on the donation data of the paper, inlined: 11,104 donors,
-- six yearly donation opportunities (1996-2001), one row per (frequency, recency) pattern.
\set QUIET on
SET client_min_messages = warning;
CREATE TEMP TABLE donations (frequency integer, recency integer, periods integer, donors integer);
INSERT INTO donations VALUES
    (0, 0, 6, 3464), (1, 1, 6, 1091), (1, 2, 6, 277), (1, 3, 6, 129), (1, 4, 6, 78), (1, 5, 6, 119),
    (1, 6, 6, 129), (2, 2, 6, 613), (2, 3, 6, 255), (2, 4, 6, 155), (2, 5, 6, 173), (2, 6, 6, 234),
    (3, 3, 6, 322), (3, 4, 6, 181), (3, 5, 6, 225), (3, 6, 6, 357), (4, 4, 6, 240), (4, 5, 6, 284),
    (4, 6, 6, 512), (5, 5, 6, 335), (5, 6, 6, 728), (6, 6, 6, 1203);
CREATE TEMP TABLE donation_model AS
SELECT engage.bgbb_fit(frequency, recency, periods, donors) AS m FROM donations;
\echo
\echo '== engage.bgbb_fit: BG/BB on the donation data (published: 1.204, 0.750, 0.657, 2.783, LL -33225.6)'
SELECT round((m).alpha::numeric, 3) AS alpha, round((m).beta::numeric, 3) AS beta,
       round((m).gamma::numeric, 3) AS gamma, round((m).delta::numeric, 3) AS delta,
       round((m).loglik::numeric, 1) AS loglik, (m).customers, (m).converged
FROM donation_model;
\echo
\echo '== engage.p_alive / expected_purchases: P(alive in 2002) and donations expected in 2002-2006, by pattern'
SELECT frequency, recency, donors,
       round(engage.p_alive(m, frequency, recency, periods)::numeric, 3) AS p_alive,
       round(engage.expected_purchases(m, 5, frequency, recency, periods)::numeric, 2) AS next_5_years
FROM donations, donation_model
WHERE frequency IN (0, 1, 3, 6) ORDER BY frequency, recency LIMIT 10;
\echo
\echo '== engage.prob_purchases: model vs observed repeat donations 1996-2001'
SELECT frequency AS donations, sum(donors) AS observed,
       round(11104 * engage.prob_purchases(m, frequency, 6)) AS expected
FROM donations, donation_model GROUP BY frequency, m ORDER BY frequency;
