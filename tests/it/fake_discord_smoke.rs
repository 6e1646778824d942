//! Proves the fake Discord is faithful: a plain serenity 0.12.5 client (not our bot) connects,
//! registers a command and answers slash commands, clicks, autocomplete and DMs through it.

use std::io::{Read as _, Write as _};
use std::sync::Arc;
use std::time::Duration;

use serde_json::{json, Value};
use serenity::all::{
    ButtonStyle, ChannelId, ClientBuilder, Command, CommandOptionType,
    ComponentInteractionDataKind, Context, CreateActionRow, CreateAllowedMentions,
    CreateAttachment, CreateAutocompleteResponse, CreateButton, CreateCommand, CreateCommandOption,
    CreateInteractionResponse, CreateInteractionResponseMessage, EventHandler, GatewayIntents,
    GuildId, Http, HttpBuilder, Interaction, Member, Message, MessageId, Permissions, Ready,
    ShardManager, User,
};
use serenity::async_trait;

use crate::support::fake_discord::payloads::{self, Origin};
use crate::support::fake_discord::{
    FakeDiscord, APPLICATION_ID, BOT_USERNAME, BOT_USER_ID, OWNER_ID,
};

type TestResult = Result<(), Box<dyn std::error::Error + Send + Sync>>;

/// Upper bound for every wait.
const T: Duration = Duration::from_secs(10);

fn http(fake: &FakeDiscord) -> Http {
    HttpBuilder::new("fake-token")
        .proxy(fake.proxy_url())
        .ratelimiter_disabled(true)
        .build()
}

/// A minimal serenity bot; `label` shows which client answered.
struct Handler {
    label: &'static str,
}

#[async_trait]
impl EventHandler for Handler {
    async fn ready(&self, ctx: Context, _ready: Ready) {
        let topic = CreateCommandOption::new(CommandOptionType::String, "topic", "What about")
            .set_autocomplete(true);
        let ping = CreateCommand::new("ping")
            .description("Answers with a button")
            .add_option(topic)
            .default_member_permissions(Permissions::SEND_MESSAGES);
        if let Err(e) = Command::set_global_commands(&ctx.http, vec![ping]).await {
            eprintln!("[{}] registering commands failed: {e}", self.label);
        }
    }

    async fn interaction_create(&self, ctx: Context, interaction: Interaction) {
        let result = match interaction {
            Interaction::Command(cmd) => {
                let button = CreateButton::new("again")
                    .label("Again")
                    .style(ButtonStyle::Primary);
                let msg = CreateInteractionResponseMessage::new()
                    .content(format!("pong from {}", self.label))
                    .ephemeral(true)
                    .allowed_mentions(CreateAllowedMentions::new())
                    .components(vec![CreateActionRow::Buttons(vec![button])]);
                cmd.create_response(&ctx.http, CreateInteractionResponse::Message(msg))
                    .await
            }
            Interaction::Component(click) => {
                let msg = CreateInteractionResponseMessage::new()
                    .content("clicked")
                    .components(vec![]);
                click
                    .create_response(&ctx.http, CreateInteractionResponse::UpdateMessage(msg))
                    .await
            }
            Interaction::Autocomplete(ac) => {
                let choices = CreateAutocompleteResponse::new().add_string_choice("Rust", "rust");
                ac.create_response(&ctx.http, CreateInteractionResponse::Autocomplete(choices))
                    .await
            }
            _ => Ok(()),
        };
        if let Err(e) = result {
            eprintln!("[{}] responding failed: {e}", self.label);
        }
    }

    async fn message(&self, ctx: Context, msg: Message) {
        if msg.guild_id.is_none() && !msg.author.bot {
            let reply = format!("echo: {}", msg.content);
            if let Err(e) = msg.channel_id.say(&ctx.http, reply).await {
                eprintln!("[{}] replying failed: {e}", self.label);
            }
        }
    }
}

/// Builds a client against the fake and spawns `client.start()`.
async fn start_bot(
    fake: &FakeDiscord,
    label: &'static str,
) -> Result<Arc<ShardManager>, serenity::Error> {
    let intents = GatewayIntents::GUILDS | GatewayIntents::DIRECT_MESSAGES;
    let mut client = ClientBuilder::new_with_http(http(fake), intents)
        .event_handler(Handler { label })
        .await?;
    let manager = Arc::clone(&client.shard_manager);
    tokio::spawn(async move {
        if let Err(e) = client.start().await {
            eprintln!("[{label}] client stopped: {e}");
        }
    });
    Ok(manager)
}

