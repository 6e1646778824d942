//! The storage contract: every behaviour of `Storage` written once, as an async function
//! taking a [`Db`], and run against SQLite (a temporary file) and PostgreSQL (a fresh
//! schema of the server in `STACKPICK_TEST_POSTGRES`, dropped at the end; without the
//! variable those tests pass without running and one line says so).
//!
//! A [`Db`] is a place (a file, a schema); each [`Db::open`] is a new store with its
//! own pool on it, as another process would have, so the races run across "processes".

mod guilds;
mod history;
mod lobbies;
mod migrations;
mod open;
mod privacy;
mod races;
mod server_sets;
mod sessions;

use std::io::Write as _;
use std::path::PathBuf;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Once};

use stackpick::config::Database;
use stackpick::conversation::Conversation;
use stackpick::engine;
use stackpick::guide::Catalogue;
use stackpick::questionnaire::{builtin_sets, Answers};
use stackpick::store::{PostgresStore, Session, SqliteStore, Storage, StoredResult};

/// The variable naming the PostgreSQL server for the tests.
pub const POSTGRES_ENV: &str = "STACKPICK_TEST_POSTGRES";

/// Which backend a test runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// Runs each named contract function (`async fn name(db: &Db)`, defined beside the
/// macro call) as two tests, `sqlite::name` and `postgres::name`.
macro_rules! contract {
    ($($name:ident),+ $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    let db = $crate::store::Db::new($crate::store::Backend::Sqlite)
                        .await
                        .expect("SQLite always runs");
                    super::$name(&db).await;
                }
            )+
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $name() {
                    if let Some(db) = $crate::store::Db::new($crate::store::Backend::Postgres).await {
                        super::$name(&db).await;
                    }
                }
            )+
        }
    };
}
pub(crate) use contract;

/// A database location for one test: a temporary SQLite file, or a PostgreSQL schema
/// of its own (so tests run in parallel), dropped when the `Db` is.
pub struct Db {
    place: Place,
}

enum Place {
    Sqlite {
        _dir: tempfile::TempDir,
        path: PathBuf,
    },
    Postgres(Schema),
}

impl Db {
    /// A fresh, empty database on `backend`; `None` for PostgreSQL when the tests have
    /// no server (saying so once).
    pub async fn new(backend: Backend) -> Option<Db> {
        let place = match backend {
            Backend::Sqlite => {
                let dir = tempfile::tempdir().unwrap();
                let path = dir.path().join("stackpick.db");
                Place::Sqlite { _dir: dir, path }
            }
            Backend::Postgres => Place::Postgres(Schema::create().await?),
        };
        Some(Db { place })
    }

    pub fn backend(&self) -> Backend {
        match self.place {
            Place::Sqlite { .. } => Backend::Sqlite,
            Place::Postgres(_) => Backend::Postgres,
        }
    }

    /// For PostgreSQL, the server's URL and the test's schema (to reach it another
    /// way, e.g. through a relay that can cut the connection).
    pub fn postgres(&self) -> Option<(&str, &str)> {
        match &self.place {
            Place::Sqlite { .. } => None,
            Place::Postgres(schema) => Some((&schema.url, &schema.name)),
        }
    }

    /// A new store on this database (creating and migrating it as needed), with its
    /// own connections, as another process would open it.
    pub async fn try_open(&self) -> anyhow::Result<Arc<dyn Storage>> {
        Ok(match &self.place {
            Place::Sqlite { path, .. } => {
                let path = path.clone();
                Arc::new(tokio::task::spawn_blocking(move || SqliteStore::open(&path)).await??)
            }
            Place::Postgres(schema) => {
                Arc::new(PostgresStore::connect(&schema.url, Some(&schema.name)).await?)
            }
        })
    }

    /// [`Db::try_open`] that must succeed.
    pub async fn open(&self) -> Arc<dyn Storage> {
        match self.try_open().await {
            Ok(store) => store,
            Err(e) => panic!("the store opens: {e:#}"),
        }
    }

    /// This database as the `database` setting names it. For PostgreSQL, the URL
    /// selects the test's schema with the `options` parameter (the schema is created
    /// first: a store opened from a URL doesn't create schemas).
    pub async fn as_setting(&self) -> Database {
        match &self.place {
            Place::Sqlite { path, .. } => Database::Sqlite(path.clone()),
            Place::Postgres(schema) => {
                schema
                    .client()
                    .await
                    .batch_execute(&format!("CREATE SCHEMA IF NOT EXISTS {}", schema.name))
                    .await
                    .unwrap();
                let separator = if schema.url.contains('?') { '&' } else { '?' };
                let url = format!(
                    "{}{separator}options=-csearch_path%3D{}",
                    schema.url, schema.name
                );
                match Database::parse(&url).unwrap() {
                    Database::Postgres(url) => Database::Postgres(url),
                    other => panic!("{url} read as {other:?}"),
                }
            }
        }
    }

    /// The newest schema version of this backend.
    pub fn schema_version(&self) -> usize {
        match self.backend() {
            Backend::Sqlite => stackpick::store::sqlite::SCHEMA_VERSION,
            Backend::Postgres => stackpick::store::postgres::SCHEMA_VERSION,
        }
    }

