//! REST half of the fake: records and validates every request, then serves the few resources
//! a bot uses (gateway info, commands, interaction responses, DMs, messages).

use std::collections::HashMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::Instant;

use axum::body::Bytes;
use axum::extract::State as Axum;
use axum::http::{header, HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::Extension;
use axum::Json;
use serde_json::{json, Value};

use super::payloads::{bot_user, dm_channel_id, id_of, new_id, snowflake, timestamp_now};
use super::{endpoint, faults, limits, openapi, payloads, Call, Shared, State, UploadedFile};
use super::{ACK_DEADLINE, APPLICATION_ID, BOT_USERNAME, OWNER_ID};

/// Message flag: the response is still "thinking" (deferred).
const LOADING: u64 = 1 << 7;

/// Status and JSON body of an answer.
pub(super) struct Reply {
    status: u16,
    body: Option<Value>,
}

impl Reply {
    fn ok(body: Value) -> Self {
        Self {
            status: 200,
            body: Some(body),
        }
    }

    fn no_content() -> Self {
        Self {
            status: 204,
            body: None,
        }
    }

    fn error(status: u16, code: u64, message: &str) -> Self {
        Self {
            status,
            body: Some(json!({ "code": code, "message": message })),
        }
    }

    fn invalid_body() -> Self {
        let body = json!({ "code": 50035, "message": "Invalid Form Body", "errors": {} });
        Self {
            status: 400,
            body: Some(body),
        }
    }

    fn not_found() -> Self {
        Self::error(404, 0, "404: Not Found")
    }

    fn unknown_message() -> Self {
        Self::error(404, 10008, "Unknown Message")
    }
}

impl IntoResponse for Reply {
    fn into_response(self) -> Response {
        let status = StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        match self.body {
            Some(body) => (status, Json(body)).into_response(),
            None => status.into_response(),
        }
    }
}

/// A route's result: `Err` carries the answer plus the violation to record.
type Outcome = Result<Reply, (Reply, String)>;

fn bad(reply: Reply, why: impl Into<String>) -> (Reply, String) {
    (reply, why.into())
}

fn parse_id(s: &str) -> Result<u64, (Reply, String)> {
    s.parse()
        .map_err(|_| bad(Reply::invalid_body(), format!("{s:?} is not a snowflake")))
}

/// The request as routes see it; `body` is `Null` when there was none.
struct Req<'a> {
    method: &'a str,
    path: &'a str,
    body: &'a Value,
    files: &'a [UploadedFile],
}

/// A request body: JSON (or a multipart body's `payload_json`) and file parts.
pub(super) type Body = (Option<Value>, Vec<UploadedFile>);

/// A request as it reached the fake, before its body is looked at.
pub(super) struct Incoming<'a> {
    pub(super) method: &'a str,
    /// The full path, `/api/v10/...`.
    pub(super) path: &'a str,
    pub(super) query: Option<&'a str>,
    /// Whether an `Authorization` header was sent.
    pub(super) authorized: bool,
    /// An interaction response returned inline over HTTP rather than requested.
    pub(super) inline: bool,
    pub(super) received: Instant,
}

/// Fallback handler: every non-gateway request lands here.
pub(super) async fn handle(
    Axum(shared): Axum<Arc<Shared>>,
    method: Method,
    uri: Uri,
    connection: Option<Extension<faults::Connection>>,
    headers: HeaderMap,
    bytes: Bytes,
) -> Response {
    let incoming = Incoming {
        method: method.as_str(),
        path: uri.path(),
        query: uri.query(),
        authorized: headers.contains_key(header::AUTHORIZATION),
        inline: false,
        received: Instant::now(),
    };
    let delay = shared.callback_delay_ms.load(Ordering::Relaxed);
    if delay > 0 && method == Method::POST && is_callback(uri.path()) {
        shared.lock().delayed_callbacks += 1;
        shared.bump();
        // Cancelled with the request if the bot hangs up: then nothing is recorded.
        tokio::time::sleep(std::time::Duration::from_millis(delay)).await;
    }
    if let ["api", "v10", "webhooks", _, token, ..] = segments(uri.path()).as_slice() {
        let token = (*token).to_owned();
        shared
            .wait_acknowledged(&token, std::time::Duration::from_secs(2))
            .await;
    }
    let Some(fault) = faults::take(&shared, method.as_str(), uri.path()) else {
        return serve(&shared, &incoming, parse_body(&headers, &bytes)).into_response();
    };
    let body = parse_body(&headers, &bytes);
    faults::serve_faulted(&shared, &incoming, body, fault, connection.map(|c| c.0)).await
}

