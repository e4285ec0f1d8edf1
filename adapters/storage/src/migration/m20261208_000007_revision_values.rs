//! Revisions keep each changed field's old and new value (`changes`, JSON
//! `[{field, old, new}]`), and patients get revisions of their own: profile fields and
//! allergies. Older record revisions keep their field names only (`changes` is NULL).

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{a, fk, index};

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000007_revision_values"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("record_revisions"))
                .add_column(text_null(a("changes")))
                .to_owned(),
        )
        .await?;
        m.create_table(
            Table::create()
                .table(a("patient_revisions"))
                .col(pk_uuid(a("id")))
                .col(uuid(a("patient_id")))
                .col(integer(a("version")))
                .col(uuid(a("changed_by")))
                .col(timestamp_with_time_zone(a("changed_at")))
                .col(text(a("changes")))
                .foreign_key(&mut fk(
                    "patient_revisions",
                    "patient_id",
                    "patients",
                    ForeignKeyAction::Cascade,
                ))
                .foreign_key(&mut fk(
                    "patient_revisions",
                    "changed_by",
                    "users",
                    ForeignKeyAction::Restrict,
                ))
                .to_owned(),
        )
        .await?;
        index(
            m,
            "patient_revisions",
            "uq_patient_revisions_version",
            &["patient_id", "version"],
            true,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("patient_revisions")).to_owned())
            .await?;
        m.alter_table(
            Table::alter()
                .table(a("record_revisions"))
                .drop_column(a("changes"))
                .to_owned(),
        )
        .await
    }
}
