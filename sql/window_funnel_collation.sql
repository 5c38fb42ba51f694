-- The event form of window_funnel compares bytes, so it refuses a nondeterministic collation
-- (here ICU's case-insensitive one) rather than giving an answer that ignores it.  A server
-- built without ICU cannot create such a collation: its output is
-- expected/window_funnel_collation_1.out.
SET client_min_messages = warning;
CREATE EXTENSION IF NOT EXISTS engage;
RESET client_min_messages;
CREATE COLLATION pg_temp.funnel_case_insensitive (provider = icu, locale = 'und-u-ks-level2', deterministic = false);
SELECT engage.window_funnel('1 hour', now(), 'A' COLLATE pg_temp.funnel_case_insensitive, 'a');
SELECT engage.window_funnel_times('1 hour', now(), 'A' COLLATE pg_temp.funnel_case_insensitive, 'a');
-- the boolean form honours the collation
SELECT engage.window_funnel('1 hour', now(), 'A' = 'a' COLLATE pg_temp.funnel_case_insensitive) AS boolean_form;
