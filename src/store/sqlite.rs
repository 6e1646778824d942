//! The SQLite store: one file, created and migrated at start with versioned
//! migrations (`PRAGMA user_version`), every write in a transaction, WAL journal so a
//! killed process loses nothing that was acknowledged. Fine for one process (and the
//! default, needing nothing installed); several processes share PostgreSQL instead.

use std::path::Path;

use anyhow::{anyhow, bail, Context as _, Result};
use async_trait::async_trait;
use deadpool_sqlite::{Hook, HookError, Pool};
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};

use super::{
    GuildSettings, GuildStore, HistoryStore, PendingUpload, Session, SessionStore, SettingsChange,
    Storage, StoredResult, StoredSet,
};
use crate::ids::SetId;

/// The migrations, in order; the schema version is how many have run. Never edit a
/// shipped migration: add a new one.
const MIGRATIONS: &[&str] = &[
    // 1: conversations in progress.
    "CREATE TABLE sessions (
         id            TEXT PRIMARY KEY,
         user_id       INTEGER NOT NULL,
         dm_channel_id INTEGER,
         asking        INTEGER NOT NULL,
         updated_at_ms INTEGER NOT NULL,
         data          TEXT NOT NULL
     );
     CREATE INDEX sessions_open_dm ON sessions (user_id, asking, updated_at_ms);
     CREATE INDEX sessions_idle ON sessions (updated_at_ms);",
    // 2: per-server settings and question sets, every version kept.
    "CREATE TABLE guild_settings (
         guild_id       INTEGER PRIMARY KEY,
         active_set     TEXT,
         log_channel_id INTEGER,
         results_public INTEGER NOT NULL DEFAULT 0
     );
     CREATE TABLE question_sets (
         guild_id      INTEGER NOT NULL,
         set_id        TEXT NOT NULL,
         revision      INTEGER NOT NULL,
         source        TEXT,
         changed_by    INTEGER NOT NULL,
         changed_at_ms INTEGER NOT NULL,
         PRIMARY KEY (guild_id, set_id, revision)
     );",
    // 3: completed recommendations, kept to be shown again exactly.
    "CREATE TABLE recommendations (
         id            INTEGER PRIMARY KEY AUTOINCREMENT,
         user_id       INTEGER NOT NULL,
         guild_id      INTEGER,
         set_id        TEXT NOT NULL,
         set_version   INTEGER NOT NULL,
         set_title     TEXT NOT NULL,
         guide_version TEXT NOT NULL,
         answers       TEXT NOT NULL,
         result        TEXT NOT NULL,
         created_at_ms INTEGER NOT NULL
     );
     CREATE INDEX recommendations_by_user ON recommendations (user_id, created_at_ms);",
    // 4: uploads waiting for an admin's confirmation to replace a set.
    "CREATE TABLE pending_uploads (
         id            TEXT PRIMARY KEY,
         guild_id      INTEGER NOT NULL,
         user_id       INTEGER NOT NULL,
         set_id        TEXT NOT NULL,
         source        TEXT NOT NULL,
         activate      INTEGER NOT NULL,
         created_at_ms INTEGER NOT NULL
     );",
    // 5: the step of a conversation as a column, for compare-and-swap updates.
    "ALTER TABLE sessions ADD COLUMN step INTEGER NOT NULL DEFAULT 0;
     UPDATE sessions SET step = CASE WHEN json_valid(data)
         THEN COALESCE(json_extract(data, '$.step'), 0) ELSE 0 END;",
];

/// Sets a server's active set, creating its settings row when needed.
const ACTIVATE: &str = "INSERT INTO guild_settings (guild_id, active_set) VALUES (?1, ?2)
     ON CONFLICT (guild_id) DO UPDATE SET active_set = excluded.active_set";

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Connections reading at once; SQLite in WAL mode lets readers run beside the writer.
const READERS: usize = 4;

