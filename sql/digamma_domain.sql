-- A fit sample outside the models' domain (a negative frequency, read through the fitdata
-- input function) must end quickly: digamma() of a negative argument once looped forever,
-- ignoring cancels. Stored samples are now checked as the aggregates' rows are: 22023.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
SET statement_timeout = '20s';
SELECT (engage.bgnbd_fit('k=3 tuples=1 weight=5e-324 options={} data={(-1.7976931348623157e+308,0,1.7976931348623157e+308,5e-324)}'::engage.fitdata, 2)).converged;
SELECT (engage.bgnbd_fit('k=3 tuples=2 weight=2 options={} data={(-5,0,10,1),(1,2,10,1)}'::engage.fitdata)).converged;
RESET statement_timeout;
