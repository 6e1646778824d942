//! Builders for what Discord sends the bot, shaped like Discord's documented JSON and complete
//! enough for serenity 0.12.5 (it silently drops a dispatch it cannot parse).
//!
//! Every builder takes fresh snowflakes, so ids and interaction tokens are unique.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{SystemTime, UNIX_EPOCH};

use serde_json::{json, Value};

use super::{APPLICATION_ID, BOT_USERNAME, BOT_USER_ID};

/// The guild [`Origin::guild`] interactions happen in.
pub const GUILD_ID: u64 = 1_000_000_000_000_000_010;
/// The text channel [`Origin::guild`] interactions happen in.
pub const GUILD_CHANNEL_ID: u64 = 1_000_000_000_000_000_011;
/// Permission bits of a server administrator.
pub const ADMINISTRATOR: &str = "8";
/// Permission bits of an ordinary member (view channel, send messages, read history, ...).
pub const MEMBER_PERMISSIONS: &str = "2248473465835073";
/// What the bot may do in the channel (`app_permissions`).
const APP_PERMISSIONS: &str = "2248473465835073";

/// A fresh snowflake, unique within the test process (above every id in [`dm_channel_id`]).
pub fn new_id() -> u64 {
    static NEXT: AtomicU64 = AtomicU64::new(1_100_000_000_000_000_000);
    NEXT.fetch_add(1, Ordering::Relaxed)
}

/// A snowflake JSON value (Discord sends strings; numbers are accepted too).
pub fn snowflake(v: &Value) -> Option<u64> {
    v.as_str()
        .and_then(|s| s.parse().ok())
        .or_else(|| v.as_u64())
}

/// `v["id"]` as a number.
pub fn id_of(v: &Value) -> Option<u64> {
    snowflake(&v["id"])
}

/// Discord's sharding formula: the shard id (of `total`) that receives a guild's events.
pub fn shard_of(guild_id: u64, total: u64) -> u64 {
    (guild_id >> 22) % total.max(1)
}

/// A fresh guild id whose events go to shard `shard` of `total` (see [`shard_of`]).
pub fn guild_id_on_shard(shard: u64, total: u64) -> u64 {
    let id = new_id();
    let (high, low) = (id >> 22, id & ((1 << 22) - 1));
    let total = total.max(1);
    // Same timestamp bucket of `total`, moved to the wanted remainder.
    (((high - high % total) + shard % total) << 22) | low
}

/// The deterministic id of the bot's DM channel with a user (what `POST
/// /users/@me/channels` answers).
pub fn dm_channel_id(user_id: u64) -> u64 {
    900_000_000_000_000_000 + user_id % 100_000_000_000_000_000
}

/// The current time as an ISO 8601 timestamp like Discord's.
pub fn timestamp_now() -> String {
    let now = SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .unwrap_or_default();
    let (secs, micros) = (now.as_secs(), now.subsec_micros());
    // Days since 1970 → civil date (Howard Hinnant's algorithm).
    let z = (secs / 86_400) as i64 + 719_468;
    let (era, doe) = (z.div_euclid(146_097), z.rem_euclid(146_097));
    let yoe = (doe - doe / 1_460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    let s = secs % 86_400;
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}.{micros:06}+00:00",
        s / 3600,
        s / 60 % 60,
        s % 60
    )
}

/// The bot's own user (READY, `GET /users/@me`, author of its messages).
pub fn bot_user() -> Value {
    json!({
        "id": BOT_USER_ID.to_string(), "username": BOT_USERNAME, "discriminator": "0000",
        "global_name": null, "avatar": null, "bot": true, "verified": true,
        "mfa_enabled": false, "flags": 0, "public_flags": 0,
    })
}

/// A human user with a fresh id.
pub fn user(name: &str) -> Value {
    user_with_id(new_id(), name)
}

/// A human user with a chosen id.
pub fn user_with_id(id: u64, name: &str) -> Value {
    json!({
        "id": id.to_string(), "username": name, "discriminator": "0", "global_name": name,
        "avatar": null, "avatar_decoration_data": null, "public_flags": 0, "flags": 0,
    })
}

/// A guild member wrapping `user`, with the given permission bits (as an interaction's
/// `member` carries them: total permissions in the channel).
pub fn member(user: &Value, permissions: &str) -> Value {
    json!({
        "user": user, "nick": null, "avatar": null, "banner": null, "roles": [],
        "joined_at": "2024-01-01T00:00:00.000000+00:00", "premium_since": null,
        "deaf": false, "mute": false, "flags": 0, "pending": false,
        "permissions": permissions, "communication_disabled_until": null,
        "unusual_dm_activity_until": null,
    })
}

/// Where an interaction happens and who triggers it.
#[derive(Clone, Debug)]
pub struct Origin {
    /// `Some` for a guild text channel.
    pub guild_id: Option<u64>,
    /// The channel of the interaction.
    pub channel_id: u64,
    /// The guild member (guild only).
    pub member: Option<Value>,
    /// The user behind it.
    pub user: Value,
}

impl Origin {
    /// In [`GUILD_CHANNEL_ID`] of [`GUILD_ID`], by `member` (see [`member`]).
    pub fn guild(member: Value) -> Self {
        Self {
            guild_id: Some(GUILD_ID),
            channel_id: GUILD_CHANNEL_ID,
            user: member["user"].clone(),
            member: Some(member),
        }
    }

    /// In a text channel of a fresh guild whose events go to shard `shard` of `total`
    /// (see [`guild_id_on_shard`]), by `member`.
    pub fn guild_on_shard(member: Value, shard: u64, total: u64) -> Self {
        Self {
            guild_id: Some(guild_id_on_shard(shard, total)),
            channel_id: new_id(),
            user: member["user"].clone(),
            member: Some(member),
        }
    }

