//! Patients, medical and dental records, revisions, documents, certificate templates and
//! certificates, notifications; the audit log learns which patient an entry is about.

use sea_orm::{ConnectionTrait, DbBackend};
use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{a, fk, index, nullable_one_of, one_of};

/// The two seeded templates (fixed ids, so every installation shares them).
pub const DEFAULT_TEMPLATE_ID: &str = "0196a000-0000-7000-8000-000000000001";
/// The "tours / off-campus" template (form ACA-HSD-04F).
pub const TOURS_TEMPLATE_ID: &str = "0196a000-0000-7000-8000-000000000002";

const DEFAULT_BODY: &str = "This is to certify that {{patient_name}}, {{patient_age}} years old, {{course_and_year}}, was examined at the University Health Services on {{date}}.\n\nPurpose: {{purpose}}\n\nFindings: the patient is {{fitness_status}}. {{fitness_reason}}\n\nRecommendations: {{recommendations}}\n\nThis certificate is valid from {{valid_from}} to {{valid_until}}.";
const TOURS_BODY: &str = "This is to certify that {{patient_name}}, {{patient_age}} years old, {{course_and_year}}, has been examined and is found {{fitness_status}} to join the off-campus activity: {{purpose}}.\n\n{{fitness_reason}}\n\nRecommendations: {{recommendations}}\n\nValid for the activity from {{valid_from}} to {{valid_until}}.\n\n{{additional_notes}}";

/// The migration.
pub struct Migration;