/// Whether `path` is `/api/v10/interactions/{id}/{token}/callback`.
fn is_callback(path: &str) -> bool {
    matches!(
        segments(path).as_slice(),
        ["api", "v10", "interactions", _, _, "callback"]
    )
}

/// Validates, routes and records one request; `body` is the parsed body or why it could
/// not be parsed.
pub(super) fn serve(shared: &Shared, incoming: &Incoming<'_>, body: Result<Body, String>) -> Reply {
    let mut problems = Vec::new();
    let method = incoming.method;
    let path = incoming
        .path
        .strip_prefix("/api/v10")
        .filter(|p| p.starts_with('/'));
    let (body, files) = body.unwrap_or_else(|e| {
        problems.push(e);
        (None, Vec::new())
    });
    let reply = match path {
        None => {
            problems.push("not under /api/v10".to_owned());
            Reply::not_found()
        }
        Some(_) if !problems.is_empty() => {
            Reply::error(400, 50109, "The request body contains invalid JSON.")
        }
        Some(path) => {
            if shared.validate.load(Ordering::Relaxed) {
                problems.extend(validate(method, path, body.as_ref()));
            }
            if problems.is_empty() {
                let body = body.as_ref().unwrap_or(&Value::Null);
                let req = Req {
                    method,
                    path,
                    body,
                    files: &files,
                };
                route(shared, &mut shared.lock(), &req).unwrap_or_else(|(reply, why)| {
                    problems.push(why);
                    reply
                })
            } else {
                Reply::invalid_body()
            }
        }
    };
    let path = path.map(str::to_owned);
    record_at(
        shared,
        incoming,
        path,
        body,
        files,
        reply.status,
        reply.body.clone(),
        problems,
    );
    reply
}

/// Records a request the fake answered without serving it (a fault).
pub(super) fn record(
    shared: &Shared,
    incoming: &Incoming<'_>,
    body: Option<Value>,
    files: Vec<UploadedFile>,
    status: u16,
    response: Option<Value>,
) {
    let path = incoming.path.strip_prefix("/api/v10").map(str::to_owned);
    record_at(
        shared,
        incoming,
        path,
        body,
        files,
        status,
        response,
        Vec::new(),
    );
}

/// Records a call and its problems, and wakes the waiters.
#[allow(clippy::too_many_arguments)]
fn record_at(
    shared: &Shared,
    incoming: &Incoming<'_>,
    path: Option<String>,
    body: Option<Value>,
    files: Vec<UploadedFile>,
    status: u16,
    response: Option<Value>,
    problems: Vec<String>,
) {
    let method = incoming.method;
    let path = path.as_deref();
    {
        let mut st = shared.lock();
        let inline = if incoming.inline {
            " (inline HTTP answer)"
        } else {
            ""
        };
        let label = format!("{method} {}{inline}", incoming.path);
        st.violations
            .extend(problems.into_iter().map(|p| format!("{label}: {p}")));
        let index = st.calls.len();
        // The first callback of an interaction, and the first edit of its `@original`,
        // wake whoever waits for them.
        match path.map(segments).as_deref() {
            Some(["interactions", _, token, "callback"]) => {
                if let Some(p) = st.interactions.get_mut(*token) {
                    if p.callback.is_none() {
                        p.callback = Some(index);
                        p.answered.notify_one();
                    }
                }
            }
            Some(["webhooks", _, token, "messages", "@original"]) if method == "PATCH" => {
                if let Some(p) = st.interactions.get_mut(*token) {
                    if p.edited.is_none() {
                        p.edited = Some(index);
                        p.edit_seen.notify_one();
                    }
                }
            }
            _ => {}
        }
        st.calls.push(Call {
            index,
            method: method.to_owned(),
            path: path.unwrap_or(incoming.path).to_owned(),
            query: incoming.query.map(str::to_owned),
            body,
            files,
            authorized: incoming.authorized,
            status,
            response,
            received: incoming.received,
            inline: incoming.inline,
        });
    }
    shared.bump();
}

