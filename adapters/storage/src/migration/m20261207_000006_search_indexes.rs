//! Name indexes that cover patient search: the surname index gains `id`, and the
//! first-name index the surname and `id`, so a search's branches and its count read index
//! entries, not rows (see `clinical/search.rs`).

use sea_orm_migration::prelude::*;

use super::{a, index};

/// The migration.
pub struct Migration;

impl MigrationName for Migration {
    fn name(&self) -> &str {
        "m20261207_000006_search_indexes"
    }
}

/// Creates `new` on `cols`, then drops `old` (new names: a name dropped and created again
/// in one migration is refused on SQLite).
async fn replace(m: &SchemaManager<'_>, old: &str, new: &str, cols: &[&str]) -> Result<(), DbErr> {
    index(m, "patients", new, cols, false).await?;
    m.drop_index(Index::drop().name(old).table(a("patients")).to_owned())
        .await
}

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let last = ["last_lc", "first_lc", "id"];
        replace(m, "ix_patients_last_first", "ix_patients_name", &last).await?;
        let first = ["first_lc", "last_lc", "id"];
        replace(m, "ix_patients_first", "ix_patients_first_name", &first).await
    }

    async fn down(&self, m: &SchemaManager) -> Result<(), DbErr> {
        let last = ["last_lc", "first_lc"];
        replace(m, "ix_patients_name", "ix_patients_last_first", &last).await?;
        replace(
            m,
            "ix_patients_first_name",
            "ix_patients_first",
            &["first_lc"],
        )
        .await
    }
}
