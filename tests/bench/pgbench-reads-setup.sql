-- Samples for tests/bench/pgbench-search.sql and pgbench-list.sql, taken from a database
-- that loadgen seeded (100,000 patients, ~500,000 records); the same recipe as loadgen's
-- (surname prefixes, USC ID prefixes, "first la"), 2,000 patients spread over the names.
DROP TABLE IF EXISTS bench_ids, bench_terms;
CREATE TABLE bench_ids AS
  SELECT row_number() OVER () AS n, id FROM (
    SELECT id FROM patients ORDER BY last_lc, first_lc, id) p
  WHERE random() < 0.02;
CREATE TABLE bench_terms AS
  SELECT row_number() OVER () AS n, term FROM (
    SELECT left(p.last_lc, 4) AS term FROM bench_ids b JOIN patients p USING (id)
    UNION ALL SELECT left(p.usc_id, 6) FROM bench_ids b JOIN patients p USING (id)
    UNION ALL SELECT p.first_lc || ' ' || left(p.last_lc, 2) FROM bench_ids b JOIN patients p USING (id)
  ) t;
ANALYZE bench_ids;
ANALYZE bench_terms;
SELECT (SELECT count(*) FROM bench_ids) AS ids, (SELECT count(*) FROM bench_terms) AS terms;
