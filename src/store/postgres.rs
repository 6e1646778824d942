//! The PostgreSQL store, for several bot processes sharing one database: every method
//! keeps the SQLite store's semantics, and the compare-and-swap updates, the
//! transactions and the atomic removals hold across processes, because they are single
//! statements or transactions on the server. The schema is created and migrated at
//! start by versioned migrations (a `stackpick_schema` table holds the version), in one
//! transaction under an advisory lock, so processes starting together don't race.
//!
//! tokio-postgres is asynchronous, so nothing here blocks a runtime thread; the pool
//! (deadpool-postgres) keeps prepared statements per connection (`prepare_cached`).

mod lobbies;

use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use async_trait::async_trait;
use deadpool_postgres::{
    GenericClient, Manager, ManagerConfig, Pool, RecyclingMethod, Runtime, Timeouts,
};
use tokio_postgres::types::{FromSql, ToSql};
use tokio_postgres::{NoTls, Row};

use super::{
    GuildSettings, GuildStore, HistoryStore, PendingUpload, Session, SessionStore, SettingsChange,
    Storage, StoredResult, StoredSet,
};
use crate::ids::SetId;

mod privacy;

/// The migrations, in order; the schema version is how many have run. Never edit a
/// shipped migration: add a new one. The tables and indexes match the SQLite store's.
/// JSON documents are TEXT, as in SQLite: they are only ever read whole, and JSONB
/// would refuse a `\u0000` that serde_json writes for a NUL typed into a conversation.
const MIGRATIONS: &[&str] = &[
    // 1: everything the bot stores.
    "CREATE TABLE sessions (
         id            TEXT PRIMARY KEY,
         user_id       BIGINT NOT NULL,
         dm_channel_id BIGINT,
         asking        BOOLEAN NOT NULL,
         updated_at_ms BIGINT NOT NULL,
         step          BIGINT NOT NULL DEFAULT 0,
         data          TEXT NOT NULL
     );
     CREATE INDEX sessions_open_dm ON sessions (user_id, asking, updated_at_ms);
     CREATE INDEX sessions_idle ON sessions (updated_at_ms);
     CREATE TABLE guild_settings (
         guild_id       BIGINT PRIMARY KEY,
         active_set     TEXT,
         log_channel_id BIGINT,
         results_public BOOLEAN NOT NULL DEFAULT false
     );
     CREATE TABLE question_sets (
         guild_id      BIGINT NOT NULL,
         set_id        TEXT NOT NULL,
         revision      BIGINT NOT NULL,
         source        TEXT,
         changed_by    BIGINT NOT NULL,
         changed_at_ms BIGINT NOT NULL,
         PRIMARY KEY (guild_id, set_id, revision)
     );
     CREATE TABLE recommendations (
         id            BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
         user_id       BIGINT NOT NULL,
         guild_id      BIGINT,
         set_id        TEXT NOT NULL,
         set_version   BIGINT NOT NULL,
         set_title     TEXT NOT NULL,
         guide_version TEXT NOT NULL,
         answers       TEXT NOT NULL,
         result        TEXT NOT NULL,
         created_at_ms BIGINT NOT NULL
     );
     CREATE INDEX recommendations_by_user ON recommendations (user_id, created_at_ms);
     CREATE TABLE pending_uploads (
         id            TEXT PRIMARY KEY,
         guild_id      BIGINT NOT NULL,
         user_id       BIGINT NOT NULL,
         set_id        TEXT NOT NULL,
         source        TEXT NOT NULL,
         activate      BOOLEAN NOT NULL,
         created_at_ms BIGINT NOT NULL
     );
     CREATE INDEX pending_uploads_age ON pending_uploads (created_at_ms);",
    // 2: team lobbies, whole as JSON, with the version for compare-and-swap updates.
    "CREATE TABLE lobbies (
         id            TEXT PRIMARY KEY,
         guild_id      BIGINT NOT NULL,
         version       BIGINT NOT NULL,
         created_at_ms BIGINT NOT NULL,
         data          TEXT NOT NULL
     );
     CREATE INDEX lobbies_age ON lobbies (created_at_ms);",
    // 3: deleting a server's or an old user's data without scanning: the server of a
    // conversation as a column (read back from the stored JSON, which serde_json
    // writes compactly), results by age and by server.
    r#"ALTER TABLE sessions ADD COLUMN guild_id BIGINT;
     UPDATE sessions SET guild_id = CASE WHEN found <= 9223372036854775807 THEN found::bigint END
         FROM (SELECT id AS found_id,
                      substring(data from '"guild_id":([0-9]{1,19})[,}]')::numeric AS found
               FROM sessions) AS extracted
         WHERE sessions.id = extracted.found_id AND extracted.found IS NOT NULL;
     CREATE INDEX sessions_by_guild ON sessions (guild_id);
     CREATE INDEX recommendations_age ON recommendations (created_at_ms);
     CREATE INDEX recommendations_by_guild ON recommendations (guild_id);"#,
    // 4: the index that finds a user's open DM conversation holds those alone: a
    // conversation in a server (most of them) no longer writes to it at every step.
    // What the old index also served, deleting a user's data (`/forget`) and counting
    // open conversations, `sessions_by_user` serves.
    "DROP INDEX sessions_open_dm;
     CREATE INDEX sessions_open_dm ON sessions (user_id, updated_at_ms)
         WHERE asking AND dm_channel_id IS NOT NULL;
     CREATE INDEX sessions_by_user ON sessions (user_id, asking);",
];

