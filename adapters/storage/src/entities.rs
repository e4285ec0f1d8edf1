//! sea-orm entities: one module per table. They never leave this crate.

/// The `users` table.
pub mod users {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "users")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub email: String,
        pub password_hash: String,
        pub role: String,
        pub first_name: String,
        pub last_name: String,
        pub middle_name: Option<String>,
        pub usc_id: Option<String>,
        pub course: Option<i16>,
        pub year_level: Option<i16>,
        pub campus: Option<String>,
        pub phone: Option<String>,
        pub department: Option<String>,
        pub is_active: bool,
        pub is_verified: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `safe_emails` table.
pub mod safe_emails {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "safe_emails")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub email: String,
        pub role: String,
        pub is_active: bool,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `email_verifications` table.
pub mod email_verifications {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "email_verifications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub code_hash: String,
        pub issued_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub attempts: i32,
        pub window_start: DateTimeUtc,
        pub issued_in_window: i32,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `sessions` table.
pub mod sessions {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "sessions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub token_hash: String,
        pub created_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub revoked_at: Option<DateTimeUtc>,
    }

    /// The owner, for the token lookup join.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {
        /// The session's owner.
        #[sea_orm(
            belongs_to = "super::users::Entity",
            from = "Column::UserId",
            to = "super::users::Column::Id"
        )]
        User,
    }

    impl Related<super::users::Entity> for Entity {
        fn to() -> RelationDef {
            Relation::User.def()
        }
    }

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `password_resets` table.
pub mod password_resets {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "password_resets")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub token_hash: String,
        pub expires_at: DateTimeUtc,
        pub used_at: Option<DateTimeUtc>,
        pub created_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `login_failures` table.
pub mod login_failures {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "login_failures")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub key: String,
        pub at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `throttle_keys` table.
