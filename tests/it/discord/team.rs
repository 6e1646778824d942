//! Team mode on the fake Discord: `/team` posts a public lobby, members answer
//! privately (resumable, across a restart), their answers are recorded in the lobby
//! and its message updated, and only the organiser or a server manager decides or
//! cancels. Lobbies expire.

use serde_json::{json, Value};
use stackpick::engine::team::recommend_team;
use stackpick::guide::Catalogue;
use stackpick::questionnaire::Answers;
use stackpick::store::{Lobby, LobbyStatus, Storage};

use super::{
    answer_in, assert_ephemeral_notice, assert_quiet, button, callback_data, callback_type,
    components, description, footer, guild_user, is_ephemeral, server_admin, settled, title, Bot,
    HttpWorker, Transport, T,
};
use crate::core::{answers, builtin};
use crate::store::{Backend, Db};
use crate::support::fake_discord::payloads::Origin;
use crate::support::fake_discord::FakeDiscord;

/// `/team set:quick`.
fn quick() -> Value {
    json!([{ "name": "set", "type": 3, "value": "quick" }])
}

/// Three members' answers to the `quick` set.
const ALICE: [(&str, &str); 4] = [
    ("language", "ruby"),
    ("app_type", "crud"),
    ("scale", "small"),
    ("deadline", "asap"),
];
const BOB: [(&str, &str); 4] = [
    ("language", "elixir"),
    ("app_type", "realtime_app"),
    ("scale", "huge"),
    ("deadline", "long_run"),
];
const CAROL: [(&str, &str); 4] = [
    ("language", "javascript"),
    ("app_type", "fullstack"),
    ("scale", "medium"),
    ("deadline", "normal"),
];

fn as_answers(picks: &[(&str, &str)]) -> Answers {
    let pairs: Vec<(&str, &[&str])> = picks
        .iter()
        .map(|(q, o)| (*q, std::slice::from_ref(o)))
        .collect();
    answers(&pairs)
}