/// The schema version this build creates and understands.
pub const SCHEMA_VERSION: usize = MIGRATIONS.len();

/// The first key of stackpick's advisory locks (the second is a hash of the schema).
const LOCK_CLASS: i32 = 0x5354_4b50; // "STKP"

/// Connections per process. PostgreSQL's default limit is 100 for every process.
const POOL_SIZE: usize = 16;

/// How long to wait for a connection (to connect, or for a free one in the pool).
const CONNECT_TIMEOUT: Duration = Duration::from_secs(10);

/// Sets a server's active set, creating its settings row when needed.
const ACTIVATE: &str = "INSERT INTO guild_settings (guild_id, active_set) VALUES ($1, $2)
     ON CONFLICT (guild_id) DO UPDATE SET active_set = excluded.active_set";

/// A PostgreSQL database behind a pool of connections.
pub struct PostgresStore {
    pool: Pool,
}

impl PostgresStore {
    /// Connects to `url` (`postgres://user:password@host:port/database`) and creates or
    /// migrates the schema. With `schema`, every table lives in that schema (created if
    /// needed; lowercase letters, digits and `_`), so several stores can share one
    /// database, as the tests do. A database from a newer build is a clear error.
    pub async fn connect(url: &str, schema: Option<&str>) -> Result<PostgresStore> {
        let pool = pool(url, schema)?;
        let mut client = pool.get().await.context("cannot connect to PostgreSQL")?;
        migrate(&mut client, schema, SCHEMA_VERSION).await?;
        drop(client);
        Ok(PostgresStore { pool })
    }

    /// Applies only the first `version` migrations (for tests of upgrades from each
    /// earlier version), then disconnects.
    #[doc(hidden)]
    pub async fn migrate_only(url: &str, schema: Option<&str>, version: usize) -> Result<()> {
        if version > SCHEMA_VERSION {
            bail!("schema version {version} does not exist (this build knows {SCHEMA_VERSION})");
        }
        let pool = pool(url, schema)?;
        let mut client = pool.get().await.context("cannot connect to PostgreSQL")?;
        migrate(&mut client, schema, version).await
    }

    async fn client(&self) -> Result<deadpool_postgres::Client> {
        self.pool
            .get()
            .await
            .inspect_err(|_| crate::ops::metrics::database_error("connect"))
            .context("no PostgreSQL connection available")
    }
}

/// Whether `name` can be used as a schema name without quoting.
fn valid_schema(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c == '_')
        && chars.all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_')
        && name.len() <= 63
}

