//! Conversations in progress: get/put, the compare-and-swap `replace`, open DMs,
//! removal, expiry and the count of open ones.

use stackpick::conversation::Stage;

use super::{chain, contract, literal, session, Db};

contract! {
    a_session_is_stored_replaced_and_removed,
    a_session_outlives_its_store,
    replace_applies_only_from_the_expected_step,
    open_dm_is_the_latest_dm_conversation_still_asking,
    purge_idle_removes_only_sessions_untouched_before_the_cutoff,
    an_unreadable_stored_conversation_is_an_error_not_a_panic,
    count_open_counts_only_conversations_still_asking,
}

async fn a_session_is_stored_replaced_and_removed(db: &Db) {
    let store = db.open().await;
    assert_eq!(store.get("s1").await.unwrap(), None);
    let mut first = session("s1", 7, None, 10);
    first.guild_id = Some(123_456_789_012_345_678);
    first.preview = true;
    first.set_revision = Some(4);
    store.put(&first).await.unwrap();
    assert_eq!(store.get("s1").await.unwrap(), Some(first.clone()));

    // `put` replaces whatever is there, whatever its step.
    let mut second = session("s1", 8, Some(80), 20);
    second.step = 9;
    store.put(&second).await.unwrap();
    assert_eq!(store.get("s1").await.unwrap(), Some(second.clone()));
    assert!(
        store.replace(&second, 9).await.unwrap(),
        "the step column follows put"
    );

    store.put(&session("s2", 7, None, 10)).await.unwrap();
    store.remove("s1").await.unwrap();
    assert_eq!(store.get("s1").await.unwrap(), None);
    assert!(store.get("s2").await.unwrap().is_some(), "only that one");
    store.remove("s1").await.unwrap();
    store.remove("never-existed").await.unwrap();
}

async fn a_session_outlives_its_store(db: &Db) {
    let store = db.open().await;
    let mut stored = session("s1", u64::from(u32::MAX) + 5, Some(70), 10);
    stored.step = 3;
    store.put(&stored).await.unwrap();
    drop(store);
    let store = db.open().await;
    assert_eq!(store.get("s1").await.unwrap(), Some(stored.clone()));
    assert_eq!(store.open_dm(stored.user_id).await.unwrap(), Some(stored));
    store.ping().await.unwrap();
}

async fn replace_applies_only_from_the_expected_step(db: &Db) {
    let store = db.open().await;
    store.put(&session("s1", 7, Some(70), 10)).await.unwrap();
    let mut next = session("s1", 7, Some(70), 12);
    next.step = 1;
    next.conversation.editing = true;
    assert!(store.replace(&next, 0).await.unwrap());
    assert!(
        !store.replace(&next, 0).await.unwrap(),
        "a second click from step 0 is refused"
    );
    let mut other = next.clone();
    other.step = 6;
    assert!(!store.replace(&other, 5).await.unwrap(), "nor a wrong step");
    assert_eq!(store.get("s1").await.unwrap(), Some(next.clone()));

    let mut later = next.clone();
    later.step = 2;
    later.dm_channel_id = None;
    assert!(store.replace(&later, 1).await.unwrap(), "then from step 1");
    assert_eq!(store.get("s1").await.unwrap(), Some(later));
    assert_eq!(
        store.open_dm(7).await.unwrap(),
        None,
        "replace updates the DM column too"
    );

    let missing = session("nobody", 1, None, 1);
    assert!(
        !store.replace(&missing, 0).await.unwrap(),
        "no row, no replace"
    );
    assert_eq!(store.get("nobody").await.unwrap(), None, "and no insert");
}

async fn open_dm_is_the_latest_dm_conversation_still_asking(db: &Db) {
    let store = db.open().await;
    let older = session("older", 7, Some(70), 10);
    let newer = session("newer", 7, Some(70), 20);
    let mut in_guild = session("guild", 7, None, 30);
    in_guild.guild_id = Some(5);
    let mut finished = session("finished", 7, Some(70), 40);
    finished.conversation.stage = Stage::Finished;
    let someone_else = session("else", 8, Some(80), 50);
    for s in [&older, &newer, &in_guild, &finished, &someone_else] {
        store.put(s).await.unwrap();
    }
    assert_eq!(store.open_dm(7).await.unwrap(), Some(newer.clone()));
    assert_eq!(store.open_dm(8).await.unwrap(), Some(someone_else));
    assert_eq!(store.open_dm(9).await.unwrap(), None);

    // Once the newer one finishes, the older one is the open DM.
    let mut done = newer.clone();
    done.step = 1;
    done.updated_at_ms = 60;
    done.conversation.stage = Stage::Cancelled;
    assert!(store.replace(&done, 0).await.unwrap());
    assert_eq!(store.open_dm(7).await.unwrap(), Some(older));
}