/// A SQLite database file behind two pools: one connection that writes (writers queue
/// for it asynchronously instead of spinning on SQLite's busy lock) and a few that
/// read. Every statement runs on a blocking thread (deadpool-sqlite's `interact`),
/// never on a runtime worker.
pub struct SqliteStore {
    writer: Pool,
    readers: Pool,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database. A database from a newer
    /// build or a file that isn't a database gives a clear error. Blocking: call it at
    /// start, before serving.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let connection = Connection::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        Self::prepare(connection)
            .with_context(|| format!("cannot use the database {}", path.display()))?;
        Ok(SqliteStore {
            writer: pool(path, 1)?,
            readers: pool(path, READERS)?,
        })
    }

    /// Applies only the first `version` migrations to the file (for tests of upgrades
    /// from each earlier version). Blocking.
    #[doc(hidden)]
    pub fn migrate_only(path: &Path, version: usize) -> Result<()> {
        if version > SCHEMA_VERSION {
            bail!("schema version {version} does not exist (this build knows {SCHEMA_VERSION})");
        }
        let mut connection = Connection::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        let from: i64 = connection.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        migrate(
            &mut connection,
            usize::try_from(from).unwrap_or(usize::MAX),
            version,
        )
    }

    fn prepare(mut connection: Connection) -> Result<()> {
        // Another process may be starting on the same file: wait for its locks, from
        // the very first statement on.
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // The first read tells a corrupt or foreign file apart from a database.
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| anyhow!("it is not a SQLite database or it is damaged ({e})"))?;
        newer_check(usize::try_from(version).unwrap_or(usize::MAX))?;
        use_wal(&connection).context("cannot switch the database to WAL")?;
        migrate(
            &mut connection,
            usize::try_from(version).unwrap_or(usize::MAX),
            SCHEMA_VERSION,
        )
    }

    /// Runs `work` on a connection of `pool`, on a blocking thread.
    async fn run<T, F>(pool: &Pool, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let connection = pool.get().await.map_err(|e| {
            crate::ops::metrics::database_error("connect");
            anyhow!("no database connection available: {e}")
        })?;
        let outcome = connection
            .interact(work)
            .await
            .map_err(|e| anyhow!("the database task failed: {e}"))
            .and_then(|result| result);
        if outcome.is_err() {
            crate::ops::metrics::database_error("query");
        }
        outcome
    }

    async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        Self::run(&self.writer, work).await
    }

    async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        Self::run(&self.readers, work).await
    }
}

/// Switches the file to write-ahead logging (kept in the file: once is enough). The
/// switch needs the file to itself and SQLite doesn't always wait for that, so a
/// process starting beside another retries for a few seconds.
fn use_wal(connection: &Connection) -> Result<()> {
    let deadline = std::time::Instant::now() + std::time::Duration::from_secs(5);
    loop {
        let mode: rusqlite::Result<String> =
            connection.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0));
        match mode {
            Ok(mode) if mode.eq_ignore_ascii_case("wal") => return Ok(()),
            Ok(mode) => bail!("SQLite kept the `{mode}` journal instead of WAL"),
            Err(rusqlite::Error::SqliteFailure(e, _))
                if e.code == rusqlite::ErrorCode::DatabaseBusy
                    && std::time::Instant::now() < deadline =>
            {
                std::thread::sleep(std::time::Duration::from_millis(10));
            }
            Err(e) => return Err(e.into()),
        }
    }
}

/// A pool of up to `size` connections to the (already migrated) file, each set up for
/// durability with WAL: `synchronous = NORMAL` loses nothing acknowledged on a killed
/// process, and a busy timeout covers another process writing the same file.
fn pool(path: &Path, size: usize) -> Result<Pool> {
    let manager = deadpool_sqlite::Manager::from_config(
        &deadpool_sqlite::Config::new(path),
        deadpool_sqlite::Runtime::Tokio1,
    );
    Pool::builder(manager)
        .max_size(size)
        .post_create(Hook::async_fn(|connection, _| {
            Box::pin(async move {
                connection
                    .interact(|c| {
                        c.pragma_update(None, "synchronous", "NORMAL")?;
                        c.busy_timeout(std::time::Duration::from_secs(5))
                    })
                    .await
                    .map_err(|e| HookError::message(e.to_string()))?
                    .map_err(|e| HookError::message(e.to_string()))
            })
        }))
        .build()
        .context("cannot create the database connection pool")
}