fn pool(url: &str, schema: Option<&str>) -> Result<Pool> {
    // The URL is never part of an error: it may hold a password.
    let mut config: tokio_postgres::Config =
        url.parse().context("the PostgreSQL URL is not valid")?;
    if let Some(schema) = schema {
        if !valid_schema(schema) {
            bail!("`{schema}` is not a valid schema name (lowercase letters, digits and _)");
        }
        let options = match config.get_options() {
            Some(options) => format!("{options} -c search_path={schema}"),
            None => format!("-c search_path={schema}"),
        };
        config.options(options);
    }
    if config.get_application_name().is_none() {
        config.application_name("stackpick");
    }
    if config.get_connect_timeout().is_none() {
        config.connect_timeout(CONNECT_TIMEOUT);
    }
    let manager = Manager::from_config(
        config,
        NoTls,
        ManagerConfig {
            recycling_method: RecyclingMethod::Fast,
        },
    );
    Pool::builder(manager)
        .max_size(POOL_SIZE)
        .runtime(Runtime::Tokio1)
        .timeouts(Timeouts {
            wait: Some(CONNECT_TIMEOUT),
            create: Some(CONNECT_TIMEOUT),
            recycle: Some(CONNECT_TIMEOUT),
        })
        .build()
        .context("cannot create the PostgreSQL connection pool")
}

/// Brings the schema to version `to`, in one transaction under an advisory lock (per
/// schema): a second process starting at the same time waits, then finds it done.
async fn migrate(
    client: &mut deadpool_postgres::Client,
    schema: Option<&str>,
    to: usize,
) -> Result<()> {
    let tx = client
        .transaction()
        .await
        .context("cannot start the migration transaction")?;
    tx.execute(
        "SELECT pg_advisory_xact_lock($1, hashtext($2))",
        &[&LOCK_CLASS, &schema.unwrap_or("")],
    )
    .await
    .context("cannot take the migration lock")?;
    if let Some(schema) = schema {
        let exists = tx
            .query_opt("SELECT 1 FROM pg_namespace WHERE nspname = $1", &[&schema])
            .await?
            .is_some();
        if !exists {
            // `schema` is checked by `valid_schema`: no quoting needed.
            tx.batch_execute(&format!("CREATE SCHEMA {schema}"))
                .await
                .with_context(|| format!("cannot create the schema {schema}"))?;
        }
    }
    tx.batch_execute(
        "CREATE TABLE IF NOT EXISTS stackpick_schema (
             one     BOOLEAN PRIMARY KEY DEFAULT true CHECK (one),
             version BIGINT NOT NULL
         );
         INSERT INTO stackpick_schema (version) VALUES (0) ON CONFLICT (one) DO NOTHING;",
    )
    .await
    .context("cannot create the schema version table")?;
    let version: i64 = tx
        .query_one("SELECT version FROM stackpick_schema", &[])
        .await?
        .try_get(0)
        .context("the schema version is unreadable")?;
    let from = usize::try_from(version).unwrap_or(usize::MAX);
    if from > SCHEMA_VERSION {
        bail!(
            "its schema version is {version}, newer than this build of stackpick understands ({SCHEMA_VERSION}); \
             run a newer stackpick or restore a backup"
        );
    }
    for (index, sql) in MIGRATIONS.iter().enumerate().take(to).skip(from) {
        tx.batch_execute(sql)
            .await
            .with_context(|| format!("migration {} failed", index + 1))?;
        let version = i64::try_from(index + 1)?;
        tx.execute("UPDATE stackpick_schema SET version = $1", &[&version])
            .await?;
    }
    tx.commit().await.context("cannot commit the migrations")?;
    Ok(())
}

fn id(value: u64) -> i64 {
    // Discord snowflakes fit in 63 bits; PostgreSQL integers are signed.
    i64::try_from(value).unwrap_or(i64::MAX)
}

/// A column of `row`, with its name in the error instead of a panic.
fn column<'a, T: FromSql<'a>>(row: &'a Row, name: &str) -> Result<T> {
    row.try_get(name)
        .with_context(|| format!("the stored column `{name}` is unreadable"))
}

/// A non-negative integer column as `u64` or `u32`.
fn unsigned<T: TryFrom<i64>>(row: &Row, name: &str) -> Result<T> {
    let value: i64 = column(row, name)?;
    T::try_from(value).map_err(|_| anyhow::anyhow!("the stored `{name}` is out of range ({value})"))
}

fn optional_unsigned(row: &Row, name: &str) -> Result<Option<u64>> {
    let value: Option<i64> = column(row, name)?;
    value
        .map(|v| {
            u64::try_from(v).map_err(|_| anyhow::anyhow!("the stored `{name}` is negative ({v})"))
        })
        .transpose()
}

fn count(rows: u64) -> usize {
    usize::try_from(rows).unwrap_or(usize::MAX)
}

