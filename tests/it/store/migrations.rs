//! Versioned migrations: a new database, every earlier version with rows in it,
//! processes starting together, and a database from a newer build.

use stackpick::conversation::Stage;
use stackpick::ids::SetId;
use stackpick::store::StoredResult;
use tokio::sync::Barrier;

use super::{chain, contract, literal, result, session, Backend, Db};

contract! {
    a_new_database_is_created_at_the_latest_schema,
    every_earlier_schema_migrates_to_the_latest_keeping_its_data,
    stores_opening_a_new_database_together_all_start,
    a_database_newer_than_this_build_is_refused_clearly,
}

async fn a_new_database_is_created_at_the_latest_schema(db: &Db) {
    let store = db.open().await;
    let latest = i64::try_from(db.schema_version()).unwrap();
    assert!(latest >= 1);
    assert_eq!(db.scalar(db.schema_version_sql()).await, latest);
    store.ping().await.unwrap();
    let name = match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(store.backend(), name);
    drop(store);
    db.open().await;
    assert_eq!(
        db.scalar(db.schema_version_sql()).await,
        latest,
        "reopening changes nothing"
    );
}

/// The schema version from which a table (or the `step` or `guild_id` column) exists.
fn since(backend: Backend, what: &str) -> usize {
    match (backend, what) {
        (Backend::Postgres, "guild_id") => 3,
        (Backend::Postgres, _) => 1,
        (Backend::Sqlite, "sessions") => 1,
        (Backend::Sqlite, "question_sets") => 2,
        (Backend::Sqlite, "recommendations") => 3,
        (Backend::Sqlite, "pending_uploads") => 4,
        (Backend::Sqlite, "step") => 5,
        (Backend::Sqlite, "guild_id") => 7,
        (Backend::Sqlite, other) => panic!("unknown {other}"),
    }
}

