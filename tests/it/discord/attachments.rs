//! Uploaded files meet the bot's own download limits (the fake's CDN misbehaves): a
//! body without end behind a `size` that lies, a `Content-Length` over the limit, a
//! host that stalls mid-body, and content types that say the wrong thing (only the
//! bytes decide).

use serde_json::Value;

use super::{callback_type, description, questions, server_admin, upload_command, Bot, T};
use crate::support::fake_discord::payloads::Origin;
use crate::support::fake_discord::Serving;

fn admin() -> Origin {
    server_admin(3_100)
}

const TEAM_SET: &str = r#"id = "team"
title = "Our team's questions"
version = 1

[[questions]]
id = "load"
prompt = "How big?"

  [[questions.options]]
  id = "big"
  label = "Big"
  weights = { scalability = 3 }

  [[questions.options]]
  id = "small"
  label = "Small"
"#;

/// Uploads `attachment`; returns the text of the answer edited into the deferral.
async fn upload(bot: &Bot, attachment: &Value) -> String {
    let interaction = upload_command(attachment, Some(false), &admin());
    let token = interaction["token"].as_str().unwrap().to_owned();
    let mark = bot.fake.mark();
    let callback = bot.interact(interaction).await;
    assert_eq!(callback_type(&callback), 5, "deferred while downloading");
    bot.fake
        .wait_for_call(mark, T, |c| {
            c.is("PATCH", "/webhooks/*/*/messages/@original") && c.path.contains(&token)
        })
        .await
        .unwrap();
    description(&bot.message(&token))
}

/// Whether the server has the set `team` now (`/questions list`).
async fn stored(bot: &Bot) -> bool {
    !bot.store
        .current_sets(crate::support::fake_discord::payloads::GUILD_ID)
        .await
        .unwrap()
        .is_empty()
}

#[tokio::test]
async fn an_endless_body_behind_a_lying_size_is_cut_at_the_cap_and_nothing_is_stored() {
    let bot = Bot::start().await;
    // Streams `# padding` forever, chunked, with no Content-Length; Discord's `size`
    // claims a small file. Only the byte cap can end this download.
    let mut attachment =
        bot.fake
            .host_attachment_served("team.toml", &[b'#'; 4096], Serving::Endless);
    attachment["size"] = 100.into();
    let text = upload(&bot, &attachment).await;
    assert!(
        text.contains("bigger than the 65536-byte limit") && text.contains("Nothing was stored"),
        "{text}"
    );
    assert!(!stored(&bot).await);
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn a_content_length_over_the_limit_is_refused_before_reading() {
    let bot = Bot::start().await;
    let big = vec![b'#'; 200 * 1024];
    let mut attachment = bot
        .fake
        .host_attachment_served("team.toml", &big, Serving::Plain);
    attachment["size"] = 100.into();
    let text = upload(&bot, &attachment).await;
    assert!(text.contains("bigger than the 65536-byte limit"), "{text}");
    assert!(!stored(&bot).await);
}

#[tokio::test]
async fn a_host_that_stalls_mid_body_times_out_with_a_clear_answer() {
    let fake = crate::support::fake_discord::FakeDiscord::start()
        .await
        .unwrap();
    let bot = Bot::start_on(fake, "[attachments]\ntimeout_seconds = 1").await;
    let attachment =
        bot.fake
            .host_attachment_served("team.toml", TEAM_SET.as_bytes(), Serving::Trickle);
    let text = upload(&bot, &attachment).await;
    assert!(
        text.contains("the download took longer than 1 s") && text.contains("Try the upload again"),
        "{text}"
    );
    assert!(!stored(&bot).await);
    // The bot is still fine: the same file from a healthy host goes in.
    let healthy = bot.fake.host_attachment("team.toml", TEAM_SET.as_bytes());
    let text = upload(&bot, &healthy).await;
    assert!(text.contains("Stored `team`"), "{text}");
}

#[tokio::test]
async fn the_content_type_is_not_trusted_only_the_bytes_decide() {
    let bot = Bot::start().await;
    // Text served as an image is still read as the TOML it is.
    let attachment = bot.fake.host_attachment_served(
        "team.toml",
        TEAM_SET.as_bytes(),
        Serving::ContentType("image/png".to_owned()),
    );
    let mut attachment = attachment;
    attachment["content_type"] = "image/png".into();
    let text = upload(&bot, &attachment).await;
    assert!(text.contains("Stored `team`"), "{text}");

    // Binary served as TOML text is refused for what it is.
    let mut binary = b"\x89PNG\r\n\x1a\n".to_vec();
    binary.extend([0xff, 0xfe, 0x00, 0x80]);
    let attachment = bot.fake.host_attachment_served(
        "other.toml",
        &binary,
        Serving::ContentType("application/toml; charset=utf-8".to_owned()),
    );
    let text = upload(&bot, &attachment).await;
    assert!(
        text.contains("was not stored") && text.contains("not UTF-8 text"),
        "{text}"
    );
    let list = bot
        .interact(questions("list", serde_json::json!([]), &admin()))
        .await;
    assert!(!super::callback_data(&list).to_string().contains("`other`"));
    bot.fake.assert_no_violations();
}