fn segments(path: &str) -> Vec<&str> {
    path.trim_start_matches('/').split('/').collect()
}

/// OpenAPI schema + documented limits; unknown routes are reported by [`route`].
fn validate(method: &str, path: &str, body: Option<&Value>) -> Vec<String> {
    let Some(body) = body else { return Vec::new() };
    let op = match openapi::operation(method, path) {
        Ok(Some(op)) => op,
        Ok(None) => return Vec::new(),
        Err(e) => return vec![format!("cannot validate: {e}")],
    };
    let mut out =
        openapi::check(op, body).unwrap_or_else(|e| vec![format!("cannot validate: {e}")]);
    limits::check(&op.id, body, &mut out);
    out
}

fn route(shared: &Shared, st: &mut State, req: &Req<'_>) -> Outcome {
    match (req.method, segments(req.path).as_slice()) {
        ("GET", ["gateway"]) => Ok(Reply::ok(json!({ "url": shared.ws_url() }))),
        ("GET", ["gateway", "bot"]) => Ok(Reply::ok(bot_gateway(shared, st))),
        ("GET", ["users", "@me"]) => Ok(Reply::ok(bot_user())),
        ("GET", ["applications", "@me"] | ["oauth2", "applications", "@me"]) => {
            Ok(Reply::ok(application()))
        }
        (m @ ("GET" | "PUT"), ["applications", app, "commands"]) => {
            commands(st, m, app, None, req.body)
        }
        (m @ ("GET" | "PUT"), ["applications", app, "guilds", guild, "commands"]) => {
            commands(st, m, app, Some(parse_id(guild)?), req.body)
        }
        ("POST", ["interactions", id, token, "callback"]) => callback(st, id, token, req),
        (m, ["webhooks", app, token, rest @ ..]) => webhook(st, m, app, token, rest, req),
        ("POST", ["users", "@me", "channels"]) => create_dm(st, req.body),
        ("POST", ["channels", channel, "messages"]) => create_message(st, channel, req),
        (m @ ("GET" | "PATCH" | "DELETE"), ["channels", channel, "messages", id]) => {
            let (channel, id) = (parse_id(channel)?, parse_id(id)?);
            let found = st
                .messages
                .get(id)
                .is_some_and(|m| snowflake(&m["channel_id"]) == Some(channel));
            if !found {
                return Err(bad(
                    Reply::unknown_message(),
                    "no such message in this channel",
                ));
            }
            stored_message(st, m, id, req)
        }
        ("POST", ["channels", _, "typing"]) => Ok(Reply::no_content()),
        _ => Err(unknown_route(req)),
    }
}

fn unknown_route(req: &Req<'_>) -> (Reply, String) {
    let why = match openapi::operation(req.method, req.path) {
        Ok(Some(op)) => format!("Discord's {} is not implemented by the fake", op.id),
        _ => "no such Discord route".to_owned(),
    };
    bad(Reply::not_found(), why)
}

/// `GET /gateway/bot`: the URL, the recommended shard count and the IDENTIFY budget.
fn bot_gateway(shared: &Shared, st: &State) -> Value {
    const SESSIONS_PER_DAY: usize = 1000;
    let remaining = SESSIONS_PER_DAY.saturating_sub(st.gateway.identifies.len());
    json!({
        "url": shared.ws_url(),
        "shards": shared.recommended_shards.load(Ordering::Relaxed),
        "session_start_limit": {
            "total": SESSIONS_PER_DAY, "remaining": remaining,
            "reset_after": 14_400_000, "max_concurrency": 1,
        },
    })
}