/// Runs the migrations from `from` up to `to`, each in its own transaction. Each one
/// checks the version again once it holds the write lock: another process opening the
/// same new file at the same time may have run it meanwhile.
fn migrate(connection: &mut Connection, from: usize, to: usize) -> Result<()> {
    newer_check(from)?;
    for (index, sql) in MIGRATIONS.iter().enumerate().take(to).skip(from) {
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .context("cannot start a migration")?;
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        let current = usize::try_from(current).unwrap_or(usize::MAX);
        newer_check(current)?;
        if current > index {
            continue;
        }
        tx.execute_batch(sql)
            .with_context(|| format!("migration {} failed", index + 1))?;
        tx.pragma_update(None, "user_version", index + 1)?;
        tx.commit()?;
    }
    Ok(())
}

fn newer_check(version: usize) -> Result<()> {
    if version > SCHEMA_VERSION {
        bail!(
            "its schema version is {version}, newer than this build of stackpick understands ({SCHEMA_VERSION}); \
             run a newer stackpick or restore a backup"
        );
    }
    Ok(())
}

fn id(value: u64) -> i64 {
    // Discord snowflakes fit in 63 bits; SQLite integers are signed.
    i64::try_from(value).unwrap_or(i64::MAX)
}

fn unsigned(value: i64) -> u64 {
    u64::try_from(value).unwrap_or_default()
}

fn unreadable_session(data: &str) -> Result<Session> {
    serde_json::from_str(data).context("a stored conversation is unreadable")
}

#[async_trait]
impl SessionStore for SqliteStore {
    async fn get(&self, session_id: &str) -> Result<Option<Session>> {
        let session_id = session_id.to_owned();
        let data: Option<String> = self
            .read(move |c| {
                Ok(c.prepare_cached("SELECT data FROM sessions WHERE id = ?1")?
                    .query_row([session_id], |r| r.get(0))
                    .optional()?)
            })
            .await?;
        data.as_deref().map(unreadable_session).transpose()
    }

    async fn put(&self, session: &Session) -> Result<()> {
        let data = serde_json::to_string(session)?;
        let (sid, user, dm, asking, at, step) = (
            session.id.clone(),
            id(session.user_id),
            session.dm_channel_id.map(id),
            session.is_asking(),
            id(session.updated_at_ms),
            session.step,
        );
        self.write(move |c| {
            c.prepare_cached(
                "INSERT OR REPLACE INTO sessions (id, user_id, dm_channel_id, asking, updated_at_ms, data, step)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
            )?
            .execute(params![sid, user, dm, asking, at, data, step])?;
            Ok(())
        })
        .await
    }

    async fn replace(&self, session: &Session, expected_step: u32) -> Result<bool> {
        let data = serde_json::to_string(session)?;
        let (sid, dm, asking, at, step) = (
            session.id.clone(),
            session.dm_channel_id.map(id),
            session.is_asking(),
            id(session.updated_at_ms),
            session.step,
        );
        let changed = self
            .write(move |c| {
                Ok(c.prepare_cached(
                    "UPDATE sessions SET dm_channel_id = ?2, asking = ?3, updated_at_ms = ?4, data = ?5, step = ?6
                     WHERE id = ?1 AND step = ?7",
                )?
                .execute(params![sid, dm, asking, at, data, step, expected_step])?)
            })
            .await?;
        Ok(changed == 1)
    }

