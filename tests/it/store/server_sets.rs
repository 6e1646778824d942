//! What a server has (its stored sets, its chosen set) is read once and used for a
//! moment: a change made through one process is seen by it at once, and by another
//! process sharing the database once its copy is older than `server_sets_fresh`.

use std::sync::Arc;
use std::time::Duration;

use stackpick::guide::Catalogue;
use stackpick::ids::SetId;
use stackpick::session::{Library, Sessions};

use super::{contract, Db};

contract! {
    a_change_to_a_servers_sets_is_seen_at_once_here_and_soon_elsewhere,
}

const GUILD: u64 = 987_654_321_098_765_432;

/// The `quick` set under another id, as a server would upload it.
fn server_set(id: &str) -> String {
    include_str!("../../../questions/quick.toml").replacen(
        "id = \"quick\"",
        &format!("id = \"{id}\""),
        1,
    )
}

/// The same under another title.
fn retitled(id: &str, title: &str) -> String {
    server_set(id).replacen("title = \"Quick pick\"", &format!("title = \"{title}\""), 1)
}

async fn process(db: &Db, fresh: Duration) -> Arc<Sessions> {
    let catalogue = Catalogue::builtin();
    let mut library = Library::load(catalogue, None).unwrap();
    library.server_sets_fresh = fresh;
    Arc::new(Sessions::new(
        catalogue.clone(),
        library,
        db.open().await,
        Duration::from_secs(60),
    ))
}

async fn active(sessions: &Sessions) -> (String, Option<u32>) {
    let set = sessions.active_set(Some(GUILD)).await.unwrap();
    (set.id.to_string(), set.revision)
}

async fn a_change_to_a_servers_sets_is_seen_at_once_here_and_soon_elsewhere(db: &Db) {
    let fresh = Duration::from_millis(300);
    let here = process(db, fresh).await;
    let elsewhere = process(db, fresh).await;
    assert_eq!(active(&here).await, ("default".to_owned(), None));
    assert_eq!(active(&elsewhere).await, ("default".to_owned(), None));

    // Uploaded and chosen through `here`: `here` uses it on the next start.
    let id = SetId::from("ours");
    let revision = here
        .add_set_version(GUILD, &id, Some(&server_set("ours")), 7, true)
        .await
        .unwrap();
    assert_eq!(active(&here).await, ("ours".to_owned(), Some(revision)));
    let listed = here.sets_for(Some(GUILD)).await.unwrap();
    assert!(listed.contains_key(&id), "listed with the built-in sets");

    // The other process sees it once its copy is older than `fresh`.
    tokio::time::sleep(fresh + Duration::from_millis(50)).await;
    assert_eq!(
        active(&elsewhere).await,
        ("ours".to_owned(), Some(revision))
    );

    // Back to the default through `elsewhere`: seen there at once, here soon.
    elsewhere.set_active(GUILD, None).await.unwrap();
    assert_eq!(active(&elsewhere).await, ("default".to_owned(), None));
    tokio::time::sleep(fresh + Duration::from_millis(50)).await;
    assert_eq!(active(&here).await, ("default".to_owned(), None));

    // A removal (a new version without source) takes the set away at once.
    here.add_set_version(GUILD, &id, None, 7, false)
        .await
        .unwrap();
    let listed = here.sets_for(Some(GUILD)).await.unwrap();
    assert!(!listed.contains_key(&id), "removed");

    // A server's data deleted: nothing of it is used any more, at once.
    let again = here
        .add_set_version(GUILD, &id, Some(&server_set("ours")), 7, true)
        .await
        .unwrap();
    assert_eq!(active(&here).await, ("ours".to_owned(), Some(again)));
    here.store.forget_guild(GUILD).await.unwrap();
    here.forget_guild(GUILD);
    assert_eq!(active(&here).await, ("default".to_owned(), None));

    // Uploaded anew, it starts again at the same revision: the deleted one, parsed
    // before, must not come back in its place.
    let anew = here
        .add_set_version(GUILD, &id, Some(&retitled("ours", "Ours, anew")), 7, true)
        .await
        .unwrap();
    assert_eq!(anew, 1, "revisions start again after a deletion");
    let set = here.active_set(Some(GUILD)).await.unwrap();
    assert_eq!(
        (set.title.as_str(), set.revision),
        ("Ours, anew", Some(anew))
    );
}
