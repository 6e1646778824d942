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
    start_client(fake, label, None).await
}

/// Builds a client against the fake and spawns it, as one shard `[id, total]` if given
/// (`client.start_shard`, as a process running one shard of a bot would).
async fn start_client(
    fake: &FakeDiscord,
    label: &'static str,
    shard: Option<[u32; 2]>,
) -> Result<Arc<ShardManager>, serenity::Error> {
    let intents = GatewayIntents::GUILDS | GatewayIntents::DIRECT_MESSAGES;
    let mut client = ClientBuilder::new_with_http(http(fake), intents)
        .event_handler(Handler { label })
        .await?;
    let manager = Arc::clone(&client.shard_manager);
    tokio::spawn(async move {
        let started = match shard {
            Some([id, total]) => client.start_shard(id, total).await,
            None => client.start().await,
        };
        if let Err(e) = started {
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

/// Waits (polling) until `done` holds, up to [`T`].
async fn eventually(what: &str, done: impl Fn() -> bool) -> TestResult {
    let deadline = tokio::time::Instant::now() + T;
    while !done() {
        if tokio::time::Instant::now() > deadline {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    Ok(())
}

/// The `token` of an interaction payload.
fn token_of(interaction: &Value) -> String {
    interaction["token"].as_str().unwrap_or_default().to_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shards_get_their_guilds_and_shard_zero_the_dms() -> TestResult {
    let fake = FakeDiscord::start().await?;
    fake.set_recommended_shards(2);
    let gateway = http(&fake).get_bot_gateway().await?;
    assert_eq!((gateway.url, gateway.shards), (fake.gateway_url(), 2));
    let limit = gateway.session_start_limit;
    assert_eq!(
        (limit.total, limit.remaining, limit.max_concurrency),
        (1000, 1000, 1)
    );

    // Two "processes", one shard each, as serenity's `start_shard` identifies them.
    let shard0 = start_client(&fake, "shard 0", Some([0, 2])).await?;
    let shard1 = start_client(&fake, "shard 1", Some([1, 2])).await?;
    let identifies = fake.wait_for_shards(&[0, 1], 2, T).await?;
    assert_eq!(
        (&identifies[0]["shard"], &identifies[1]["shard"]),
        (&json!([0, 2]), &json!([1, 2]))
    );
    assert_eq!(fake.shards(), vec![[0, 2], [1, 2]]);

    // A guild's interactions reach the shard `(guild_id >> 22) % 2`; DMs reach shard 0.
    let member = payloads::member(&payloads::user("eve"), payloads::MEMBER_PERMISSIONS);
    let on_shard = |shard| Origin::guild_on_shard(member.clone(), shard, 2);
    let dm = Origin::dm(payloads::user("fay"));
    for (origin, shard) in [(on_shard(0), 0), (on_shard(1), 1), (dm, 0)] {
        if let Some(guild) = origin.guild_id {
            assert_eq!(payloads::shard_of(guild, 2), shard);
        }
        let slash = payloads::slash_command("ping", json!([]), &origin);
        let token = token_of(&slash);
        fake.dispatch("INTERACTION_CREATE", slash).await?;
        let cb = fake.wait_for_callback(&token, T).await?;
        let content = cb.body.as_ref().map(|b| b["data"]["content"].clone());
        assert_eq!(content, Some(json!(format!("pong from shard {shard}"))));
        assert!(!cb.inline);
    }
    fake.assert_no_violations();

    // Shard 1 gone: its guild's events have nowhere to go (GUILD_DELETE routes by `id`).
    shard1.shutdown_all().await;
    eventually("shard 1 to disconnect", || fake.shards() == vec![[0, 2]]).await?;
    let guild = payloads::guild_id_on_shard(1, 2);
    let gone = json!({ "id": guild.to_string(), "unavailable": false });
    let err = fake
        .dispatch("GUILD_DELETE", gone.clone())
        .await
        .unwrap_err();
    assert!(err.contains("shard 1 (of 2)"), "{err}");

    // Restarted, it gets a READY of its own and the guild's events again.
    let seen = fake.ready_count();
    let shard1 = start_client(&fake, "shard 1 again", Some([1, 2])).await?;
    let identify = fake.wait_next_shard_ready([1, 2], seen, T).await?;
    assert_eq!(identify["shard"], json!([1, 2]));
    fake.dispatch("GUILD_DELETE", gone).await?;
    fake.assert_no_violations();
    shard0.shutdown_all().await;
    shard1.shutdown_all().await;
    Ok(())
}

type RawGateway =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Connects a raw gateway client, identifies with `shard` (none if `Null`) and returns the
/// socket with the frame that answered (READY, or the close frame).
async fn raw_identify(
    fake: &FakeDiscord,
    shard: Value,
) -> Result<
    (RawGateway, tokio_tungstenite::tungstenite::Message),
    Box<dyn std::error::Error + Send + Sync>,
> {
    use futures_util::{SinkExt as _, StreamExt as _};
    let url = format!("{}?v=10&encoding=json", fake.gateway_url());
    let (mut ws, _) = tokio_tungstenite::connect_async(url).await?;
    let hello = tokio::time::timeout(T, ws.next())
        .await?
        .ok_or("no HELLO")??;
    assert!(hello.to_text()?.contains("heartbeat_interval"), "{hello:?}");
    let mut d = json!({ "token": "fake-token", "intents": 0, "properties": { "os": "linux" } });
    if !shard.is_null() {
        d["shard"] = shard;
    }
    let identify = json!({ "op": 2, "d": d }).to_string();
    ws.send(tokio_tungstenite::tungstenite::Message::Text(identify))
        .await?;
    let answer = tokio::time::timeout(T, ws.next())
        .await?
        .ok_or("no answer")??;
    Ok((ws, answer))
}

/// The next text frame of a raw gateway client, parsed.
async fn next_frame(
    ws: &mut RawGateway,
) -> Result<Value, Box<dyn std::error::Error + Send + Sync>> {
    use futures_util::StreamExt as _;
    let frame = tokio::time::timeout(T, ws.next())
        .await?
        .ok_or("closed")??;
    Ok(serde_json::from_str(frame.to_text()?)?)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn invalid_shards_are_closed_with_4010() -> TestResult {
    use tokio_tungstenite::tungstenite::protocol::frame::coding::CloseCode;
    use tokio_tungstenite::tungstenite::Message as Frame;
    let fake = FakeDiscord::start().await?;

    // Invalid shards: Discord closes with 4010.
    for shard in [json!([2, 2]), json!([0, 0]), json!([0, -1]), json!("0/2")] {
        let (_, answer) = raw_identify(&fake, shard.clone()).await?;
        let Frame::Close(Some(close)) = &answer else {
            return Err(format!("{shard}: expected a close frame, got {answer:?}").into());
        };
        assert_eq!(close.code, CloseCode::from(4010), "{shard}");
    }
    let seen = fake.take_violations();
    assert_eq!(seen.len(), 4, "{seen:#?}");
    for needle in [
        "shard id 2 is not in 0..2",
        "non-positive total",
        "[0, -1] has a non",
        "is not [shard_id",
    ] {
        assert!(
            seen.iter().any(|v| v.contains(needle)),
            "{needle}: {seen:#?}"
        );
    }
    assert!(fake.shards().is_empty());
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn shard_conflicts_are_violations_and_routing_picks_the_newest() -> TestResult {
    let fake = FakeDiscord::start().await?;
    // The same shard twice, and a connection disagreeing on the total.
    let (mut first, ready) = raw_identify(&fake, json!([0, 2])).await?;
    let ready: Value = serde_json::from_str(ready.to_text()?)?;
    assert_eq!(
        (&ready["t"], &ready["d"]["shard"]),
        (&json!("READY"), &json!([0, 2]))
    );
    let (mut second, _) = raw_identify(&fake, json!([0, 2])).await?;
    let (mut odd, _) = raw_identify(&fake, json!([1, 3])).await?;
    assert_eq!(fake.shards(), vec![[0, 2], [0, 2], [1, 3]]);
    let seen = fake.take_violations();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(
        seen[0].contains("two open connections identified as shard [0, 2]"),
        "{seen:#?}"
    );
    assert!(
        seen[1..]
            .iter()
            .all(|v| v.contains("disagrees on the total")),
        "{seen:#?}"
    );
    odd.close(None).await?;
    eventually("[1, 3] to disconnect", || fake.shards().len() == 2).await?;

    // Routing: shard 0's events go to the newest connection of shard 0; shard 1 is absent.
    let author = payloads::user("gus");
    let in_guild = |guild: u64| {
        let mut m = payloads::dm_message(&author, payloads::new_id(), "hi");
        m["guild_id"] = json!(guild.to_string());
        m
    };
    fake.dispatch(
        "MESSAGE_CREATE",
        in_guild(payloads::guild_id_on_shard(0, 2)),
    )
    .await?;
    let dm = payloads::dm_message(&author, payloads::dm_channel_id(1), "dm");
    fake.dispatch("MESSAGE_CREATE", dm).await?;
    for content in ["hi", "dm"] {
        let frame = next_frame(&mut second).await?;
        assert_eq!(
            (&frame["t"], &frame["d"]["content"]),
            (&json!("MESSAGE_CREATE"), &json!(content))
        );
    }
    let err = fake
        .dispatch(
            "MESSAGE_CREATE",
            in_guild(payloads::guild_id_on_shard(1, 2)),
        )
        .await
        .unwrap_err();
    assert!(err.contains("not connected"), "{err}");
    // The older duplicate got none of them: once alone, its first dispatch follows READY.
    second.close(None).await?;
    eventually("the duplicate to disconnect", || fake.shards().len() == 1).await?;
    fake.dispatch(
        "MESSAGE_CREATE",
        in_guild(payloads::guild_id_on_shard(0, 2)),
    )
    .await?;
    assert_eq!(next_frame(&mut first).await?["s"], 2);
    fake.assert_no_violations();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn command_listing_returns_the_last_put() -> TestResult {
    use serenity::all::{InstallationContext, InteractionContext};
    let fake = FakeDiscord::start().await?;
    let http = http(&fake);
    http.set_application_id(APPLICATION_ID.into());
    assert!(http.get_global_commands().await?.is_empty());

    let stack = CreateCommandOption::new(CommandOptionType::String, "stack", "A stack")
        .required(true)
        .add_string_choice("Rust", "rust");
    let pick = CreateCommand::new("pick")
        .description("Pick a stack")
        .add_option(stack)
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .contexts(vec![InteractionContext::Guild, InteractionContext::BotDm])
        .integration_types(vec![InstallationContext::Guild])
        .nsfw(false);
    let put = http.create_global_commands(&vec![pick.clone()]).await?;
    let mark = fake.mark();
    let listed = http.get_global_commands().await?;
    let get = fake
        .wait_for_call(mark, T, |c| c.is("GET", "/applications/*/commands"))
        .await?;
    let put_call = fake
        .wait_for_call(0, T, |c| c.is("PUT", "/applications/*/commands"))
        .await?;
    assert_eq!(get.response, put_call.response);
    let command = &get
        .response
        .as_ref()
        .and_then(|r| r.get(0).cloned())
        .ok_or("no command listed")?;
    for key in [
        "id",
        "application_id",
        "version",
        "type",
        "name",
        "description",
        "options",
        "contexts",
        "integration_types",
        "default_member_permissions",
        "dm_permission",
        "nsfw",
    ] {
        assert!(command.get(key).is_some(), "{key} missing from {command}");
    }
    assert_eq!(command["default_member_permissions"], "32");
    // Discord leaves out what is unset, false or empty (here serenity sent nulls and []).
    let option = &command["options"][0];
    assert_eq!(
        option["choices"],
        json!([{ "name": "Rust", "value": "rust" }])
    );
    assert_eq!(
        (&option["required"], option.get("min_length")),
        (&json!(true), None)
    );
    assert_eq!(
        (option.get("autocomplete"), option.get("channel_types")),
        (None, None)
    );
    assert_eq!(command["contexts"], json!([0, 1]));
    assert_eq!(
        (
            listed[0].id,
            listed[0].version,
            listed[0].integration_types.clone()
        ),
        (put[0].id, put[0].version, vec![InstallationContext::Guild])
    );

    // The same definitions again: same id and version. A change: same id, new version.
    let again = http.create_global_commands(&vec![pick.clone()]).await?;
    assert_eq!((again[0].id, again[0].version), (put[0].id, put[0].version));
    let changed = http
        .create_global_commands(&vec![pick.clone().description("Pick one")])
        .await?;
    assert_eq!(changed[0].id, put[0].id);
    assert_ne!(changed[0].version, put[0].version);
    assert_eq!(fake.put_count(None), 3);

    // Guild commands are listed per guild.
    let guild = GuildId::new(payloads::GUILD_ID);
    http.create_guild_commands(guild, &vec![pick]).await?;
    let listed = http.get_guild_commands(guild).await?;
    assert_eq!((listed.len(), listed[0].guild_id), (1, Some(guild)));
    assert!(http
        .get_guild_commands(GuildId::new(payloads::new_id()))
        .await?
        .is_empty());
    assert_eq!(
        (
            fake.put_count(Some(payloads::GUILD_ID)),
            fake.put_count(None)
        ),
        (1, 3)
    );
    fake.assert_no_violations();
    Ok(())
}

/// Parses `N` bytes from `2 * N` hex digits.
fn from_hex<const N: usize>(hex: &str) -> Option<[u8; N]> {
    let mut out = [0; N];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(hex.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    (hex.len() == 2 * N).then_some(out)
}

/// Checks Discord's signature as serenity's `interactions_endpoint::Verifier` does:
/// Ed25519 of `X-Signature-Timestamp` + body, hex in `X-Signature-Ed25519`.
fn signed(key: &ed25519_dalek::VerifyingKey, headers: &axum::http::HeaderMap, body: &[u8]) -> bool {
    use ed25519_dalek::{Signature, Verifier as _};
    let header = |name: &str| {
        headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or_default()
    };
    let Some(signature) = from_hex(header("X-Signature-Ed25519")) else {
        return false;
    };
    let message = [header("X-Signature-Timestamp").as_bytes(), body].concat();
    key.verify(&message, &Signature::from_bytes(&signature))
        .is_ok()
}

/// The test endpoint's inline interaction response; a command's name picks a behaviour.
async fn respond(interaction: &Value) -> Option<Value> {
    let button = json!({ "type": 2, "style": 1, "label": "Again", "custom_id": "again" });
    let message =
        json!({ "content": "pong", "components": [{ "type": 1, "components": [button] }] });
    let name = interaction["data"]["name"].as_str();
    Some(match (interaction["type"].as_u64()?, name) {
        (1, _) => json!({ "type": 1 }),
        (2, Some("slow")) => json!({ "type": 5 }),
        (2, Some("wrong")) => json!({ "type": 7, "data": { "content": "no" } }),
        (2, Some("late")) => {
            tokio::time::sleep(Duration::from_millis(3200)).await;
            json!({ "type": 4, "data": { "content": "too late" } })
        }
        (2, _) => json!({ "type": 4, "data": message }),
        (3, _) => json!({ "type": 7, "data": { "content": "clicked", "components": [] } }),
        _ => return None,
    })
}

/// A minimal Interactions Endpoint URL on loopback: 401 unless signed with
/// `public_key_hex`, 400 for what it cannot answer, else the response inline.
async fn start_endpoint(public_key_hex: &str) -> std::io::Result<String> {
    use axum::http::{HeaderMap, StatusCode};
    use axum::response::{IntoResponse, Response};

    let key =
        from_hex(public_key_hex).and_then(|k| ed25519_dalek::VerifyingKey::from_bytes(&k).ok());
    let key = key.ok_or_else(|| std::io::Error::other("bad public key"))?;
    let answer = move |headers: HeaderMap, body: axum::body::Bytes| async move {
        if !signed(&key, &headers, &body) {
            return StatusCode::UNAUTHORIZED.into_response();
        }
        let interaction = serde_json::from_slice::<Value>(&body).ok();
        let response = match interaction {
            Some(interaction) => respond(&interaction).await,
            None => None,
        };
        response.map_or_else(
            || StatusCode::BAD_REQUEST.into_response(),
            |r| -> Response { axum::Json(r).into_response() },
        )
    };
    let app = axum::Router::new().route("/interactions", axum::routing::post(answer));
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", 0)).await?;
    let url = format!("http://{}/interactions", listener.local_addr()?);
    tokio::spawn(async move { axum::serve(listener, app).await });
    Ok(url)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn signed_http_interactions_are_answered_inline() -> TestResult {
    let (fake, url) = fake_with_endpoint().await?;
    let key = fake.public_key_hex();
    assert_eq!(
        http(&fake).get_current_application_info().await?.verify_key,
        key
    );

    // PING → PONG.
    let pong = fake.post_interaction(&url, payloads::ping()).await?;
    assert_eq!((pong.status, pong.body), (200, Some(json!({ "type": 1 }))));

    // A command answered inline counts as its callback: the usual helpers see it.
    let origin = Origin::guild(payloads::member(
        &payloads::user("hal"),
        payloads::MEMBER_PERMISSIONS,
    ));
    let slash = payloads::slash_command("ping", json!([]), &origin);
    let token = token_of(&slash);
    let answer = fake.post_interaction(&url, slash).await?;
    assert_eq!(answer.body.as_ref().map(|b| &b["type"]), Some(&json!(4)));
    let cb = fake.wait_for_callback(&token, T).await?;
    assert!(cb.inline && !cb.authorized && cb.status == 204, "{cb:?}");
    assert!(cb.is("POST", "/interactions/*/*/callback"));
    let original = fake.original_response(&token).ok_or("no @original")?;
    assert_eq!(original["content"], "pong");

    // Acknowledged, so follow-ups over REST are accepted.
    let rest = http(&fake);
    rest.set_application_id(APPLICATION_ID.into());
    let followup = rest
        .create_followup_message(&token, &json!({ "content": "more" }), vec![])
        .await?;
    assert_eq!(followup.content, "more");

    // A click answered with UPDATE_MESSAGE edits the clicked message.
    let click = payloads::component_click("again", 2, &[], &original, &origin);
    let click_token = token_of(&click);
    fake.post_interaction(&url, click).await?;
    let updated = fake
        .original_response(&click_token)
        .ok_or("no @original after the click")?;
    assert_eq!(
        (&updated["content"], &updated["id"]),
        (&json!("clicked"), &original["id"])
    );

    // Deferred inline, finished over REST.
    let slow = payloads::slash_command("slow", json!([]), &Origin::dm(payloads::user("ida")));
    let slow_token = token_of(&slow);
    fake.post_interaction(&url, slow).await?;
    let edited = rest
        .edit_original_interaction_response(&slow_token, &json!({ "content": "done" }), vec![])
        .await?;
    assert_eq!(edited.content, "done");
    assert!(fake
        .calls()
        .iter()
        .all(|c| c.inline || !c.is("POST", "/interactions/*/*/callback")));
    fake.assert_no_violations();
    Ok(())
}

/// A fake Discord and a test endpoint that trusts its key.
async fn fake_with_endpoint(
) -> Result<(FakeDiscord, String), Box<dyn std::error::Error + Send + Sync>> {
    let fake = FakeDiscord::start().await?;
    let key = fake.public_key_hex();
    assert_eq!(key.len(), 64);
    let url = start_endpoint(&key).await?;
    Ok((fake, url))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn raw_signed_requests_test_the_endpoints_checks() -> TestResult {
    let (fake, url) = fake_with_endpoint().await?;
    // Bad signatures and bodies, sent raw: the endpoint refuses them; nothing is recorded.
    let body = serde_json::to_vec(&payloads::ping())?;
    let zeros = "0".repeat(128);
    for headers in [
        [("X-Signature-Ed25519", zeros.as_str())],
        [("X-Signature-Ed25519", "")],
        [("X-Signature-Timestamp", "1")],
    ] {
        let refused = fake
            .post_signed_raw(&url, "POST", body.clone(), &headers)
            .await?;
        assert_eq!(refused.status, 401, "{headers:?}");
    }
    let not_json = fake
        .post_signed_raw(&url, "POST", b"{not json".to_vec(), &[])
        .await?;
    assert_eq!(not_json.status, 400);
    let wrong_method = fake.post_signed_raw(&url, "GET", Vec::new(), &[]).await?;
    assert_eq!(
        (wrong_method.status, wrong_method.content_type),
        (405, None)
    );
    assert!(fake.calls().is_empty());
    fake.assert_no_violations();
    Ok(())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn inline_answers_follow_the_callback_rules() -> TestResult {
    let (fake, url) = fake_with_endpoint().await?;
    // As over REST: a wrong callback type, a late answer; and an answer that is no answer.
    let origin = Origin::dm(payloads::user("jo"));
    for name in ["wrong", "late"] {
        fake.post_interaction(&url, payloads::slash_command(name, json!([]), &origin))
            .await?;
    }
    let unanswerable = payloads::autocomplete("ping", json!([]), &origin);
    let refused = fake.post_interaction(&url, unanswerable).await?;
    assert_eq!(refused.status, 400);
    let seen = fake.take_violations();
    assert_eq!(seen.len(), 3, "{seen:#?}");
    assert!(
        seen[0].contains("callback type 7 cannot answer") && seen[0].contains("inline HTTP answer"),
        "{seen:#?}"
    );
    assert!(seen[1].contains("acknowledged after"), "{seen:#?}");
    assert!(seen[2].contains("This interaction failed"), "{seen:#?}");
    // Each answer was recorded as a callback, refused as Discord would.
    let statuses: Vec<u16> = fake.calls().iter().map(|c| c.status).collect();
    assert_eq!(statuses, [400, 404]);
    Ok(())
}
