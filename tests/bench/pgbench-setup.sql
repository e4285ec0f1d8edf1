-- Tables for tests/bench/pgbench-record.sql (shapes like patients, medical_records and
-- audit_pending; 100,000 patients).
DROP TABLE IF EXISTS bench_audit, bench_records, bench_patients;
CREATE TABLE bench_patients (id int PRIMARY KEY, name text NOT NULL);
INSERT INTO bench_patients SELECT g, 'Patient ' || g FROM generate_series(1, 100000) g;
CREATE TABLE bench_records (
  id uuid PRIMARY KEY, patient_id int NOT NULL REFERENCES bench_patients(id),
  visit_at timestamptz NOT NULL, chief_complaint text NOT NULL, diagnosis text NOT NULL,
  treatment text NOT NULL, created_at timestamptz NOT NULL);
CREATE INDEX ON bench_records (patient_id, visit_at);
CREATE TABLE bench_audit (
  id uuid PRIMARY KEY, at timestamptz NOT NULL, actor_id uuid, action varchar(64) NOT NULL,
  entity varchar(64) NOT NULL, entity_id varchar(64), outcome varchar(10) NOT NULL);
CREATE INDEX ON bench_audit (at, id);
