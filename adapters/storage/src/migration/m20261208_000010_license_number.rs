//! A clinician's professional licence (PRC) number, printed under their signature on the
//! certificates they approve.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::a;

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000010_license_number"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("users"))
                .add_column(string_len_null(a("license_number"), 20))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("users"))
                .drop_column(a("license_number"))
                .to_owned(),
        )
        .await
    }
}