fn unreadable_session(data: &str) -> Result<Session> {
    serde_json::from_str(data).context("a stored conversation is unreadable")
}

/// Counts a failed statement in the metrics.
fn failed(_: &tokio_postgres::Error) {
    crate::ops::metrics::database_error("query");
}

/// Runs a prepared (and cached) statement on a pooled client or in a transaction;
/// returns how many rows it changed.
async fn execute<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<u64> {
    let statement = client.prepare_cached(sql).await.inspect_err(failed)?;
    Ok(client
        .execute(&statement, params)
        .await
        .inspect_err(failed)?)
}

/// The rows of a prepared (and cached) query.
async fn query<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Vec<Row>> {
    let statement = client.prepare_cached(sql).await.inspect_err(failed)?;
    Ok(client.query(&statement, params).await.inspect_err(failed)?)
}

/// The row of a prepared (and cached) query returning at most one.
async fn query_opt<C: GenericClient>(
    client: &C,
    sql: &str,
    params: &[&(dyn ToSql + Sync)],
) -> Result<Option<Row>> {
    let statement = client.prepare_cached(sql).await.inspect_err(failed)?;
    Ok(client
        .query_opt(&statement, params)
        .await
        .inspect_err(failed)?)
}

#[async_trait]
impl SessionStore for PostgresStore {
    async fn get(&self, session_id: &str) -> Result<Option<Session>> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT data FROM sessions WHERE id = $1",
            &[&session_id],
        )
        .await?;
        row.map(|r| unreadable_session(&column::<String>(&r, "data")?))
            .transpose()
    }

    async fn put(&self, session: &Session) -> Result<()> {
        let data = serde_json::to_string(session)?;
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO sessions (id, user_id, dm_channel_id, asking, updated_at_ms, data, step, guild_id)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (id) DO UPDATE SET
                 user_id = excluded.user_id, dm_channel_id = excluded.dm_channel_id,
                 asking = excluded.asking, updated_at_ms = excluded.updated_at_ms,
                 data = excluded.data, step = excluded.step, guild_id = excluded.guild_id",
            &[
                &session.id,
                &id(session.user_id),
                &session.dm_channel_id.map(id),
                &session.is_asking(),
                &id(session.updated_at_ms),
                &data,
                &i64::from(session.step),
                &session.guild_id.map(id),
            ],
        )
        .await?;
        Ok(())
    }

    async fn replace(&self, session: &Session, expected_step: u32) -> Result<bool> {
        let data = serde_json::to_string(session)?;
        let client = self.client().await?;
        // One statement: a concurrent update of the same row (from any process) makes
        // this one re-check `step` once that commits, so only one of them applies.
        let changed = execute(
            &client,
            "UPDATE sessions SET dm_channel_id = $2, asking = $3, updated_at_ms = $4, data = $5, step = $6
             WHERE id = $1 AND step = $7",
            &[
                &session.id,
                &session.dm_channel_id.map(id),
                &session.is_asking(),
                &id(session.updated_at_ms),
                &data,
                &i64::from(session.step),
                &i64::from(expected_step),
            ],
        )
        .await?;
        Ok(changed == 1)
    }

    async fn open_dm(&self, user_id: u64) -> Result<Option<Session>> {
        let client = self.client().await?;
        let row = query_opt(
            &client,
            "SELECT data FROM sessions WHERE user_id = $1 AND asking AND dm_channel_id IS NOT NULL
             ORDER BY updated_at_ms DESC LIMIT 1",
            &[&id(user_id)],
        )
        .await?;
        row.map(|r| unreadable_session(&column::<String>(&r, "data")?))
            .transpose()
    }

    async fn remove(&self, session_id: &str) -> Result<()> {
        let client = self.client().await?;
        execute(
            &client,
            "DELETE FROM sessions WHERE id = $1",
            &[&session_id],
        )
        .await?;
        Ok(())
    }

    async fn purge_idle(&self, cutoff_ms: u64) -> Result<usize> {
        let client = self.client().await?;
        let removed = execute(
            &client,
            "DELETE FROM sessions WHERE updated_at_ms < $1",
            &[&id(cutoff_ms)],
        )
        .await?;
        Ok(count(removed))
    }

    async fn count_open(&self) -> Result<u64> {
        let client = self.client().await?;
        let rows = query(
            &client,
            "SELECT COUNT(*) AS open FROM sessions WHERE asking",
            &[],
        )
        .await?;
        match rows.first() {
            Some(row) => unsigned(row, "open"),
            None => Ok(0),
        }
    }
}

