//! Appointments: types, provider schedules and exceptions, appointments and their transitions,
//! idempotency keys, the waitlist and its offers, calendar feeds.

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
        pub kind: String,
        pub old_start: Option<DateTimeUtc>,
        pub new_start: Option<DateTimeUtc>,
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