pub mod throttle_keys {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "throttle_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub key: String,
        pub touched_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `audit_log` table.
pub mod audit_log {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_log")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub seq: i64,
        pub id: Uuid,
        pub at: DateTimeUtc,
        pub actor_id: Option<Uuid>,
        pub action: String,
        pub entity: String,
        pub entity_id: Option<String>,
        pub subject_id: Option<Uuid>,
        pub outcome: String,
        pub prev_hash: String,
        pub hash: String,
        pub patient_id: Option<Uuid>,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `audit_head` table.
pub mod audit_head {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "audit_head")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: i32,
        pub seq: i64,
        pub hash: String,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `outbox` table.
pub mod outbox {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
    #[sea_orm(table_name = "outbox")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub to_addr: String,
        pub subject: String,
        pub body_text: String,
        pub body_html: Option<String>,
        pub status: String,
        pub attempts: i32,
        pub next_attempt_at: DateTimeUtc,
        pub locked_until: Option<DateTimeUtc>,
        pub last_error: Option<String>,
        pub created_at: DateTimeUtc,
        pub sent_at: Option<DateTimeUtc>,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `patients` table.
pub mod patients {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "patients")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Option<Uuid>,
        pub first_name: String,
        pub middle_name: Option<String>,
        pub last_name: String,
        pub first_lc: String,
        pub last_lc: String,
        pub full_lc: String,
        pub date_of_birth: Date,
        pub sex: String,
        pub email: Option<String>,
        pub usc_id: Option<String>,
        pub phone: Option<String>,
        pub address: Option<String>,
        pub permanent_address: Option<String>,
        pub civil_status: Option<String>,
        pub nationality: Option<String>,
        pub religion: Option<String>,
        pub course: Option<i16>,
        pub year_level: Option<i16>,
        pub campus: Option<String>,
        pub department: Option<String>,
        pub emergency_name: Option<String>,
        pub emergency_phone: Option<String>,
        pub emergency_relationship: Option<String>,
        pub blood_type: Option<String>,
        pub height_cm: Option<f64>,
        pub weight_kg: Option<f64>,
        pub allergies: String,
        pub medications: String,
        pub history: String,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `medical_records` table.
pub mod medical_records {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "medical_records")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub patient_id: Uuid,
        pub visit_at: DateTimeUtc,
        pub chief_complaint: String,
        pub diagnosis: String,
        pub treatment: String,
        pub notes: Option<String>,
        pub vital_signs: String,
        pub physical_exam: String,
        pub medications: String,
        pub override_reason: Option<String>,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `dental_records` table.
pub mod dental_records {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "dental_records")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub patient_id: Uuid,
        pub visit_at: DateTimeUtc,
        pub procedure: String,
        pub tooth_numbers: String,
        pub tooth_chart: String,
        pub concern: Option<String>,
        pub diagnosis: Option<String>,
        pub treatment_performed: Option<String>,
        pub treatment_plan: Option<String>,
        pub referral_to: Option<String>,
        pub oral_hygiene: Option<String>,
        pub gum_condition: Option<String>,
        pub clinical_notes: Option<String>,
        pub pain_level: Option<i16>,
        pub anesthesia_used: bool,
        pub anesthesia_type: Option<String>,
        pub materials_used: Option<String>,
        pub next_visit_on: Option<Date>,
        pub home_care_instructions: Option<String>,
        pub priority: String,
        pub cost_cents: Option<i64>,
        pub insurance_covered: bool,
        pub medications: String,
        pub override_reason: Option<String>,
        pub created_by: Option<Uuid>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
        pub version: i32,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `record_revisions` table.
pub mod record_revisions {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "record_revisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub record_kind: String,
        pub record_id: Uuid,
        pub version: i32,
        pub changed_by: Uuid,
        pub changed_at: DateTimeUtc,
        pub changed_fields: String,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `certificate_templates` table.
pub mod certificate_templates {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "certificate_templates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub description: Option<String>,
        pub kind: String,
        pub form_code: Option<String>,
        pub body: String,
        pub created_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `medical_certificates` table.
pub mod medical_certificates {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "medical_certificates")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub patient_id: Uuid,
        pub template_id: Uuid,
        pub kind: String,
        pub purpose: String,
        pub recommendations: Option<String>,
        pub additional_notes: Option<String>,
        pub valid_from: Date,
        pub valid_until: Date,
        pub fitness: String,
        pub fitness_reason: Option<String>,
        pub status: String,
        pub issued_by: Uuid,
        pub decided_by: Option<Uuid>,
        pub decided_at: Option<DateTimeUtc>,
        pub submitted_at: Option<DateTimeUtc>,
        pub rejection_reason: Option<String>,
        pub verification_code: Option<String>,
        pub created_at: DateTimeUtc,
        pub updated_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `patient_documents` table.
pub mod patient_documents {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "patient_documents")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub patient_id: Uuid,
        pub medical_record_id: Option<Uuid>,
        pub dental_record_id: Option<Uuid>,
        pub document_type: String,
        pub description: Option<String>,
        pub filename: String,
        pub content_type: String,
        pub size_bytes: i64,
        pub sha256: String,
        pub storage_key: String,
        pub uploaded_by: Uuid,
        pub uploaded_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `notifications` table.
pub mod notifications {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "notifications")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub user_id: Uuid,
        pub kind: String,
        pub title: String,
        pub message: String,
        pub link: Option<String>,
        pub created_at: DateTimeUtc,
        pub read_at: Option<DateTimeUtc>,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `appointment_types` table.
pub mod appointment_types {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "appointment_types")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub name: String,
        pub duration_minutes: i32,
        pub buffer_minutes: i32,
        pub provider_roles: String,
        pub capacity: i32,
        pub active: bool,
        pub created_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `provider_schedules` table.
pub mod provider_schedules {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "provider_schedules")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub provider_id: Uuid,
        pub weekly: String,
        pub updated_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `schedule_exceptions` table.
pub mod schedule_exceptions {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "schedule_exceptions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub provider_id: Option<Uuid>,
        pub kind: String,
        pub starts_at: DateTimeUtc,
        pub ends_at: DateTimeUtc,
        pub reason: String,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `appointments` table.
pub mod appointments {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "appointments")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub patient_id: Uuid,
        pub provider_id: Uuid,
        pub appointment_type_id: Uuid,
        pub start_at: DateTimeUtc,
        pub end_at: DateTimeUtc,
        pub block_end_at: DateTimeUtc,
        pub start_epoch: i64,
        pub end_epoch: i64,
        pub block_end_epoch: i64,
        pub capacity: i32,
        pub seat: i32,
        pub status: String,
        pub forced: bool,
        pub booked_by: Uuid,
        pub booked_at: DateTimeUtc,
        pub status_by: Uuid,
        pub status_at: DateTimeUtc,
        pub cancel_reason: Option<String>,
        pub medical_record_id: Option<Uuid>,
        pub dental_record_id: Option<Uuid>,
        pub reminder_sent_at: Option<DateTimeUtc>,
        pub revision: i32,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `appointment_transitions` table.
pub mod appointment_transitions {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "appointment_transitions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub appointment_id: Uuid,
        pub from_status: String,
        pub to_status: String,
        pub by_user: Uuid,
        pub at: DateTimeUtc,
        pub reason: Option<String>,
        pub undo: bool,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `idempotency_keys` table.
pub mod idempotency_keys {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "idempotency_keys")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        #[sea_orm(primary_key, auto_increment = false)]
        pub idem_key: String,
        pub request_hash: String,
        pub appointment_id: Uuid,
        pub created_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `waitlist_entries` table.
pub mod waitlist_entries {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "waitlist_entries")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub patient_id: Uuid,
        pub appointment_type_id: Uuid,
        pub provider_id: Option<Uuid>,
        pub from_date: Option<Date>,
        pub until_date: Option<Date>,
        pub status: String,
        pub created_by: Uuid,
        pub created_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `waitlist_offers` table.
pub mod waitlist_offers {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "waitlist_offers")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub entry_id: Uuid,
        pub patient_id: Uuid,
        pub provider_id: Uuid,
        pub appointment_type_id: Uuid,
        pub start_at: DateTimeUtc,
        pub end_at: DateTimeUtc,
        pub block_end_at: DateTimeUtc,
        pub expires_at: DateTimeUtc,
        pub status: String,
        pub created_at: DateTimeUtc,
        pub decided_at: Option<DateTimeUtc>,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `calendar_feeds` table.
pub mod calendar_feeds {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "calendar_feeds")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub user_id: Uuid,
        pub token_hash: String,
        pub created_at: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `job_leases` table.
pub mod job_leases {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "job_leases")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub job: String,
        pub holder: String,
        pub lease_until: DateTimeUtc,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}
