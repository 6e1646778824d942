//! Completed recommendations: `finish` (the finishing step and its result in one
//! transaction), `add_result` with the session's `result_id` in the same transaction,
//! `update_result`, `recent_results`.

use stackpick::conversation::Stage;
use stackpick::store::{GuildSettings, SettingsChange, StoredResult};

use super::{chain, contract, literal, result, session, Db};

contract! {
    finish_stores_the_step_and_its_result_together_with_the_servers_settings,
    finish_stores_nothing_when_another_input_moved_the_session_first,
    add_result_stores_the_result_and_the_sessions_result_id,
    add_result_leaves_a_session_that_moved_on_meanwhile,
    update_result_changes_the_result_in_place,
    recent_results_are_the_users_newest_first,
    an_unreadable_stored_result_is_an_error_not_a_panic,
}

async fn finish_stores_the_step_and_its_result_together_with_the_servers_settings(db: &Db) {
    let store = db.open().await;
    let guild = 800_000_000_000_000_005;
    let change = SettingsChange {
        log_channel_id: Some(Some(900_000_000_000_000_009)),
        results_public: Some(true),
    };
    store.update_settings(guild, &change).await.unwrap();
    let mut asking = session("s1", 7, None, 10);
    asking.step = 3;
    asking.guild_id = Some(guild);
    store.put(&asking).await.unwrap();

    let mut in_hand = asking.clone();
    in_hand.step = 4;
    in_hand.updated_at_ms = 20;
    in_hand.conversation.stage = Stage::Finished;
    let stored = result(7, Some(guild), 100);
    let (id, settings) = store
        .finish(&mut in_hand, 3, &stored)
        .await
        .unwrap()
        .expect("stored: nothing moved the session");
    assert!(id > 0);
    assert_eq!(in_hand.result_id, Some(id), "the caller's copy");
    assert_eq!(in_hand.step, 4);
    assert_eq!(
        store.get("s1").await.unwrap(),
        Some(in_hand.clone()),
        "the stored session: the new step, finished, with its result's id"
    );
    assert_eq!(
        store.recent_results(7, 10).await.unwrap(),
        [StoredResult { id, ..stored }]
    );
    assert_eq!(
        settings,
        GuildSettings {
            active_set: None,
            log_channel_id: Some(900_000_000_000_000_009),
            results_public: true,
        }
    );

    // Outside a server: the defaults.
    let mut dm = session("s2", 7, Some(55), 10);
    store.put(&dm).await.unwrap();
    dm.step += 1;
    let (_, settings) = store
        .finish(&mut dm, 0, &result(7, None, 200))
        .await
        .unwrap()
        .unwrap();
    assert_eq!(settings, GuildSettings::default());
}

async fn finish_stores_nothing_when_another_input_moved_the_session_first(db: &Db) {
    let store = db.open().await;
    let mut asking = session("s1", 7, None, 10);
    asking.step = 3;
    store.put(&asking).await.unwrap();
    // Another click (another process) moves the session on first.
    let mut moved = asking.clone();
    moved.step = 4;
    moved.conversation.stage = Stage::Cancelled;
    assert!(store.replace(&moved, 3).await.unwrap());

    let mut late = asking.clone();
    late.step = 4;
    late.conversation.stage = Stage::Finished;
    let outcome = store
        .finish(&mut late, 3, &result(7, None, 100))
        .await
        .unwrap();
    assert_eq!(outcome, None);
    assert_eq!(late.result_id, None, "the caller's copy is untouched");
    assert_eq!(
        store.get("s1").await.unwrap(),
        Some(moved),
        "the newer state stays"
    );
    assert_eq!(
        store.recent_results(7, 10).await.unwrap(),
        [],
        "and no result was kept"
    );
}

async fn add_result_stores_the_result_and_the_sessions_result_id(db: &Db) {
    let store = db.open().await;
    let mut finished = session("s1", 7, None, 10);
    finished.step = 3;
    finished.guild_id = Some(5);
    finished.conversation.stage = Stage::Finished;
    store.put(&finished).await.unwrap();

    let stored = result(7, Some(5), 100);
    let mut in_hand = finished.clone();
    let id = store.add_result(&stored, &mut in_hand).await.unwrap();
    assert!(id > 0);
    assert_eq!(in_hand.result_id, Some(id), "the caller's copy");
    assert_eq!(
        store.get("s1").await.unwrap(),
        Some(in_hand.clone()),
        "the stored session"
    );
    assert_eq!(
        store.recent_results(7, 10).await.unwrap(),
        [StoredResult {
            id,
            ..stored.clone()
        }]
    );

    // A second result gets another id; the session now points at it.
    let second = store.add_result(&stored, &mut in_hand).await.unwrap();
    assert_ne!(second, id);
    assert_eq!(
        store.get("s1").await.unwrap().unwrap().result_id,
        Some(second)
    );
    assert!(
        store.replace(&in_hand, 3).await.unwrap(),
        "add_result leaves the step as it was"
    );
}

