//! Audit entries waiting to be linked into the hash chain. A request inserts its entry
//! here, touching no shared row; the chainer moves entries into `audit_log` in batches,
//! assigning each its place in the chain.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{a, index, one_of};

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000004_audit_pending"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.create_table(
            Table::create()
                .table(a("audit_pending"))
                .col(pk_uuid(a("id")))
                .col(timestamp_with_time_zone(a("at")))
                .col(uuid_null(a("actor_id")))
                .col(string_len(a("action"), 64))
                .col(string_len(a("entity"), 64))
                .col(string_len_null(a("entity_id"), 64))
                .col(uuid_null(a("subject_id")))
                .col(uuid_null(a("patient_id")))
                .col(
                    string_len(a("outcome"), 10)
                        .check(one_of("outcome", &["success", "denied", "failed"])),
                )
                .to_owned(),
        )
        .await?;
        // The chainer takes the oldest first.
        index(
            m,
            "audit_pending",
            "ix_audit_pending_order",
            &["at", "id"],
            false,
        )
        .await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        m.drop_table(Table::drop().table(a("audit_pending")).to_owned())
            .await
    }
}
