//! The real `stackpick serve` process, killed with SIGKILL mid-conversation and right
//! after an acknowledged upload, then restarted on the same SQLite file: nothing that
//! was answered or acknowledged is lost.

use serde_json::{json, Value};

use super::{
    button, callback_data, components, description, footer, questions, select, server_admin, title,
    upload_command, Process, T,
};
use crate::core::builtin;
use crate::store::{Backend, Db};
use crate::support::fake_discord::payloads::{self, Origin, MEMBER_PERMISSIONS};
use crate::support::fake_discord::FakeDiscord;
use stackpick::config::Database;

async fn interact(fake: &FakeDiscord, interaction: Value) -> (Value, String) {
    let token = interaction["token"].as_str().unwrap().to_owned();
    let mark = fake.mark();
    fake.dispatch("INTERACTION_CREATE", interaction)
        .await
        .unwrap();
    let call = fake
        .wait_for_call(mark, T, |c| {
            c.path.contains(&token)
                && (c.is("POST", "/interactions/*/*/callback")
                    || c.is("PATCH", "/webhooks/*/*/messages/@original"))
                && (c.method == "PATCH" || c.body.as_ref().is_some_and(|b| b["type"] != 5))
        })
        .await
        .unwrap();
    let data = if call.method == "PATCH" {
        call.body.clone().unwrap()
    } else {
        callback_data(&call)
    };
    (data, token)
}

#[tokio::test]
async fn a_killed_bot_loses_no_answer_and_no_acknowledged_upload() {
    let fake = FakeDiscord::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let me = Origin::guild(payloads::member(
        &payloads::user_with_id(2_100, "ada"),
        MEMBER_PERMISSIONS,
    ));
    let process = Process::start(&fake, dir.path()).await;

    // Two answers, each acknowledged by Discord's view of the message.
    let (_, token) = interact(&fake, payloads::slash_command("recommend", json!([]), &me)).await;
    let mut message = fake.original_response(&token).unwrap();
    for (question, option) in [("languages", "elixir"), ("stick_to_languages", "prefer")] {
        let token = answer(&fake, &message, &me, question, option).await;
        message = fake.original_response(&token).unwrap();
    }
    assert!(
        footer(&message).starts_with("Question 3 of"),
        "{}",
        footer(&message)
    );

    // An upload the bot acknowledged.
    let admin = server_admin(2_200);
    let source = "id = \"crash\"\ntitle = \"Crash test\"\nversion = 1\n\n[[questions]]\nid = \"q\"\nprompt = \"Still here?\"\n\n  [[questions.options]]\n  id = \"yes\"\n  label = \"Yes\"\n\n  [[questions.options]]\n  id = \"no\"\n  label = \"No\"\n";
    let attachment = fake.host_attachment("crash.toml", source.as_bytes());
    let (acknowledged, _) = interact(&fake, upload_command(&attachment, None, &admin)).await;
    assert!(
        description(&acknowledged).contains("as version 1"),
        "{acknowledged}"
    );

    process.kill();
    let _process = Process::start(&fake, dir.path()).await;

    // The conversation continues at question 3 with both answers kept.
    let token = answer(&fake, &message, &me, "experience", "senior").await;
    let message = fake.original_response(&token).unwrap();
    assert!(
        footer(&message).starts_with("Question 4 of"),
        "{}",
        footer(&message)
    );
    assert!(title(&message).starts_with("What are you building?"));

    // And the upload is there.
    let list = questions("list", json!([]), &admin);
    let (listed, _) = interact(&fake, list).await;
    assert!(
        description(&listed).contains("`crash`"),
        "{}",
        description(&listed)
    );
    fake.assert_no_violations();
}

/// Answers a default-set question shown in `message` by clicking its button or
/// picking it in the select menu; returns the click's interaction token.
async fn answer(
    fake: &FakeDiscord,
    message: &Value,
    origin: &Origin,
    question: &str,
    option: &str,
) -> String {
    let set = builtin("default");
    let q = set.question(&question.into()).unwrap();
    assert!(
        title(message).starts_with(&q.prompt),
        "shown: {}",
        title(message)
    );
    let index = (q.option_number(&option.into()).unwrap() - 1).to_string();
    let click = if components(message).iter().any(|c| c["type"] == 3) {
        payloads::component_click(&select(message), 3, &[&index], message, origin)
    } else {
        payloads::component_click(
            &button(message, &q.option(option).unwrap().label),
            2,
            &[],
            message,
            origin,
        )
    };
    interact(fake, click).await.1
}