async fn add_result_leaves_a_session_that_moved_on_meanwhile(db: &Db) {
    let store = db.open().await;
    let mut finished = session("s1", 7, None, 10);
    finished.step = 3;
    finished.conversation.stage = Stage::Finished;
    store.put(&finished).await.unwrap();
    // Another click (another process) moves the session on first.
    let mut moved = finished.clone();
    moved.step = 4;
    moved.conversation.stage = Stage::Cancelled;
    assert!(store.replace(&moved, 3).await.unwrap());

    let mut stale = finished.clone();
    let id = store
        .add_result(&result(7, None, 100), &mut stale)
        .await
        .unwrap();
    assert_eq!(
        store.get("s1").await.unwrap(),
        Some(moved),
        "the newer state wins"
    );
    assert_eq!(
        store.recent_results(7, 10).await.unwrap()[0].id,
        id,
        "the result is kept"
    );

    // A session that no longer exists: the result is stored all the same.
    let mut gone = session("gone", 7, None, 10);
    let other = store
        .add_result(&result(7, None, 200), &mut gone)
        .await
        .unwrap();
    assert_eq!(gone.result_id, Some(other));
    assert_eq!(
        store.get("gone").await.unwrap(),
        None,
        "and no session appears"
    );
    assert_eq!(store.recent_results(7, 10).await.unwrap().len(), 2);
}

async fn update_result_changes_the_result_in_place(db: &Db) {
    let store = db.open().await;
    let mut s = session("s1", 7, None, 10);
    let original = result(7, Some(5), 100);
    let id = store.add_result(&original, &mut s).await.unwrap();

    let mut changed = original.clone();
    changed.answers = Default::default();
    changed.recommendation.guide_version = "2099 edition".to_owned();
    changed.recommendation.ranking.reverse();
    // Only the answers and the result change; who, where and when stay.
    changed.set_title = "ignored".to_owned();
    store.update_result(id, &changed).await.unwrap();

    let stored = store.recent_results(7, 10).await.unwrap();
    assert_eq!(stored.len(), 1);
    assert_eq!(
        stored[0],
        StoredResult {
            id,
            answers: changed.answers.clone(),
            recommendation: changed.recommendation.clone(),
            ..original.clone()
        }
    );
    store.update_result(id + 1000, &changed).await.unwrap();
    assert_eq!(
        store.recent_results(7, 10).await.unwrap().len(),
        1,
        "no insert"
    );
}

async fn recent_results_are_the_users_newest_first(db: &Db) {
    let store = db.open().await;
    let user = 700_000_000_000_000_001;
    let mut ids = Vec::new();
    for at in [10, 30, 20, 30] {
        let mut s = session("s", user, None, at);
        ids.push(
            store
                .add_result(&result(user, None, at), &mut s)
                .await
                .unwrap(),
        );
    }
    let mut s = session("s", 2, None, 50);
    store
        .add_result(&result(2, Some(5), 50), &mut s)
        .await
        .unwrap();

    let order: Vec<_> = store
        .recent_results(user, 10)
        .await
        .unwrap()
        .into_iter()
        .map(|r| (r.created_at_ms, r.id, r.user_id))
        .collect();
    assert_eq!(
        order,
        [
            (30, ids[3], user),
            (30, ids[1], user),
            (20, ids[2], user),
            (10, ids[0], user)
        ],
        "newest first; the later row first at the same time"
    );
    assert_eq!(store.recent_results(user, 2).await.unwrap().len(), 2);
    assert_eq!(store.recent_results(user, 0).await.unwrap(), []);
    assert_eq!(
        store.recent_results(2, 10).await.unwrap()[0].guild_id,
        Some(5)
    );
    assert_eq!(store.recent_results(3, 10).await.unwrap(), []);
}

async fn an_unreadable_stored_result_is_an_error_not_a_panic(db: &Db) {
    let store = db.open().await;
    let mut s = session("s1", 7, None, 10);
    store
        .add_result(&result(7, None, 100), &mut s)
        .await
        .unwrap();
    db.execute(&format!(
        "UPDATE recommendations SET result = {}",
        literal("{\"x\": 1}")
    ))
    .await;
    let err = store.recent_results(7, 10).await.unwrap_err();
    assert!(
        chain(&err).contains("a stored result is unreadable"),
        "{err:#}"
    );
    db.execute("UPDATE recommendations SET answers = '[1, 2'")
        .await;
    let err = store.recent_results(7, 10).await.unwrap_err();
    assert!(
        chain(&err).contains("stored answers are unreadable"),
        "{err:#}"
    );
}
