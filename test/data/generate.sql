-- Synthetic interaction data for tests, demos and benchmarks (not part of the extension).
--
--   \i test/data/generate.sql
--   CREATE TABLE interactions AS SELECT * FROM engage_gen.interactions(100000, 42);
--
-- engage_gen.interactions(customers, seed, events_per_customer = 10, start_at, days = 730)
-- returns about customers * events_per_customer rows (customer_id, occurred_at, channel, kind,
-- amount), the same rows for the same arguments (hash-based pseudo-random numbers, no random()).
-- Each customer
--   - is acquired by a first order at 08:00 on a day uniform over the first 3/4 of the period;
--   - stays active for an exponential lifetime whose mean (100-700 days) varies by customer,
--     then drops out for good (Pareto/NBD-like dropout);
--   - interacts at a gamma-distributed rate (shape 0.7: many light, a few heavy customers),
--     a Poisson-like number of further events (normal approximation, rounded) at uniform
--     times over the active part of the period (a Poisson process given its count);
--   - kinds: visit 40%, email_open 20%, click 15%, order 15%, call 5%, ticket 5%, each on
--     a plausible channel (web, email, store, app, phone); times of day after 08:00 (the first
--     order) and before 22:00 UTC;
--   - order amounts lognormal around a customer-level mean spend (median about $35),
--     rounded to cents; amount is NULL for the other kinds.
-- Fast: a single INSERT ... SELECT of set-returning SQL (inlined by the planner); see the README
-- for timings.

CREATE SCHEMA IF NOT EXISTS engage_gen;

-- A pseudo-random number uniform on (0, 1), a pure function of (key, stream, seed).
CREATE OR REPLACE FUNCTION engage_gen.uniform(key bigint, stream integer, seed integer)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (((pg_catalog.hashint8extended(key, (seed::bigint << 8) + stream) >> 11) & 9007199254740991)::double precision
            + 0.5) / 9007199254740992.0
$$;

-- A standard normal number (Box-Muller) from (key, stream, seed), using streams stream and stream + 1.
CREATE OR REPLACE FUNCTION engage_gen.normal(key bigint, stream integer, seed integer)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT sqrt(-2 * ln(engage_gen.uniform(key, stream, seed)))
           * cos(2 * pi() * engage_gen.uniform(key, stream + 1, seed))
$$;

-- A gamma(shape, 1) number, shape < 1: Gamma(shape + 1) * U^(1 / shape) (Marsaglia & Tsang 2000),
-- Gamma(shape + 1) by the Wilson-Hilferty cube of a normal number; uses streams stream..stream + 2.
CREATE OR REPLACE FUNCTION engage_gen.gamma(key bigint, shape double precision, stream integer, seed integer)
RETURNS double precision LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT (shape + 1) * greatest(1 - 1 / (9 * (shape + 1)) + engage_gen.normal(key, stream, seed) / sqrt(9 * (shape + 1)),
                                  0.01) ^ 3
           * engage_gen.uniform(key, stream + 2, seed) ^ (1 / shape)
$$;

CREATE OR REPLACE FUNCTION engage_gen.interactions(
    customers integer, seed integer, events_per_customer double precision DEFAULT 10,
    start_at timestamptz DEFAULT '2023-01-01 00:00+00', days integer DEFAULT 730)
RETURNS TABLE (customer_id bigint, occurred_at timestamptz, channel text, kind text, amount double precision)
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT c.id,
           start_at + CASE WHEN e.j = 1 THEN make_interval(secs => 86400 * floor(c.acquired) + 28800)
                           ELSE make_interval(secs => 86400 * floor(c.acquired + ev.u_time * c.active)
                                                      + 28801 + floor(50399 * ev.u_clock)) END,
           CASE
               WHEN ev.kind = 'visit' THEN CASE WHEN ev.u_channel < 0.55 THEN 'web' WHEN ev.u_channel < 0.90 THEN 'app' ELSE 'store' END
               WHEN ev.kind = 'email_open' THEN 'email'
               WHEN ev.kind = 'click' THEN CASE WHEN ev.u_channel < 0.6 THEN 'email' WHEN ev.u_channel < 0.8 THEN 'web' ELSE 'app' END
               WHEN ev.kind = 'order' THEN CASE WHEN ev.u_channel < 0.45 THEN 'web' WHEN ev.u_channel < 0.70 THEN 'app'
                                                WHEN ev.u_channel < 0.95 THEN 'store' ELSE 'phone' END
               WHEN ev.kind = 'call' THEN 'phone'
               ELSE CASE WHEN ev.u_channel < 0.4 THEN 'web' WHEN ev.u_channel < 0.7 THEN 'email' ELSE 'phone' END
           END,
           ev.kind,
           CASE WHEN ev.kind = 'order'
                THEN round(100 * exp(c.log_spend + 0.5 * engage_gen.normal(ev.key, 6, seed))) / 100 END
    FROM (SELECT g.id,
                 a.acquired,
                 a.active,
                 ln(35) + 0.4 * engage_gen.normal(g.id, 20, seed) AS log_spend,
                 1 + greatest(0, round(a.mean_extra + sqrt(a.mean_extra) * engage_gen.normal(g.id, 22, seed)))::integer AS n
          FROM generate_series(1::bigint, customers) AS g(id),
               LATERAL (SELECT r.acquired, r.active,
                               -- gamma(0.7) rates, scaled so that the mean count is about events_per_customer
                               r.active * engage_gen.gamma(g.id, 0.7, 10, seed) / 0.7
                                 * (events_per_customer - 1) / (0.338 * days) AS mean_extra
                        FROM (SELECT q.acquired,
                                     least(days - q.acquired,
                                           -ln(engage_gen.uniform(g.id, 2, seed)) * (100 + 600 * engage_gen.uniform(g.id, 3, seed))) AS active
                              FROM (SELECT 0.75 * days * engage_gen.uniform(g.id, 1, seed) AS acquired) AS q) AS r) AS a
         ) AS c,
         LATERAL generate_series(1, c.n) AS e(j),
         LATERAL (SELECT k.key, k.u_time, k.u_clock, k.u_channel,
                         CASE WHEN e.j = 1 THEN 'order'
                              WHEN k.u_kind < 0.40 THEN 'visit' WHEN k.u_kind < 0.60 THEN 'email_open'
                              WHEN k.u_kind < 0.75 THEN 'click' WHEN k.u_kind < 0.90 THEN 'order'
                              WHEN k.u_kind < 0.95 THEN 'call' ELSE 'ticket' END AS kind
                  FROM (SELECT x.key,
                               engage_gen.uniform(x.key, 1, seed) AS u_time,
                               engage_gen.uniform(x.key, 2, seed) AS u_clock,
                               engage_gen.uniform(x.key, 3, seed) AS u_kind,
                               engage_gen.uniform(x.key, 4, seed) AS u_channel
                        FROM (SELECT c.id * 1048576 + e.j AS key) AS x) AS k) AS ev
$$;
