//! Certificate templates can be retired (`active = false`): no new certificates use them;
//! the certificates that did keep printing with them.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::a;

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000011_template_active"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("certificate_templates"))
                .add_column(boolean(a("active")).default(true))
                .to_owned(),
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.alter_table(
            Table::alter()
                .table(a("certificate_templates"))
                .drop_column(a("active"))
                .to_owned(),
        )
        .await
    }
}
