//! The schema, as migrations that run unchanged on SQLite and PostgreSQL.
//!
//! Constraints back the domain's invariants: unique emails and USC IDs, one verification
//! code per user, unique token hashes, foreign keys with cascades, and checks on enums.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

/// Applies every migration in order.
pub struct Migrator;

#[async_trait::async_trait]
impl MigratorTrait for Migrator {
    fn migrations() -> Vec<Box<dyn MigrationTrait>> {
        vec![
            Box::new(m20261121_000001_identity::Migration),
            Box::new(m20261121_000002_clinical::Migration),
            Box::new(m20261121_000003_appointments::Migration),
        ]
    }
}

/// Identity, audit and outbox tables.
pub mod m20261121_000001_identity {
    use super::*;

    const ROLES: [&str; 7] = [
        "ADMIN", "STAFF", "DOCTOR", "DENTIST", "NURSE", "STUDENT", "FACULTY",
    ];

    #[derive(DeriveIden)]
    enum Users {
        Table,
        Id,
        Email,
        PasswordHash,
        Role,
        FirstName,
        LastName,
        MiddleName,
        UscId,
        Course,
        YearLevel,
        Campus,
        Phone,
        Department,
        IsActive,
        IsVerified,
        CreatedAt,
        UpdatedAt,
    }

    #[derive(DeriveIden)]
    enum SafeEmails {
        Table,
        Id,
        Email,
        Role,
        IsActive,
        CreatedAt,
        UpdatedAt,
    }

    #[derive(DeriveIden)]
    enum EmailVerifications {
        Table,
        UserId,
        CodeHash,
        IssuedAt,
        ExpiresAt,
        Attempts,
        WindowStart,
        IssuedInWindow,
    }

    #[derive(DeriveIden)]
    enum Sessions {
        Table,
        Id,
        UserId,
        TokenHash,
        CreatedAt,
        ExpiresAt,
        RevokedAt,
    }

    #[derive(DeriveIden)]
    enum PasswordResets {
        Table,
        Id,
        UserId,
        TokenHash,
        ExpiresAt,
        UsedAt,
        CreatedAt,
    }

    #[derive(DeriveIden)]
    enum LoginFailures {
        Table,
        Id,
        Key,
        At,
    }

    #[derive(DeriveIden)]
    enum ThrottleKeys {
        Table,
        Key,
        TouchedAt,
    }

    #[derive(DeriveIden)]
    enum AuditLog {
        Table,
        Seq,
        Id,
        At,
        ActorId,
        Action,
        Entity,
        EntityId,
        SubjectId,
        Outcome,
        PrevHash,
        Hash,
    }

    #[derive(DeriveIden)]
    enum AuditHead {
        Table,
        Id,
        Seq,
        Hash,
    }

    #[derive(DeriveIden)]
    enum Outbox {
        Table,
        Id,
        ToAddr,
        Subject,
        BodyText,
        BodyHtml,
        Status,
        Attempts,
        NextAttemptAt,
        LockedUntil,
        LastError,
        CreatedAt,
        SentAt,
    }

    fn fk(
        from: (impl IntoIden, impl IntoIden),
        to: (impl IntoIden, impl IntoIden),
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .from(from.0, from.1)
            .to(to.0, to.1)
            .on_delete(ForeignKeyAction::Cascade)
            .take()
    }

    /// The migration.
    #[derive(DeriveMigrationName)]
    pub struct Migration;