fn stored_set(row: &Row) -> Result<StoredSet> {
    Ok(StoredSet {
        set_id: SetId::new(column::<String>(row, "set_id")?),
        revision: unsigned(row, "revision")?,
        source: column(row, "source")?,
        changed_by: unsigned(row, "changed_by")?,
        changed_at_ms: unsigned(row, "changed_at_ms")?,
    })
}

/// A server's settings (the defaults when it has none stored).
async fn read_settings<C: GenericClient>(client: &C, guild_id: u64) -> Result<GuildSettings> {
    let row = query_opt(
        client,
        "SELECT active_set, log_channel_id, results_public FROM guild_settings WHERE guild_id = $1",
        &[&id(guild_id)],
    )
    .await?;
    let Some(row) = row else {
        return Ok(GuildSettings::default());
    };
    Ok(GuildSettings {
        active_set: column::<Option<String>>(&row, "active_set")?.map(SetId::new),
        log_channel_id: optional_unsigned(&row, "log_channel_id")?,
        results_public: column(&row, "results_public")?,
    })
}

#[async_trait]
impl GuildStore for PostgresStore {
    async fn settings(&self, guild_id: u64) -> Result<GuildSettings> {
        let client = self.client().await?;
        read_settings(&client, guild_id).await
    }

    async fn update_settings(&self, guild_id: u64, change: &SettingsChange) -> Result<()> {
        let client = self.client().await?;
        // One statement: concurrent changes of different settings (or of the active
        // set) don't overwrite each other.
        execute(
            &client,
            "INSERT INTO guild_settings (guild_id, log_channel_id, results_public)
             VALUES ($1, $2, COALESCE($3, false))
             ON CONFLICT (guild_id) DO UPDATE SET
                 log_channel_id = CASE WHEN $4 THEN excluded.log_channel_id
                                  ELSE guild_settings.log_channel_id END,
                 results_public = COALESCE($3, guild_settings.results_public)",
            &[
                &id(guild_id),
                &change.log_channel_id.flatten().map(id),
                &change.results_public,
                &change.log_channel_id.is_some(),
            ],
        )
        .await?;
        Ok(())
    }

