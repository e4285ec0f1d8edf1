//! An appointment's history records its booking and each rescheduling (with the old and
//! the new start), not only status changes. Existing entries are status changes.

use sea_orm_migration::prelude::*;
use sea_orm_migration::schema::*;

use super::{a, one_of};

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261208_000008_appointment_history"
    }
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        // One column per statement: SQLite's ALTER TABLE adds one at a time.
        let columns = [
            string_len(a("kind"), 12)
                .default("status")
                .check(one_of("kind", &["booked", "status", "rescheduled"]))
                .to_owned(),
            timestamp_with_time_zone_null(a("old_start")),
            timestamp_with_time_zone_null(a("new_start")),
        ];
        for mut column in columns {
            m.alter_table(
                Table::alter()
                    .table(a("appointment_transitions"))
                    .add_column(&mut column)
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        for column in ["new_start", "old_start", "kind"] {
            m.alter_table(
                Table::alter()
                    .table(a("appointment_transitions"))
                    .drop_column(a(column))
                    .to_owned(),
            )
            .await?;
        }
        Ok(())
    }
}
