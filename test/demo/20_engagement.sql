-- Engagement scores: on CDNOW purchases, and with channel/kind weights on generated interactions.
\set QUIET on
SET TimeZone = 'UTC';
SET client_min_messages = warning;
\echo
\echo '== engage.engagement_score: CDNOW purchases weighted by amount, half-life 90 days, as of 1998-06-30'
SELECT customer_id, round(engage.engagement_score(occurred_at, amount, '1998-06-30', '90 days')::numeric, 2) AS score,
       count(*) AS purchases, max(occurred_at)::date AS last_purchase
FROM demo.cdnow GROUP BY customer_id ORDER BY score DESC LIMIT 5;

\echo
\echo '== engage.engagement_score with channel and kind weights (generated data: engage_gen.interactions(2000, 1))'
\i test/data/generate.sql
CREATE TABLE demo.gen_interactions AS SELECT * FROM engage_gen.interactions(2000, 1);
CREATE TABLE demo.channel_weights (channel text PRIMARY KEY, weight double precision);
INSERT INTO demo.channel_weights VALUES ('store', 1.5), ('app', 1.2), ('web', 1.0), ('phone', 1.0), ('email', 0.5);
SELECT count(*) AS interactions, count(DISTINCT customer_id) AS customers,
       min(occurred_at)::date AS first_day, max(occurred_at)::date AS last_day FROM demo.gen_interactions;
SELECT i.customer_id,
       round(engage.engagement_score(i.occurred_at,
                                     w.weight * CASE i.kind WHEN 'order' THEN 5 WHEN 'click' THEN 2 WHEN 'ticket' THEN -1
                                                            WHEN 'email_open' THEN 0.5 ELSE 1 END,
                                     '2025-01-01', '30 days')::numeric, 3) AS score,
       count(*) AS interactions
FROM demo.gen_interactions AS i JOIN demo.channel_weights AS w USING (channel)
GROUP BY i.customer_id ORDER BY score DESC LIMIT 5;
