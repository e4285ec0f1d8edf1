//! Clinical records: patients, medical and dental records, their revisions, certificate templates
//! and certificates, patient documents.

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
        pub changes: Option<String>,
    }

    /// No declared relations: joins are written where they are needed.
    #[derive(Copy, Clone, Debug, EnumIter, DeriveRelation)]
    pub enum Relation {}

    impl ActiveModelBehavior for ActiveModel {}
}

/// The `patient_revisions` table.
pub mod patient_revisions {
    use sea_orm::entity::prelude::*;

    /// A row.
    #[derive(Clone, Debug, PartialEq, DeriveEntityModel)]
    #[sea_orm(table_name = "patient_revisions")]
    pub struct Model {
        #[sea_orm(primary_key, auto_increment = false)]
        pub id: Uuid,
        pub patient_id: Uuid,
        pub version: i32,
        pub changed_by: Uuid,
        pub changed_at: DateTimeUtc,
        pub changes: String,
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
        pub active: bool,
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
        pub revoked_by: Option<Uuid>,
        pub revoked_at: Option<DateTimeUtc>,
        pub revocation_reason: Option<String>,
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