#[tokio::test]
async fn a_bot_killed_in_the_middle_of_an_upload_stores_nothing_half_done() {
    let fake = FakeDiscord::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let admin = server_admin(2_300);
    let source = "id = \"midway\"\ntitle = \"Midway\"\nversion = 1\n\n[[questions]]\nid = \"q\"\nprompt = \"Here?\"\n\n  [[questions.options]]\n  id = \"yes\"\n  label = \"Yes\"\n\n  [[questions.options]]\n  id = \"no\"\n  label = \"No\"\n";
    let process = Process::start(&fake, dir.path()).await;

    // The upload is acknowledged (deferred) and then hangs on the download: kill now.
    let stalled = fake.host_stalled_attachment("midway.toml", source.as_bytes());
    let interaction = upload_command(&stalled, None, &admin);
    let token = interaction["token"].as_str().unwrap().to_owned();
    let mark = fake.mark();
    fake.dispatch("INTERACTION_CREATE", interaction)
        .await
        .unwrap();
    let deferred = fake
        .wait_for_call(mark, T, |c| {
            c.is("POST", "/interactions/*/*/callback") && c.path.contains(&token)
        })
        .await
        .unwrap();
    assert_eq!(deferred.body.as_ref().unwrap()["type"], 5);
    process.kill();

    let _process = Process::start(&fake, dir.path()).await;
    let list = questions("list", json!([]), &admin);
    let (listed, _) = interact(&fake, list).await;
    assert!(
        !description(&listed).contains("`midway`"),
        "nothing half-stored: {}",
        description(&listed)
    );
    // The admin simply uploads again: it is the first version.
    let (stored, _) = interact(
        &fake,
        upload_command(
            &fake.host_attachment("midway.toml", source.as_bytes()),
            None,
            &admin,
        ),
    )
    .await;
    assert!(description(&stored).contains("as version 1"), "{stored}");
    fake.assert_no_violations();
}

/// A process running one shard of two, on PostgreSQL, killed with SIGKILL
/// mid-conversation: a new process for that shard continues from the last answer
/// that was acknowledged.
#[tokio::test]
async fn a_killed_shard_process_on_postgresql_loses_no_answer() {
    let Some(db) = Db::new(Backend::Postgres).await else {
        return;
    };
    let database = match db.as_setting().await {
        Database::Postgres(url) => url.expose().to_owned(),
        Database::Sqlite(path) => path.display().to_string(),
    };
    let fake = FakeDiscord::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let shard_one = "[gateway]\nshards = { first = 1, count = 1, total = 2 }\n";
    let start = || async {
        let seen = fake.ready_count();
        let process = Process::spawn(&fake, dir.path(), &database, shard_one);
        fake.wait_next_ready(seen, T).await.unwrap();
        process
    };
    let me = Origin::guild_on_shard(
        payloads::member(&payloads::user_with_id(2_400, "grace"), MEMBER_PERMISSIONS),
        1,
        2,
    );
    let process = start().await;
    assert_eq!(fake.shards(), vec![[1, 2]], "only its shard");

    let (_, token) = interact(&fake, payloads::slash_command("recommend", json!([]), &me)).await;
    let mut message = fake.original_response(&token).unwrap();
    for (question, option) in [("languages", "rust"), ("stick_to_languages", "prefer")] {
        let token = answer(&fake, &message, &me, question, option).await;
        message = fake.original_response(&token).unwrap();
    }
    assert!(
        footer(&message).starts_with("Question 3 of"),
        "{}",
        footer(&message)
    );

    process.kill();
    let _process = start().await;

    let token = answer(&fake, &message, &me, "experience", "senior").await;
    let message = fake.original_response(&token).unwrap();
    assert!(
        footer(&message).starts_with("Question 4 of"),
        "{}",
        footer(&message)
    );
    fake.assert_no_violations();
}