fn application() -> Value {
    json!({
        "id": APPLICATION_ID.to_string(), "name": BOT_USERNAME, "icon": null,
        "description": "", "summary": "", "type": null, "bot_public": true,
        "bot_require_code_grant": false, "verify_key": endpoint::public_key_hex(), "flags": 0,
        "owner": payloads::user_with_id(OWNER_ID, "owner"), "team": null, "rpc_origins": [],
        "bot": bot_user(), "redirect_uris": [], "interactions_endpoint_url": null,
        "role_connections_verification_url": null, "approximate_guild_count": 1,
    })
}

/// `GET`/`PUT /applications/{app}[/guilds/{guild}]/commands`.
fn commands(st: &mut State, method: &str, app: &str, guild: Option<u64>, body: &Value) -> Outcome {
    if parse_id(app)? != APPLICATION_ID {
        let why = format!("application id {app} is not the fake's {APPLICATION_ID}");
        return Err(bad(Reply::error(404, 10002, "Unknown Application"), why));
    }
    let old = st.commands.get(&guild).cloned().unwrap_or_default();
    if method == "GET" {
        return Ok(Reply::ok(Value::Array(old)));
    }
    let Some(list) = body.as_array() else {
        return Err(bad(
            Reply::invalid_body(),
            "body must be an array of commands",
        ));
    };
    let echoed: Vec<Value> = list.iter().map(|c| echo_command(c, guild, &old)).collect();
    st.commands.insert(guild, echoed.clone());
    Ok(Reply::ok(Value::Array(echoed)))
}

/// A command as Discord returns it; a command keeps its id when re-registered, and its
/// `version` too unless its definition changed.
fn echo_command(c: &Value, guild: Option<u64>, old: &[Value]) -> Value {
    let kind = c["type"].as_u64().unwrap_or(1);
    let same = |o: &&Value| o["name"] == c["name"] && o["type"].as_u64() == Some(kind);
    let previous = old.iter().find(same);
    let id = previous.map_or_else(|| json!(new_id().to_string()), |o| o["id"].clone());
    let perms = match &c["default_member_permissions"] {
        Value::Number(n) => json!(n.to_string()),
        other => other.clone(),
    };
    let or = |key: &str, default: Value| {
        c.get(key)
            .filter(|v| !v.is_null())
            .cloned()
            .unwrap_or(default)
    };
    let mut out = json!({
        "id": id, "type": kind, "application_id": APPLICATION_ID.to_string(),
        "name": c["name"], "name_localizations": c["name_localizations"],
        "description": or("description", json!("")),
        "description_localizations": c["description_localizations"],
        "options": compact(&or("options", json!([]))), "default_member_permissions": perms,
        "contexts": c["contexts"], "integration_types": or("integration_types", json!([0])),
        "nsfw": or("nsfw", json!(false)), "version": null,
    });
    match guild {
        Some(g) => out["guild_id"] = json!(g.to_string()),
        None => out["dm_permission"] = or("dm_permission", json!(true)),
    }
    out["version"] = match previous {
        Some(o) if same_definition(o, &out) => o["version"].clone(),
        _ => json!(new_id().to_string()),
    };
    out
}

/// Options as Discord echoes them: it leaves out fields that are null, false or empty
/// ("to save on some bytes"), e.g. `required` unless true and unset `min_length`.
fn compact(v: &Value) -> Value {
    let unset = |v: &Value| match v {
        Value::Null | Value::Bool(false) => true,
        Value::Array(a) => a.is_empty(),
        Value::Object(o) => o.is_empty(),
        _ => false,
    };
    match v {
        Value::Array(items) => Value::Array(items.iter().map(compact).collect()),
        Value::Object(fields) => fields
            .iter()
            .filter(|(_, v)| !unset(v))
            .map(|(k, v)| (k.clone(), compact(v)))
            .collect(),
        other => other.clone(),
    }
}

/// Whether two echoed commands are equal but for their `version`.
fn same_definition(a: &Value, b: &Value) -> bool {
    let (Some(a), Some(b)) = (a.as_object(), b.as_object()) else {
        return false;
    };
    let differs = |(k, v): (&String, &Value)| k != "version" && b.get(k) != Some(v);
    a.len() == b.len() && !a.iter().any(differs)
}