// Named explicitly, as every migration here: the name recorded in `seaql_migrations` must
// not follow the file's name.
impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261121_000002_clinical"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let sexes = ["M", "F", "O"];
        let blood = ["A+", "A-", "B+", "B-", "AB+", "AB-", "O+", "O-"];
        m.create_table(
            Table::create()
                .table(a("patients"))
                .col(pk_uuid(a("id")))
                .col(uuid_null(a("user_id")))
                .col(string_len(a("first_name"), 150))
                .col(string_len_null(a("middle_name"), 150))
                .col(string_len(a("last_name"), 150))
                .col(string_len(a("first_lc"), 150))
                .col(string_len(a("last_lc"), 150))
                .col(string_len(a("full_lc"), 301))
                .col(date(a("date_of_birth")))
                .col(string_len(a("sex"), 1).check(one_of("sex", &sexes)))
                .col(string_len_null(a("email"), 254))
                .col(string_len_null(a("usc_id"), 20))
                .col(string_len_null(a("phone"), 20))
                .col(text_null(a("address")))
                .col(text_null(a("permanent_address")))
                .col(
                    string_len_null(a("civil_status"), 10).check(nullable_one_of(
                        "civil_status",
                        &["SINGLE", "MARRIED", "WIDOWED", "DIVORCED", "SEPARATED"],
                    )),
                )
                .col(string_len_null(a("nationality"), 50))
                .col(string_len_null(a("religion"), 50))
                .col(small_integer_null(a("course")))
                .col(small_integer_null(a("year_level")))
                .col(string_len_null(a("campus"), 20))
                .col(string_len_null(a("department"), 100))
                .col(string_len_null(a("emergency_name"), 100))
                .col(string_len_null(a("emergency_phone"), 20))
                .col(string_len_null(a("emergency_relationship"), 50))
                .col(
                    string_len_null(a("blood_type"), 3)
                        .check(nullable_one_of("blood_type", &blood)),
                )
                .col(double_null(a("height_cm")))
                .col(double_null(a("weight_kg")))
                .col(text(a("allergies")))
                .col(text(a("medications")))
                .col(text(a("history")))
                .col(uuid_null(a("created_by")))
                .col(timestamp_with_time_zone(a("created_at")))
                .col(timestamp_with_time_zone(a("updated_at")))
                .foreign_key(&mut fk(
                    "patients",
                    "user_id",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "patients",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        index(m, "patients", "uq_patients_user_id", &["user_id"], true).await?;
        index(m, "patients", "uq_patients_email", &["email"], true).await?;
        index(m, "patients", "uq_patients_usc_id", &["usc_id"], true).await?;
        index(
            m,
            "patients",
            "ix_patients_last_first",
            &["last_lc", "first_lc"],
            false,
        )
        .await?;
        index(m, "patients", "ix_patients_first", &["first_lc"], false).await?;
        index(m, "patients", "ix_patients_full", &["full_lc"], false).await?;
        index(m, "patients", "ix_patients_dob", &["date_of_birth"], false).await?;

        m.create_table(
            Table::create()
                .table(a("medical_records"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("patient_id")))
                .col(timestamp_with_time_zone(a("visit_at")))
                .col(text(a("chief_complaint")))
                .col(text(a("diagnosis")))
                .col(text(a("treatment")))
                .col(text_null(a("notes")))
                .col(text(a("vital_signs")))
                .col(text(a("physical_exam")))
                .col(text(a("medications")))
                .col(text_null(a("override_reason")))
                .col(uuid_null(a("created_by")))
                .col(timestamp_with_time_zone(a("created_at")))
                .col(timestamp_with_time_zone(a("updated_at")))
                .col(integer(a("version")).check(Expr::col(a("version")).gte(1)))
                .foreign_key(&mut fk(
                    "medical_records",
                    "patient_id",
                    "patients",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "medical_records",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "medical_records",
            "uq_medical_records_visit",
            &["patient_id", "visit_at"],
            true,
        )
        .await?;
        index(
            m,
            "medical_records",
            "ix_medical_records_visit_at",
            &["visit_at"],
            false,
        )
        .await?;

        let procedures: Vec<&str> = domain::clinical::DentalProcedure::ALL
            .iter()
            .map(|p| p.as_str())
            .collect();
        m.create_table(
            Table::create()
                .table(a("dental_records"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("patient_id")))
                .col(timestamp_with_time_zone(a("visit_at")))
                .col(string_len(a("procedure"), 20).check(one_of("procedure", &procedures)))
                .col(text(a("tooth_numbers")))
                .col(text(a("tooth_chart")))
                .col(text_null(a("concern")))
                .col(text_null(a("diagnosis")))
                .col(text_null(a("treatment_performed")))
                .col(text_null(a("treatment_plan")))
                .col(text_null(a("referral_to")))
                .col(
                    string_len_null(a("oral_hygiene"), 10).check(nullable_one_of(
                        "oral_hygiene",
                        &["EXCELLENT", "GOOD", "FAIR", "POOR"],
                    )),
                )
                .col(
                    string_len_null(a("gum_condition"), 15).check(nullable_one_of(
                        "gum_condition",
                        &["HEALTHY", "GINGIVITIS", "PERIODONTITIS", "INFLAMMATION"],
                    )),
                )
                .col(text_null(a("clinical_notes")))
                .col(
                    small_integer_null(a("pain_level")).check(
                        Expr::col(a("pain_level"))
                            .is_null()
                            .or(Expr::col(a("pain_level")).between(1, 10)),
                    ),
                )
                .col(boolean(a("anesthesia_used")))
                .col(string_len_null(a("anesthesia_type"), 100))
                .col(text_null(a("materials_used")))
                .col(date_null(a("next_visit_on")))
                .col(text_null(a("home_care_instructions")))
                .col(
                    string_len(a("priority"), 10)
                        .check(one_of("priority", &["LOW", "MEDIUM", "HIGH", "URGENT"])),
                )
                .col(
                    big_integer_null(a("cost_cents")).check(
                        Expr::col(a("cost_cents"))
                            .is_null()
                            .or(Expr::col(a("cost_cents")).gte(0)),
                    ),
                )
                .col(boolean(a("insurance_covered")))
                .col(text(a("medications")))
                .col(text_null(a("override_reason")))
                .col(uuid_null(a("created_by")))
                .col(timestamp_with_time_zone(a("created_at")))
                .col(timestamp_with_time_zone(a("updated_at")))
                .col(integer(a("version")).check(Expr::col(a("version")).gte(1)))
                .foreign_key(&mut fk(
                    "dental_records",
                    "patient_id",
                    "patients",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "dental_records",
                    "created_by",
                    "users",
                    ForeignKeyAction::SetNull,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "dental_records",
            "uq_dental_records_visit",
            &["patient_id", "visit_at", "procedure"],
            true,
        )
        .await?;
        index(
            m,
            "dental_records",
            "ix_dental_records_visit_at",
            &["visit_at"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("record_revisions"))
                .col(pk_uuid(a("id")))
                .col(
                    string_len(a("record_kind"), 20)
                        .check(one_of("record_kind", &["medical_record", "dental_record"])),
                )
                .col(uuid(a("record_id")))
                .col(integer(a("version")))
                .col(uuid(a("changed_by")))
                .col(timestamp_with_time_zone(a("changed_at")))
                .col(text(a("changed_fields")))
                .foreign_key(&mut fk(
                    "record_revisions",
                    "changed_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "record_revisions",
            "uq_record_revisions_version",
            &["record_kind", "record_id", "version"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("certificate_templates"))
                .col(pk_uuid(a("id")))
                .col(string_len(a("name"), 100))
                .col(text_null(a("description")))
                .col(string_len(a("kind"), 10).check(one_of("kind", &["medical", "dental"])))
                .col(string_len_null(a("form_code"), 30))
                .col(text(a("body")))
                .col(timestamp_with_time_zone(a("created_at")))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "certificate_templates",
            "uq_certificate_templates_name",
            &["name"],
            true,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("medical_certificates"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("patient_id")))
                .col(uuid(a("template_id")))
                .col(string_len(a("kind"), 10).check(one_of("kind", &["medical", "dental"])))
                .col(text(a("purpose")))
                .col(text_null(a("recommendations")))
                .col(text_null(a("additional_notes")))
                .col(date(a("valid_from")))
                .col(date(a("valid_until")))
                .col(string_len(a("fitness"), 10).check(one_of("fitness", &["fit", "not_fit"])))
                .col(text_null(a("fitness_reason")))
                .col(string_len(a("status"), 10).check(one_of(
                    "status",
                    &["draft", "pending", "approved", "rejected"],
                )))
                .col(uuid(a("issued_by")))
                .col(uuid_null(a("decided_by")))
                .col(timestamp_with_time_zone_null(a("decided_at")))
                .col(timestamp_with_time_zone_null(a("submitted_at")))
                .col(text_null(a("rejection_reason")))
                .col(string_len_null(a("verification_code"), 12))
                .col(timestamp_with_time_zone(a("created_at")))
                .col(timestamp_with_time_zone(a("updated_at")))
                .check(Expr::col(a("valid_until")).gte(Expr::col(a("valid_from"))))
                .check(
                    Expr::col(a("fitness"))
                        .eq("fit")
                        .or(Expr::col(a("fitness_reason")).is_not_null()),
                )
                .check(
                    Expr::col(a("status"))
                        .ne("approved")
                        .or(Expr::col(a("verification_code")).is_not_null()),
                )
                .check(
                    Expr::col(a("status"))
                        .ne("rejected")
                        .or(Expr::col(a("rejection_reason")).is_not_null()),
                )
                .foreign_key(&mut fk(
                    "medical_certificates",
                    "patient_id",
                    "patients",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "medical_certificates",
                    "template_id",
                    "certificate_templates",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "medical_certificates",
                    "issued_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "medical_certificates",
                    "decided_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "medical_certificates",
            "uq_medical_certificates_code",
            &["verification_code"],
            true,
        )
        .await?;
        index(
            m,
            "medical_certificates",
            "ix_medical_certificates_patient",
            &["patient_id", "created_at"],
            false,
        )
        .await?;
        index(
            m,
            "medical_certificates",
            "ix_medical_certificates_created",
            &["created_at"],
            false,
        )
        .await?;

        let doc_types: Vec<&str> = domain::clinical::DocumentType::ALL
            .iter()
            .map(|d| d.as_str())
            .collect();
        m.create_table(
            Table::create()
                .table(a("patient_documents"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("patient_id")))
                .col(uuid_null(a("medical_record_id")))
                .col(uuid_null(a("dental_record_id")))
                .col(string_len(a("document_type"), 20).check(one_of("document_type", &doc_types)))
                .col(text_null(a("description")))
                .col(string_len(a("filename"), 255))
                .col(string_len(a("content_type"), 100))
                .col(big_integer(a("size_bytes")).check(Expr::col(a("size_bytes")).gte(0)))
                .col(string_len(a("sha256"), 64))
                .col(string_len(a("storage_key"), 200))
                .col(uuid(a("uploaded_by")))
                .col(timestamp_with_time_zone(a("uploaded_at")))
                .foreign_key(&mut fk(
                    "patient_documents",
                    "patient_id",
                    "patients",
                    ForeignKeyAction::Restrict,
                ))
                .foreign_key(&mut fk(
                    "patient_documents",
                    "medical_record_id",
                    "medical_records",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "patient_documents",
                    "dental_record_id",
                    "dental_records",
                    ForeignKeyAction::SetNull,
                ))
                .foreign_key(&mut fk(
                    "patient_documents",
                    "uploaded_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "patient_documents",
            "uq_patient_documents_key",
            &["storage_key"],
            true,
        )
        .await?;
        index(
            m,
            "patient_documents",
            "ix_patient_documents_patient",
            &["patient_id", "uploaded_at"],
            false,
        )
        .await?;

        m.create_table(
            Table::create()
                .table(a("notifications"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("user_id")))
                .col(string_len(a("kind"), 40))
                .col(string_len(a("title"), 200))
                .col(text(a("message")))
                .col(string_len_null(a("link"), 300))
                .col(timestamp_with_time_zone(a("created_at")))
                .col(timestamp_with_time_zone_null(a("read_at")))
                .foreign_key(&mut fk(
                    "notifications",
                    "user_id",
                    "users",
                    ForeignKeyAction::Cascade,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "notifications",
            "ix_notifications_user",
            &["user_id", "created_at"],
            false,
        )
        .await?;

        m.alter_table(
            Table::alter()
                .table(a("audit_log"))
                .add_column(uuid_null(a("patient_id")))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "audit_log",
            "ix_audit_log_patient",
            &["patient_id"],
            false,
        )
        .await?;

        // Prefix search compares bytes: PostgreSQL's default collation is locale-aware,
        // so the searched columns use "C" there (SQLite's BINARY already is).
        if m.get_database_backend() == DbBackend::Postgres {
            let conn = m.get_connection();
            for (col, len) in [
                ("first_lc", 150),
                ("last_lc", 150),
                ("full_lc", 301),
                ("email", 254),
                ("usc_id", 20),
            ] {
                conn.execute_unprepared(&format!(
                    "ALTER TABLE patients ALTER COLUMN {col} TYPE varchar({len}) COLLATE \"C\""
                ))
                .await?;
            }
        }

        let now = chrono::Utc::now();
        for (id, name, description, form, body) in [
            (
                DEFAULT_TEMPLATE_ID,
                "Default Medical Certificate",
                "General fitness certificate",
                None,
                DEFAULT_BODY,
            ),
            (
                TOURS_TEMPLATE_ID,
                "USC Clinic Template (tours / off-campus)",
                "Clearance for educational tours and off-campus activities",
                Some("ACA-HSD-04F"),
                TOURS_BODY,
            ),
        ] {
            let id = uuid::Uuid::parse_str(id).map_err(|e| DbErr::Custom(e.to_string()))?;
            m.exec_stmt(
                Query::insert()
                    .into_table(a("certificate_templates"))
                    .columns([
                        a("id"),
                        a("name"),
                        a("description"),
                        a("kind"),
                        a("form_code"),
                        a("body"),
                        a("created_at"),
                    ])
                    .values_panic([
                        id.into(),
                        name.into(),
                        description.into(),
                        "medical".into(),
                        form.map(str::to_owned).into(),
                        body.into(),
                        now.into(),
                    ])
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_index(
            Index::drop()
                .name("ix_audit_log_patient")
                .table(a("audit_log"))
                .to_owned(),
        )
        .await?;
        m.alter_table(
            Table::alter()
                .table(a("audit_log"))
                .drop_column(a("patient_id"))
                .to_owned(),
        )
        .await?;
        for t in [
            "notifications",
            "patient_documents",
            "medical_certificates",
            "certificate_templates",
            "record_revisions",
            "dental_records",
            "medical_records",
            "patients",
        ] {
            m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
        }
        Ok(())
    }
}