    /// In the bot's DM channel with `user`.
    pub fn dm(user: Value) -> Self {
        let channel_id = dm_channel_id(id_of(&user).unwrap_or_default());
        Self {
            guild_id: None,
            channel_id,
            member: None,
            user,
        }
    }

    /// The triggering user's id.
    pub fn user_id(&self) -> u64 {
        id_of(&self.user).unwrap_or_default()
    }
}

/// An `INTERACTION_CREATE` for a chat-input (slash) command; `options` is the `data.options`
/// array (e.g. `[{"name":"stack","type":3,"value":"rust"}]`).
pub fn slash_command(name: &str, options: Value, origin: &Origin) -> Value {
    let data = json!({ "id": new_id().to_string(), "name": name, "type": 1, "options": options });
    interaction(2, data, origin)
}

/// An `INTERACTION_CREATE` for autocomplete (type 4); mark the option being typed with
/// `"focused": true`.
pub fn autocomplete(name: &str, options: Value, origin: &Origin) -> Value {
    let data = json!({ "id": new_id().to_string(), "name": name, "type": 1, "options": options });
    interaction(4, data, origin)
}

/// An `INTERACTION_CREATE` for a click on a component (type 3) of `message` (a full message
/// object, e.g. from [`super::FakeDiscord::original_response`]). `component_type` is 2 for a
/// button (then `values` is ignored), 3 for a string select, ...
pub fn component_click(
    custom_id: &str,
    component_type: u8,
    values: &[&str],
    message: &Value,
    origin: &Origin,
) -> Value {
    let mut data = json!({ "custom_id": custom_id, "component_type": component_type });
    if component_type != 2 {
        data["values"] = json!(values);
    }
    let mut v = interaction(3, data, origin);
    v["message"] = message.clone();
    v
}

/// A PING (interaction type 1), as Discord sends to an Interactions Endpoint URL to check
/// it (the answer must be `{"type":1}`).
pub fn ping() -> Value {
    let id = new_id();
    json!({
        "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": 1,
        "token": format!("fake-interaction-token-{id}"), "version": 1, "entitlements": [],
        "attachment_size_limit": 26_214_400, "app_permissions": APP_PERMISSIONS,
    })
}

/// A `MESSAGE_CREATE` of a user writing `content` in a DM channel (no `guild_id`).
pub fn dm_message(author: &Value, channel_id: u64, content: &str) -> Value {
    json!({
        "id": new_id().to_string(), "channel_id": channel_id.to_string(), "author": author,
        "content": content, "timestamp": timestamp_now(), "edited_timestamp": null,
        "tts": false, "mention_everyone": false, "mentions": [], "mention_roles": [],
        "attachments": [], "embeds": [], "components": [], "pinned": false, "type": 0,
        "flags": 0, "nonce": new_id().to_string(),
    })
}

/// The fields every interaction type shares.
fn interaction(kind: u8, data: Value, origin: &Origin) -> Value {
    let id = new_id();
    let channel = origin.channel_id.to_string();
    let mut v = json!({
        "id": id.to_string(), "application_id": APPLICATION_ID.to_string(), "type": kind,
        "data": data, "channel_id": channel, "token": format!("fake-interaction-token-{id}"),
        "version": 1, "locale": "en-US", "entitlements": [],
        "attachment_size_limit": 26_214_400, "app_permissions": APP_PERMISSIONS,
    });
    match (origin.guild_id, &origin.member) {
        (Some(guild_id), Some(member)) => {
            let guild = guild_id.to_string();
            v["guild_id"] = json!(guild);
            v["guild"] = json!({ "id": guild, "locale": "en-US", "features": [] });
            v["guild_locale"] = json!("en-US");
            v["member"] = member.clone();
            v["channel"] = json!({
                "id": channel, "type": 0, "name": "general", "guild_id": guild, "position": 0,
                "flags": 0, "nsfw": false, "parent_id": null, "topic": null,
                "last_message_id": null, "rate_limit_per_user": 0,
                "permissions": member["permissions"],
            });
            v["context"] = json!(0);
            v["authorizing_integration_owners"] = json!({ "0": guild });
        }
        _ => {
            v["user"] = origin.user.clone();
            v["channel"] = json!({
                "id": channel, "type": 1, "flags": 0, "last_message_id": null,
                "recipients": [origin.user],
            });
            v["context"] = json!(1);
            // A guild-installed app used in its DM: "0" stands for "no guild".
            v["authorizing_integration_owners"] = json!({ "0": "0" });
        }
    }
    v
}

/// Adds an attachment (from [`super::FakeDiscord::host_attachment`]) to a slash
/// command's `data.resolved`, as Discord does for attachment options.
pub fn with_attachment(mut interaction: Value, attachment: &Value) -> Value {
    let id = attachment["id"].as_str().unwrap_or_default().to_owned();
    interaction["data"]["resolved"] = json!({ "attachments": { id: attachment } });
    interaction
}

/// GUILD_DELETE's `d`: an unavailable guild object. `unavailable: Some(true)` is an
/// outage (the bot is still in the server); without the field, the bot was removed
/// from it (Discord's docs: "If the unavailable field is not set, the user was
/// removed from the guild").
pub fn guild_delete(guild_id: u64, unavailable: Option<bool>) -> Value {
    let mut d = json!({ "id": guild_id.to_string() });
    if let Some(unavailable) = unavailable {
        d["unavailable"] = json!(unavailable);
    }
    d
}