/// `POST /interactions/{id}/{token}/callback`, enforcing Discord's response protocol.
fn callback(st: &mut State, id: &str, token: &str, req: &Req<'_>) -> Outcome {
    let interaction_id = parse_id(id)?;
    let unknown = || Reply::error(404, 10062, "Unknown interaction");
    let Some(p) = st
        .interactions
        .get_mut(token)
        .filter(|p| p.id == interaction_id)
    else {
        return Err(bad(
            unknown(),
            "callback for an interaction the fake never dispatched",
        ));
    };
    if let Some(t) = p.acked {
        let reply = Reply::error(400, 40060, "Interaction has already been acknowledged.");
        return Err(bad(
            reply,
            format!("interaction already acknowledged (callback type {t})"),
        ));
    }
    let waited = p.dispatched.elapsed();
    if waited > ACK_DEADLINE {
        return Err(bad(
            unknown(),
            format!("acknowledged after {waited:?}; Discord allows 3 s"),
        ));
    }
    let ty = req.body["type"].as_u64().unwrap_or_default();
    let allowed: &[u64] = match p.kind {
        2 => &[4, 5, 9],
        3 => &[4, 5, 6, 7, 9],
        4 => &[8],
        5 => &[4, 5, 6, 7],
        _ => &[],
    };
    if !allowed.contains(&ty) {
        let why = format!(
            "callback type {ty} cannot answer an interaction of type {}",
            p.kind
        );
        return Err(bad(Reply::invalid_body(), why));
    }
    p.acked = Some(ty);
    let (channel, kind, source) = (p.channel_id, p.kind, p.message.clone());
    let data = &req.body["data"];
    let original = match ty {
        4 | 5 => {
            let kind = if kind == 2 { 20 } else { 0 };
            let mut m = new_message(channel, kind, data, req.files, &mut st.uploads)
                .map_err(|why| bad(Reply::invalid_body(), why))?;
            mark_interaction_message(&mut m);
            if ty == 5 {
                m["content"] = json!("");
                m["flags"] = json!(data["flags"].as_u64().unwrap_or_default() | LOADING);
            }
            let id = id_of(&m);
            st.messages.push(m);
            id
        }
        // Deferred update / update: `@original` is the message the component sits on.
        6 | 7 => match source.as_ref().and_then(id_of) {
            Some(id) => {
                if !st.messages.contains(id) {
                    st.messages.push(source.unwrap_or_default());
                }
                if ty == 7 {
                    if let Some(m) = st.messages.get_mut(id) {
                        apply_edit(m, data, req.files, &mut st.uploads)
                            .map_err(|why| bad(Reply::invalid_body(), why))?;
                    }
                }
                Some(id)
            }
            None => None,
        },
        _ => None,
    };
    if let Some(p) = st.interactions.get_mut(token) {
        p.original = original;
    }
    Ok(Reply::no_content())
}

/// `/webhooks/{app}/{token}[/messages/{id|@original}]`: interaction follow-ups and edits.
fn webhook(
    st: &mut State,
    method: &str,
    app: &str,
    token: &str,
    rest: &[&str],
    req: &Req<'_>,
) -> Outcome {
    let unknown = || Reply::error(404, 10015, "Unknown Webhook");
    if parse_id(app)? != APPLICATION_ID {
        return Err(bad(
            unknown(),
            format!("webhook id {app} is not the application id"),
        ));
    }
    let Some(p) = st.interactions.get(token) else {
        return Err(bad(unknown(), "no dispatched interaction has this token"));
    };
    if p.acked.is_none() {
        return Err(bad(
            unknown(),
            "interaction webhook used before the interaction was acknowledged",
        ));
    }
    match (method, rest) {
        ("POST", []) => {
            let kind = if p.kind == 2 { 20 } else { 0 };
            let mut m = new_message(p.channel_id, kind, req.body, req.files, &mut st.uploads)
                .map_err(|why| bad(Reply::invalid_body(), why))?;
            mark_interaction_message(&mut m);
            if let (Some(p), Some(id)) = (st.interactions.get_mut(token), id_of(&m)) {
                p.followups.push(id);
            }
            st.messages.push(m.clone());
            Ok(Reply::ok(m))
        }
        (m @ ("GET" | "PATCH" | "DELETE"), ["messages", which]) => {
            let target = if *which == "@original" {
                p.original
            } else {
                let id = parse_id(which)?;
                (p.original == Some(id) || p.followups.contains(&id)).then_some(id)
            };
            let Some(id) = target else {
                return Err(bad(
                    Reply::unknown_message(),
                    format!("interaction has no message {which}"),
                ));
            };
            stored_message(st, m, id, req)
        }
        _ => Err(unknown_route(req)),
    }
}