    async fn open_dm(&self, user_id: u64) -> Result<Option<Session>> {
        let data: Option<String> = self
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT data FROM sessions WHERE user_id = ?1 AND asking = 1 AND dm_channel_id IS NOT NULL
                     ORDER BY updated_at_ms DESC LIMIT 1",
                )?
                .query_row([id(user_id)], |r| r.get(0))
                .optional()?)
            })
            .await?;
        data.as_deref().map(unreadable_session).transpose()
    }

    async fn remove(&self, session_id: &str) -> Result<()> {
        let session_id = session_id.to_owned();
        self.write(move |c| {
            c.prepare_cached("DELETE FROM sessions WHERE id = ?1")?
                .execute([session_id])?;
            Ok(())
        })
        .await
    }

    async fn purge_idle(&self, cutoff_ms: u64) -> Result<usize> {
        self.write(move |c| {
            Ok(c.execute(
                "DELETE FROM sessions WHERE updated_at_ms < ?1",
                [id(cutoff_ms)],
            )?)
        })
        .await
    }

    async fn count_open(&self) -> Result<u64> {
        self.read(|c| {
            let count: i64 = c
                .prepare_cached("SELECT COUNT(*) FROM sessions WHERE asking = 1")?
                .query_row([], |r| r.get(0))?;
            Ok(unsigned(count))
        })
        .await
    }
}

fn stored_set(row: &Row<'_>) -> rusqlite::Result<StoredSet> {
    Ok(StoredSet {
        set_id: SetId::new(row.get::<_, String>(0)?),
        revision: row.get(1)?,
        source: row.get(2)?,
        changed_by: unsigned(row.get(3)?),
        changed_at_ms: unsigned(row.get(4)?),
    })
}

#[async_trait]
impl GuildStore for SqliteStore {
    async fn settings(&self, guild_id: u64) -> Result<GuildSettings> {
        let settings = self
            .read(move |c| {
                Ok(c.prepare_cached(
                    "SELECT active_set, log_channel_id, results_public FROM guild_settings WHERE guild_id = ?1",
                )?
                .query_row([id(guild_id)], |r| {
                    Ok(GuildSettings {
                        active_set: r.get::<_, Option<String>>(0)?.map(SetId::new),
                        log_channel_id: r.get::<_, Option<i64>>(1)?.map(unsigned),
                        results_public: r.get(2)?,
                    })
                })
                .optional()?)
            })
            .await?;
        Ok(settings.unwrap_or_default())
    }

