//! Races between "processes": several stores, each with its own connections, on the
//! same database, started together behind a barrier.

use std::sync::Arc;

use stackpick::ids::SetId;
use stackpick::store::{PendingUpload, SettingsChange, Storage};
use tokio::sync::Barrier;

use super::{contract, session, Db};

contract! {
    concurrent_replaces_from_one_step_have_exactly_one_winner,
    concurrent_takes_of_a_pending_upload_get_it_once,
    concurrent_set_uploads_get_distinct_revisions,
    concurrent_settings_changes_do_not_overwrite_each_other,
}

/// Stores on the same database, as separate processes would have.
const PROCESSES: usize = 4;
/// Concurrent callers in each round.
const CALLERS: usize = 12;

async fn processes(db: &Db) -> Vec<Arc<dyn Storage>> {
    let mut stores = Vec::new();
    for _ in 0..PROCESSES {
        stores.push(db.open().await);
    }
    stores
}

async fn concurrent_replaces_from_one_step_have_exactly_one_winner(db: &Db) {
    let stores = processes(db).await;
    stores[0].put(&session("s1", 7, Some(70), 0)).await.unwrap();
    for round in 0..5u32 {
        let barrier = Arc::new(Barrier::new(CALLERS));
        let mut tasks = Vec::new();
        for caller in 0..CALLERS {
            let store = Arc::clone(&stores[caller % PROCESSES]);
            let barrier = Arc::clone(&barrier);
            tasks.push(tokio::spawn(async move {
                let mut click = session("s1", 7, Some(70), 0);
                click.step = round + 1;
                // Which caller's state was stored.
                click.updated_at_ms = u64::from(round) * 1000 + caller as u64;
                barrier.wait().await;
                let won = store.replace(&click, round).await.unwrap();
                (won, click)
            }));
        }
        let mut winners = Vec::new();
        for task in tasks {
            let (won, click) = task.await.unwrap();
            if won {
                winners.push(click);
            }
        }
        assert_eq!(winners.len(), 1, "round {round}: exactly one click applies");
        assert_eq!(
            stores[1].get("s1").await.unwrap().as_ref(),
            Some(&winners[0]),
            "round {round}: the winner's state is the stored one"
        );
    }
}

async fn concurrent_takes_of_a_pending_upload_get_it_once(db: &Db) {
    let stores = processes(db).await;
    for round in 0..5 {
        let id = format!("p{round}");
        stores[0]
            .put_pending(&PendingUpload {
                id: id.clone(),
                guild_id: 5,
                user_id: 1,
                set_id: SetId::from("team"),
                source: "v".to_owned(),
                activate: false,
            })
            .await
            .unwrap();
        let barrier = Arc::new(Barrier::new(CALLERS));
        let mut tasks = Vec::new();
        for caller in 0..CALLERS {
            let store = Arc::clone(&stores[caller % PROCESSES]);
            let (barrier, id) = (Arc::clone(&barrier), id.clone());
            tasks.push(tokio::spawn(async move {
                barrier.wait().await;
                store.take_pending(&id).await.unwrap()
            }));
        }
        let mut taken = 0;
        for task in tasks {
            if let Some(upload) = task.await.unwrap() {
                assert_eq!(upload.id, id);
                taken += 1;
            }
        }
        assert_eq!(taken, 1, "round {round}: one confirmation applies it");
    }
}

async fn concurrent_set_uploads_get_distinct_revisions(db: &Db) {
    let stores = processes(db).await;
    let barrier = Arc::new(Barrier::new(CALLERS));
    let mut tasks = Vec::new();
    for caller in 0..CALLERS {
        let store = Arc::clone(&stores[caller % PROCESSES]);
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            let source = format!("upload {caller}");
            barrier.wait().await;
            store
                .add_set_version(
                    5,
                    &SetId::from("team"),
                    Some(&source),
                    caller as u64,
                    caller % 2 == 0,
                )
                .await
                .unwrap()
        }));
    }
    let mut revisions = Vec::new();
    for task in tasks {
        revisions.push(task.await.unwrap());
    }
    revisions.sort_unstable();
    let expected: Vec<u32> = (1..=CALLERS as u32).collect();
    assert_eq!(
        revisions, expected,
        "each upload its own revision, none lost"
    );
    let versions = stores[0]
        .set_versions(5, &SetId::from("team"))
        .await
        .unwrap();
    assert_eq!(versions.len(), CALLERS);
    for version in &versions {
        assert_eq!(
            version.source.as_deref(),
            Some(format!("upload {}", version.changed_by).as_str()),
            "revision {} holds its own upload",
            version.revision
        );
    }
    assert_eq!(
        stores[0].settings(5).await.unwrap().active_set,
        Some(SetId::from("team"))
    );
}

async fn concurrent_settings_changes_do_not_overwrite_each_other(db: &Db) {
    let stores = processes(db).await;
    for round in 0..10u64 {
        let guild = 100 + round;
        let barrier = Arc::new(Barrier::new(3));
        let logging = {
            let (store, barrier) = (Arc::clone(&stores[0]), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                let change = SettingsChange {
                    log_channel_id: Some(Some(9)),
                    results_public: None,
                };
                store.update_settings(guild, &change).await.unwrap();
            })
        };
        let public = {
            let (store, barrier) = (Arc::clone(&stores[1]), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                let change = SettingsChange {
                    log_channel_id: None,
                    results_public: Some(true),
                };
                store.update_settings(guild, &change).await.unwrap();
            })
        };
        let active = {
            let (store, barrier) = (Arc::clone(&stores[2]), Arc::clone(&barrier));
            tokio::spawn(async move {
                barrier.wait().await;
                store
                    .add_set_version(guild, &SetId::from("team"), Some("v"), 1, true)
                    .await
                    .unwrap();
            })
        };
        for task in [logging, public, active] {
            task.await.unwrap();
        }
        let settings = stores[3].settings(guild).await.unwrap();
        assert_eq!(settings.log_channel_id, Some(9), "round {round}");
        assert!(settings.results_public, "round {round}");
        assert_eq!(
            settings.active_set,
            Some(SetId::from("team")),
            "round {round}"
        );
    }
}