/// GET, PATCH or DELETE a message the bot created.
fn stored_message(st: &mut State, method: &str, id: u64, req: &Req<'_>) -> Outcome {
    let gone = || {
        bad(
            Reply::unknown_message(),
            format!("message {id} does not exist (any more)"),
        )
    };
    match method {
        "GET" => Ok(Reply::ok(st.messages.get(id).ok_or_else(gone)?.clone())),
        "DELETE" => {
            st.messages.remove(id).ok_or_else(gone)?;
            Ok(Reply::no_content())
        }
        _ => {
            let m = st.messages.get_mut(id).ok_or_else(gone)?;
            apply_edit(m, req.body, req.files, &mut st.uploads)
                .map_err(|why| bad(Reply::invalid_body(), why))?;
            m["edited_timestamp"] = json!(timestamp_now());
            m["flags"] = json!(m["flags"].as_u64().unwrap_or_default() & !LOADING);
            Ok(Reply::ok(m.clone()))
        }
    }
}

/// `POST /users/@me/channels {recipient_id}`: the (deterministic) DM channel.
fn create_dm(st: &State, body: &Value) -> Outcome {
    let Some(user_id) = snowflake(&body["recipient_id"]) else {
        return Err(bad(Reply::invalid_body(), "recipient_id missing"));
    };
    let user = st.users.get(&user_id).cloned();
    let user = user.unwrap_or_else(|| payloads::user_with_id(user_id, &format!("user{user_id}")));
    Ok(Reply::ok(json!({
        "id": dm_channel_id(user_id).to_string(), "type": 1, "flags": 0,
        "last_message_id": null, "recipients": [user],
    })))
}

