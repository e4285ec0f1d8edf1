//! An approved certificate can be revoked: who, when and why sit beside its approval
//! (`status` stays `approved`, so the approval's checks still hold; the domain answers
//! `revoked` when `revoked_at` is set).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::a;

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000009_certificate_revocation"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        let columns = [
            uuid_null(a("revoked_by")),
            timestamp_with_time_zone_null(a("revoked_at")),
            text_null(a("revocation_reason")),
        ];
        for mut column in columns {
            m.alter_table(
                Table::alter()
                    .table(a("medical_certificates"))
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["revocation_reason", "revoked_at", "revoked_by"] {
            m.alter_table(
                Table::alter()
                    .table(a("medical_certificates"))
                    .drop_column(a(column))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
