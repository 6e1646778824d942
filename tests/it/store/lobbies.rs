//! Team lobbies: stored whole, replaced only from the version read (so members
//! finishing at once, on several processes, all count), purged by age.

use std::sync::Arc;
use std::time::Duration;

use stackpick::engine::team::recommend_team;
use stackpick::guide::Catalogue;
use stackpick::questionnaire::Answers;
use stackpick::session::{Library, Sessions};
use stackpick::store::{Lobby, LobbyMember, LobbyStatus};
use tokio::sync::Barrier;

use super::{chain, contract, literal, Db};
use crate::core::{answers, builtin};

contract! {
    a_lobby_is_stored_replaced_only_from_its_version_and_outlives_its_store,
    purge_lobbies_removes_only_lobbies_opened_before_the_cutoff,
    an_unreadable_stored_lobby_is_an_error_not_a_panic,
    members_finishing_at_once_on_several_processes_all_count,
}

/// An open lobby of the default set, opened at `at`.
pub fn lobby(id: &str, at: u64) -> Lobby {
    let set = builtin("default");
    Lobby {
        id: id.to_owned(),
        guild_id: 123_456_789_012_345_678,
        channel_id: 42,
        message_id: None,
        organiser_id: 7,
        set_id: set.id.clone(),
        set_version: set.version,
        set_revision: None,
        set_title: set.title.clone(),
        members: Vec::new(),
        status: LobbyStatus::Open,
        version: 0,
        created_at_ms: at,
    }
}

pub fn member(user_id: u64, language: &str) -> LobbyMember {
    LobbyMember {
        user_id,
        answers: answers(&[("languages", &[language])]),
        show_answers: user_id % 2 == 0,
    }
}

async fn a_lobby_is_stored_replaced_only_from_its_version_and_outlives_its_store(db: &Db) {
    let store = db.open().await;
    assert_eq!(store.get_lobby("l1").await.unwrap(), None);
    let first = lobby("l1", 10);
    store.put_lobby(&first).await.unwrap();
    assert_eq!(store.get_lobby("l1").await.unwrap(), Some(first.clone()));

    let mut next = first.clone();
    next.version = 1;
    next.message_id = Some(u64::from(u32::MAX) + 9);
    next.members = vec![member(8, "ruby"), member(9, "elixir")];
    assert!(store.replace_lobby(&next, 0).await.unwrap());
    assert!(
        !store.replace_lobby(&next, 0).await.unwrap(),
        "a second change from version 0 is refused"
    );
    // A decided lobby keeps its whole result.
    let mut decided = next.clone();
    decided.version = 2;
    let team: Vec<Answers> = next.members.iter().map(|m| m.answers.clone()).collect();
    let result = recommend_team(Catalogue::builtin(), &builtin("default"), &team).unwrap();
    decided.status = LobbyStatus::Decided {
        result: Box::new(result),
        by: 7,
    };
    assert!(store.replace_lobby(&decided, 1).await.unwrap());
    drop(store);
    let reopened = db.open().await;
    assert_eq!(reopened.get_lobby("l1").await.unwrap(), Some(decided));

    let missing = lobby("nowhere", 1);
    assert!(
        !reopened.replace_lobby(&missing, 0).await.unwrap(),
        "no row, no replace"
    );
    assert_eq!(
        reopened.get_lobby("nowhere").await.unwrap(),
        None,
        "and no insert"
    );
}

async fn purge_lobbies_removes_only_lobbies_opened_before_the_cutoff(db: &Db) {
    let store = db.open().await;
    for (id, at) in [("old", 100), ("edge", 200), ("new", 300)] {
        store.put_lobby(&lobby(id, at)).await.unwrap();
    }
    assert_eq!(store.purge_lobbies(200).await.unwrap(), 1);
    assert_eq!(store.get_lobby("old").await.unwrap(), None);
    assert!(store.get_lobby("edge").await.unwrap().is_some());
    assert!(store.get_lobby("new").await.unwrap().is_some());
    assert_eq!(store.purge_lobbies(200).await.unwrap(), 0);
}

async fn an_unreadable_stored_lobby_is_an_error_not_a_panic(db: &Db) {
    let store = db.open().await;
    store.put_lobby(&lobby("bad", 10)).await.unwrap();
    store.put_lobby(&lobby("good", 10)).await.unwrap();
    for data in ["{\"not\": \"a lobby\"}", "not json at all"] {
        db.execute(&format!(
            "UPDATE lobbies SET data = {} WHERE id = 'bad'",
            literal(data)
        ))
        .await;
        let err = store.get_lobby("bad").await.unwrap_err();
        assert!(
            chain(&err).contains("a stored team lobby is unreadable"),
            "{err:#}"
        );
        assert!(store.get_lobby("good").await.unwrap().is_some());
    }
}

/// Stores on the same database, as separate processes would have.
const PROCESSES: usize = 3;
/// Members finishing at the same moment.
const MEMBERS: u64 = 12;

async fn members_finishing_at_once_on_several_processes_all_count(db: &Db) {
    let catalogue = Catalogue::builtin();
    let mut services = Vec::new();
    for _ in 0..PROCESSES {
        let library = Library::load(catalogue, None).unwrap();
        services.push(Arc::new(Sessions::new(
            catalogue.clone(),
            library,
            db.open().await,
            Duration::from_secs(60),
        )));
    }
    let opened = stackpick::store::now_ms();
    services[0]
        .store
        .put_lobby(&lobby("team", opened))
        .await
        .unwrap();
    let barrier = Arc::new(Barrier::new(MEMBERS as usize));
    let mut tasks = Vec::new();
    for user in 0..MEMBERS {
        let service = Arc::clone(&services[user as usize % PROCESSES]);
        let barrier = Arc::clone(&barrier);
        tasks.push(tokio::spawn(async move {
            barrier.wait().await;
            service
                .change_lobby("team", |lobby| {
                    lobby.members.push(member(100 + user, "rust"));
                    Ok(())
                })
                .await
                .unwrap()
                .unwrap()
        }));
    }
    let mut versions = Vec::new();
    for task in tasks {
        versions.push(task.await.unwrap().version);
    }
    versions.sort_unstable();
    assert_eq!(
        versions,
        (1..=MEMBERS as u32).collect::<Vec<_>>(),
        "one change per version"
    );
    let stored = services[1].store.get_lobby("team").await.unwrap().unwrap();
    let mut users: Vec<u64> = stored.members.iter().map(|m| m.user_id).collect();
    users.sort_unstable();
    assert_eq!(
        users,
        (100..100 + MEMBERS).collect::<Vec<_>>(),
        "every member counted"
    );
}