/// The Discord error code of a failed serenity HTTP call.
fn discord_code<T: std::fmt::Debug>(result: serenity::Result<T>) -> Option<isize> {
    match result {
        Err(serenity::Error::Http(serenity::http::HttpError::UnsuccessfulRequest(e))) => {
            Some(e.error.code)
        }
        _ => None,
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn serenity_client_round_trip() -> TestResult {
    let fake = FakeDiscord::start().await?;
    let manager = start_bot(&fake, "bot").await?;

    let identify = fake.wait_ready(T).await?;
    let intents = (GatewayIntents::GUILDS | GatewayIntents::DIRECT_MESSAGES).bits();
    assert_eq!(identify["intents"].as_u64(), Some(intents));
    assert_eq!(fake.identifies().len(), 1);

    // READY → the handler registers its command (serenity learned the app id from READY).
    let put = fake
        .wait_for_call(0, T, |c| c.is("PUT", "/applications/*/commands"))
        .await?;
    assert_eq!(put.path, format!("/applications/{APPLICATION_ID}/commands"));
    assert!(put.authorized && put.status == 200, "{put:?}");
    let registered = fake.commands(None);
    assert_eq!(registered[0]["name"], "ping");
    assert_eq!(registered[0]["default_member_permissions"], "2048");

    // Slash command in a guild → ephemeral message with a button.
    let origin = Origin::guild(payloads::member(
        &payloads::user("ann"),
        payloads::MEMBER_PERMISSIONS,
    ));
    let slash = payloads::slash_command("ping", json!([]), &origin);
    let token = slash["token"].as_str().unwrap_or_default().to_owned();
    let mark = fake.mark();
    fake.dispatch("INTERACTION_CREATE", slash).await?;
    let cb = fake
        .wait_for_call(mark, T, |c| c.is("POST", "/interactions/*/*/callback"))
        .await?;
    let body = cb.body.clone().unwrap_or_default();
    assert_eq!((cb.status, body["type"].as_u64()), (204, Some(4)), "{cb:?}");
    assert_eq!(body["data"]["flags"], 64);
    assert_eq!(body["data"]["content"], "pong from bot");
    assert_eq!(body["data"]["allowed_mentions"]["parse"], json!([]));
    assert_eq!(
        body["data"]["components"][0]["components"][0]["custom_id"],
        "again"
    );

    // Click the button on the message the bot actually sent → UPDATE_MESSAGE (7).
    let original = fake
        .original_response(&token)
        .ok_or("no @original after the callback")?;
    assert_eq!(original["flags"], 64);
    let click = payloads::component_click("again", 2, &[], &original, &origin);
    let click_token = click["token"].as_str().unwrap_or_default().to_owned();
    let click_id = payloads::id_of(&click).unwrap_or_default();
    let mark = fake.mark();
    fake.dispatch("INTERACTION_CREATE", click).await?;
    let cb = fake
        .wait_for_call(mark, T, |c| c.is("POST", "/interactions/*/*/callback"))
        .await?;
    assert_eq!(
        cb.body.as_ref().and_then(|b| b["type"].as_u64()),
        Some(7),
        "{cb:?}"
    );
    let updated = fake
        .original_response(&click_token)
        .ok_or("no @original after the click")?;
    assert_eq!(
        (updated["content"].as_str(), payloads::id_of(&updated)),
        (Some("clicked"), payloads::id_of(&original))
    );

    // Autocomplete in a DM → choices (8).
    let dm_origin = Origin::dm(payloads::user("bob"));
    let options = json!([{ "name": "topic", "type": 3, "value": "ru", "focused": true }]);
    let mark = fake.mark();
    fake.dispatch(
        "INTERACTION_CREATE",
        payloads::autocomplete("ping", options, &dm_origin),
    )
    .await?;
    let cb = fake
        .wait_for_call(mark, T, |c| c.is("POST", "/interactions/*/*/callback"))
        .await?;
    let body = cb.body.clone().unwrap_or_default();
    assert_eq!(
        (body["type"].as_u64(), &body["data"]["choices"][0]["value"]),
        (Some(8), &json!("rust"))
    );

    // A DM → the bot replies in that channel.
    let dm_channel = payloads::dm_channel_id(dm_origin.user_id());
    let mark = fake.mark();
    fake.dispatch(
        "MESSAGE_CREATE",
        payloads::dm_message(&dm_origin.user, dm_channel, "hello"),
    )
    .await?;
    let post = fake
        .wait_for_call(mark, T, |c| {
            c.is("POST", &format!("/channels/{dm_channel}/messages"))
        })
        .await?;
    assert_eq!(
        (post.status, post.body_str("content")),
        (200, "echo: hello")
    );
    assert!(fake.calls_since(mark).iter().all(|c| c.query.is_none()));

    // Follow-up, edit, fetch and delete through the interaction webhook, typed by serenity.
    // A fresh `Http` only knows the application id if told (the client's learns it from READY).
    let http = http(&fake);
    http.set_application_id(APPLICATION_ID.into());
    let followup = http
        .create_followup_message(&token, &json!({ "content": "more" }), vec![])
        .await?;
    assert_eq!(
        (followup.content.as_str(), followup.author.id.get()),
        ("more", BOT_USER_ID)
    );
    let edited = http
        .edit_original_interaction_response(&token, &json!({ "content": "edited" }), vec![])
        .await?;
    assert!(edited.edited_timestamp.is_some() && edited.content == "edited");
    assert_eq!(
        http.get_original_interaction_response(&token).await?.id,
        edited.id
    );
    http.delete_original_interaction_response(&token).await?;
    assert!(fake.original_response(&token).is_none());
    assert!(fake
        .messages()
        .iter()
        .any(|m| m["content"] == "echo: hello"));
    fake.assert_no_violations();

    // Protocol mistakes are answered like Discord and recorded.
    let again = json!({ "type": 4, "data": { "content": "twice" } });
    let twice = http
        .create_interaction_response(click_id.into(), &click_token, &again, vec![])
        .await;
    assert_eq!(discord_code(twice), Some(40060));
    let unknown = http
        .create_interaction_response(1.into(), "nope", &again, vec![])
        .await;
    assert_eq!(discord_code(unknown), Some(10062));
    let premature = http.get_original_interaction_response("nope").await;
    assert_eq!(discord_code(premature), Some(10015));
    let seen = fake.take_violations();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(seen[0].contains("already acknowledged"), "{seen:#?}");

    manager.shutdown_all().await;
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rest_replies_parse_as_serenity_types() -> TestResult {
    let fake = FakeDiscord::start().await?;
    let http = http(&fake);

    let me = http.get_current_user().await?;
    assert_eq!(
        (me.id.get(), me.name.as_str(), me.bot),
        (BOT_USER_ID, BOT_USERNAME, true)
    );
    let app = http.get_current_application_info().await?;
    assert_eq!(
        (app.id.get(), app.owner.map(|o| o.id.get())),
        (APPLICATION_ID, Some(OWNER_ID))
    );
    assert_eq!(http.get_gateway().await?.url, fake.gateway_url());
    let bot_gateway = http.get_bot_gateway().await?;
    assert_eq!(
        (bot_gateway.url, bot_gateway.shards),
        (fake.gateway_url(), 1)
    );

    // Commands: the echo carries what serenity needs; guild commands are kept apart.
    http.set_application_id(APPLICATION_ID.into());
    let choice = CreateCommandOption::new(CommandOptionType::String, "stack", "A stack")
        .required(true)
        .add_string_choice("Rust", "rust");
    let cmd = CreateCommand::new("pick")
        .description("Pick a stack")
        .add_option(choice)
        .dm_permission(false);
    let global = http.create_global_commands(&vec![cmd.clone()]).await?;
    assert_eq!(
        (global[0].name.as_str(), global[0].options[0].choices.len()),
        ("pick", 1)
    );
    let guild = http
        .create_guild_commands(GuildId::new(payloads::GUILD_ID), &vec![cmd])
        .await?;
    assert_eq!(
        guild[0].guild_id.map(GuildId::get),
        Some(payloads::GUILD_ID)
    );
    assert_eq!(http.get_global_commands().await?[0].id, global[0].id);

    // DMs: deterministic channel, messages with attachments (multipart), edits, closed DMs.
    let user = payloads::user("cy");
    let user_id = payloads::id_of(&user).unwrap_or_default();
    let dm = http
        .create_private_channel(&json!({ "recipient_id": user_id.to_string() }))
        .await?;
    assert_eq!(dm.id.get(), payloads::dm_channel_id(user_id));
    let file = CreateAttachment::bytes(b"hello file".as_slice(), "notes.txt");
    let sent = http
        .send_message(dm.id, vec![file], &json!({ "content": "see file" }))
        .await?;
    assert_eq!((sent.attachments.len(), sent.guild_id), (1, None));
    let call = fake
        .wait_for_call(0, T, |c| c.is("POST", "/channels/*/messages"))
        .await?;
    assert_eq!(call.body_str("content"), "see file");
    let file = call.files.first().ok_or("no file part recorded")?;
    assert_eq!(
        (file.filename.as_deref(), file.bytes.as_slice()),
        (Some("notes.txt"), b"hello file".as_slice())
    );
    assert!(file.field.starts_with("files["), "{}", file.field);
    let edited = http
        .edit_message(dm.id, sent.id, &json!({ "content": "changed" }), vec![])
        .await?;
    assert_eq!(edited.content, "changed");
    assert_eq!(http.get_message(dm.id, sent.id).await?.content, "changed");
    fake.close_dms_for(user_id);
    let closed = http
        .send_message(dm.id, vec![], &json!({ "content": "hi" }))
        .await;
    assert_eq!(discord_code(closed), Some(50007));

    assert!(fake.calls().iter().all(|c| c.authorized));
    fake.assert_no_violations();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_requests_are_violations() -> TestResult {
    let fake = FakeDiscord::start().await?;
    let http = http(&fake);
    let channel = ChannelId::new(payloads::GUILD_CHANNEL_ID);

    // Raw JSON bypasses serenity's own length checks, like a hand-built body would.
    let long = json!({ "content": "x".repeat(2001) });
    assert_eq!(
        discord_code(http.send_message(channel, vec![], &long).await),
        Some(50035)
    );
    let button = json!({ "type": 2, "style": 1, "label": "Go", "custom_id": "c".repeat(101) });
    let rows = json!({ "content": "hi", "components": [{ "type": 1, "components": [button] }] });
    assert_eq!(
        discord_code(http.send_message(channel, vec![], &rows).await),
        Some(50035)
    );
    let not_array = json!({ "embeds": "nope" });
    assert_eq!(
        discord_code(http.send_message(channel, vec![], &not_array).await),
        Some(50035)
    );
    assert_eq!(discord_code(http.get_channel(channel).await), Some(0));
    let callback = json!({ "type": 4, "data": { "content": 5, "flags": 64 } });
    let sent = http
        .create_interaction_response(1.into(), "tok", &callback, vec![])
        .await;
    assert_eq!(discord_code(sent), Some(50035));
    http.set_application_id(APPLICATION_ID.into());
    let commands = json!([{ "name": "Bad Name", "description": "" }]);
    assert_eq!(
        discord_code(http.create_global_commands(&commands).await),
        Some(50035)
    );

    let seen = fake.take_violations();
    let has = |needle: &str| seen.iter().any(|v| v.contains(needle));
    assert!(has("content has 2001 characters"), "{seen:#?}");
    assert!(has("custom_id has 101 characters"), "{seen:#?}");
    assert!(has("schema:"), "{seen:#?}");
    assert!(has("get_channel is not implemented"), "{seen:#?}");
    assert!(
        has(r#"5 is not of types "null", "string" (at "/data/content")"#),
        "{seen:#?}"
    );
    assert!(has(r#"name "Bad Name" must be lower case"#), "{seen:#?}");
    assert!(fake.violations().is_empty());
    let get = fake
        .calls()
        .into_iter()
        .find(|c| c.method == "GET")
        .ok_or("GET not recorded")?;
    assert_eq!(
        (get.status, get.response.map(|r| r["code"].clone())),
        (404, Some(json!(0)))
    );

    // Odd input gets a 400, not a panic; the server keeps serving.
    let addr = fake.proxy_url().trim_start_matches("http://").to_owned();
    for (content_type, body) in [
        ("application/json", "{not json"),
        ("multipart/form-data; boundary=XX", "garbage"),
        ("multipart/form-data", "--XX\r\n\r\n--XX--"),
    ] {
        let status = raw_post(&addr, "/api/v10/channels/1/messages", content_type, body).await?;
        assert!(status.contains(" 400 "), "{content_type}: {status}");
    }
    let status = raw_post(
        &addr,
        "/api/v10/channels/abc/messages",
        "application/json",
        "{}",
    )
    .await?;
    assert!(status.contains(" 400 "), "{status}");
    assert_eq!(fake.take_violations().len(), 4);

    // A load benchmark may switch validation off.
    fake.set_validation(false);
    http.send_message(channel, vec![], &long).await?;
    fake.assert_no_violations();
    Ok(())
}

/// Sends one raw HTTP/1.1 POST and returns the status line.
async fn raw_post(
    addr: &str,
    path: &str,
    content_type: &str,
    body: &str,
) -> std::io::Result<String> {
    let request = format!(
        "POST {path} HTTP/1.1\r\nHost: {addr}\r\nContent-Type: {content_type}\r\n\
         Content-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    );
    let addr = addr.to_owned();
    let task = tokio::task::spawn_blocking(move || {
        let mut stream = std::net::TcpStream::connect(addr)?;
        stream.set_read_timeout(Some(T))?;
        stream.write_all(request.as_bytes())?;
        let mut response = String::new();
        stream.read_to_string(&mut response)?;
        Ok(response.lines().next().unwrap_or_default().to_owned())
    });
    task.await.map_err(std::io::Error::other)?
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dispatch_goes_to_the_newest_connection() -> TestResult {
    let fake = FakeDiscord::start().await?;
    let first = start_bot(&fake, "first").await?;
    fake.wait_ready(T).await?;
    let seen = fake.ready_count();
    let second = start_bot(&fake, "second").await?;
    fake.wait_next_ready(seen, T).await?;

    let origin = Origin::dm(payloads::user("dee"));
    let mark = fake.mark();
    fake.dispatch(
        "INTERACTION_CREATE",
        payloads::slash_command("ping", json!([]), &origin),
    )
    .await?;
    let cb = fake
        .wait_for_call(mark, T, |c| c.is("POST", "/interactions/*/*/callback"))
        .await?;
    assert_eq!(
        cb.body.as_ref().map(|b| &b["data"]["content"]),
        Some(&json!("pong from second"))
    );
    fake.assert_no_violations();
    first.shutdown_all().await;
    second.shutdown_all().await;
    Ok(())
}

#[test]
fn payload_builders_parse_as_serenity_types() -> TestResult {
    let ann = payloads::user_with_id(4242, "ann");
    let admin = payloads::member(&ann, payloads::ADMINISTRATOR);
    let member: Member = serde_json::from_value(admin.clone())?;
    assert_eq!(member.user.id.get(), 4242);
    let user: User = serde_json::from_value(payloads::bot_user())?;
    assert!(user.bot);

    let in_guild = Origin::guild(admin);
    let options = json!([{ "name": "stack", "type": 3, "value": "rust" }]);
    let Interaction::Command(cmd) = parse(payloads::slash_command("pick", options, &in_guild))?
    else {
        return Err("guild slash command is not Interaction::Command".into());
    };
    assert_eq!(cmd.guild_id, Some(GuildId::new(payloads::GUILD_ID)));
    assert_eq!(cmd.user.id.get(), 4242);
    let perms = cmd.member.as_ref().and_then(|m| m.permissions);
    assert!(perms.is_some_and(|p| p.administrator()), "{perms:?}");
    assert_eq!(cmd.data.options[0].value.as_str(), Some("rust"));

    let in_dm = Origin::dm(ann.clone());
    let Interaction::Command(cmd) = parse(payloads::slash_command("pick", json!([]), &in_dm))?
    else {
        return Err("DM slash command is not Interaction::Command".into());
    };
    assert_eq!((cmd.guild_id, cmd.user.id.get()), (None, 4242));
    assert_eq!(cmd.channel_id.get(), payloads::dm_channel_id(4242));

    let focused = json!([{ "name": "stack", "type": 3, "value": "ru", "focused": true }]);
    let Interaction::Autocomplete(ac) = parse(payloads::autocomplete("pick", focused, &in_dm))?
    else {
        return Err("autocomplete is not Interaction::Autocomplete".into());
    };
    assert_eq!(ac.data.autocomplete().map(|o| o.value), Some("ru"));

    let message = payloads::dm_message(&payloads::bot_user(), in_dm.channel_id, "pick one");
    let parsed: Message = serde_json::from_value(message.clone())?;
    assert_eq!(
        (parsed.guild_id, parsed.content.as_str()),
        (None, "pick one")
    );
    for (component_type, values) in [(2, vec![]), (3, vec!["rust"])] {
        let click =
            payloads::component_click("choice", component_type, &values, &message, &in_guild);
        let Interaction::Component(click) = parse(click)? else {
            return Err("click is not Interaction::Component".into());
        };
        assert_eq!(
            click.message.id,
            MessageId::new(payloads::id_of(&message).unwrap_or(1))
        );
        let expected = match component_type {
            2 => ComponentInteractionDataKind::Button,
            _ => ComponentInteractionDataKind::StringSelect {
                values: vec!["rust".to_owned()],
            },
        };
        assert_eq!(format!("{:?}", click.data.kind), format!("{expected:?}"));
    }
    Ok(())
}

fn parse(v: Value) -> serde_json::Result<Interaction> {
    serde_json::from_value(v)
}
