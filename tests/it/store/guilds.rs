//! Server settings, question-set versions (append-only, removal as a version,
//! activation in the same transaction) and pending uploads.

use stackpick::ids::SetId;
use stackpick::store::{now_ms, GuildSettings, PendingUpload, SettingsChange};

use super::{contract, Db};

contract! {
    settings_start_as_defaults_and_change_one_at_a_time,
    set_versions_are_append_only_with_removal_as_a_version,
    activation_goes_with_the_upload_and_removing_the_active_set_resets_it,
    current_sets_are_in_byte_order_and_per_server,
    a_pending_upload_is_taken_once,
    an_out_of_range_stored_revision_is_an_error_not_a_panic,
}

const LOGGING: SettingsChange = SettingsChange {
    log_channel_id: Some(Some(900_000_000_000_000_009)),
    results_public: None,
};
const PUBLIC: SettingsChange = SettingsChange {
    log_channel_id: None,
    results_public: Some(true),
};

async fn settings_start_as_defaults_and_change_one_at_a_time(db: &Db) {
    let store = db.open().await;
    let guild = 800_000_000_000_000_005;
    assert_eq!(
        store.settings(guild).await.unwrap(),
        GuildSettings::default()
    );

    store.update_settings(guild, &LOGGING).await.unwrap();
    let settings = store.settings(guild).await.unwrap();
    assert_eq!(settings.log_channel_id, Some(900_000_000_000_000_009));
    assert!(!settings.results_public);

    store.update_settings(guild, &PUBLIC).await.unwrap();
    let settings = store.settings(guild).await.unwrap();
    assert_eq!(
        settings.log_channel_id,
        Some(900_000_000_000_000_009),
        "untouched"
    );
    assert!(settings.results_public);

    let team = SetId::from("team");
    store.set_active(guild, Some(&team)).await.unwrap();
    store
        .update_settings(
            guild,
            &SettingsChange {
                log_channel_id: Some(None),
                results_public: Some(false),
            },
        )
        .await
        .unwrap();
    assert_eq!(
        store.settings(guild).await.unwrap(),
        GuildSettings {
            active_set: Some(team),
            log_channel_id: None,
            results_public: false,
        },
        "settings keep the active set; Some(None) stops logging"
    );
    store.set_active(guild, None).await.unwrap();
    assert_eq!(store.settings(guild).await.unwrap().active_set, None);
    store
        .update_settings(guild, &SettingsChange::default())
        .await
        .unwrap();
    assert_eq!(
        store.settings(guild).await.unwrap(),
        GuildSettings::default()
    );

    // A first change on a new server keeps the other defaults.
    store.update_settings(6, &PUBLIC).await.unwrap();
    assert_eq!(
        store.settings(6).await.unwrap(),
        GuildSettings {
            results_public: true,
            ..GuildSettings::default()
        }
    );
    assert_eq!(
        store.settings(7).await.unwrap(),
        GuildSettings::default(),
        "per server"
    );
}

async fn set_versions_are_append_only_with_removal_as_a_version(db: &Db) {
    let store = db.open().await;
    let id = SetId::from("team");
    let before = now_ms();
    assert_eq!(
        store
            .add_set_version(5, &id, Some("v1"), 11, false)
            .await
            .unwrap(),
        1
    );
    assert_eq!(
        store
            .add_set_version(5, &id, Some("v2"), 12, false)
            .await
            .unwrap(),
        2
    );
    let current = store.current_sets(5).await.unwrap();
    assert_eq!(current.len(), 1);
    assert_eq!(
        (current[0].revision, current[0].source.as_deref()),
        (2, Some("v2"))
    );
    assert_eq!(current[0].changed_by, 12);
    assert!(current[0].changed_at_ms >= before && current[0].changed_at_ms <= now_ms());

    assert_eq!(
        store
            .add_set_version(5, &id, None, 13, false)
            .await
            .unwrap(),
        3
    );
    assert!(store.current_sets(5).await.unwrap().is_empty(), "removed");
    let versions = store.set_versions(5, &id).await.unwrap();
    let summary: Vec<_> = versions
        .iter()
        .map(|v| (v.revision, v.source.as_deref(), v.changed_by))
        .collect();
    assert_eq!(
        summary,
        [(1, Some("v1"), 11), (2, Some("v2"), 12), (3, None, 13)],
        "every version kept, oldest first"
    );

    // Uploading again continues the numbering.
    assert_eq!(
        store
            .add_set_version(5, &id, Some("v4"), 11, false)
            .await
            .unwrap(),
        4
    );
    assert_eq!(store.current_sets(5).await.unwrap()[0].revision, 4);
    assert_eq!(store.set_versions(6, &id).await.unwrap(), [], "per server");
    assert_eq!(
        store.set_versions(5, &SetId::from("other")).await.unwrap(),
        []
    );
}

