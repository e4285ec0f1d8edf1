//! USC-PIS storage adapter: sea-orm entities, migrations and repositories.
//!
//! One schema and one code path for SQLite (the embedded default, WAL mode, foreign keys
//! on) and PostgreSQL. Write transactions on SQLite start `IMMEDIATE`, so the writer lock
//! is taken up front and concurrent writers queue on the busy timeout instead of failing
//! with "database is locked". Constraint violations become typed [`StoreError`]s here.

mod appointments;
mod audit;
mod clinical;
pub mod entities;
mod error;
mod identity;
mod leases;
pub mod migration;
mod notifications;
mod outbox;
mod query;
mod session_cache;
pub mod testing;
mod unit_of_work;

use std::path::Path;
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;

use application::{StoreError, UnitOfWork};
use sea_orm::sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqliteSynchronous};
use sea_orm::{
    ConnectOptions, ConnectionTrait, DatabaseConnection, DatabaseTransaction, DbBackend,
    SqliteTransactionMode, TransactionOptions, TransactionTrait,
};
use sea_orm_migration::MigratorTrait;

pub use appointments::SeaOrmAppointmentStore;
pub use audit::SeaOrmAuditStore;
pub use clinical::SeaOrmClinicalStore;
pub use identity::SeaOrmIdentityStore;
pub use notifications::SeaOrmNotificationStore;
pub use outbox::SeaOrmOutboxStore;
pub use unit_of_work::SeaOrmUnitOfWork;

use error::map_db_err;
use session_cache::SessionCache;

/// A connected database with its migrations applied.
///
/// Clones share the pool and the session cache: make every store of one server from
/// clones of one `Database`, so that a commit anywhere that changes sessions or users
/// clears the cache every token lookup reads.
#[derive(Clone, Debug)]
pub struct Database {
    conn: DatabaseConnection,
    cache: Arc<SessionCache>,
    /// SQLite has one writer: this process's write transactions queue here, first come
    /// first served, instead of polling in SQLite's busy handler (which sleeps in steps
    /// of up to 100 ms and so stretches the tail). `None` on PostgreSQL.
    writer: Option<Arc<tokio::sync::Mutex<()>>>,
}

/// A write transaction's turn at SQLite's one writer; held until the transaction ends.
pub(crate) type WriteTurn = Option<tokio::sync::OwnedMutexGuard<()>>;

/// How long a write waits for its turn (SQLite's own busy timeout is the same).
const WRITE_WAIT: Duration = Duration::from_secs(15);

impl Database {
    /// Connects to `url` (`sqlite://path?mode=rwc` or `postgres://...`) and applies
    /// pending migrations. SQLite files are created with their folder.
    pub async fn connect(url: &str) -> Result<Self, StoreError> {
        let db = Self::connect_only(url).await?;
        db.migrate().await?;
        Ok(db)
    }

    /// Connects without migrating.
    pub async fn connect_only(url: &str) -> Result<Self, StoreError> {
        if let Some(path) = sqlite_path(url)
            && let Some(parent) = Path::new(&path).parent()
            && !parent.as_os_str().is_empty()
        {
            std::fs::create_dir_all(parent).map_err(|e| StoreError::Unavailable(e.into()))?;
        }
        /// Up to 1 GiB of the database file is read through `mmap`.
        const SQLITE_MMAP_BYTES: u64 = 1 << 30;
        let mut opts = ConnectOptions::new(url.to_owned());
        opts.sqlx_logging(false) // statements could carry patient values
            .connect_timeout(Duration::from_secs(10))
            .acquire_timeout(Duration::from_secs(15))
            .max_connections(if url.starts_with("sqlite") { 8 } else { 20 })
            .min_connections(1)
            // A ping before every checkout doubled the round trips of a short query; only
            // a connection idle for a while (a database restart may have closed it) is
            // tested now, and a broken one is still replaced on its first error.
            .test_before_acquire_if_idle_for(Duration::from_secs(30))
            .map_sqlx_sqlite_opts(|o: SqliteConnectOptions| {
                o.create_if_missing(true)
                    .journal_mode(SqliteJournalMode::Wal)
                    .synchronous(SqliteSynchronous::Normal)
                    .foreign_keys(true)
                    .busy_timeout(Duration::from_secs(15))
                    // Reads map the file instead of copying each page through a pread
                    // syscall into every connection's own small cache (the largest kernel
                    // cost in a loaded search's profile). Address space, not heap: mapped
                    // pages are the OS page cache, shared, and reclaimed under pressure.
                    .pragma("mmap_size", SQLITE_MMAP_BYTES.to_string())
            });
        let writer = url
            .starts_with("sqlite")
            .then(|| Arc::new(tokio::sync::Mutex::new(())));
        let conn = sea_orm::Database::connect(opts).await.map_err(map_db_err)?;
        Ok(Self {
            conn,
            cache: Arc::new(SessionCache::new(Duration::ZERO)),
            writer,
        })
    }