async fn every_earlier_schema_migrates_to_the_latest_keeping_its_data(first: &Db) {
    let backend = first.backend();
    for version in 0..=first.schema_version() {
        // A fresh database (or schema) for each starting version.
        let fresh;
        let db = if version == 0 {
            first
        } else {
            fresh = Db::new(backend).await.unwrap();
            &fresh
        };
        db.migrate_only(version).await;
        assert_eq!(
            db.scalar(db.schema_version_sql()).await,
            i64::try_from(version).unwrap()
        );
        let has = |what| version >= since(backend, what);

        // Rows as a build at `version` wrote them.
        let mut old = session("old", 1, Some(10), 5);
        old.step = 3;
        old.guild_id = Some(5);
        let old_result = result(1, Some(5), 50);
        if has("sessions") {
            let (mut columns, mut step) = if has("step") {
                (", step".to_owned(), ", 3".to_owned())
            } else {
                (String::new(), String::new())
            };
            if has("guild_id") {
                columns.push_str(", guild_id");
                step.push_str(", 5");
            }
            db.execute(&format!(
                "INSERT INTO sessions (id, user_id, dm_channel_id, asking, updated_at_ms, data{columns})
                 VALUES ('old', 1, 10, true, 5, {}{step})",
                literal(&serde_json::to_string(&old).unwrap())
            ))
            .await;
        }
        if has("question_sets") {
            db.execute(
                "INSERT INTO question_sets (guild_id, set_id, revision, source, changed_by, changed_at_ms)
                 VALUES (5, 'team', 1, 'v1', 2, 3);
                 INSERT INTO guild_settings (guild_id, active_set, log_channel_id) VALUES (5, 'team', 9);",
            )
            .await;
        }
        if has("recommendations") {
            db.execute(&format!(
                "INSERT INTO recommendations
                   (user_id, guild_id, set_id, set_version, set_title, guide_version, answers, result, created_at_ms)
                 VALUES (1, 5, {}, {}, {}, {}, {}, {}, 50)",
                literal(old_result.set_id.as_str()),
                old_result.set_version,
                literal(&old_result.set_title),
                literal(&old_result.recommendation.guide_version),
                literal(&serde_json::to_string(&old_result.answers).unwrap()),
                literal(&serde_json::to_string(&old_result.recommendation).unwrap()),
            ))
            .await;
        }
        if has("pending_uploads") {
            db.execute(
                "INSERT INTO pending_uploads (id, guild_id, user_id, set_id, source, activate, created_at_ms)
                 VALUES ('p-old', 5, 1, 'team', 'v2', true, 4)",
            )
            .await;
        }

        let store = db
            .try_open()
            .await
            .unwrap_or_else(|e| panic!("from version {version}: {e:#}"));
        assert_eq!(
            db.scalar(db.schema_version_sql()).await,
            i64::try_from(db.schema_version()).unwrap(),
            "from version {version}"
        );

        // The old rows read as before.
        if has("sessions") {
            assert_eq!(
                store.get("old").await.unwrap(),
                Some(old.clone()),
                "from {version}"
            );
            assert_eq!(store.open_dm(1).await.unwrap(), Some(old.clone()));
            let mut next = old.clone();
            next.step = 4;
            next.conversation.stage = Stage::Finished;
            assert!(
                store.replace(&next, 3).await.unwrap(),
                "from {version}: the step is known for compare-and-swap"
            );
        } else {
            assert_eq!(store.get("old").await.unwrap(), None);
        }
        if has("question_sets") {
            let settings = store.settings(5).await.unwrap();
            assert_eq!(settings.active_set, Some(SetId::from("team")));
            assert_eq!(settings.log_channel_id, Some(9));
            assert!(!settings.results_public);
            assert_eq!(
                store.current_sets(5).await.unwrap()[0].source.as_deref(),
                Some("v1")
            );
        }
        if has("recommendations") {
            let stored = store.recent_results(1, 10).await.unwrap();
            assert_eq!(stored.len(), 1, "from {version}");
            assert_eq!(
                stored[0],
                StoredResult {
                    id: stored[0].id,
                    ..old_result.clone()
                }
            );
        }
        if has("pending_uploads") {
            let pending = store.take_pending("p-old").await.unwrap().unwrap();
            assert_eq!((pending.source.as_str(), pending.activate), ("v2", true));
        }

        // And everything works on the migrated database.
        let revision = store
            .add_set_version(5, &SetId::from("team"), Some("v-new"), 2, true)
            .await
            .unwrap();
        assert_eq!(revision, if has("question_sets") { 2 } else { 1 });
        let mut fresh_session = session("new", 2, None, 6);
        store.put(&fresh_session).await.unwrap();
        store
            .add_result(&result(2, None, 60), &mut fresh_session)
            .await
            .unwrap();
        assert_eq!(
            store.get("new").await.unwrap().unwrap().result_id,
            fresh_session.result_id
        );
        assert_eq!(store.recent_results(2, 10).await.unwrap().len(), 1);

        // A conversation stored before its server was a column is still found as the
        // server's when the server's data is deleted.
        store.forget_guild(5).await.unwrap();
        assert_eq!(store.get("old").await.unwrap(), None, "from {version}");
        assert!(store.current_sets(5).await.unwrap().is_empty());
        assert_eq!(store.recent_results(1, 10).await.unwrap(), []);
    }
}

async fn stores_opening_a_new_database_together_all_start(db: &Db) {
    // Four "processes" starting at once on an empty database: one migrates, the
    // others wait for it (or find it done); none fails.
    let barrier = &Barrier::new(4);
    let open = || async move {
        barrier.wait().await;
        db.try_open().await
    };
    let (a, b, c, d) = tokio::join!(open(), open(), open(), open());
    for store in [a, b, c, d] {
        match store {
            Ok(store) => store.ping().await.unwrap(),
            Err(e) => panic!("a store failed to start beside the others: {e:#}"),
        }
    }
    assert_eq!(
        db.scalar(db.schema_version_sql()).await,
        i64::try_from(db.schema_version()).unwrap()
    );
}

async fn a_database_newer_than_this_build_is_refused_clearly(db: &Db) {
    drop(db.open().await);
    let newer = db.schema_version() + 1;
    db.execute(&db.set_schema_version_sql(newer)).await;
    let err = db
        .try_open()
        .await
        .err()
        .expect("a newer database is refused");
    let message = chain(&err);
    assert!(
        message.contains(&format!("schema version is {newer}, newer than this build")),
        "{message}"
    );
    assert_eq!(
        db.scalar(db.schema_version_sql()).await,
        i64::try_from(newer).unwrap(),
        "and left as it was"
    );
}
