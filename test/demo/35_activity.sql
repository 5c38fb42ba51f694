-- Activity per period: a PostHog-style lifecycle report and stickiness figures.
\set QUIET on
SET client_min_messages = warning;
SET TimeZone = 'UTC';
CREATE TABLE demo.cdnow_activity AS
    SELECT customer_id,
           engage.activity_periods(occurred_at, '1997-01-01', '28 days') AS four_weekly,
           engage.activity_periods(occurred_at, '1997-01-01', '7 days') AS weekly
    FROM demo.cdnow GROUP BY customer_id;
\echo
\echo '== engage.activity_periods + engage.lifecycle: CDNOW customers per 28-day period from 1997-01-01 (the 19 full periods)'
\echo '   (dormant counted negatively, as PostHog charts it)'
SELECT l.period, date(timestamptz '1997-01-01' + l.period * interval '28 days') AS starts,
       count(*) FILTER (WHERE l.status = 'new') AS new,
       count(*) FILTER (WHERE l.status = 'returning') AS returning,
       count(*) FILTER (WHERE l.status = 'resurrecting') AS resurrecting,
       -count(*) FILTER (WHERE l.status = 'dormant') AS dormant
FROM demo.cdnow_activity, LATERAL engage.lifecycle(four_weekly, 0, 18) AS l
GROUP BY l.period ORDER BY l.period;
\echo
\echo '== Stickiness on weekly periods at the week of 1998-06-30: the 5 most regular customers'
SELECT customer_id, weekly AS active_weeks,
       engage.active_periods(weekly, w, 13) AS of_last_13, engage.active_periods(weekly, w, 52) AS of_last_52,
       engage.current_streak(weekly, w) AS current_streak, engage.longest_streak(weekly) AS longest_streak
FROM demo.cdnow_activity, LATERAL (SELECT engage.period_of('1998-06-30', '1997-01-01', '7 days') AS w) AS p
ORDER BY of_last_52 DESC, longest_streak DESC, customer_id LIMIT 5;
DROP TABLE demo.cdnow_activity;
