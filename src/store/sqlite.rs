//! The SQLite store: one file, created and migrated at start with versioned
//! migrations (`PRAGMA user_version`), every write in a transaction, WAL journal so a
//! killed process loses nothing that was acknowledged. Fine for one process (and the
//! default, needing nothing installed); several processes share PostgreSQL instead.

mod lobbies;

use std::path::{Path, PathBuf};
use std::sync::{mpsc, Arc, Mutex};

use anyhow::{anyhow, bail, Context as _, Result};
use async_trait::async_trait;
use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use tokio::sync::oneshot;

use super::{
    GuildSettings, GuildStore, HistoryStore, PendingUpload, Session, SessionStore, SettingsChange,
    Storage, StoredResult, StoredSet,
};
use crate::ids::SetId;

mod privacy;

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
    // 6: team lobbies, whole as JSON, with the version for compare-and-swap updates.
    "CREATE TABLE lobbies (
         id            TEXT PRIMARY KEY,
         guild_id      INTEGER NOT NULL,
         version       INTEGER NOT NULL,
         created_at_ms INTEGER NOT NULL,
         data          TEXT NOT NULL
     );
     CREATE INDEX lobbies_age ON lobbies (created_at_ms);",
    // 7: deleting a server's or an old user's data without scanning: the server of a
    // conversation as a column, results by age and by server.
    "ALTER TABLE sessions ADD COLUMN guild_id INTEGER;
     UPDATE sessions SET guild_id = CASE WHEN json_valid(data)
         THEN json_extract(data, '$.guild_id') END;
     CREATE INDEX sessions_by_guild ON sessions (guild_id);
     CREATE INDEX recommendations_age ON recommendations (created_at_ms);
     CREATE INDEX recommendations_by_guild ON recommendations (guild_id);",
    // 8: the index that finds a user's open DM conversation holds those alone: a
    // conversation in a server (most of them) no longer writes to it at every step.
    // What the old index also served, deleting a user's data (`/forget`) and counting
    // open conversations (a scan of the index, not of the table), `sessions_by_user`
    // serves: a step changes neither column, only the last one writes to it.
    "DROP INDEX sessions_open_dm;
     CREATE INDEX sessions_open_dm ON sessions (user_id, updated_at_ms)
         WHERE asking = 1 AND dm_channel_id IS NOT NULL;
     CREATE INDEX sessions_by_user ON sessions (user_id, asking);",
];

/// Sets a server's active set, creating its settings row when needed.
const ACTIVATE: &str = "INSERT INTO guild_settings (guild_id, active_set) VALUES (?1, ?2)
     ON CONFLICT (guild_id) DO UPDATE SET active_set = excluded.active_set";

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// Connections reading at once (at most one per core); SQLite in WAL mode lets readers
/// run beside the writer.
const READERS: usize = 4;

/// A SQLite database file behind threads that own its connections, never a runtime
/// worker: one writer (writes queue for it instead of spinning on SQLite's busy lock,
/// and the writes waiting are committed together, see [`writer`]) and a few readers
/// sharing one queue. A caller hands its work over a channel and awaits the answer.
pub struct SqliteStore {
    writer: Queue,
    readers: Queue,
    /// Dropped with the store, which stops the checkpointer.
    _checkpoints: mpsc::Sender<()>,
}

