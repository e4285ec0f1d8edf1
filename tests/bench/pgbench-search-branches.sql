-- Patient search as USC-PIS sends it since issue 10's second pass (clinical/search.rs):
-- count the ORed prefix ranges; with few matches (<= 400) sort them all, else unite one
-- name-ordered branch per range; commit the read's audit entry. Setup and command as in
-- tests/bench/pgbench-search.sql.
\set k random(1, :max)
SELECT quote_literal(term) AS t, quote_literal(term || chr(1114111)) AS th,
       quote_literal(upper(term)) AS u, quote_literal(upper(term) || chr(1114111)) AS uh
  FROM bench_terms WHERE n = :k \gset
SELECT count(*) AS n FROM patients WHERE
     (last_lc >= :t AND last_lc < :th)
  OR (first_lc >= :t AND first_lc < :th)
  OR (full_lc >= :t AND full_lc < :th)
  OR (email >= :t AND email < :th)
  OR (usc_id >= :u AND usc_id < :uh) \gset
\if :n <= 400
SELECT * FROM patients WHERE
     (last_lc >= :t AND last_lc < :th)
  OR (first_lc >= :t AND first_lc < :th)
  OR (full_lc >= :t AND full_lc < :th)
  OR (email >= :t AND email < :th)
  OR (usc_id >= :u AND usc_id < :uh)
  ORDER BY last_lc || '', first_lc, id LIMIT 20;
\else
SELECT p.* FROM patients p JOIN (
  SELECT * FROM (
    SELECT * FROM (SELECT id, last_lc, first_lc FROM patients WHERE last_lc >= :t AND last_lc < :th
                   ORDER BY last_lc, first_lc, id LIMIT 20) r0
    UNION SELECT * FROM (SELECT id, last_lc, first_lc FROM patients WHERE first_lc >= :t AND first_lc < :th
                   ORDER BY last_lc || '', first_lc, id LIMIT 20) r1
    UNION SELECT * FROM (SELECT id, last_lc, first_lc FROM patients WHERE full_lc >= :t AND full_lc < :th
                   ORDER BY last_lc || '', first_lc, id LIMIT 20) r2
    UNION SELECT * FROM (SELECT id, last_lc, first_lc FROM patients WHERE email >= :t AND email < :th
                   ORDER BY last_lc || '', first_lc, id LIMIT 20) r3
    UNION SELECT * FROM (SELECT id, last_lc, first_lc FROM patients WHERE usc_id >= :u AND usc_id < :uh
                   ORDER BY last_lc || '', first_lc, id LIMIT 20) r4
  ) m ORDER BY m.last_lc, m.first_lc, m.id LIMIT 20) k ON p.id = k.id
  ORDER BY k.last_lc, k.first_lc, k.id;
\endif
INSERT INTO audit_pending (id, at, actor_id, action, entity, entity_id, subject_id, patient_id, outcome)
  VALUES (gen_random_uuid(), now(), gen_random_uuid(), 'patients.list', 'patient', NULL, NULL,
          NULL, 'success');
