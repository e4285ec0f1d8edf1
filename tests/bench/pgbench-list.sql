-- What a patient's record list costs PostgreSQL, without USC-PIS: read the patient (the
-- privacy check), count and read the page of records, and commit the read's audit entry.
-- On a loadgen-seeded database, after tests/bench/pgbench-reads-setup.sql:
--   pgbench -n -c 16 -j 2 -T 5 -D max=$(psql -tAc 'SELECT count(*) FROM bench_ids' "$URL") \
--     -f tests/bench/pgbench-list.sql "$URL"
\set k random(1, :max)
SELECT quote_literal(id) AS pid FROM bench_ids WHERE n = :k \gset
SELECT * FROM patients WHERE id = :pid;
SELECT count(*) FROM medical_records WHERE patient_id = :pid;
SELECT * FROM medical_records WHERE patient_id = :pid ORDER BY visit_at DESC, id DESC LIMIT 20;
INSERT INTO audit_pending (id, at, actor_id, action, entity, entity_id, subject_id, patient_id, outcome)
  VALUES (gen_random_uuid(), now(), gen_random_uuid(), 'medical_records.list', 'patient',
          :pid, NULL, :pid, 'success');
