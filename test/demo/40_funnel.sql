-- Funnels and retention.
\set QUIET on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
-- 2000 visitors of a shop: 60% add to the cart within two hours, half of those pay after an
-- exponential wait (mean 8 hours, so some only after the 1-day window); 10% pay without a cart.
SELECT setseed(0.4) \g /dev/null
CREATE TABLE demo.shop_events AS
    WITH v AS (
        SELECT id AS user_id, timestamptz '2024-03-01' + random() * interval '30 days' AS visit_at,
               random() AS u_cart, random() AS u_pay, random() AS u_wait, random() AS u_delay, random() AS u_direct
        FROM generate_series(1, 2000) AS id),
    c AS (SELECT *, visit_at + u_wait * interval '2 hours' AS cart_at FROM v)
    SELECT user_id, 'visit' AS event, visit_at AS occurred_at FROM c
    UNION ALL SELECT user_id, 'cart', cart_at FROM c WHERE u_cart < 0.6
    UNION ALL SELECT user_id, 'pay', cart_at - ln(1 - u_delay) * interval '8 hours' FROM c
        WHERE u_cart < 0.6 AND u_pay < 0.5
    UNION ALL SELECT user_id, 'pay', visit_at + interval '1 hour' FROM c WHERE u_cart >= 0.6 AND u_direct < 0.1;
\echo
\echo '== engage.window_funnel: visit -> cart -> pay within 1 day of the visit (synthetic shop, 2000 visitors)'
SELECT level, count(*) AS users, sum(count(*)) OVER (ORDER BY level DESC) AS reached_at_least
FROM (SELECT user_id, engage.window_funnel('1 day', occurred_at, event = 'visit', event = 'cart', event = 'pay') AS level
      FROM demo.shop_events GROUP BY user_id) AS f
GROUP BY level ORDER BY level;
DROP TABLE demo.shop_events;
\echo
\echo '== engage.retention: CDNOW customers buying in January 1997, and who of them bought again in months 2-6'
SELECT sum(r[1]) AS jan, sum(r[2]) AS feb, sum(r[3]) AS mar, sum(r[4]) AS apr, sum(r[5]) AS may, sum(r[6]) AS jun
FROM (SELECT customer_id, engage.retention(VARIADIC ARRAY(
          SELECT date_trunc('month', occurred_at) = timestamptz '1997-01-01' + m * interval '1 month'
          FROM generate_series(0, 5) AS m)) AS r
      FROM demo.cdnow GROUP BY customer_id) AS c;