async fn activation_goes_with_the_upload_and_removing_the_active_set_resets_it(db: &Db) {
    let store = db.open().await;
    let (team, other) = (SetId::from("team"), SetId::from("other"));
    store
        .add_set_version(5, &team, Some("v1"), 1, true)
        .await
        .unwrap();
    assert_eq!(
        store.settings(5).await.unwrap().active_set,
        Some(team.clone())
    );
    store.update_settings(5, &LOGGING).await.unwrap();

    store
        .add_set_version(5, &other, Some("o1"), 1, false)
        .await
        .unwrap();
    assert_eq!(
        store.settings(5).await.unwrap().active_set,
        Some(team.clone()),
        "an upload without activation leaves the active set"
    );
    store
        .add_set_version(5, &other, None, 1, false)
        .await
        .unwrap();
    assert_eq!(
        store.settings(5).await.unwrap().active_set,
        Some(team.clone()),
        "removing another set leaves it too"
    );
    store
        .add_set_version(5, &team, None, 1, true)
        .await
        .unwrap();
    let settings = store.settings(5).await.unwrap();
    assert_eq!(
        settings.active_set, None,
        "removing the active set resets to the default, even asked to activate"
    );
    assert_eq!(
        settings.log_channel_id,
        LOGGING.log_channel_id.flatten(),
        "and nothing else"
    );

    store
        .add_set_version(5, &other, Some("o3"), 1, true)
        .await
        .unwrap();
    assert_eq!(store.settings(5).await.unwrap().active_set, Some(other));
    assert_eq!(
        store.settings(6).await.unwrap().active_set,
        None,
        "per server"
    );
}

async fn current_sets_are_in_byte_order_and_per_server(db: &Db) {
    let store = db.open().await;
    for (guild, name) in [
        (5, "beta"),
        (5, "Zeta"),
        (5, "alpha"),
        (5, "_under"),
        (6, "gamma"),
    ] {
        store
            .add_set_version(guild, &SetId::from(name), Some(name), 1, false)
            .await
            .unwrap();
    }
    store
        .add_set_version(5, &SetId::from("beta"), Some("beta 2"), 1, false)
        .await
        .unwrap();
    let current: Vec<_> = store
        .current_sets(5)
        .await
        .unwrap()
        .into_iter()
        .map(|s| (s.set_id.to_string(), s.revision, s.source))
        .collect();
    assert_eq!(
        current,
        [
            ("Zeta".to_owned(), 1, Some("Zeta".to_owned())),
            ("_under".to_owned(), 1, Some("_under".to_owned())),
            ("alpha".to_owned(), 1, Some("alpha".to_owned())),
            ("beta".to_owned(), 2, Some("beta 2".to_owned())),
        ]
    );
    assert_eq!(store.current_sets(6).await.unwrap().len(), 1);
    assert!(store.current_sets(7).await.unwrap().is_empty());
}

async fn a_pending_upload_is_taken_once(db: &Db) {
    let store = db.open().await;
    let mut pending = PendingUpload {
        id: "p1".to_owned(),
        guild_id: 800_000_000_000_000_005,
        user_id: 700_000_000_000_000_001,
        set_id: SetId::from("team"),
        source: "id = \"team\"\n# it's quoted".to_owned(),
        activate: true,
    };
    store.put_pending(&pending).await.unwrap();
    pending.source.push_str("\n# again");
    pending.activate = false;
    store.put_pending(&pending).await.unwrap();
    store
        .put_pending(&PendingUpload {
            id: "p2".to_owned(),
            ..pending.clone()
        })
        .await
        .unwrap();
    assert_eq!(
        store.take_pending("p1").await.unwrap(),
        Some(pending.clone()),
        "the latest put"
    );
    assert_eq!(store.take_pending("p1").await.unwrap(), None, "only once");
    assert_eq!(store.take_pending("missing").await.unwrap(), None);

    assert_eq!(
        store.purge_pending(0).await.unwrap(),
        0,
        "a fresh upload stays"
    );
    assert_eq!(store.purge_pending(now_ms() + 60_000).await.unwrap(), 1);
    assert_eq!(store.take_pending("p2").await.unwrap(), None, "purged");
}

async fn an_out_of_range_stored_revision_is_an_error_not_a_panic(db: &Db) {
    let store = db.open().await;
    let id = SetId::from("team");
    store
        .add_set_version(5, &id, Some("v1"), 1, false)
        .await
        .unwrap();
    db.execute("UPDATE question_sets SET revision = -1").await;
    assert!(store.set_versions(5, &id).await.is_err());
    assert!(store.current_sets(5).await.is_err());
    db.execute("UPDATE question_sets SET revision = 99999999999")
        .await;
    assert!(store.set_versions(5, &id).await.is_err());
}