    /// Applies only the first `version` migrations.
    pub async fn migrate_only(&self, version: usize) {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let path = path.clone();
                tokio::task::spawn_blocking(move || SqliteStore::migrate_only(&path, version))
                    .await
                    .unwrap()
                    .unwrap();
            }
            Place::Postgres(schema) => {
                PostgresStore::migrate_only(&schema.url, Some(&schema.name), version)
                    .await
                    .unwrap();
            }
        }
    }

    /// Runs raw SQL (one or more statements) behind the store's back: rows the API
    /// can't write, damaged rows.
    pub async fn execute(&self, sql: &str) {
        match &self.place {
            Place::Sqlite { path, .. } => {
                let connection = rusqlite::Connection::open(path).unwrap();
                connection
                    .busy_timeout(std::time::Duration::from_secs(5))
                    .unwrap();
                connection
                    .execute_batch(sql)
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
            Place::Postgres(schema) => {
                let client = schema.client().await;
                client
                    .batch_execute(sql)
                    .await
                    .unwrap_or_else(|e| panic!("{sql}: {e}"));
            }
        }
    }

    /// The first column of the first row of `sql`, an integer.
    pub async fn scalar(&self, sql: &str) -> i64 {
        match &self.place {
            Place::Sqlite { path, .. } => rusqlite::Connection::open(path)
                .unwrap()
                .query_row(sql, [], |r| r.get(0))
                .unwrap_or_else(|e| panic!("{sql}: {e}")),
            Place::Postgres(schema) => schema
                .client()
                .await
                .query_one(sql, &[])
                .await
                .unwrap_or_else(|e| panic!("{sql}: {e}"))
                .get(0),
        }
    }

    /// SQL that sets the stored schema version.
    pub fn set_schema_version_sql(&self, version: usize) -> String {
        match self.backend() {
            Backend::Sqlite => format!("PRAGMA user_version = {version}"),
            Backend::Postgres => format!("UPDATE stackpick_schema SET version = {version}"),
        }
    }

    /// SQL that reads the stored schema version.
    pub fn schema_version_sql(&self) -> &'static str {
        match self.backend() {
            Backend::Sqlite => "PRAGMA user_version",
            Backend::Postgres => "SELECT version FROM stackpick_schema",
        }
    }
}

/// A PostgreSQL schema made for one test.
struct Schema {
    url: String,
    name: String,
}

impl Schema {
    async fn create() -> Option<Schema> {
        let Some(url) = std::env::var(POSTGRES_ENV)
            .ok()
            .filter(|u| !u.trim().is_empty())
        else {
            static SKIPPED: Once = Once::new();
            SKIPPED.call_once(|| {
                // Straight to stderr: libtest captures `eprintln!` of passing tests.
                let _ = writeln!(
                    std::io::stderr(),
                    "note: PostgreSQL storage tests skipped: set {POSTGRES_ENV} (e.g. postgres://postgres@127.0.0.1:5432/test) to run them"
                );
            });
            return None;
        };
        static COUNTER: AtomicU64 = AtomicU64::new(0);
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .subsec_nanos();
        let name = format!(
            "stackpick_test_{}_{}_{nanos}",
            std::process::id(),
            COUNTER.fetch_add(1, Ordering::Relaxed)
        );
        let schema = Schema { url, name };
        // The store creates it; this is only to check that the server answers.
        schema.client().await;
        Some(schema)
    }

    /// A plain connection whose search path is the schema.
    async fn client(&self) -> tokio_postgres::Client {
        let (client, connection) = tokio_postgres::connect(&self.url, tokio_postgres::NoTls)
            .await
            .unwrap_or_else(|e| panic!("{POSTGRES_ENV} does not answer: {e}"));
        tokio::spawn(connection);
        client
            .batch_execute(&format!("SET search_path TO {}", self.name))
            .await
            .unwrap();
        client
    }
}

impl Drop for Schema {
    fn drop(&mut self) {
        // Drop has no runtime to await on: a thread with its own.
        let (url, name) = (self.url.clone(), self.name.clone());
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()?;
            runtime.block_on(async {
                let (client, connection) =
                    tokio_postgres::connect(&url, tokio_postgres::NoTls).await?;
                tokio::spawn(connection);
                client
                    .batch_execute(&format!(
                        "SET lock_timeout = '10s'; DROP SCHEMA IF EXISTS {name} CASCADE"
                    ))
                    .await
            })?;
            anyhow::Ok(())
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            let _ = writeln!(
                std::io::stderr(),
                "warning: test schema {} was not dropped: {dropped:?}",
                self.name
            );
        }
    }
}

/// A conversation of the built-in `quick` set, just started.
pub fn session(id: &str, user: u64, dm: Option<u64>, at: u64) -> Session {
    let set = builtin_sets(Catalogue::builtin()).unwrap().remove(1);
    Session {
        id: id.to_owned(),
        user_id: user,
        guild_id: None,
        dm_channel_id: dm,
        step: 0,
        conversation: Conversation::start(&set),
        updated_at_ms: at,
        preview: false,
        set_revision: None,
        result_id: None,
        lobby: None,
    }
}

/// A completed recommendation of the default set with one answer.
pub fn result(user: u64, guild: Option<u64>, at: u64) -> StoredResult {
    let catalogue = Catalogue::builtin();
    let set = builtin_sets(catalogue).unwrap().remove(0);
    let mut answers = Answers::default();
    let question = &set.questions[0];
    answers.set(question.id.clone(), vec![question.options[0].id.clone()]);
    StoredResult {
        id: 0,
        user_id: user,
        guild_id: guild,
        set_id: set.id.clone(),
        set_version: set.version,
        set_title: set.title.clone(),
        recommendation: engine::recommend(catalogue, &set, &answers),
        answers,
        created_at_ms: at,
    }
}

/// `text` as a SQL string literal (both backends double the quote).
pub fn literal(text: &str) -> String {
    format!("'{}'", text.replace('\'', "''"))
}

/// The whole error chain, for matching messages.
pub fn chain(error: &anyhow::Error) -> String {
    format!("{error:#}")
}
