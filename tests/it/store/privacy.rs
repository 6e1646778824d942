//! Users' data: the retention purge with a clock the test moves, `/forget`'s
//! `forget_user` and a server's `forget_guild`, each removing exactly its rows.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use stackpick::conversation::Stage;
use stackpick::ids::SetId;
use stackpick::session::purge::{self, Policy};
use stackpick::store::{Clock, PendingUpload, Removed, Session, Storage};

use super::{contract, result, session, Db};

contract! {
    the_retention_purge_deletes_old_results_and_finished_conversations_as_time_moves,
    forget_user_deletes_everything_of_that_user_and_nothing_else,
    forget_guild_deletes_everything_of_that_server_and_nothing_else,
    forgetting_takes_a_user_out_of_team_lobbies_and_deletes_those_they_opened,
}

const DAY_MS: u64 = 24 * 60 * 60 * 1000;

/// A clock the test sets.
struct ManualClock(AtomicU64);

impl ManualClock {
    fn at(ms: u64) -> Self {
        ManualClock(AtomicU64::new(ms))
    }

    fn advance(&self, by_ms: u64) {
        self.0.fetch_add(by_ms, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now_ms(&self) -> u64 {
        self.0.load(Ordering::SeqCst)
    }
}

fn finished(id: &str, user: u64, guild: Option<u64>, at: u64) -> Session {
    let mut s = session(id, user, None, at);
    s.guild_id = guild;
    s.conversation.stage = Stage::Finished;
    s
}

async fn result_count(store: &dyn Storage, user: u64) -> usize {
    store.recent_results(user, 100).await.unwrap().len()
}

async fn the_retention_purge_deletes_old_results_and_finished_conversations_as_time_moves(db: &Db) {
    let store = db.open().await;
    let now = 1_000 * DAY_MS;
    let clock = ManualClock::at(now);
    // Idle conversations expire after 400 days here, so only the retention acts first.
    let policy = Policy {
        idle_timeout: Duration::from_secs(400 * 24 * 60 * 60),
        retention: Duration::from_secs(30 * 24 * 60 * 60),
    };
    let mut old_finished = finished("old-done", 7, Some(5), now - 31 * DAY_MS);
    let mut young_finished = finished("young-done", 7, None, now - 29 * DAY_MS);
    let old_open = session("old-open", 7, Some(70), now - 31 * DAY_MS);
    for s in [&old_finished, &young_finished, &old_open] {
        store.put(s).await.unwrap();
    }
    store
        .add_result(&result(7, Some(5), now - 31 * DAY_MS), &mut old_finished)
        .await
        .unwrap();
    store
        .add_result(&result(7, None, now - 29 * DAY_MS), &mut young_finished)
        .await
        .unwrap();
    let other_user_young = result(8, None, now - DAY_MS);
    store
        .add_result(&other_user_young, &mut session("x", 8, None, now))
        .await
        .unwrap();

    let purged = purge::run_once(store.as_ref(), &clock, &policy)
        .await
        .unwrap();
    assert_eq!(
        purged.expired,
        Removed {
            conversations: 1,
            results: 1,
            ..Removed::default()
        }
    );
    assert_eq!(purged.idle, 0);
    assert_eq!(store.get("old-done").await.unwrap(), None);
    assert!(store.get("young-done").await.unwrap().is_some());
    assert!(
        store.get("old-open").await.unwrap().is_some(),
        "a conversation still asking is the idle purge's"
    );
    let left = store.recent_results(7, 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].created_at_ms, now - 29 * DAY_MS);

    // Nothing more is due until time moves: a second round removes nothing.
    let again = purge::run_once(store.as_ref(), &clock, &policy)
        .await
        .unwrap();
    assert_eq!(again.expired.total() + again.idle as u64, 0);

    clock.advance(2 * DAY_MS);
    let purged = purge::run_once(store.as_ref(), &clock, &policy)
        .await
        .unwrap();
    assert_eq!(
        (purged.expired.results, purged.expired.conversations),
        (1, 1)
    );
    assert_eq!(result_count(store.as_ref(), 7).await, 0);
    assert_eq!(store.get("young-done").await.unwrap(), None);
    assert_eq!(result_count(store.as_ref(), 8).await, 1, "still young");
    assert!(store.get("old-open").await.unwrap().is_some());

    // The idle timeout still expires the unfinished conversation, as before.
    clock.advance(400 * DAY_MS);
    let purged = purge::run_once(store.as_ref(), &clock, &policy)
        .await
        .unwrap();
    assert_eq!(purged.idle, 1);
    assert_eq!(store.get("old-open").await.unwrap(), None);
    assert_eq!(result_count(store.as_ref(), 8).await, 0);
}

/// Everything a user and a server can have stored.
async fn populate(store: &dyn Storage, user: u64, guild: u64, tag: &str) {
    let mut in_guild = finished(&format!("{tag}-g"), user, Some(guild), 10);
    store.put(&in_guild).await.unwrap();
    store
        .add_result(&result(user, Some(guild), 10), &mut in_guild)
        .await
        .unwrap();
    let mut in_dm = finished(&format!("{tag}-dm"), user, None, 11);
    in_dm.dm_channel_id = Some(user + 1000);
    store.put(&in_dm).await.unwrap();
    store
        .add_result(&result(user, None, 11), &mut in_dm)
        .await
        .unwrap();
    let mut asking = session(&format!("{tag}-open"), user, None, 12);
    asking.guild_id = Some(guild);
    store.put(&asking).await.unwrap();
    store
        .add_set_version(guild, &SetId::from("team"), Some("v1"), user, true)
        .await
        .unwrap();
    store
        .put_pending(&PendingUpload {
            id: format!("{tag}-up"),
            guild_id: guild,
            user_id: user,
            set_id: SetId::from("team"),
            source: "v2".to_owned(),
            activate: false,
        })
        .await
        .unwrap();
}

async fn forget_user_deletes_everything_of_that_user_and_nothing_else(db: &Db) {
    let store = db.open().await;
    populate(store.as_ref(), 7, 5, "a").await;
    populate(store.as_ref(), 8, 5, "b").await;

    let removed = store.forget_user(7).await.unwrap();
    assert_eq!(
        removed,
        Removed {
            conversations: 3,
            results: 2,
            pending_uploads: 1,
            ..Removed::default()
        }
    );
    for id in ["a-g", "a-dm", "a-open"] {
        assert_eq!(store.get(id).await.unwrap(), None, "{id}");
    }
    assert_eq!(store.open_dm(7).await.unwrap(), None);
    assert_eq!(result_count(store.as_ref(), 7).await, 0);
    assert_eq!(store.take_pending("a-up").await.unwrap(), None);
    // The server's set stays, no longer naming who uploaded it.
    let versions = store.set_versions(5, &SetId::from("team")).await.unwrap();
    let by: Vec<u64> = versions.iter().map(|v| v.changed_by).collect();
    assert_eq!(by, [0, 8]);
    // The other user keeps everything.
    for id in ["b-g", "b-dm", "b-open"] {
        assert!(store.get(id).await.unwrap().is_some(), "{id}");
    }
    assert_eq!(result_count(store.as_ref(), 8).await, 2);
    assert!(store.take_pending("b-up").await.unwrap().is_some());
    // Forgetting again finds nothing.
    assert_eq!(store.forget_user(7).await.unwrap(), Removed::default());
}

async fn forget_guild_deletes_everything_of_that_server_and_nothing_else(db: &Db) {
    let store = db.open().await;
    populate(store.as_ref(), 7, 5, "a").await;
    populate(store.as_ref(), 8, 6, "b").await;
    store
        .update_settings(
            5,
            &stackpick::store::SettingsChange {
                log_channel_id: Some(Some(99)),
                results_public: Some(true),
            },
        )
        .await
        .unwrap();

    let removed = store.forget_guild(5).await.unwrap();
    assert_eq!(
        removed,
        Removed {
            conversations: 2,
            results: 1,
            pending_uploads: 1,
            set_versions: 1,
            settings: 1,
            lobbies: 0,
        }
    );
    assert_eq!(store.get("a-g").await.unwrap(), None);
    assert_eq!(store.get("a-open").await.unwrap(), None);
    assert!(
        store.get("a-dm").await.unwrap().is_some(),
        "a DM conversation is the user's, not the server's"
    );
    let left = store.recent_results(7, 10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].guild_id, None);
    assert_eq!(store.settings(5).await.unwrap(), Default::default());
    assert!(store.current_sets(5).await.unwrap().is_empty());
    assert!(store
        .set_versions(5, &SetId::from("team"))
        .await
        .unwrap()
        .is_empty());
    assert_eq!(store.take_pending("a-up").await.unwrap(), None);
    // The other server keeps everything.
    assert_eq!(store.current_sets(6).await.unwrap().len(), 1);
    assert!(store.get("b-g").await.unwrap().is_some());
    assert_eq!(result_count(store.as_ref(), 8).await, 2);
    assert!(store.take_pending("b-up").await.unwrap().is_some());
}