/// `POST /channels/{id}/messages`; DMs to users in `closed_dms` fail like Discord's.
fn create_message(st: &mut State, channel: &str, req: &Req<'_>) -> Outcome {
    let channel = parse_id(channel)?;
    if st
        .closed_dms
        .iter()
        .any(|&user| dm_channel_id(user) == channel)
    {
        return Ok(Reply::error(
            403,
            50007,
            "Cannot send messages to this user",
        ));
    }
    let kind = if req.body["message_reference"].is_object() {
        19
    } else {
        0
    };
    // `enforce_nonce`: a nonce seen on this channel already returns that message.
    let nonce = match &req.body["nonce"] {
        Value::String(n) => Some(n.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let key = nonce
        .filter(|_| req.body["enforce_nonce"] == json!(true))
        .map(|n| (channel, n));
    if let Some(existing) = key.as_ref().and_then(|k| st.nonces.get(k)) {
        if let Some(m) = st.messages.get(*existing) {
            return Ok(Reply::ok(m.clone()));
        }
    }
    let mut m = new_message(channel, kind, req.body, req.files, &mut st.uploads)
        .map_err(|why| bad(Reply::invalid_body(), why))?;
    if let Some(nonce) = req.body.get("nonce").filter(|n| !n.is_null()) {
        m["nonce"] = nonce.clone();
    }
    if let (Some(key), Some(id)) = (key, id_of(&m)) {
        st.nonces.insert(key, id);
    }
    st.messages.push(m.clone());
    Ok(Reply::ok(m))
}

/// A message authored by the bot from a create request.
fn new_message(
    channel_id: u64,
    kind: u64,
    body: &Value,
    files: &[UploadedFile],
    uploads: &mut HashMap<u64, Vec<u8>>,
) -> Result<Value, String> {
    let mut m = json!({
        "id": new_id().to_string(), "channel_id": channel_id.to_string(), "author": bot_user(),
        "content": "", "timestamp": timestamp_now(), "edited_timestamp": null,
        "tts": body["tts"].as_bool().unwrap_or(false), "mention_everyone": false,
        "mentions": [], "mention_roles": [], "attachments": [], "embeds": [], "components": [],
        "pinned": false, "type": kind, "flags": body["flags"].as_u64().unwrap_or_default(),
    });
    if let Some(reference) = body["message_reference"].as_object() {
        let mut reference = reference.clone();
        reference
            .entry("channel_id")
            .or_insert_with(|| json!(channel_id.to_string()));
        m["message_reference"] = Value::Object(reference);
    }
    apply_edit(&mut m, body, files, uploads)?;
    Ok(m)
}

fn mark_interaction_message(m: &mut Value) {
    m["webhook_id"] = json!(APPLICATION_ID.to_string());
    m["application_id"] = json!(APPLICATION_ID.to_string());
}

/// Applies the fields of a create/edit request to a stored message, with Discord's
/// upload protocol: each `files[n]` part is a new file, described by the entry of
/// `attachments` whose `id` is n (`filename`, `description` up to 1,024 characters);
/// the other entries name existing attachments to keep, and a body with `attachments`
/// keeps no others (without it, all are kept). An embed image `attachment://NAME`
/// shows the message's attachment of that name, and Discord serves it from its URL.
fn apply_edit(
    m: &mut Value,
    body: &Value,
    files: &[UploadedFile],
    uploads: &mut HashMap<u64, Vec<u8>>,
) -> Result<(), String> {
    for key in ["content", "embeds", "components", "poll"] {
        if let Some(v) = body.get(key).filter(|v| !v.is_null()) {
            m[key] = v.clone();
        }
    }
    for e in m["embeds"].as_array_mut().into_iter().flatten() {
        if let Some(e) = e.as_object_mut() {
            e.entry("type").or_insert_with(|| json!("rich"));
        }
    }
    let listed: Option<&Vec<Value>> = body["attachments"].as_array();
    let mut new = Vec::new();
    for file in files {
        let index = file
            .field
            .strip_prefix("files[")
            .and_then(|rest| rest.strip_suffix(']'))
            .and_then(|n| n.parse::<u64>().ok())
            .ok_or_else(|| format!("file part `{}`: Discord expects files[n]", file.field))?;
        let meta = listed
            .into_iter()
            .flatten()
            .find(|a| id_of(a) == Some(index))
            .cloned()
            .unwrap_or_default();
        let description = meta["description"].as_str();
        if description.is_some_and(|d| d.chars().count() > 1024) {
            return Err(format!("files[{index}]: description over 1024 characters"));
        }
        let name = meta["filename"]
            .as_str()
            .map(str::to_owned)
            .or_else(|| file.filename.clone())
            .unwrap_or_else(|| file.field.clone());
        new.push((index, name, description.map(str::to_owned), &file.bytes));
    }
    let channel = m["channel_id"].as_str().unwrap_or_default().to_owned();
    let Some(list) = m["attachments"].as_array_mut() else {
        return Ok(());
    };
    if let Some(listed) = listed {
        for entry in listed {
            let id = id_of(entry);
            let known = id.is_some_and(|id| {
                new.iter().any(|n| n.0 == id) || list.iter().any(|a| id_of(a) == Some(id))
            });
            if !known {
                return Err(format!(
                    "attachments entry {entry} is neither an uploaded files[n] nor an \
                     attachment of the message"
                ));
            }
        }
        list.retain(|a| {
            listed
                .iter()
                .any(|e| id_of(e).is_some() && id_of(e) == id_of(a))
        });
    }
    for (_, name, description, bytes) in new {
        let id = new_id();
        uploads.insert(id, bytes.clone());
        let mut attachment = json!({
            "id": id.to_string(), "filename": name, "size": bytes.len(),
            "url": format!("https://cdn.discordapp.com/attachments/{channel}/{id}/{name}"),
            "proxy_url": format!("https://media.discordapp.net/attachments/{channel}/{id}/{name}"),
        });
        if let Some(description) = description {
            attachment["description"] = json!(description);
        }
        // Discord sniffs images: their type and size.
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") && bytes.len() >= 24 {
            let be = |at: usize| {
                u32::from_be_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]])
            };
            attachment["content_type"] = json!("image/png");
            attachment["width"] = json!(be(16));
            attachment["height"] = json!(be(20));
        }
        list.push(attachment);
    }
    let attachments = list.clone();
    for e in m["embeds"].as_array_mut().into_iter().flatten() {
        let Some(name) = e["image"]["url"]
            .as_str()
            .and_then(|u| u.strip_prefix("attachment://"))
            .map(str::to_owned)
        else {
            continue;
        };
        let Some(shown) = attachments.iter().find(|a| a["filename"] == name.as_str()) else {
            return Err(format!(
                "an embed shows attachment://{name}, which the message has no attachment of"
            ));
        };
        e["image"] = json!({
            "url": shown["url"], "proxy_url": shown["proxy_url"],
            "width": shown["width"], "height": shown["height"],
        });
    }
    Ok(())
}

