-- Incremental engagement: per-customer engage.engagement states refreshed by a trigger.
\set QUIET on
SET TimeZone = 'UTC';
\echo
\echo '== engage.engagement: states built from 2023 interactions, then 2024 rows absorbed by a trigger'
CREATE TABLE demo.engagement_states (customer_id bigint PRIMARY KEY, state engage.engagement NOT NULL);
CREATE TABLE demo.gen_feed (LIKE demo.gen_interactions);
CREATE FUNCTION demo.absorb_interactions() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO demo.engagement_states AS e (customer_id, state)
    SELECT customer_id, engage.engagement_state(occurred_at, CASE kind WHEN 'order' THEN 5 ELSE 1 END, '30 days')
    FROM new_rows GROUP BY customer_id
    ON CONFLICT (customer_id) DO UPDATE SET state = e.state OPERATOR(engage.+) excluded.state;
    RETURN NULL;
END $$;
CREATE TRIGGER feed_absorb AFTER INSERT ON demo.gen_feed REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT EXECUTE FUNCTION demo.absorb_interactions();
-- three customers active in both years
CREATE TEMP TABLE shown AS
    SELECT customer_id FROM demo.gen_interactions GROUP BY customer_id
    HAVING min(occurred_at) < '2024-01-01' AND max(occurred_at) >= '2024-01-01' ORDER BY customer_id LIMIT 3;
INSERT INTO demo.gen_feed SELECT * FROM demo.gen_interactions WHERE occurred_at < '2024-01-01';
SELECT customer_id, state FROM demo.engagement_states JOIN shown USING (customer_id) ORDER BY customer_id;
INSERT INTO demo.gen_feed SELECT * FROM demo.gen_interactions WHERE occurred_at >= '2024-01-01';
SELECT customer_id, state, round(engage.engagement_score(state, '2025-01-01')::numeric, 4) AS score_2025_01_01
FROM demo.engagement_states JOIN shown USING (customer_id) ORDER BY customer_id;
\echo
\echo '== incremental states agree with a full recomputation (scores as of 2025-01-01)'
SELECT count(*) AS customers,
       max(abs(engage.engagement_score(e.state, '2025-01-01') - f.score) / greatest(abs(f.score), 1e-300)) AS max_relative_difference
FROM demo.engagement_states AS e
JOIN (SELECT customer_id, engage.engagement_score(occurred_at, CASE kind WHEN 'order' THEN 5 ELSE 1 END, '2025-01-01', '30 days') AS score
      FROM demo.gen_interactions GROUP BY customer_id) AS f USING (customer_id);