    #[async_trait::async_trait]
    impl MigrationTrait for Migration {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            m.create_table(
                Table::create()
                    .table(Users::Table)
                    .col(pk_uuid(Users::Id))
                    .col(string_len(Users::Email, 254))
                    .col(string(Users::PasswordHash))
                    .col(string_len(Users::Role, 10).check(Expr::col(Users::Role).is_in(ROLES)))
                    .col(string_len(Users::FirstName, 150))
                    .col(string_len(Users::LastName, 150))
                    .col(string_len_null(Users::MiddleName, 150))
                    .col(string_len_null(Users::UscId, 20))
                    .col(small_integer_null(Users::Course))
                    .col(small_integer_null(Users::YearLevel))
                    .col(string_len_null(Users::Campus, 20))
                    .col(string_len_null(Users::Phone, 15))
                    .col(string_len_null(Users::Department, 100))
                    .col(boolean(Users::IsActive))
                    .col(boolean(Users::IsVerified))
                    .col(timestamp_with_time_zone(Users::CreatedAt))
                    .col(timestamp_with_time_zone(Users::UpdatedAt))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("uq_users_email")
                    .table(Users::Table)
                    .col(Users::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("uq_users_usc_id")
                    .table(Users::Table)
                    .col(Users::UscId)
                    .unique()
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(SafeEmails::Table)
                    .col(pk_uuid(SafeEmails::Id))
                    .col(string_len(SafeEmails::Email, 254))
                    .col(
                        string_len(SafeEmails::Role, 10)
                            .check(Expr::col(SafeEmails::Role).is_in(ROLES)),
                    )
                    .col(boolean(SafeEmails::IsActive))
                    .col(timestamp_with_time_zone(SafeEmails::CreatedAt))
                    .col(timestamp_with_time_zone(SafeEmails::UpdatedAt))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("uq_safe_emails_safe_email")
                    .table(SafeEmails::Table)
                    .col(SafeEmails::Email)
                    .unique()
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(EmailVerifications::Table)
                    .col(pk_uuid(EmailVerifications::UserId))
                    .col(string_len(EmailVerifications::CodeHash, 64))
                    .col(timestamp_with_time_zone(EmailVerifications::IssuedAt))
                    .col(timestamp_with_time_zone(EmailVerifications::ExpiresAt))
                    .col(
                        integer(EmailVerifications::Attempts)
                            .check(Expr::col(EmailVerifications::Attempts).gte(0)),
                    )
                    .col(timestamp_with_time_zone(EmailVerifications::WindowStart))
                    .col(
                        integer(EmailVerifications::IssuedInWindow)
                            .check(Expr::col(EmailVerifications::IssuedInWindow).gte(0)),
                    )
                    .foreign_key(&mut fk(
                        (EmailVerifications::Table, EmailVerifications::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(Sessions::Table)
                    .col(pk_uuid(Sessions::Id))
                    .col(uuid(Sessions::UserId))
                    .col(string_len(Sessions::TokenHash, 64))
                    .col(timestamp_with_time_zone(Sessions::CreatedAt))
                    .col(timestamp_with_time_zone(Sessions::ExpiresAt))
                    .col(timestamp_with_time_zone_null(Sessions::RevokedAt))
                    .foreign_key(&mut fk(
                        (Sessions::Table, Sessions::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("uq_sessions_token_hash")
                    .table(Sessions::Table)
                    .col(Sessions::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_sessions_user")
                    .table(Sessions::Table)
                    .col(Sessions::UserId)
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(PasswordResets::Table)
                    .col(pk_uuid(PasswordResets::Id))
                    .col(uuid(PasswordResets::UserId))
                    .col(string_len(PasswordResets::TokenHash, 64))
                    .col(timestamp_with_time_zone(PasswordResets::ExpiresAt))
                    .col(timestamp_with_time_zone_null(PasswordResets::UsedAt))
                    .col(timestamp_with_time_zone(PasswordResets::CreatedAt))
                    .foreign_key(&mut fk(
                        (PasswordResets::Table, PasswordResets::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("uq_password_resets_token_hash")
                    .table(PasswordResets::Table)
                    .col(PasswordResets::TokenHash)
                    .unique()
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(LoginFailures::Table)
                    .col(pk_uuid(LoginFailures::Id))
                    .col(string_len(LoginFailures::Key, 300))
                    .col(timestamp_with_time_zone(LoginFailures::At))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_login_failures_key_at")
                    .table(LoginFailures::Table)
                    .col(LoginFailures::Key)
                    .col(LoginFailures::At)
                    .to_owned(),
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(ThrottleKeys::Table)
                    .col(string_len(ThrottleKeys::Key, 300).primary_key())
                    .col(timestamp_with_time_zone(ThrottleKeys::TouchedAt))
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(AuditLog::Table)
                    .col(
                        big_integer(AuditLog::Seq)
                            .primary_key()
                            .check(Expr::col(AuditLog::Seq).gt(0)),
                    )
                    .col(uuid_uniq(AuditLog::Id))
                    .col(timestamp_with_time_zone(AuditLog::At))
                    .col(uuid_null(AuditLog::ActorId))
                    .col(string_len(AuditLog::Action, 64))
                    .col(string_len(AuditLog::Entity, 64))
                    .col(string_len_null(AuditLog::EntityId, 64))
                    .col(uuid_null(AuditLog::SubjectId))
                    .col(
                        string_len(AuditLog::Outcome, 10).check(
                            Expr::col(AuditLog::Outcome).is_in(["success", "denied", "failed"]),
                        ),
                    )
                    .col(string_len(AuditLog::PrevHash, 64))
                    .col(string_len(AuditLog::Hash, 64))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("uq_audit_log_prev_hash")
                    .table(AuditLog::Table)
                    .col(AuditLog::PrevHash)
                    .unique()
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_audit_log_actor")
                    .table(AuditLog::Table)
                    .col(AuditLog::ActorId)
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_audit_log_subject")
                    .table(AuditLog::Table)
                    .col(AuditLog::SubjectId)
                    .to_owned(),
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(AuditHead::Table)
                    .col(
                        integer(AuditHead::Id)
                            .primary_key()
                            .check(Expr::col(AuditHead::Id).eq(1)),
                    )
                    .col(big_integer(AuditHead::Seq))
                    .col(string_len(AuditHead::Hash, 64))
                    .to_owned(),
            )
            .await?;
            m.exec_stmt(
                Query::insert()
                    .into_table(AuditHead::Table)
                    .columns([AuditHead::Id, AuditHead::Seq, AuditHead::Hash])
                    .values_panic([1.into(), 0i64.into(), domain::audit::GENESIS_HASH.into()])
                    .to_owned(),
            )
            .await?;

            m.create_table(
                Table::create()
                    .table(Outbox::Table)
                    .col(pk_uuid(Outbox::Id))
                    .col(string_len(Outbox::ToAddr, 254))
                    .col(string_len(Outbox::Subject, 300))
                    .col(text(Outbox::BodyText))
                    .col(text_null(Outbox::BodyHtml))
                    .col(
                        string_len(Outbox::Status, 10)
                            .check(Expr::col(Outbox::Status).is_in(["pending", "sent", "failed"])),
                    )
                    .col(integer(Outbox::Attempts).check(Expr::col(Outbox::Attempts).gte(0)))
                    .col(timestamp_with_time_zone(Outbox::NextAttemptAt))
                    .col(timestamp_with_time_zone_null(Outbox::LockedUntil))
                    .col(text_null(Outbox::LastError))
                    .col(timestamp_with_time_zone(Outbox::CreatedAt))
                    .col(timestamp_with_time_zone_null(Outbox::SentAt))
                    .to_owned(),
            )
            .await?;
            m.create_index(
                Index::create()
                    .name("ix_outbox_due")
                    .table(Outbox::Table)
                    .col(Outbox::Status)
                    .col(Outbox::NextAttemptAt)
                    .to_owned(),
            )
            .await?;
            Ok(())
        }

        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            for t in [
                Outbox::Table.into_iden(),
                AuditHead::Table.into_iden(),
                AuditLog::Table.into_iden(),
                ThrottleKeys::Table.into_iden(),
                LoginFailures::Table.into_iden(),
                PasswordResets::Table.into_iden(),
                Sessions::Table.into_iden(),
                EmailVerifications::Table.into_iden(),
                SafeEmails::Table.into_iden(),
                Users::Table.into_iden(),
            ] {
                m.drop_table(Table::drop().table(t).to_owned()).await?;
            }
            Ok(())
        }
    }
}

/// Patients, medical and dental records, revisions, documents, certificate templates and
/// certificates, notifications; the audit log learns which patient an entry is about.
pub mod m20261121_000002_clinical {
    use super::*;
    use sea_orm::{ConnectionTrait, DbBackend};

    /// The two seeded templates (fixed ids, so every installation shares them).
    pub const DEFAULT_TEMPLATE_ID: &str = "0196a000-0000-7000-8000-000000000001";
    /// The "tours / off-campus" template (form ACA-HSD-04F).
    pub const TOURS_TEMPLATE_ID: &str = "0196a000-0000-7000-8000-000000000002";

    const DEFAULT_BODY: &str = "This is to certify that {{patient_name}}, {{patient_age}} years old, {{course_and_year}}, was examined at the University Health Services on {{date}}.\n\nPurpose: {{purpose}}\n\nFindings: the patient is {{fitness_status}}. {{fitness_reason}}\n\nRecommendations: {{recommendations}}\n\nThis certificate is valid from {{valid_from}} to {{valid_until}}.";
    const TOURS_BODY: &str = "This is to certify that {{patient_name}}, {{patient_age}} years old, {{course_and_year}}, has been examined and is found {{fitness_status}} to join the off-campus activity: {{purpose}}.\n\n{{fitness_reason}}\n\nRecommendations: {{recommendations}}\n\nValid for the activity from {{valid_from}} to {{valid_until}}.\n\n{{additional_notes}}";

    pub(super) fn a(name: &str) -> Alias {
        Alias::new(name)
    }

    pub(super) fn fk(
        table: &str,
        col: &str,
        to: &str,
        action: ForeignKeyAction,
    ) -> ForeignKeyCreateStatement {
        ForeignKey::create()
            .name(format!("fk_{table}_{col}"))
            .from(a(table), a(col))
            .to(a(to), a("id"))
            .on_delete(action)
            .to_owned()
    }

    pub(super) fn one_of(col: &str, values: &[&str]) -> SimpleExpr {
        Expr::col(a(col)).is_in(values.iter().copied())
    }

    pub(super) fn nullable_one_of(col: &str, values: &[&str]) -> SimpleExpr {
        Expr::col(a(col)).is_null().or(one_of(col, values))
    }

    pub(super) async fn index(
        m: &SchemaManager<'_>,
        table: &str,
        name: &str,
        cols: &[&str],
        unique: bool,
    ) -> Result<(), DbErr> {
        let mut i = Index::create();
        i.name(name).table(a(table));
        for c in cols {
            i.col(a(c));
        }
        if unique {
            i.unique();
        }
        m.create_index(i.to_owned()).await
    }

    /// The migration.
    pub struct Migration;

    // Named explicitly: `DeriveMigrationName` takes the file name, which both migrations
    // share (the first one is recorded as "migration" and keeps that name).
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
                    .col(
                        string_len(a("document_type"), 20)
                            .check(one_of("document_type", &doc_types)),
                    )
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
}

/// Appointment types, schedules, exceptions, appointments (no double booking enforced
/// by the database), transitions, idempotency keys, the waitlist, calendar feeds and job
/// leases.
pub mod m20261121_000003_appointments {
    use super::m20261121_000002_clinical::{a, fk, index, one_of};
    use super::*;
    use sea_orm::{ConnectionTrait, DbBackend};

    /// Statuses that hold the provider's and the patient's time.
    pub const HOLDING: &str = "('scheduled', 'checked_in', 'completed')";

    /// The migration.
    pub struct Migration;

    impl MigrationName for Migration {
        fn name(&self) -> &str {
            "m20261121_000003_appointments"
        }
    }

    fn sqlite_guard(name: &str, event: &str) -> String {
        format!(
            "CREATE TRIGGER {name} BEFORE {event} ON appointments
             WHEN NEW.status IN {HOLDING}
             BEGIN
               SELECT RAISE(ABORT, 'slot_taken') WHERE EXISTS (
                 SELECT 1 FROM appointments o
                 WHERE o.provider_id = NEW.provider_id AND o.id <> NEW.id
                   AND o.status IN {HOLDING}
                   AND o.start_epoch > NEW.start_epoch - 86400
                   AND o.start_epoch < NEW.block_end_epoch
                   AND o.block_end_epoch > NEW.start_epoch
                   AND (o.appointment_type_id <> NEW.appointment_type_id
                        OR o.start_epoch <> NEW.start_epoch));
               SELECT RAISE(ABORT, 'patient_busy') WHERE EXISTS (
                 SELECT 1 FROM appointments o
                 WHERE o.patient_id = NEW.patient_id AND o.id <> NEW.id
                   AND o.status IN {HOLDING}
                   AND o.start_epoch > NEW.start_epoch - 86400
                   AND o.start_epoch < NEW.end_epoch
                   AND o.end_epoch > NEW.start_epoch);
             END"
        )
    }

    #[async_trait::async_trait]
    impl MigrationTrait for Migration {
        async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
            let roles = "provider_roles";
            m.create_table(
                Table::create()
                    .table(a("appointment_types"))
                    .col(pk_uuid(a("id")))
                    .col(string_len_uniq(a("name"), 100))
                    .col(
                        integer(a("duration_minutes"))
                            .check(Expr::col(a("duration_minutes")).between(5, 480)),
                    )
                    .col(
                        integer(a("buffer_minutes"))
                            .check(Expr::col(a("buffer_minutes")).between(0, 240)),
                    )
                    .col(string_len(a(roles), 100))
                    .col(integer(a("capacity")).check(Expr::col(a("capacity")).between(1, 1000)))
                    .col(boolean(a("active")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .to_owned(),
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("provider_schedules"))
                    .col(uuid(a("provider_id")).primary_key())
                    .col(text(a("weekly")))
                    .col(timestamp_with_time_zone(a("updated_at")))
                    .foreign_key(&mut fk(
                        "provider_schedules",
                        "provider_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("schedule_exceptions"))
                    .col(pk_uuid(a("id")))
                    .col(uuid_null(a("provider_id")))
                    .col(string_len(a("kind"), 10).check(one_of("kind", &["closed", "open"])))
                    .col(timestamp_with_time_zone(a("starts_at")))
                    .col(timestamp_with_time_zone(a("ends_at")))
                    .col(text(a("reason")))
                    .col(uuid(a("created_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .check(Expr::col(a("ends_at")).gt(Expr::col(a("starts_at"))))
                    .foreign_key(&mut fk(
                        "schedule_exceptions",
                        "provider_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            index(
                m,
                "schedule_exceptions",
                "ix_schedule_exceptions_provider",
                &["provider_id", "starts_at"],
                false,
            )
            .await?;
            let statuses = [
                "scheduled",
                "checked_in",
                "completed",
                "cancelled",
                "no_show",
            ];
            m.create_table(
                Table::create()
                    .table(a("appointments"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("patient_id")))
                    .col(uuid(a("provider_id")))
                    .col(uuid(a("appointment_type_id")))
                    .col(timestamp_with_time_zone(a("start_at")))
                    .col(timestamp_with_time_zone(a("end_at")))
                    .col(timestamp_with_time_zone(a("block_end_at")))
                    .col(big_integer(a("start_epoch")))
                    .col(big_integer(a("end_epoch")))
                    .col(big_integer(a("block_end_epoch")))
                    .col(integer(a("capacity")).check(Expr::col(a("capacity")).between(1, 1000)))
                    .col(integer(a("seat")))
                    .col(string_len(a("status"), 12).check(one_of("status", &statuses)))
                    .col(boolean(a("forced")))
                    .col(uuid(a("booked_by")))
                    .col(timestamp_with_time_zone(a("booked_at")))
                    .col(uuid(a("status_by")))
                    .col(timestamp_with_time_zone(a("status_at")))
                    .col(text_null(a("cancel_reason")))
                    .col(uuid_null(a("medical_record_id")))
                    .col(uuid_null(a("dental_record_id")))
                    .col(timestamp_with_time_zone_null(a("reminder_sent_at")))
                    .col(integer(a("revision")))
                    .check(Expr::col(a("end_at")).gt(Expr::col(a("start_at"))))
                    .check(Expr::col(a("block_end_at")).gte(Expr::col(a("end_at"))))
                    .check(
                        Expr::col(a("seat"))
                            .gte(1)
                            .and(Expr::col(a("seat")).lte(Expr::col(a("capacity")))),
                    )
                    .foreign_key(&mut fk(
                        "appointments",
                        "patient_id",
                        "patients",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "appointments",
                        "provider_id",
                        "users",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "appointments",
                        "appointment_type_id",
                        "appointment_types",
                        ForeignKeyAction::Restrict,
                    ))
                    .foreign_key(&mut fk(
                        "appointments",
                        "medical_record_id",
                        "medical_records",
                        ForeignKeyAction::SetNull,
                    ))
                    .foreign_key(&mut fk(
                        "appointments",
                        "dental_record_id",
                        "dental_records",
                        ForeignKeyAction::SetNull,
                    ))
                    .to_owned(),
            )
            .await?;
            // Covering indexes: the overlap checks and slot searches read only these
            // columns, so no table lookups per booking.
            for (name, cols) in [
                (
                    "ix_appointments_provider",
                    &[
                        "provider_id",
                        "start_epoch",
                        "block_end_epoch",
                        "status",
                        "appointment_type_id",
                    ][..],
                ),
                (
                    "ix_appointments_patient",
                    &["patient_id", "start_epoch", "end_epoch", "status"][..],
                ),
                ("ix_appointments_start", &["start_at"][..]),
            ] {
                index(m, "appointments", name, cols, false).await?;
            }
            let conn = m.get_connection();
            // One seat per place in a session: with the exclusion constraints (PostgreSQL)
            // or the triggers (SQLite) below, a session never holds more than capacity.
            conn.execute_unprepared(&format!(
                "CREATE UNIQUE INDEX uq_appointments_seat ON appointments (provider_id, start_at, seat) WHERE status IN {HOLDING}"
            ))
            .await?;
            if m.get_database_backend() == DbBackend::Postgres {
                conn.execute_unprepared("CREATE EXTENSION IF NOT EXISTS btree_gist")
                    .await?;
                for sql in [
                    // Overlapping held spans of one provider must share the type...
                    "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_slot_type EXCLUDE USING gist (provider_id WITH =, appointment_type_id WITH <>, tstzrange(start_at, block_end_at, '[)') WITH &&)",
                    // ...and the start: one session at a time.
                    "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_slot_start EXCLUDE USING gist (provider_id WITH =, start_at WITH <>, tstzrange(start_at, block_end_at, '[)') WITH &&)",
                    // A patient is in one place at a time.
                    "ALTER TABLE appointments ADD CONSTRAINT ex_appointments_patient_busy EXCLUDE USING gist (patient_id WITH =, tstzrange(start_at, end_at, '[)') WITH &&)",
                ] {
                    conn.execute_unprepared(&format!("{sql} WHERE (status IN {HOLDING})"))
                        .await?;
                }
            } else {
                conn.execute_unprepared(&sqlite_guard("tr_appointments_guard_insert", "INSERT"))
                    .await?;
                conn.execute_unprepared(&sqlite_guard(
                    "tr_appointments_guard_update",
                    "UPDATE OF status, start_epoch, end_epoch, block_end_epoch, provider_id, patient_id, appointment_type_id",
                ))
                .await?;
            }
            m.create_table(
                Table::create()
                    .table(a("appointment_transitions"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("appointment_id")))
                    .col(string_len(a("from_status"), 12).check(one_of("from_status", &statuses)))
                    .col(string_len(a("to_status"), 12).check(one_of("to_status", &statuses)))
                    .col(uuid(a("by_user")))
                    .col(timestamp_with_time_zone(a("at")))
                    .col(text_null(a("reason")))
                    .col(boolean(a("undo")))
                    .foreign_key(&mut fk(
                        "appointment_transitions",
                        "appointment_id",
                        "appointments",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            index(
                m,
                "appointment_transitions",
                "ix_appointment_transitions_appointment",
                &["appointment_id", "at"],
                false,
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("idempotency_keys"))
                    .col(uuid(a("user_id")))
                    .col(string_len(a("idem_key"), 200))
                    .col(string_len(a("request_hash"), 64))
                    .col(uuid(a("appointment_id")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .primary_key(Index::create().col(a("user_id")).col(a("idem_key")))
                    .foreign_key(&mut fk(
                        "idempotency_keys",
                        "appointment_id",
                        "appointments",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("waitlist_entries"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("patient_id")))
                    .col(uuid(a("appointment_type_id")))
                    .col(uuid_null(a("provider_id")))
                    .col(date_null(a("from_date")))
                    .col(date_null(a("until_date")))
                    .col(
                        string_len(a("status"), 10)
                            .check(one_of("status", &["waiting", "booked", "withdrawn"])),
                    )
                    .col(uuid(a("created_by")))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .foreign_key(&mut fk(
                        "waitlist_entries",
                        "patient_id",
                        "patients",
                        ForeignKeyAction::Cascade,
                    ))
                    .foreign_key(&mut fk(
                        "waitlist_entries",
                        "appointment_type_id",
                        "appointment_types",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            index(
                m,
                "waitlist_entries",
                "ix_waitlist_entries_status",
                &["status", "created_at"],
                false,
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("waitlist_offers"))
                    .col(pk_uuid(a("id")))
                    .col(uuid(a("entry_id")))
                    .col(uuid(a("patient_id")))
                    .col(uuid(a("provider_id")))
                    .col(uuid(a("appointment_type_id")))
                    .col(timestamp_with_time_zone(a("start_at")))
                    .col(timestamp_with_time_zone(a("end_at")))
                    .col(timestamp_with_time_zone(a("block_end_at")))
                    .col(timestamp_with_time_zone(a("expires_at")))
                    .col(string_len(a("status"), 10).check(one_of(
                        "status",
                        &["open", "claimed", "expired", "declined"],
                    )))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .col(timestamp_with_time_zone_null(a("decided_at")))
                    .foreign_key(&mut fk(
                        "waitlist_offers",
                        "entry_id",
                        "waitlist_entries",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            // No slot is offered to two patients at once, nor two slots to one entry.
            conn.execute_unprepared(
                "CREATE UNIQUE INDEX uq_waitlist_offers_slot ON waitlist_offers (provider_id, start_at) WHERE status = 'open'",
            )
            .await?;
            conn.execute_unprepared(
                "CREATE UNIQUE INDEX uq_waitlist_offers_entry ON waitlist_offers (entry_id) WHERE status = 'open'",
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("calendar_feeds"))
                    .col(uuid(a("user_id")).primary_key())
                    .col(string_len_uniq(a("token_hash"), 64))
                    .col(timestamp_with_time_zone(a("created_at")))
                    .foreign_key(&mut fk(
                        "calendar_feeds",
                        "user_id",
                        "users",
                        ForeignKeyAction::Cascade,
                    ))
                    .to_owned(),
            )
            .await?;
            m.create_table(
                Table::create()
                    .table(a("job_leases"))
                    .col(string_len(a("job"), 50).primary_key())
                    .col(string_len(a("holder"), 64))
                    .col(timestamp_with_time_zone(a("lease_until")))
                    .to_owned(),
            )
            .await?;
            Ok(())
        }

        async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
            for t in [
                "job_leases",
                "calendar_feeds",
                "waitlist_offers",
                "waitlist_entries",
                "idempotency_keys",
                "appointment_transitions",
                "appointments",
                "schedule_exceptions",
                "provider_schedules",
                "appointment_types",
            ] {
                m.drop_table(Table::drop().table(a(t)).to_owned()).await?;
            }
            Ok(())
        }
    }
}
