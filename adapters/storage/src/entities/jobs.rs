//! Background jobs: the leases that let one instance at a time run a periodic job.

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
