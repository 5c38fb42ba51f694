-- Every scoring and likelihood function of the models at extreme parameters (1e-300 ..
-- 1e308, alone and mixed) and summaries (frequencies, recencies, ages and windows from 0 to
-- 1e308, recency = age), against references computed with mpmath at 1200 bits, 3000 where
-- the closed forms cancel (test/precision/generate.py writes test/data/precision/reference.csv).
-- Each case must be
--   'rel':  within a relative error of 1e-9 of the reference, or, when the reference is below
--           1e-300 (where float8 has fewer than 53 bits), below 1e-300 too;
--   'log':  a log-likelihood, within 1e-9 * max(1, |reference|): an absolute error e in ln L
--           is a relative error e in the likelihood L itself, which is what the float8
--           condition of the sum allows when its terms are ~700 and cancel;
-- or raise 22003 when the reference exceeds float8 ('overflow'), 22003 or 22023 when it does
-- not exist ('error', e.g. an infinite mean).  None may give NaN or a wrong value: where
-- float8 cannot carry a value that exists to 1e-9, the function raises 22003 naming the
-- arguments.  Of the 10959 cases 9921 are accurate or raise the expected error; the
-- 1038 listed below raise 22003 where a value exists (the known limits), and none is
-- wrong.  The list is part of the expected output so that any change, better or worse, shows.
SET client_min_messages = warning;   -- no "already exists" notice when an earlier test created it
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;

CREATE TEMP TABLE reference (id integer, kind text, expression text, reference text);
\copy reference FROM 'test/data/precision/reference.csv' WITH (FORMAT csv, HEADER true)

CREATE FUNCTION pg_temp.outcome(expression text, kind text, reference text) RETURNS text
LANGUAGE plpgsql AS $$
DECLARE
    got float8;
    ref float8;
    state text;
BEGIN
    BEGIN
        EXECUTE 'SELECT ' || expression INTO got;
    EXCEPTION WHEN OTHERS THEN
        GET STACKED DIAGNOSTICS state = RETURNED_SQLSTATE;
        IF (reference = 'overflow' AND state = '22003') OR
           (reference = 'error' AND state IN ('22003', '22023')) THEN
            RETURN 'ok';
        END IF;
        RETURN 'error ' || state;
    END;
    IF reference IN ('overflow', 'error') THEN
        RETURN 'no error: ' || got;
    END IF;
    IF got IS NULL OR got = 'NaN' THEN
        RETURN coalesce(got::text, 'NULL');
    END IF;
    -- in numeric: float8 arithmetic would raise on overflow and underflow
    ref := reference::float8;
    IF kind = 'log' AND abs(got::numeric - ref::numeric) <= 1e-9 * greatest(1, abs(ref::numeric)) THEN
        RETURN 'ok';
    END IF;
    IF kind = 'rel' AND (abs(got::numeric - ref::numeric) <= 1e-9 * abs(ref::numeric) OR
                         (abs(ref) < 1e-300 AND abs(got) < 1e-300)) THEN
        RETURN 'ok';
    END IF;
    RETURN 'wrong: ' || got;
END $$;

CREATE TEMP TABLE outcome AS
    SELECT id, expression, reference, pg_temp.outcome(expression, kind, reference) AS outcome
    FROM reference;

-- how many cases, and how many accurate or with the expected error
SELECT count(*) > 3000 AS many_cases, count(*) FILTER (WHERE outcome = 'ok') AS ok,
       count(*) FILTER (WHERE outcome <> 'ok') AS listed_below,
       count(*) FILTER (WHERE outcome NOT IN ('ok', 'error 22003')) AS wrong_or_unexpected
FROM outcome;

-- the cases that are not (none is NaN or wrong)
SELECT id, expression, reference, outcome FROM outcome WHERE outcome <> 'ok' ORDER BY id;
