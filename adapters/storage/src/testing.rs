//! Throw-away databases for tests: SQLite by default, PostgreSQL when
//! `USCPIS_TEST_POSTGRES_URL` names a server (e.g. `postgres://postgres@127.0.0.1:5432/test`).
//! Each call creates a new database (`uscpis_test_<uuid>` on PostgreSQL), migrated, or
//! restores a fixture made by an older build into one, not migrated.

use std::path::Path;

use sea_orm::ConnectionTrait;

use crate::Database;
use crate::error::map_db_err;

/// The environment variable that switches the test suites to PostgreSQL.
pub const POSTGRES_ENV: &str = "USCPIS_TEST_POSTGRES_URL";

/// A fresh database URL: a new SQLite file under the temp dir, or a new PostgreSQL database.
pub async fn fresh_database_url() -> anyhow::Result<String> {
    let name = format!("uscpis_test_{}", uuid::Uuid::now_v7().simple());
    match std::env::var(POSTGRES_ENV).ok().filter(|u| !u.is_empty()) {
        Some(admin_url) => {
            let admin = sea_orm::Database::connect(admin_url.as_str()).await?;
            admin
                .execute_unprepared(&format!("CREATE DATABASE \"{name}\""))
                .await?;
            admin.close().await?;
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b);
            Ok(format!("{base}/{name}"))
        }
        None => {
            let dir = std::env::temp_dir().join("uscpis-tests");
            std::fs::create_dir_all(&dir)?;
            Ok(format!(
                "sqlite://{}?mode=rwc",
                dir.join(format!("{name}.db")).display()
            ))
        }
    }
}

/// A fresh, migrated database.
pub async fn fresh_database() -> anyhow::Result<Database> {
    let url = fresh_database_url().await?;
    Ok(Database::connect(&url).await?)
}

/// A fresh database holding a fixture made by an older build, not migrated: a copy of
/// `sqlite_file` on SQLite; on PostgreSQL a new database into which `postgres_dump` (gzipped plain
/// `pg_dump` SQL, `--inserts`, no `COPY`) is replayed as one multi-statement script, without
/// the psql-only `\restrict` / `\unrestrict` lines newer `pg_dump`s write.
pub async fn restored_database_url(
    sqlite_file: &Path,
    postgres_dump: &Path,
) -> anyhow::Result<String> {
    let url = fresh_database_url().await?;
    match crate::sqlite_path(&url) {
        Some(path) => {
            std::fs::copy(sqlite_file, path)?;
        }
        None => {
            // Stored gzipped: a plain dump is thousands of look-alike INSERT lines.
            let mut dump = String::new();
            std::io::Read::read_to_string(
                &mut flate2::read::GzDecoder::new(std::fs::File::open(postgres_dump)?),
                &mut dump,
            )?;
            let script: String = dump
                .lines()
                .filter(|l| !l.starts_with("\\restrict") && !l.starts_with("\\unrestrict"))
                .flat_map(|l| [l, "\n"])
                .collect();
            let conn = sea_orm::Database::connect(url.as_str()).await?;
            conn.execute_unprepared(&script).await?;
            conn.close().await?;
        }
    }
    Ok(url)
}

impl Database {
    /// Runs raw SQL and returns the first column of the first row as i64 (tests only).
    pub async fn query_i64(&self, sql: &str) -> Result<Option<i64>, application::StoreError> {
        let row = self
            .connection()
            .query_one_raw(sea_orm::Statement::from_string(
                self.connection().get_database_backend(),
                sql.to_owned(),
            ))
            .await
            .map_err(map_db_err)?;
        row.map(|r| r.try_get_by_index::<i64>(0).map_err(map_db_err))
            .transpose()
    }
}
