-- What creating a medical record costs PostgreSQL, without USC-PIS: lock the patient's
-- row, insert the record and its audit entry, commit. For docs/PERFORMANCE.md:
--   psql "$URL" -f tests/bench/pgbench-setup.sql
--   pgbench -n -c 16 -j 2 -T 10 -f tests/bench/pgbench-record.sql "$URL"
\set pid random(1, 100000)
BEGIN;
SELECT id FROM bench_patients WHERE id = :pid FOR UPDATE;
INSERT INTO bench_records (id, patient_id, visit_at, chief_complaint, diagnosis, treatment, created_at)
  VALUES (gen_random_uuid(), :pid, now(), 'Headache since morning', 'Tension-type headache',
          'Rest and fluids; paracetamol 500 mg as needed', now());
INSERT INTO bench_audit (id, at, actor_id, action, entity, entity_id, outcome)
  VALUES (gen_random_uuid(), now(), gen_random_uuid(), 'medical_records.create', 'medical_record',
          gen_random_uuid()::text, 'success');
END;
