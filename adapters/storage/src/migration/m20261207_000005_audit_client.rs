//! The client address each audit entry's request came from (behind a trusted proxy, the
//! right-most untrusted `X-Forwarded-For` hop), on waiting and on linked entries.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::a;

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000005_audit_client"
    }
}

/// The longest textual IP address (IPv4-mapped IPv6) is 45 characters.
const ADDR_LEN: u32 = 45;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        for table in ["audit_pending", "audit_log"] {
            m.alter_table(
                Table::alter()
                    .table(a(table))
                    .add_column(string_len_null(a("client_addr"), ADDR_LEN))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for table in ["audit_pending", "audit_log"] {
            m.alter_table(
                Table::alter()
                    .table(a(table))
                    .drop_column(a("client_addr"))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