/// Opens a lobby; returns the lobby message, the interaction token and the lobby id.
async fn open_lobby(
    bot: &impl Transport,
    store: &dyn Storage,
    organiser: &Origin,
) -> (Value, String, String) {
    let (call, token) = bot.command("team", quick(), organiser).await;
    assert_eq!(callback_type(&call), 4);
    assert!(!is_ephemeral(&call), "the lobby is public");
    let data = callback_data(&call);
    let buttons: Vec<Value> = components(&data)
        .iter()
        .map(|c| c["label"].clone())
        .collect();
    assert_eq!(buttons, ["Answer", "Decide now", "Cancel"]);
    let message = bot.message(&token);
    let lobby_id = button(&message, "Answer")
        .split(':')
        .nth(2)
        .unwrap()
        .to_owned();
    // The bot learns the message's id from Discord right after posting it.
    let message_id = message["id"].as_str().unwrap().parse::<u64>().unwrap();
    let deadline = std::time::Instant::now() + T;
    loop {
        let lobby = store.get_lobby(&lobby_id).await.unwrap().unwrap();
        if lobby.message_id == Some(message_id) {
            break;
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lobby's message id is stored"
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    (message, token, lobby_id)
}

/// Waits until the lobby message (the `@original` of `token`) has a field starting
/// with `name`: it is edited right after the member's own answer is shown.
async fn lobby_field(bot: &impl Transport, token: &str, name: &str) -> String {
    let deadline = std::time::Instant::now() + T;
    loop {
        let message = bot.message(token);
        let found = message["embeds"][0]["fields"]
            .as_array()
            .into_iter()
            .flatten()
            .any(|f| f["name"].as_str().is_some_and(|n| n.starts_with(name)));
        if found {
            return field(&message, name);
        }
        assert!(
            std::time::Instant::now() < deadline,
            "the lobby message never showed `{name}`: {}",
            message["embeds"]
        );
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
}

/// The first embed's field named `name` (its value).
fn field(message: &Value, name: &str) -> String {
    message["embeds"][0]["fields"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|f| f["name"].as_str().is_some_and(|n| n.starts_with(name)))
        .map(|f| f["value"].as_str().unwrap_or_default().to_owned())
        .unwrap_or_else(|| panic!("no field `{name}` in {}", message["embeds"]))
}

/// A member clicks Answer and goes through the rest of the `quick` set from where
/// they are; returns their last private message (their own result).
async fn answer_all(
    bot: &impl Transport,
    lobby: &Value,
    member: &Origin,
    picks: &[(&str, &str)],
) -> Value {
    let (call, token) = bot
        .click(&button(lobby, "Answer"), &[], lobby, member)
        .await;
    assert_eq!(callback_type(&call), 4);
    assert!(is_ephemeral(&call), "each member answers privately");
    let mut message = bot.message(&token);
    let set = builtin("quick");
    for (question, option) in picks {
        let prompt = &set.question(&(*question).into()).unwrap().prompt;
        if !title(&message).starts_with(prompt.as_str()) {
            continue; // answered before (a resumed questionnaire)
        }
        let (_, token) = answer_in(bot, "quick", &message, member, question, &[option]).await;
        message = bot.message(&token);
    }
    message
}

#[tokio::test]
async fn three_members_answer_privately_and_the_organiser_decides_for_the_team() {
    let bot = Bot::start().await;
    let olga = guild_user("olga");
    let (alice, bob, carol) = (guild_user("alice"), guild_user("bob"), guild_user("carol"));
    let (lobby, lobby_token, lobby_id) = open_lobby(&bot, bot.store.as_ref(), &olga).await;
    assert_eq!(field(&lobby, "Answered so far (0)"), "Nobody yet.");
    assert!(description(&lobby).contains(&format!("<@{}>", olga.user_id())));

    // Deciding needs at least one answer.
    let (call, _) = bot
        .click(&button(&lobby, "Decide now"), &[], &lobby, &olga)
        .await;
    assert_ephemeral_notice(&call, "Nobody has answered yet");

    // Alice answers everything, sees her own private result, and shows her answers.
    let mine = answer_all(&bot, &lobby, &alice, &ALICE).await;
    assert!(mine["content"]
        .as_str()
        .unwrap()
        .contains("Your answers are in the team lobby"));
    assert!(
        !components(&mine)
            .iter()
            .any(|c| c["label"] == "Share to channel"),
        "a member's own result isn't shared"
    );
    let (call, _) = bot
        .click(
            &button(&mine, "Show my answers to the team"),
            &[],
            &mine,
            &alice,
        )
        .await;
    assert_ephemeral_notice(&call, "will appear in the team's result");
    // The lobby message now lists her (a mention: shown, never pinging).
    assert_eq!(
        lobby_field(&bot, &lobby_token, "Answered so far (1)").await,
        format!("<@{}>", alice.user_id())
    );
    let edit = bot
        .fake
        .wait_for_call(0, T, |c| c.is("PATCH", "/channels/*/messages/*"))
        .await
        .unwrap();
    assert_eq!(
        edit.body.as_ref().unwrap()["allowed_mentions"],
        json!({"parse": [], "users": [], "roles": []})
    );

    // Bob answers two questions, leaves, clicks Answer again: he resumes at the third.
    let (_, token) = bot
        .click(&button(&lobby, "Answer"), &[], &lobby, &bob)
        .await;
    let mut message = bot.message(&token);
    for (question, option) in &BOB[..2] {
        let (_, token) = answer_in(&bot, "quick", &message, &bob, question, &[option]).await;
        message = bot.message(&token);
    }
    let (_, token) = bot
        .click(&button(&lobby, "Answer"), &[], &lobby, &bob)
        .await;
    let resumed = bot.message(&token);
    assert!(
        footer(&resumed).starts_with("Question 3 of 4"),
        "{}",
        footer(&resumed)
    );
    answer_all(&bot, &lobby, &bob, &BOB).await;
    answer_all(&bot, &lobby, &carol, &CAROL).await;
    let answered = lobby_field(&bot, &lobby_token, "Answered so far (3)").await;
    for member in [&alice, &bob, &carol] {
        assert!(
            answered.contains(&format!("<@{}>", member.user_id())),
            "{answered}"
        );
    }

    // Carol may not decide or cancel: a private refusal, nothing else changes.
    for label in ["Decide now", "Cancel"] {
        let mark = bot.fake.mark();
        let (call, _) = bot.click(&button(&lobby, label), &[], &lobby, &carol).await;
        assert_ephemeral_notice(&call, "Only the member who opened this lobby");
        assert_quiet(&bot, mark, 1).await;
    }
    let stored = bot.store.get_lobby(&lobby_id).await.unwrap().unwrap();
    assert_eq!(stored.status, LobbyStatus::Open);
    assert_eq!(stored.members.len(), 3);

    // Olga decides: the lobby message becomes the team's result, for everyone.
    let (call, token) = bot
        .click(&button(&lobby, "Decide now"), &[], &lobby, &olga)
        .await;
    assert_eq!(
        callback_type(&call),
        7,
        "the lobby message itself is updated"
    );
    let data = callback_data(&call);
    assert!(components(&data).is_empty(), "no more buttons");
    let expected = recommend_team(
        Catalogue::builtin(),
        &builtin("quick"),
        &[as_answers(&ALICE), as_answers(&BOB), as_answers(&CAROL)],
    )
    .unwrap();
    let winner = expected.recommendation.winner().unwrap();
    let name = &Catalogue::builtin()
        .framework(winner.as_str())
        .unwrap()
        .1
        .name;
    let decided = bot.message(&token);
    assert!(
        title(&decided).starts_with(&format!("Team pick: {name} — ")),
        "{}",
        title(&decided)
    );
    assert!(description(&decided).starts_with("Combined from 3 members' answers"));
    assert!(field(&decided, "Where the team agrees and disagrees").contains("Split on:"));
    field(&decided, "Whose answers decide it");
    field(&decided, "Full ranking");
    // Only Alice chose to show her answers; the others are never named beside theirs.
    let shown = field(&decided, "Answers their members chose to show");
    assert!(
        shown.starts_with(&format!("<@{}>: Ruby", alice.user_id())),
        "{shown}"
    );
    let text = decided["embeds"].to_string();
    for hidden in [&bob, &carol] {
        assert!(
            !text.contains(&format!("<@{}>", hidden.user_id())),
            "{text}"
        );
    }
    let stored = bot.store.get_lobby(&lobby_id).await.unwrap().unwrap();
    assert!(matches!(stored.status, LobbyStatus::Decided { by, .. } if by == olga.user_id()));

    // Once decided, Answer is refused.
    let (call, _) = bot
        .click(&button(&lobby, "Answer"), &[], &lobby, &carol)
        .await;
    assert_ephemeral_notice(&call, "already decided");
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_lobby_survives_a_restart_mid_answer_and_can_be_decided_after_it() {
    let mut bot = Bot::start().await;
    let olga = guild_user("olga");
    let alice = guild_user("alice");
    let (lobby, lobby_token, _) = open_lobby(&bot, bot.store.as_ref(), &olga).await;
    let (_, token) = bot
        .click(&button(&lobby, "Answer"), &[], &lobby, &alice)
        .await;
    let mut message = bot.message(&token);
    for (question, option) in &ALICE[..2] {
        let (_, token) = answer_in(&bot, "quick", &message, &alice, question, &[option]).await;
        message = bot.message(&token);
    }

    bot.stop().await;
    bot.connect().await;

    // The private message shown before the restart carries on.
    for (question, option) in &ALICE[2..] {
        let (_, token) = answer_in(&bot, "quick", &message, &alice, question, &[option]).await;
        message = bot.message(&token);
    }
    assert!(message["content"].as_str().unwrap().contains("team lobby"));
    assert_eq!(
        lobby_field(&bot, &lobby_token, "Answered so far (1)").await,
        format!("<@{}>", alice.user_id())
    );
    let (call, token) = bot
        .click(&button(&lobby, "Decide now"), &[], &lobby, &olga)
        .await;
    assert_eq!(callback_type(&call), 7);
    let decided = bot.message(&token);
    assert!(description(&decided).starts_with("Combined from 1 member's answers"));
    assert!(
        title(&decided).starts_with("Team pick: Ruby on Rails"),
        "alone, Alice's answers decide: {}",
        title(&decided)
    );
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_server_manager_may_cancel_others_may_not_and_an_expired_lobby_says_so() {
    let bot = Bot::start().await;
    let olga = guild_user("olga");
    let bob = guild_user("bob");
    let (lobby, _, lobby_id) = open_lobby(&bot, bot.store.as_ref(), &olga).await;
    let (call, _) = bot
        .click(&button(&lobby, "Cancel"), &[], &lobby, &bob)
        .await;
    assert_ephemeral_notice(&call, "Manage Server");
    let (call, token) = bot
        .click(&button(&lobby, "Cancel"), &[], &lobby, &server_admin(77))
        .await;
    assert_eq!(callback_type(&call), 7);
    let cancelled = bot.message(&token);
    assert!(description(&cancelled).starts_with("Cancelled by <@77>"));
    assert!(components(&cancelled).is_empty());
    let (call, _) = bot
        .click(&button(&lobby, "Answer"), &[], &lobby, &bob)
        .await;
    assert_ephemeral_notice(&call, "was cancelled");
    let stored = bot.store.get_lobby(&lobby_id).await.unwrap().unwrap();
    assert_eq!(stored.status, LobbyStatus::Cancelled { by: 77 });

    // A second lobby, opened longer ago than lobbies last (24 hours by default).
    let (lobby, _, lobby_id) = open_lobby(&bot, bot.store.as_ref(), &olga).await;
    let mut old: Lobby = bot.store.get_lobby(&lobby_id).await.unwrap().unwrap();
    old.created_at_ms -= 24 * 3600 * 1000 + 1;
    bot.store.put_lobby(&old).await.unwrap();
    for label in ["Answer", "Decide now"] {
        let (call, _) = bot.click(&button(&lobby, label), &[], &lobby, &olga).await;
        assert_ephemeral_notice(
            &call,
            "This team lobby expired: lobbies stay open for 24 hours",
        );
    }
    let stored = bot.store.get_lobby(&lobby_id).await.unwrap().unwrap();
    assert_eq!(stored, old, "an expired lobby changes no more");
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn team_mode_works_over_the_http_interactions_endpoint() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let worker = HttpWorker::start(&fake, db.open().await).await;
    let olga = guild_user("olga");
    let bob = guild_user("bob");
    let (lobby, lobby_token, _) = open_lobby(&worker, worker.store.as_ref(), &olga).await;
    answer_all(&worker, &lobby, &bob, &BOB).await;
    assert_eq!(
        lobby_field(&worker, &lobby_token, "Answered so far (1)").await,
        format!("<@{}>", bob.user_id())
    );
    let (call, token) = worker
        .click(&button(&lobby, "Decide now"), &[], &lobby, &olga)
        .await;
    // Acknowledged inline, then the result with its chart edited in over REST (an
    // inline answer carries no files).
    assert_eq!(callback_type(&call), 6);
    let decided = settled(&worker, &call, &token).await;
    assert!(title(&decided).starts_with("Team pick: Phoenix"));
    assert_eq!(
        decided["embeds"][0]["image"]["url"], decided["attachments"][0]["url"],
        "the team's chart, shown in the embed: {decided}"
    );
    fake.assert_no_violations();
}