    async fn update_settings(&self, guild_id: u64, change: &SettingsChange) -> Result<()> {
        let change = *change;
        // One statement: concurrent changes of different settings (or of the active
        // set) don't overwrite each other.
        self.write(move |c| {
            c.execute(
                "INSERT INTO guild_settings (guild_id, log_channel_id, results_public)
                 VALUES (?1, ?2, COALESCE(?3, 0))
                 ON CONFLICT (guild_id) DO UPDATE SET
                     log_channel_id = CASE WHEN ?4 THEN excluded.log_channel_id ELSE log_channel_id END,
                     results_public = COALESCE(?3, results_public)",
                params![
                    id(guild_id),
                    change.log_channel_id.flatten().map(id),
                    change.results_public,
                    change.log_channel_id.is_some()
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn add_set_version(
        &self,
        guild_id: u64,
        set_id: &SetId,
        source: Option<&str>,
        by: u64,
        activate: bool,
    ) -> Result<u32> {
        let (set_id, source) = (set_id.as_str().to_owned(), source.map(str::to_owned));
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let revision: u32 = tx.query_row(
                "SELECT COALESCE(MAX(revision), 0) + 1 FROM question_sets WHERE guild_id = ?1 AND set_id = ?2",
                params![id(guild_id), set_id],
                |r| r.get(0),
            )?;
            tx.execute(
                "INSERT INTO question_sets (guild_id, set_id, revision, source, changed_by, changed_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![id(guild_id), set_id, revision, source, id(by), id(super::now_ms())],
            )?;
            if activate && source.is_some() {
                tx.execute(ACTIVATE, params![id(guild_id), set_id])?;
            } else if source.is_none() {
                tx.execute(
                    "UPDATE guild_settings SET active_set = NULL WHERE guild_id = ?1 AND active_set = ?2",
                    params![id(guild_id), set_id],
                )?;
            }
            tx.commit()?;
            Ok(revision)
        })
        .await
    }

    async fn set_active(&self, guild_id: u64, set_id: Option<&SetId>) -> Result<()> {
        let set_id = set_id.map(|s| s.as_str().to_owned());
        self.write(move |c| {
            c.execute(ACTIVATE, params![id(guild_id), set_id])?;
            Ok(())
        })
        .await
    }

    async fn current_sets(&self, guild_id: u64) -> Result<Vec<StoredSet>> {
        self.read(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT q.set_id, q.revision, q.source, q.changed_by, q.changed_at_ms
                 FROM question_sets q
                 WHERE q.guild_id = ?1 AND q.source IS NOT NULL
                   AND q.revision = (SELECT MAX(revision) FROM question_sets
                                     WHERE guild_id = q.guild_id AND set_id = q.set_id)
                 ORDER BY q.set_id",
            )?;
            let rows = statement.query_map([id(guild_id)], stored_set)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn set_versions(&self, guild_id: u64, set_id: &SetId) -> Result<Vec<StoredSet>> {
        let set_id = set_id.as_str().to_owned();
        self.read(move |c| {
            let mut statement = c.prepare_cached(
                "SELECT set_id, revision, source, changed_by, changed_at_ms FROM question_sets
                 WHERE guild_id = ?1 AND set_id = ?2 ORDER BY revision",
            )?;
            let rows = statement.query_map(params![id(guild_id), set_id], stored_set)?;
            Ok(rows.collect::<rusqlite::Result<_>>()?)
        })
        .await
    }

    async fn put_pending(&self, upload: &PendingUpload) -> Result<()> {
        let upload = upload.clone();
        self.write(move |c| {
            c.execute(
                "INSERT OR REPLACE INTO pending_uploads (id, guild_id, user_id, set_id, source, activate, created_at_ms)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                params![
                    upload.id,
                    id(upload.guild_id),
                    id(upload.user_id),
                    upload.set_id.as_str(),
                    upload.source,
                    upload.activate,
                    id(super::now_ms())
                ],
            )?;
            Ok(())
        })
        .await
    }

    async fn take_pending(&self, upload_id: &str) -> Result<Option<PendingUpload>> {
        let upload_id = upload_id.to_owned();
        self.write(move |c| {
            let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
            let upload = tx
                .query_row(
                    "SELECT id, guild_id, user_id, set_id, source, activate FROM pending_uploads WHERE id = ?1",
                    [&upload_id],
                    |r| {
                        Ok(PendingUpload {
                            id: r.get(0)?,
                            guild_id: unsigned(r.get(1)?),
                            user_id: unsigned(r.get(2)?),
                            set_id: SetId::new(r.get::<_, String>(3)?),
                            source: r.get(4)?,
                            activate: r.get(5)?,
                        })
                    },
                )
                .optional()?;
            tx.execute("DELETE FROM pending_uploads WHERE id = ?1", [&upload_id])?;
            tx.commit()?;
            Ok(upload)
        })
        .await
    }

    async fn purge_pending(&self, cutoff_ms: u64) -> Result<usize> {
        self.write(move |c| {
            Ok(c.execute(
                "DELETE FROM pending_uploads WHERE created_at_ms < ?1",
                [id(cutoff_ms)],
            )?)
        })
        .await
    }
}

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn add_result(&self, result: &StoredResult, session: &mut Session) -> Result<i64> {
        let row = (
            id(result.user_id),
            result.guild_id.map(id),
            result.set_id.as_str().to_owned(),
            result.set_version,
            result.set_title.clone(),
            result.recommendation.guide_version.clone(),
            serde_json::to_string(&result.answers)?,
            serde_json::to_string(&result.recommendation)?,
            id(result.created_at_ms),
        );
        let mut finished = session.clone();
        let (finished, result_id) = self
            .write(move |c| {
                let tx = c.transaction_with_behavior(TransactionBehavior::Immediate)?;
                tx.prepare_cached(
                    "INSERT INTO recommendations
                       (user_id, guild_id, set_id, set_version, set_title, guide_version, answers, result, created_at_ms)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
                )?
                .execute(params![row.0, row.1, row.2, row.3, row.4, row.5, row.6, row.7, row.8])?;
                let result_id = tx.last_insert_rowid();
                finished.result_id = Some(result_id);
                // Same step: if another click moved the session on meanwhile, that
                // newer state wins and only the result row is kept.
                tx.prepare_cached("UPDATE sessions SET data = ?2 WHERE id = ?1 AND step = ?3")?
                    .execute(params![
                        finished.id,
                        serde_json::to_string(&finished)?,
                        finished.step
                    ])?;
                tx.commit()?;
                Ok((finished, result_id))
            })
            .await?;
        *session = finished;
        Ok(result_id)
    }

    async fn update_result(&self, result_id: i64, result: &StoredResult) -> Result<()> {
        let answers = serde_json::to_string(&result.answers)?;
        let recommendation = serde_json::to_string(&result.recommendation)?;
        let guide_version = result.recommendation.guide_version.clone();
        self.write(move |c| {
            c.execute(
                "UPDATE recommendations SET answers = ?2, result = ?3, guide_version = ?4 WHERE id = ?1",
                params![result_id, answers, recommendation, guide_version],
            )?;
            Ok(())
        })
        .await
    }

    async fn recent_results(&self, user_id: u64, limit: usize) -> Result<Vec<StoredResult>> {
        let rows = self
            .read(move |c| {
                let mut statement = c.prepare_cached(
                    "SELECT id, user_id, guild_id, set_id, set_version, set_title, answers, result, created_at_ms
                     FROM recommendations WHERE user_id = ?1 ORDER BY created_at_ms DESC, id DESC LIMIT ?2",
                )?;
                let limit = i64::try_from(limit).unwrap_or(i64::MAX);
                let rows = statement.query_map(params![id(user_id), limit], |r| {
                    Ok((
                        r.get::<_, i64>(0)?,
                        r.get::<_, i64>(1)?,
                        r.get::<_, Option<i64>>(2)?,
                        r.get::<_, String>(3)?,
                        r.get::<_, u32>(4)?,
                        r.get::<_, String>(5)?,
                        r.get::<_, String>(6)?,
                        r.get::<_, String>(7)?,
                        r.get::<_, i64>(8)?,
                    ))
                })?;
                Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
            })
            .await?;
        let mut results = Vec::new();
        for (row_id, user, guild, set_id, set_version, set_title, answers, result, created) in rows
        {
            results.push(StoredResult {
                id: row_id,
                user_id: unsigned(user),
                guild_id: guild.map(unsigned),
                set_id: SetId::new(set_id),
                set_version,
                set_title,
                answers: serde_json::from_str(&answers).context("stored answers are unreadable")?,
                recommendation: serde_json::from_str(&result)
                    .context("a stored result is unreadable")?,
                created_at_ms: unsigned(created),
            });
        }
        Ok(results)
    }
}

#[async_trait]
impl Storage for SqliteStore {
    fn backend(&self) -> &'static str {
        "sqlite"
    }

    async fn ping(&self) -> Result<()> {
        self.read(|c| Ok(c.query_row("SELECT 1", [], |r| r.get::<_, i64>(0))?))
            .await
            .map(|_| ())
    }
}

#[cfg(test)]
mod tests {
    //! What only SQLite has: a file that isn't a database, `PRAGMA user_version`. The
    //! behaviour both backends share is the contract suite's (`tests/it/store/`).
    use super::*;

    #[tokio::test]
    async fn a_newer_schema_or_a_corrupt_file_is_a_clear_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let newer = dir.path().join("newer.db");
        Connection::open(&newer)
            .unwrap()
            .pragma_update(None, "user_version", 99)
            .unwrap();
        let err = format!("{:#}", SqliteStore::open(&newer).err().unwrap());
        assert!(
            err.contains("schema version is 99, newer than this build"),
            "{err}"
        );

        let corrupt = dir.path().join("corrupt.db");
        std::fs::write(
            &corrupt,
            b"this is not a database, just some text that is long enough......",
        )
        .unwrap();
        let err = format!("{:#}", SqliteStore::open(&corrupt).err().unwrap());
        assert!(
            err.contains("not a SQLite database or it is damaged"),
            "{err}"
        );
    }
}