    async fn add_set_version(
        &self,
        guild_id: u64,
        set_id: &SetId,
        source: Option<&str>,
        by: u64,
        activate: bool,
    ) -> Result<u32> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let (guild, set) = (id(guild_id), set_id.as_str());
        // Versions of one server's sets are numbered one at a time: the server's
        // settings row (created if needed, with the defaults) is locked until commit,
        // so two processes can't both take the next revision.
        execute(
            &tx,
            "INSERT INTO guild_settings (guild_id) VALUES ($1) ON CONFLICT (guild_id) DO NOTHING",
            &[&guild],
        )
        .await?;
        query(
            &tx,
            "SELECT 1 FROM guild_settings WHERE guild_id = $1 FOR UPDATE",
            &[&guild],
        )
        .await?;
        let next = query_opt(
            &tx,
            "SELECT COALESCE(MAX(revision), 0) + 1 AS revision FROM question_sets
             WHERE guild_id = $1 AND set_id = $2",
            &[&guild, &set],
        )
        .await?
        .context("no next revision")?;
        let revision: u32 = unsigned(&next, "revision")?;
        execute(
            &tx,
            "INSERT INTO question_sets (guild_id, set_id, revision, source, changed_by, changed_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6)",
            &[
                &guild,
                &set,
                &i64::from(revision),
                &source,
                &id(by),
                &id(super::now_ms()),
            ],
        )
        .await?;
        if activate && source.is_some() {
            execute(&tx, ACTIVATE, &[&guild, &set]).await?;
        } else if source.is_none() {
            execute(
                &tx,
                "UPDATE guild_settings SET active_set = NULL WHERE guild_id = $1 AND active_set = $2",
                &[&guild, &set],
            )
            .await?;
        }
        tx.commit().await?;
        Ok(revision)
    }

    async fn set_active(&self, guild_id: u64, set_id: Option<&SetId>) -> Result<()> {
        let client = self.client().await?;
        execute(
            &client,
            ACTIVATE,
            &[&id(guild_id), &set_id.map(SetId::as_str)],
        )
        .await?;
        Ok(())
    }

    async fn current_sets(&self, guild_id: u64) -> Result<Vec<StoredSet>> {
        let client = self.client().await?;
        // Byte order (`COLLATE "C"`), as SQLite sorts, whatever the database's locale.
        let rows = query(
            &client,
            "SELECT q.set_id, q.revision, q.source, q.changed_by, q.changed_at_ms
             FROM question_sets q
             WHERE q.guild_id = $1 AND q.source IS NOT NULL
               AND q.revision = (SELECT MAX(revision) FROM question_sets
                                 WHERE guild_id = q.guild_id AND set_id = q.set_id)
             ORDER BY q.set_id COLLATE \"C\"",
            &[&id(guild_id)],
        )
        .await?;
        rows.iter().map(stored_set).collect()
    }

    async fn set_versions(&self, guild_id: u64, set_id: &SetId) -> Result<Vec<StoredSet>> {
        let client = self.client().await?;
        let rows = query(
            &client,
            "SELECT set_id, revision, source, changed_by, changed_at_ms FROM question_sets
             WHERE guild_id = $1 AND set_id = $2 ORDER BY revision",
            &[&id(guild_id), &set_id.as_str()],
        )
        .await?;
        rows.iter().map(stored_set).collect()
    }

    async fn put_pending(&self, upload: &PendingUpload) -> Result<()> {
        let client = self.client().await?;
        execute(
            &client,
            "INSERT INTO pending_uploads (id, guild_id, user_id, set_id, source, activate, created_at_ms)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (id) DO UPDATE SET
                 guild_id = excluded.guild_id, user_id = excluded.user_id,
                 set_id = excluded.set_id, source = excluded.source,
                 activate = excluded.activate, created_at_ms = excluded.created_at_ms",
            &[
                &upload.id,
                &id(upload.guild_id),
                &id(upload.user_id),
                &upload.set_id.as_str(),
                &upload.source,
                &upload.activate,
                &id(super::now_ms()),
            ],
        )
        .await?;
        Ok(())
    }

    async fn take_pending(&self, upload_id: &str) -> Result<Option<PendingUpload>> {
        let client = self.client().await?;
        // One statement: of two clicks (in any processes), only one gets the row.
        let row = query_opt(
            &client,
            "DELETE FROM pending_uploads WHERE id = $1
             RETURNING id, guild_id, user_id, set_id, source, activate",
            &[&upload_id],
        )
        .await?;
        row.map(|r| {
            Ok(PendingUpload {
                id: column(&r, "id")?,
                guild_id: unsigned(&r, "guild_id")?,
                user_id: unsigned(&r, "user_id")?,
                set_id: SetId::new(column::<String>(&r, "set_id")?),
                source: column(&r, "source")?,
                activate: column(&r, "activate")?,
            })
        })
        .transpose()
    }

    async fn purge_pending(&self, cutoff_ms: u64) -> Result<usize> {
        let client = self.client().await?;
        let removed = execute(
            &client,
            "DELETE FROM pending_uploads WHERE created_at_ms < $1",
            &[&id(cutoff_ms)],
        )
        .await?;
        Ok(count(removed))
    }
}

fn stored_result(row: &Row) -> Result<StoredResult> {
    Ok(StoredResult {
        id: column(row, "id")?,
        user_id: unsigned(row, "user_id")?,
        guild_id: optional_unsigned(row, "guild_id")?,
        set_id: SetId::new(column::<String>(row, "set_id")?),
        set_version: unsigned(row, "set_version")?,
        set_title: column(row, "set_title")?,
        answers: serde_json::from_str(column(row, "answers")?)
            .context("stored answers are unreadable")?,
        recommendation: serde_json::from_str(column(row, "result")?)
            .context("a stored result is unreadable")?,
        created_at_ms: unsigned(row, "created_at_ms")?,
    })
}

