\echo
\echo '== engage.nps: Net Promoter Score of survey answers (synthetic answers, one per customer)'
SELECT engage.nps(answer) AS nps, count(*) AS answers
FROM (SELECT customer_id, (customer_id * 7) % 11 AS answer FROM demo.cdnow GROUP BY customer_id) AS s;