/// JSON body, or a multipart body's `payload_json` plus its file parts.
pub(super) fn parse_body(
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(Option<Value>, Vec<UploadedFile>), String> {
    if body.is_empty() {
        return Ok((None, Vec::new()));
    }
    let content_type = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !content_type.starts_with("multipart/form-data") {
        let json = serde_json::from_slice(body).map_err(|e| format!("body is not JSON ({e})"))?;
        return Ok((Some(json), Vec::new()));
    }
    let boundary = content_type
        .split(';')
        .find_map(|p| p.trim().strip_prefix("boundary="))
        .map(|b| b.trim_matches('"'))
        .ok_or("multipart body without boundary")?;
    let mut json = None;
    let mut files = Vec::new();
    for part in multipart(body, boundary)? {
        if part.field == "payload_json" {
            let parsed = serde_json::from_slice(&part.bytes);
            json = Some(parsed.map_err(|e| format!("payload_json is not JSON ({e})"))?);
        } else {
            files.push(part);
        }
    }
    Ok((json, files))
}

fn find(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).position(|w| w == needle)
}

/// Splits a `multipart/form-data` body (RFC 7578) into its parts.
fn multipart(body: &[u8], boundary: &str) -> Result<Vec<UploadedFile>, String> {
    let delimiter = format!("--{boundary}");
    let delimiter = delimiter.as_bytes();
    let start = find(body, delimiter).ok_or("multipart body without its boundary")?;
    let mut rest = &body[start + delimiter.len()..];
    let mut parts = Vec::new();
    while !rest.starts_with(b"--") {
        rest = rest
            .strip_prefix(b"\r\n".as_slice())
            .ok_or("malformed multipart delimiter")?;
        let end = find(rest, delimiter).ok_or("unterminated multipart part")?;
        let part = &rest[..end];
        let part = part.strip_suffix(b"\r\n".as_slice()).unwrap_or(part);
        let split = find(part, b"\r\n\r\n").ok_or("multipart part without headers")?;
        let head = String::from_utf8_lossy(&part[..split]);
        let disposition = head
            .lines()
            .find(|l| l.to_ascii_lowercase().starts_with("content-disposition:"))
            .unwrap_or_default();
        let attr = |key: &str| {
            disposition.split(';').find_map(|p| {
                let value = p.trim().strip_prefix(key)?.strip_prefix('=')?;
                Some(value.trim_matches('"').to_owned())
            })
        };
        parts.push(UploadedFile {
            field: attr("name").ok_or("multipart part without a name")?,
            filename: attr("filename"),
            bytes: part[split + 4..].to_vec(),
        });
        rest = &rest[end + delimiter.len()..];
    }
    Ok(parts)
}