    /// Caches token lookups for `ttl` (see `session_cache`; zero turns the cache off).
    /// Call it before making stores: the clones made afterwards share this cache.
    pub fn with_session_cache(mut self, ttl: Duration) -> Self {
        self.cache = Arc::new(SessionCache::new(ttl));
        self
    }

    /// The token-lookup cache this database's units of work keep fresh.
    pub(crate) fn session_cache(&self) -> &Arc<SessionCache> {
        &self.cache
    }

    /// Applies pending migrations (idempotent).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        migration::Migrator::up(&self.conn, None)
            .await
            .map_err(map_db_err)
    }

    /// Refreshes the planner's statistics after a bulk load. On PostgreSQL this is
    /// `VACUUM (ANALYZE)`, which also marks the new pages all-visible so index-only scans
    /// (the slot search's) stop visiting the heap; autovacuum gets there eventually, a
    /// seed should not leave it to chance. SQLite needs nothing: its plans do not depend
    /// on it here, and a full `ANALYZE` of a seeded file takes longer than it saves.
    pub async fn refresh_statistics(&self) -> Result<(), StoreError> {
        if self.conn.get_database_backend() == DbBackend::Postgres {
            self.conn
                .execute_unprepared("VACUUM (ANALYZE)")
                .await
                .map_err(map_db_err)?;
        }
        Ok(())
    }

    /// Whether the database answers a trivial query.
    pub async fn ping(&self) -> Result<(), StoreError> {
        self.conn.ping().await.map_err(map_db_err)
    }

    /// `sqlite` or `postgres`.
    pub fn backend_name(&self) -> &'static str {
        match self.conn.get_database_backend() {
            DbBackend::Postgres => "postgres",
            DbBackend::Sqlite => "sqlite",
            _ => "other",
        }
    }

    /// The underlying connection (for this crate's stores and for tests).
    pub fn connection(&self) -> &DatabaseConnection {
        &self.conn
    }

    /// Runs raw SQL (tests use it to age rows; never called with user input).
    pub async fn execute_unprepared(&self, sql: &str) -> Result<u64, StoreError> {
        self.conn
            .execute_unprepared(sql)
            .await
            .map(|r| r.rows_affected())
            .map_err(map_db_err)
    }

    /// Starts the one unit of work of a use case (a write transaction).
    pub async fn begin_unit(&self) -> Result<Box<dyn UnitOfWork>, StoreError> {
        let (turn, tx) = self.begin_write().await?;
        Ok(Box::new(SeaOrmUnitOfWork::new(
            tx,
            turn,
            self.conn.get_database_backend(),
            self.cache.clone(),
        )))
    }

    /// Starts a write transaction (`BEGIN IMMEDIATE` on SQLite, after this process's
    /// earlier writes). Bind it as `let (_turn, tx)`: locals drop in reverse order, so
    /// the transaction ends (commit or rollback) before the turn passes on.
    pub(crate) async fn begin_write(&self) -> Result<(WriteTurn, DatabaseTransaction), StoreError> {
        let turn = match &self.writer {
            Some(w) => Some(
                tokio::time::timeout(WRITE_WAIT, w.clone().lock_owned())
                    .await
                    .map_err(|_| {
                        StoreError::Contended(anyhow::anyhow!(
                            "waited {} s for the SQLite writer",
                            WRITE_WAIT.as_secs()
                        ))
                    })?,
            ),
            None => None,
        };
        let tx = self
            .conn
            .begin_with_options(TransactionOptions {
                sqlite_transaction_mode: Some(SqliteTransactionMode::Immediate),
                ..Default::default()
            })
            .await
            .map_err(map_db_err)?;
        Ok((turn, tx))
    }

    /// Closes the pool.
    pub async fn close(self) -> Result<(), StoreError> {
        self.conn.close().await.map_err(map_db_err)
    }
}

/// The file path of a SQLite URL, if it is one (and not in-memory).
pub fn sqlite_path(url: &str) -> Option<String> {
    let rest = url
        .strip_prefix("sqlite://")
        .or_else(|| url.strip_prefix("sqlite:"))?;
    let path = rest.split('?').next().unwrap_or_default();
    (!path.is_empty() && path != ":memory:").then(|| path.to_owned())
}

/// Checks that a URL names a supported backend.
pub fn validate_url(url: &str) -> Result<(), String> {
    if url.starts_with("sqlite:") {
        SqliteConnectOptions::from_str(url)
            .map(|_| ())
            .map_err(|e| e.to_string())
    } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        Ok(())
    } else {
        Err("database URL must start with sqlite: or postgres://".into())
    }
}

#[async_trait::async_trait]
impl application::health::DatabaseProbe for Database {
    async fn ping(&self) -> Result<(), StoreError> {
        Database::ping(self).await
    }
    fn backend(&self) -> &'static str {
        self.backend_name()
    }
}
