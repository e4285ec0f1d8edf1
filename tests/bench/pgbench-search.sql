-- What a patient search costs PostgreSQL, without USC-PIS: count and read one page of the
-- five prefix ranges USC-PIS searches, and commit the read's audit entry. On a
-- loadgen-seeded database, after tests/bench/pgbench-reads-setup.sql:
--   pgbench -n -c 16 -j 2 -T 5 -D max=$(psql -tAc 'SELECT count(*) FROM bench_terms' "$URL") \
--     -f tests/bench/pgbench-search.sql "$URL"
\set k random(1, :max)
SELECT quote_literal(term) AS t, quote_literal(term || chr(1114111)) AS th,
       quote_literal(upper(term)) AS u, quote_literal(upper(term) || chr(1114111)) AS uh
  FROM bench_terms WHERE n = :k \gset
SELECT count(*) FROM patients WHERE
     (last_lc >= :t AND last_lc < :th)
  OR (first_lc >= :t AND first_lc < :th)
  OR (full_lc >= :t AND full_lc < :th)
  OR (email >= :t AND email < :th)
  OR (usc_id >= :u AND usc_id < :uh);
SELECT * FROM patients WHERE
     (last_lc >= :t AND last_lc < :th)
  OR (first_lc >= :t AND first_lc < :th)
  OR (full_lc >= :t AND full_lc < :th)
  OR (email >= :t AND email < :th)
  OR (usc_id >= :u AND usc_id < :uh)
  ORDER BY last_lc || '', first_lc, id LIMIT 20;
INSERT INTO audit_pending (id, at, actor_id, action, entity, entity_id, subject_id, patient_id, outcome)
  VALUES (gen_random_uuid(), now(), gen_random_uuid(), 'patients.list', 'patient', NULL, NULL,
          NULL, 'success');
