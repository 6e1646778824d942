//! The result's chart on Discord: attached as chart.png, shown inside the result embed
//! (`attachment://chart.png`), described for screen readers, replaced (never piled up)
//! when the message changes, and on the shared card; over the gateway and over the
//! HTTP interactions endpoint.

use serde_json::{json, Value};
use stackpick::chart;
use tiny_skia::Pixmap;

use super::{
    answer_in, button, callback_data, callback_type, guild_user, quick, select, settled, title,
    Bot, HttpWorker, Transport, TO_PHOENIX,
};
use crate::store::{Backend, Db};
use crate::support::fake_discord::{Call, FakeDiscord};

/// The request that put the message's chart up: its body and its one file part.
fn chart_upload(call: &Call) -> (Value, Vec<u8>) {
    let body = call.body.clone().unwrap();
    // An interaction callback nests the message in `data`; an edit is the message.
    let message = if body["data"].is_object() {
        body["data"].clone()
    } else {
        body
    };
    assert_eq!(call.files.len(), 1, "one file: {call:?}");
    assert_eq!(call.files[0].field, "files[0]");
    (message, call.files[0].bytes.clone())
}

/// Checks that `message` (as the fake stores it) shows exactly one chart in its embed,
/// described by the alt text, and returns the attachment.
fn assert_shows_one_chart(fake: &FakeDiscord, message: &Value, alt_says: &str) -> Value {
    let attachments = message["attachments"].as_array().unwrap();
    assert_eq!(
        attachments.len(),
        1,
        "exactly one attachment: {attachments:?}"
    );
    let chart = &attachments[0];
    assert_eq!(chart["filename"], "chart.png");
    assert_eq!(chart["content_type"], "image/png");
    assert_eq!(
        (chart["width"].as_u64(), chart["height"].as_u64()),
        (Some(chart::WIDTH.into()), Some(chart::HEIGHT.into()))
    );
    // Shown inside the embed (Discord resolved attachment://chart.png to it).
    assert_eq!(message["embeds"][0]["image"]["url"], chart["url"]);
    let alt = chart["description"].as_str().unwrap();
    assert!(alt.contains(alt_says), "{alt}");
    assert!(alt.chars().count() <= 1024);
    let bytes = fake.uploaded(chart).expect("the bot uploaded it");
    let png = Pixmap::decode_png(&bytes).expect("a PNG");
    assert_eq!((png.width(), png.height()), (chart::WIDTH, chart::HEIGHT));
    chart.clone()
}

/// Walks `quick` to its result and returns the result message and the last callback.
async fn to_result(
    bot: &impl Transport,
    me: &crate::support::fake_discord::payloads::Origin,
) -> (Value, Call, String) {
    let (_, token) = bot.command("recommend", quick(), me).await;
    let mut message = bot.message(&token);
    let mut last = None;
    for (question, option) in TO_PHOENIX {
        let (call, token) = answer_in(bot, "quick", &message, me, question, &[option]).await;
        message = settled(bot, &call, &token).await;
        last = Some((call, token));
    }
    let (call, token) = last.unwrap();
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );
    (message, call, token)
}

#[tokio::test]
async fn the_result_shows_its_chart_and_each_update_replaces_it() {
    let bot = Bot::start().await;
    let me = guild_user("chartist");
    let (message, call, _) = to_result(&bot, &me).await;

    // Over the gateway the update itself uploads chart.png, described, shown in the
    // embed by its attachment:// name.
    assert_eq!(callback_type(&call), 7);
    let (body, png) = chart_upload(&call);
    assert_eq!(body["embeds"][0]["image"]["url"], "attachment://chart.png");
    assert_eq!(body["attachments"][0]["id"], 0);
    assert_eq!(body["attachments"][0]["filename"], "chart.png");
    let alt = body["attachments"][0]["description"].as_str().unwrap();
    assert!(
        alt.starts_with("Bar chart of each framework's score: Phoenix is recommended"),
        "{alt}"
    );
    assert!(png.starts_with(b"\x89PNG"));
    let first = assert_shows_one_chart(&bot.fake, &message, "Phoenix is recommended");

    // The change menu shows the result again: its chart replaces the first one.
    let (call, token) = bot
        .click(&button(&message, "Change an answer"), &[], &message, &me)
        .await;
    assert_eq!(callback_type(&call), 7);
    let message = bot.message(&token);
    let second = assert_shows_one_chart(&bot.fake, &message, "Phoenix is recommended");
    assert_ne!(first["id"], second["id"], "a new upload");

    // A question has no chart: the update drops the attachment.
    let (call, token) = bot.click(&select(&message), &["2"], &message, &me).await;
    assert_eq!(callback_data(&call)["attachments"], json!([]));
    let message = bot.message(&token);
    assert!(
        title(&message).starts_with("How big will it get"),
        "{}",
        title(&message)
    );
    assert_eq!(message["attachments"], json!([]));
    assert!(message["embeds"][0]["image"].is_null());

    // Answered differently: a new result with its own chart, still only one.
    let (call, token) = answer_in(&bot, "quick", &message, &me, "scale", &["small"]).await;
    let message = settled(&bot, &call, &token).await;
    assert_shows_one_chart(&bot.fake, &message, "is recommended with");

    // The shared card carries the chart too.
    let (call, token) = bot
        .click(&button(&message, "Share to channel"), &[], &message, &me)
        .await;
    assert_eq!(callback_type(&call), 4);
    let (card, _) = chart_upload(&call);
    assert!(card["embeds"][0]["title"]
        .as_str()
        .unwrap()
        .starts_with("Recommended:"));
    assert_shows_one_chart(&bot.fake, &bot.message(&token), "is recommended with");
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn over_the_http_endpoint_the_chart_is_edited_in_after_acknowledging() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let worker = HttpWorker::start(&fake, db.open().await).await;
    let me = guild_user("inline");
    let (message, call, token) = to_result(&worker, &me).await;

    // An inline answer is JSON only: the click is acknowledged (type 6) and the
    // message edited over REST with the file.
    assert_eq!(callback_type(&call), 6);
    let edit = fake
        .calls()
        .into_iter()
        .find(|c| c.is("PATCH", "/webhooks/*/*/messages/@original") && c.path.contains(&token))
        .expect("the edit");
    let (body, _) = chart_upload(&edit);
    assert_eq!(body["embeds"][0]["image"]["url"], "attachment://chart.png");
    assert_eq!(body["attachments"].as_array().map(Vec::len), Some(1));
    assert_shows_one_chart(&fake, &message, "Phoenix is recommended");

    // A later update without the chart over the endpoint removes it (`attachments: []`).
    let (call, token) = worker
        .click(&button(&message, "Start over"), &[], &message, &me)
        .await;
    assert_eq!(callback_type(&call), 7);
    assert_eq!(callback_data(&call)["attachments"], json!([]));
    assert_eq!(worker.message(&token)["attachments"], json!([]));
    fake.assert_no_violations();
}
