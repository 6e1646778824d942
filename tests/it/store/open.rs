//! `store::open`: the `database` setting picks the backend.

use stackpick::config::{Database, PostgresUrl};
use stackpick::store;

use super::{chain, contract, session, Backend, Db};

contract! {
    open_uses_the_configured_database,
}

async fn open_uses_the_configured_database(db: &Db) {
    let setting = db.as_setting().await;
    let store = store::open(&setting).await.unwrap();
    let name = match db.backend() {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    };
    assert_eq!(store.backend(), name);
    store.ping().await.unwrap();
    store.put(&session("s1", 7, None, 10)).await.unwrap();
    drop(store);
    // The same place as the test's own stores.
    let direct = db.open().await;
    assert_eq!(direct.get("s1").await.unwrap().unwrap().user_id, 7);
}

#[tokio::test]
async fn a_database_that_does_not_answer_is_an_error_without_its_password() {
    // Nothing listens on port 1.
    let url = PostgresUrl::parse("postgres://bot:hunter2-secret@127.0.0.1:1/stackpick").unwrap();
    let err = store::open(&Database::Postgres(url)).await.err().unwrap();
    let message = chain(&err);
    assert!(
        message.contains("postgres://bot:[redacted]@127.0.0.1:1/stackpick"),
        "{message}"
    );
    assert!(!message.contains("hunter2"), "{message}");
}

#[tokio::test]
async fn a_sqlite_path_in_a_missing_folder_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("missing").join("stackpick.db");
    let err = store::open(&Database::Sqlite(path.clone()))
        .await
        .err()
        .unwrap();
    assert!(chain(&err).contains(&path.display().to_string()), "{err:#}");
}