impl SqliteStore {
    /// Opens (creating if needed) and migrates the database. A database from a newer
    /// build or a file that isn't a database gives a clear error. Blocking: call it at
    /// start, before serving.
    pub fn open(path: &Path) -> Result<SqliteStore> {
        let mut connection = Connection::open(path)
            .with_context(|| format!("cannot open the database {}", path.display()))?;
        Self::prepare(&mut connection)
            .with_context(|| format!("cannot use the database {}", path.display()))?;
        // The connection that migrated becomes the writer's. Checkpoints (copying the
        // log back into the file, and an fsync) run on a thread of their own instead
        // of inside whichever commit crosses SQLite's threshold: no write waits for
        // the disk.
        connection.pragma_update(None, "synchronous", "NORMAL")?;
        connection.pragma_update(None, "wal_autocheckpoint", 0)?;
        connection.pragma_update(None, "journal_size_limit", WAL_SIZE_LIMIT)?;
        let (writes, queued) = mpsc::channel();
        std::thread::Builder::new()
            .name("sqlite-writer".to_owned())
            .spawn(move || writer(connection, queued))
            .context("cannot start the database writer thread")?;
        let (reads, queued) = mpsc::channel();
        let queued = Arc::new(Mutex::new(queued));
        // More readers than cores only take turns.
        let cores = std::thread::available_parallelism().map_or(1, usize::from);
        for n in 0..READERS.min(cores) {
            let (path, queued) = (path.to_owned(), Arc::clone(&queued));
            std::thread::Builder::new()
                .name(format!("sqlite-reader-{n}"))
                .spawn(move || reader(path, queued))
                .context("cannot start a database reader thread")?;
        }
        let (checkpoints, stop) = mpsc::channel();
        let path = path.to_owned();
        std::thread::Builder::new()
            .name("sqlite-checkpointer".to_owned())
            .spawn(move || checkpointer(&path, &stop))
            .context("cannot start the database checkpoint thread")?;
        Ok(SqliteStore {
            writer: Queue(writes),
            readers: Queue(reads),
            _checkpoints: checkpoints,
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

    fn prepare(connection: &mut Connection) -> Result<()> {
        // Another process may be starting on the same file: wait for its locks, from
        // the very first statement on.
        connection.busy_timeout(std::time::Duration::from_secs(5))?;
        // The first read tells a corrupt or foreign file apart from a database.
        let version: i64 = connection
            .query_row("PRAGMA user_version", [], |r| r.get(0))
            .map_err(|e| anyhow!("it is not a SQLite database or it is damaged ({e})"))?;
        newer_check(usize::try_from(version).unwrap_or(usize::MAX))?;
        use_wal(connection).context("cannot switch the database to WAL")?;
        migrate(
            connection,
            usize::try_from(version).unwrap_or(usize::MAX),
            SCHEMA_VERSION,
        )
    }

    /// Runs `work` on the writer's connection, in the writer's next transaction; the
    /// answer comes once that transaction is committed.
    async fn write<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.writer.run(work, true).await
    }

    /// Runs `work` on a reader's connection.
    async fn read<T, F>(&self, work: F) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        self.readers.run(work, false).await
    }
}

/// Work for a connection thread. Called with the connection, it runs and returns how to
/// deliver its result once the transaction it ran in is over (committed or not);
/// called with `None`, it must not run (its batch could not begin) and only delivers.
type Job = Box<dyn FnOnce(Option<&mut Connection>) -> Deliver + Send>;
/// Hands a job's result to its caller, given how its transaction ended.
type Deliver = Box<dyn FnOnce(Result<(), String>) + Send>;

/// Writes taken into one transaction at most.
const MAX_BATCH: usize = 64;

/// A connection-owning thread's queue.
struct Queue(mpsc::Sender<Job>);

impl Queue {
    /// Runs `work` on the thread's connection; `transactional` jobs (the writer's) get
    /// a savepoint of their own, so one failing write leaves the others of its batch.
    async fn run<T, F>(&self, work: F, transactional: bool) -> Result<T>
    where
        T: Send + 'static,
        F: FnOnce(&mut Connection) -> Result<T> + Send + 'static,
    {
        let (tx, rx) = oneshot::channel();
        let job: Job = Box::new(move |connection| {
            let outcome = match connection {
                Some(c) if transactional => in_savepoint(c, work),
                Some(c) => guarded(c, work),
                None => Err(anyhow!("the database work did not start")),
            };
            Box::new(move |ended: Result<(), String>| {
                let result = match ended {
                    Ok(()) => outcome,
                    Err(e) => Err(anyhow!("could not commit: {e}")),
                };
                let _ = tx.send(result);
            })
        });
        self.0.send(job).map_err(|_| {
            crate::ops::metrics::database_error("connect");
            anyhow!("no database connection available: its thread has stopped")
        })?;
        let outcome = rx
            .await
            .map_err(|_| anyhow!("the database task failed"))
            .and_then(|result| result);
        if outcome.is_err() {
            crate::ops::metrics::database_error("query");
        }
        outcome
    }
}

/// Runs `work`, a panic becoming an error.
fn guarded<T>(c: &mut Connection, work: impl FnOnce(&mut Connection) -> Result<T>) -> Result<T> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| work(c)))
        .unwrap_or_else(|_| Err(anyhow!("the database task panicked")))
}