/// Inserts a completed recommendation; returns its id.
async fn insert_result<C: GenericClient>(tx: &C, result: &StoredResult) -> Result<i64> {
    let answers = serde_json::to_string(&result.answers)?;
    let recommendation = serde_json::to_string(&result.recommendation)?;
    let row = query_opt(
        tx,
        "INSERT INTO recommendations
           (user_id, guild_id, set_id, set_version, set_title, guide_version, answers, result, created_at_ms)
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
         RETURNING id",
        &[
            &id(result.user_id),
            &result.guild_id.map(id),
            &result.set_id.as_str(),
            &i64::from(result.set_version),
            &result.set_title,
            &result.recommendation.guide_version,
            &answers,
            &recommendation,
            &id(result.created_at_ms),
        ],
    )
    .await?
    .context("the new result has no id")?;
    column(&row, "id")
}

#[async_trait]
impl HistoryStore for PostgresStore {
    async fn add_result(&self, result: &StoredResult, session: &mut Session) -> Result<i64> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let result_id = insert_result(&tx, result).await?;
        let mut finished = session.clone();
        finished.result_id = Some(result_id);
        // Same step: if another click moved the session on meanwhile, that newer
        // state wins and only the result row is kept.
        execute(
            &tx,
            "UPDATE sessions SET data = $2 WHERE id = $1 AND step = $3",
            &[
                &finished.id,
                &serde_json::to_string(&finished)?,
                &i64::from(finished.step),
            ],
        )
        .await?;
        tx.commit().await?;
        *session = finished;
        Ok(result_id)
    }

    async fn finish(
        &self,
        session: &mut Session,
        expected_step: u32,
        result: &StoredResult,
    ) -> Result<Option<(i64, GuildSettings)>> {
        let mut client = self.client().await?;
        let tx = client.transaction().await?;
        let result_id = insert_result(&tx, result).await?;
        let mut finished = session.clone();
        finished.result_id = Some(result_id);
        // One statement: a concurrent update of the same row (from any process) makes
        // this one re-check `step` once that commits, so only one of them applies.
        let replaced = execute(
            &tx,
            "UPDATE sessions SET dm_channel_id = $2, asking = $3, updated_at_ms = $4, data = $5, step = $6
             WHERE id = $1 AND step = $7",
            &[
                &finished.id,
                &finished.dm_channel_id.map(id),
                &finished.is_asking(),
                &id(finished.updated_at_ms),
                &serde_json::to_string(&finished)?,
                &i64::from(finished.step),
                &i64::from(expected_step),
            ],
        )
        .await?;
        if replaced != 1 {
            // Another input moved the session on: the result goes with the
            // transaction (rolled back when dropped).
            return Ok(None);
        }
        let settings = match finished.guild_id {
            Some(guild) => read_settings(&tx, guild).await?,
            None => GuildSettings::default(),
        };
        tx.commit().await?;
        *session = finished;
        Ok(Some((result_id, settings)))
    }

    async fn update_result(&self, result_id: i64, result: &StoredResult) -> Result<()> {
        let answers = serde_json::to_string(&result.answers)?;
        let recommendation = serde_json::to_string(&result.recommendation)?;
        let client = self.client().await?;
        execute(
            &client,
            "UPDATE recommendations SET answers = $2, result = $3, guide_version = $4 WHERE id = $1",
            &[
                &result_id,
                &answers,
                &recommendation,
                &result.recommendation.guide_version,
            ],
        )
        .await?;
        Ok(())
    }

    async fn recent_results(&self, user_id: u64, limit: usize) -> Result<Vec<StoredResult>> {
        let client = self.client().await?;
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let rows = query(
            &client,
            "SELECT id, user_id, guild_id, set_id, set_version, set_title, answers, result, created_at_ms
             FROM recommendations WHERE user_id = $1 ORDER BY created_at_ms DESC, id DESC LIMIT $2",
            &[&id(user_id), &limit],
        )
        .await?;
        rows.iter().map(stored_result).collect()
    }
}

#[async_trait]
impl Storage for PostgresStore {
    fn backend(&self) -> &'static str {
        "postgres"
    }

    async fn ping(&self) -> Result<()> {
        let client = self.client().await?;
        client
            .simple_query("SELECT 1")
            .await
            .context("PostgreSQL does not answer")?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_plain_lowercase_schema_names_are_accepted() {
        assert!(valid_schema("stackpick_test_1"));
        assert!(valid_schema("_x"));
        for bad in [
            "",
            "1abc",
            "Upper",
            "a-b",
            "a; DROP TABLE x",
            "a b",
            &"x".repeat(64),
        ] {
            assert!(!valid_schema(bad), "{bad:?}");
        }
    }
}