async fn purge_idle_removes_only_sessions_untouched_before_the_cutoff(db: &Db) {
    let store = db.open().await;
    for (id, at) in [("a", 10), ("b", 20), ("c", 30)] {
        store.put(&session(id, 1, None, at)).await.unwrap();
    }
    // Touching `a` saves it.
    let mut touched = session("a", 1, None, 25);
    touched.step = 1;
    assert!(store.replace(&touched, 0).await.unwrap());
    assert_eq!(store.purge_idle(20).await.unwrap(), 0, "b is at the cutoff");
    assert_eq!(store.purge_idle(26).await.unwrap(), 2);
    assert_eq!(store.get("a").await.unwrap(), None);
    assert_eq!(store.get("b").await.unwrap(), None);
    assert!(store.get("c").await.unwrap().is_some());
    assert_eq!(store.purge_idle(26).await.unwrap(), 0);
}

async fn an_unreadable_stored_conversation_is_an_error_not_a_panic(db: &Db) {
    let store = db.open().await;
    store.put(&session("bad", 7, Some(70), 10)).await.unwrap();
    store.put(&session("good", 8, Some(80), 10)).await.unwrap();
    for data in ["{\"not\": \"a session\"}", "not json at all"] {
        db.execute(&format!(
            "UPDATE sessions SET data = {} WHERE id = 'bad'",
            literal(data)
        ))
        .await;
        let err = store.get("bad").await.unwrap_err();
        assert!(
            chain(&err).contains("a stored conversation is unreadable"),
            "{err:#}"
        );
        let err = store.open_dm(7).await.unwrap_err();
        assert!(
            chain(&err).contains("a stored conversation is unreadable"),
            "{err:#}"
        );
    }
    assert!(
        store.get("good").await.unwrap().is_some(),
        "others still read"
    );
    store.remove("bad").await.unwrap();
    assert_eq!(
        store.get("bad").await.unwrap(),
        None,
        "and it can be removed"
    );
}

async fn count_open_counts_only_conversations_still_asking(db: &Db) {
    let store = db.open().await;
    assert_eq!(store.count_open().await.unwrap(), 0, "an empty database");
    let mut in_guild = session("guild", 7, None, 10);
    in_guild.guild_id = Some(5);
    let in_dm = session("dm", 8, Some(80), 20);
    let mut finished = session("finished", 7, Some(70), 30);
    finished.conversation.stage = Stage::Finished;
    let mut cancelled = session("cancelled", 9, None, 40);
    cancelled.conversation.stage = Stage::Cancelled;
    for s in [&in_guild, &in_dm, &finished, &cancelled] {
        store.put(s).await.unwrap();
    }
    assert_eq!(store.count_open().await.unwrap(), 2, "the two still asking");
    // Every process counts the same: it is the database's count.
    assert_eq!(db.open().await.count_open().await.unwrap(), 2);

    // A conversation that finishes (through the compare-and-swap) stops counting...
    let mut done = in_guild.clone();
    done.step = 1;
    done.conversation.stage = Stage::Finished;
    assert!(store.replace(&done, 0).await.unwrap());
    assert_eq!(store.count_open().await.unwrap(), 1);
    // ...and one that asks again (an answer changed from the result) counts again.
    let mut reopened = finished.clone();
    reopened.step = 1;
    reopened.conversation.stage = in_dm.conversation.stage.clone();
    assert!(store.replace(&reopened, 0).await.unwrap());
    assert_eq!(store.count_open().await.unwrap(), 2);
    // A refused replace changes nothing.
    assert!(!store.replace(&done, 0).await.unwrap());
    assert_eq!(store.count_open().await.unwrap(), 2);

    store.remove("dm").await.unwrap();
    assert_eq!(store.count_open().await.unwrap(), 1, "removed");
    assert_eq!(store.purge_idle(1_000).await.unwrap(), 3);
    assert_eq!(store.count_open().await.unwrap(), 0, "purged");
}