/// Runs `work` in a savepoint of the batch's transaction: kept if it succeeds, undone
/// if it fails.
fn in_savepoint<T>(
    c: &mut Connection,
    work: impl FnOnce(&mut Connection) -> Result<T>,
) -> Result<T> {
    run_cached(c, "SAVEPOINT job")?;
    let outcome = guarded(c, work);
    let ended = match &outcome {
        Ok(_) => run_cached(c, "RELEASE job"),
        Err(_) => c.execute_batch("ROLLBACK TO job; RELEASE job"),
    };
    if let Err(e) = ended {
        // Never keep the changes of a write reported as failed.
        let _ = c.execute_batch("ROLLBACK TO job; RELEASE job");
        return Err(e.into());
    }
    outcome
}

/// Runs one statement without parameters, prepared once per connection.
fn run_cached(c: &Connection, sql: &str) -> rusqlite::Result<()> {
    c.prepare_cached(sql)?.execute([]).map(drop)
}

/// The writer thread: takes every write waiting (up to [`MAX_BATCH`]) into one
/// transaction and commits them together (group commit), then delivers each result.
/// A write is reported done only once its transaction is committed.
fn writer(mut connection: Connection, jobs: mpsc::Receiver<Job>) {
    let c = &mut connection;
    while let Ok(first) = jobs.recv() {
        // Let the runtime thread that woke us go on (and queue more writes) before
        // taking them: on a busy core that is what makes batches, elsewhere it costs
        // nothing.
        std::thread::yield_now();
        let mut batch = vec![first];
        batch.extend(jobs.try_iter().take(MAX_BATCH - 1));
        if let Err(e) = run_cached(c, "BEGIN IMMEDIATE") {
            for job in batch {
                job(None)(Err(e.to_string()));
            }
            continue;
        }
        let mut deliveries = Vec::with_capacity(batch.len());
        for job in batch {
            // A failure SQLite answers by rolling the whole transaction back: the
            // writes after it must not run outside of it.
            if c.is_autocommit() {
                deliveries.push(job(None));
            } else {
                deliveries.push(job(Some(c)));
            }
        }
        let committed = if c.is_autocommit() {
            Err("the transaction was rolled back".to_owned())
        } else {
            run_cached(c, "COMMIT").map_err(|e| e.to_string())
        };
        if committed.is_err() && !c.is_autocommit() {
            let _ = c.execute_batch("ROLLBACK");
        }
        for deliver in deliveries {
            deliver(committed.clone());
        }
    }
}

/// A reader thread: runs reads one after the other on its own connection, opened at
/// its first read.
fn reader(path: PathBuf, jobs: Arc<Mutex<mpsc::Receiver<Job>>>) {
    let mut connection: Option<Connection> = None;
    loop {
        let job = match jobs.lock() {
            Ok(jobs) => jobs.recv(),
            Err(_) => return,
        };
        let Ok(job) = job else {
            return;
        };
        if connection.is_none() {
            match connect(&path) {
                Ok(c) => connection = Some(c),
                Err(e) => {
                    job(None)(Err(format!("cannot open the database: {e}")));
                    continue;
                }
            }
        }
        job(connection.as_mut())(Ok(()));
    }
}

/// How often the log is copied back into the database file.
const CHECKPOINT_EVERY: std::time::Duration = std::time::Duration::from_millis(250);
/// The size the log file is cut back to after a checkpoint, in bytes.
const WAL_SIZE_LIMIT: i64 = 64 << 20;

/// The checkpoint thread: every [`CHECKPOINT_EVERY`], copies what the log holds back
/// into the file without waiting for (or blocking) readers and the writer (a
/// `PASSIVE` checkpoint), until the store is dropped.
fn checkpointer(path: &Path, stop: &mpsc::Receiver<()>) {
    let mut connection: Option<Connection> = None;
    while let Err(mpsc::RecvTimeoutError::Timeout) = stop.recv_timeout(CHECKPOINT_EVERY) {
        if connection.is_none() {
            connection = connect(path)
                .inspect_err(
                    |e| tracing::warn!(error = %e, "cannot open the database to checkpoint"),
                )
                .ok();
        }
        let Some(c) = &connection else {
            continue;
        };
        if let Err(e) = c.query_row("PRAGMA wal_checkpoint(PASSIVE)", [], |_| Ok(())) {
            tracing::warn!(error = %e, "could not checkpoint the database");
        }
    }
}