async fn forgetting_takes_a_user_out_of_team_lobbies_and_deletes_those_they_opened(db: &Db) {
    use super::lobbies::{lobby, member};
    let store = db.open().await;
    // Opened by 7; 8 and 9 answered (9's id also appears inside 8's: 99 vs 9).
    let mut theirs = lobby("theirs", 10);
    theirs.members = vec![member(99, "php"), member(9, "elixir")];
    store.put_lobby(&theirs).await.unwrap();
    let mut opened = lobby("opened", 10);
    opened.organiser_id = 9;
    opened.members = vec![member(11, "ruby")];
    store.put_lobby(&opened).await.unwrap();
    let mut other = lobby("other", 10);
    other.members = vec![member(99, "rust")];
    store.put_lobby(&other).await.unwrap();

    let removed = store.forget_user(9).await.unwrap();
    assert_eq!(removed.lobbies, 2, "{removed:?}");
    let left = store.get_lobby("theirs").await.unwrap().unwrap();
    assert_eq!(
        left.members.iter().map(|m| m.user_id).collect::<Vec<_>>(),
        [99],
        "only their answers went"
    );
    assert_eq!(left.version, theirs.version + 1, "a racing member retries");
    assert_eq!(
        store.get_lobby("opened").await.unwrap(),
        None,
        "the lobby they opened"
    );
    assert_eq!(
        store.get_lobby("other").await.unwrap(),
        Some(other),
        "untouched"
    );

    // A server's deletion takes its lobbies.
    let removed = store.forget_guild(theirs.guild_id).await.unwrap();
    assert_eq!(removed.lobbies, 2);
    assert_eq!(store.get_lobby("theirs").await.unwrap(), None);
}