/// A connection to the (already migrated) file, set up for durability with WAL:
/// `synchronous = NORMAL` loses nothing acknowledged on a killed process, and a busy
/// timeout covers another process writing the same file.
fn connect(path: &Path) -> rusqlite::Result<Connection> {
    let c = Connection::open(path)?;
    c.pragma_update(None, "synchronous", "NORMAL")?;
    c.busy_timeout(std::time::Duration::from_secs(5))?;
    Ok(c)
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
        let (sid, user, dm, asking, at, step, guild) = (
            session.id.clone(),
            id(session.user_id),
            session.dm_channel_id.map(id),
            session.is_asking(),
            id(session.updated_at_ms),
            session.step,
            session.guild_id.map(id),
        );
        self.write(move |c| {
            c.prepare_cached(
                "INSERT OR REPLACE INTO sessions (id, user_id, dm_channel_id, asking, updated_at_ms, data, step, guild_id)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            )?
            .execute(params![sid, user, dm, asking, at, data, step, guild])?;
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

/// A server's settings (the defaults when it has none stored).
fn read_settings(c: &Connection, guild_id: u64) -> rusqlite::Result<GuildSettings> {
    let settings = c
        .prepare_cached(
            "SELECT active_set, log_channel_id, results_public FROM guild_settings WHERE guild_id = ?1",
        )?
        .query_row([id(guild_id)], |r| {
            Ok(GuildSettings {
                active_set: r.get::<_, Option<String>>(0)?.map(SetId::new),
                log_channel_id: r.get::<_, Option<i64>>(1)?.map(unsigned),
                results_public: r.get(2)?,
            })
        })
        .optional()?;
    Ok(settings.unwrap_or_default())
}

#[async_trait]
impl GuildStore for SqliteStore {
    async fn settings(&self, guild_id: u64) -> Result<GuildSettings> {
        Ok(self.read(move |c| Ok(read_settings(c, guild_id)?)).await?)
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
            // Inside the writer's transaction (already holding the write lock).
            let tx = c.savepoint()?;
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
            // Inside the writer's transaction (already holding the write lock).
            let tx = c.savepoint()?;
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

/// A completed recommendation as its row is written (encoded before the writer's turn).
struct ResultRow {
    user_id: i64,
    guild_id: Option<i64>,
    set_id: String,
    set_version: u32,
    set_title: String,
    guide_version: String,
    answers: String,
    result: String,
    created_at_ms: i64,
}

impl ResultRow {
    fn of(result: &StoredResult) -> Result<ResultRow> {
        Ok(ResultRow {
            user_id: id(result.user_id),
            guild_id: result.guild_id.map(id),
            set_id: result.set_id.as_str().to_owned(),
            set_version: result.set_version,
            set_title: result.set_title.clone(),
            guide_version: result.recommendation.guide_version.clone(),
            answers: serde_json::to_string(&result.answers)?,
            result: serde_json::to_string(&result.recommendation)?,
            created_at_ms: id(result.created_at_ms),
        })
    }

    /// Inserts it; returns its id.
    fn insert(&self, c: &Connection) -> rusqlite::Result<i64> {
        c.prepare_cached(
            "INSERT INTO recommendations
               (user_id, guild_id, set_id, set_version, set_title, guide_version, answers, result, created_at_ms)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        )?
        .execute(params![
            self.user_id,
            self.guild_id,
            self.set_id,
            self.set_version,
            self.set_title,
            self.guide_version,
            self.answers,
            self.result,
            self.created_at_ms
        ])?;
        Ok(c.last_insert_rowid())
    }
}

#[async_trait]
impl HistoryStore for SqliteStore {
    async fn add_result(&self, result: &StoredResult, session: &mut Session) -> Result<i64> {
        let row = ResultRow::of(result)?;
        let mut finished = session.clone();
        let (finished, result_id) = self
            .write(move |c| {
                // Inside the writer's transaction (already holding the write lock).
                let tx = c.savepoint()?;
                let result_id = row.insert(&tx)?;
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

    async fn finish(
        &self,
        session: &mut Session,
        expected_step: u32,
        result: &StoredResult,
    ) -> Result<Option<(i64, GuildSettings)>> {
        let row = ResultRow::of(result)?;
        let mut finished = session.clone();
        let stored = self
            .write(move |c| {
                // Inside the writer's transaction; undone (the savepoint dropped) if
                // another input moved the session on.
                let tx = c.savepoint()?;
                let result_id = row.insert(&tx)?;
                finished.result_id = Some(result_id);
                let replaced = tx
                    .prepare_cached(
                        "UPDATE sessions SET dm_channel_id = ?2, asking = ?3, updated_at_ms = ?4, data = ?5, step = ?6
                         WHERE id = ?1 AND step = ?7",
                    )?
                    .execute(params![
                        finished.id,
                        finished.dm_channel_id.map(id),
                        finished.is_asking(),
                        id(finished.updated_at_ms),
                        serde_json::to_string(&finished)?,
                        finished.step,
                        expected_step
                    ])?;
                if replaced != 1 {
                    return Ok(None);
                }
                let settings = match finished.guild_id {
                    Some(guild) => read_settings(&tx, guild)?,
                    None => GuildSettings::default(),
                };
                tx.commit()?;
                Ok(Some((finished, result_id, settings)))
            })
            .await?;
        Ok(stored.map(|(finished, result_id, settings)| {
            *session = finished;
            (result_id, settings)
        }))
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
    //! What only SQLite has: a file that isn't a database, `PRAGMA user_version`, its
    //! query plans. The behaviour both backends share is the contract suite's
    //! (`tests/it/store/`).
    use super::*;

    #[tokio::test]
    async fn the_sessions_queries_have_their_indexes_and_the_open_dm_one_holds_open_dms_alone() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("plan.db");
        drop(SqliteStore::open(&path).unwrap());
        let c = Connection::open(&path).unwrap();
        let plan: Vec<String> = c
            .prepare(
                "EXPLAIN QUERY PLAN SELECT data FROM sessions
                 WHERE user_id = ?1 AND asking = 1 AND dm_channel_id IS NOT NULL
                 ORDER BY updated_at_ms DESC LIMIT 1",
            )
            .unwrap()
            .query_map([1], |r| r.get::<_, String>(3))
            .unwrap()
            .collect::<rusqlite::Result<_>>()
            .unwrap();
        assert!(
            plan.iter()
                .any(|step| step.contains("USING INDEX sessions_open_dm")),
            "{plan:?}"
        );
        assert!(
            !plan.iter().any(|step| step.contains("TEMP B-TREE")),
            "{plan:?}"
        );
        // Deleting a user's data and counting open conversations don't read the table.
        for (query, index) in [
            ("DELETE FROM sessions WHERE user_id = 1", "sessions_by_user"),
            (
                "SELECT COUNT(*) FROM sessions WHERE asking = 1",
                "sessions_by_user",
            ),
        ] {
            let plan: Vec<String> = c
                .prepare(&format!("EXPLAIN QUERY PLAN {query}"))
                .unwrap()
                .query_map([], |r| r.get::<_, String>(3))
                .unwrap()
                .collect::<rusqlite::Result<_>>()
                .unwrap();
            assert!(
                plan.iter().any(|step| step.contains(index)),
                "{query}: {plan:?}"
            );
        }
        // Partial: conversations in a server, and those that are over, aren't in it.
        let partial: bool = c
            .query_row(
                "SELECT partial FROM pragma_index_list('sessions') WHERE name = 'sessions_open_dm'",
                [],
                |r| r.get(0),
            )
            .unwrap();
        assert!(partial);
    }

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

    #[tokio::test]
    async fn the_log_is_copied_back_into_the_file_beside_the_writer() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("bot.db");
        let store = SqliteStore::open(&path).unwrap();
        let before = std::fs::metadata(&path).unwrap().len();
        // Enough to need pages of their own; the writer never checkpoints.
        let data = "x".repeat(4_000);
        for n in 0..50 {
            let data = data.clone();
            store
                .write(move |c| {
                    c.execute(
                        "INSERT INTO pending_uploads (id, guild_id, user_id, set_id, source, activate, created_at_ms)
                         VALUES (?1, 1, 1, 's', ?2, 0, 0)",
                        params![n.to_string(), data],
                    )?;
                    Ok(())
                })
                .await
                .unwrap();
        }
        let wal = dir.path().join("bot.db-wal");
        assert!(
            std::fs::metadata(&wal).unwrap().len() > 50 * 4_000,
            "written to the log"
        );
        // Polled, not timed: the checkpointer runs every 250 ms.
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(20);
        while std::fs::metadata(&path).unwrap().len() < before + 50 * 4_000 {
            assert!(
                std::time::Instant::now() < deadline,
                "the checkpointer never copied the log into the file"
            );
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
    }
}
