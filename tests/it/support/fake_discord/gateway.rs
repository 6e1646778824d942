//! Gateway half of the fake: HELLO, IDENTIFY → READY, RESUME → missed dispatches then
//! RESUMED, heartbeat ACKs and test dispatches, over any number of connections, each one
//! shard `[id, total]` of the bot. Its faults (closes, INVALID_SESSION, a rejected token,
//! heartbeats left unacknowledged) are in [`faults`].
//!
//! Routing follows Discord's sharding: an event of a guild goes to the connection whose
//! shard id is `(guild_id >> 22) % total`, everything else (DMs) to shard 0. Among
//! connections of the same shard, the most recently identified one gets it (a restarted
//! bot whose old socket is not closed yet).

mod faults;

use std::collections::{HashMap, VecDeque};
use std::sync::Arc;

use axum::extract::ws::{CloseFrame, Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::payloads::{self, shard_of};
use super::{Shared, APPLICATION_ID, HEARTBEAT_INTERVAL_MS};

/// The gateway intent (bit, name) without which Discord doesn't send `event`; checked
/// for the guild events (a bot that doesn't ask for GUILDS never hears of its removal
/// from a server). `None`: not checked.
fn intent_of(event: &str) -> Option<(u64, &'static str)> {
    match event {
        "GUILD_CREATE" | "GUILD_UPDATE" | "GUILD_DELETE" => Some((1 << 0, "GUILDS")),
        _ => None,
    }
}

/// Discord's close code for an IDENTIFY with an invalid `shard`.
const INVALID_SHARD: u16 = 4010;
/// WebSocket close code for a server going away.
const GOING_AWAY: u16 = 1001;

/// A shard as IDENTIFY names it: `[shard_id, num_shards]`.
pub(super) type Shard = [u64; 2];

/// What the socket task sends: a text frame, or a close frame that ends the connection.
enum Out {
    Text(String),
    Close(u16, &'static str),
}

/// One open gateway connection.
struct Conn {
    id: u64,
    /// Frames for the socket task; dropping it closes the connection.
    tx: mpsc::UnboundedSender<Out>,
    /// The IDENTIFY `d` and its shard, once identified (or resumed).
    identified: Option<(Value, Shard)>,
    /// Number of the READY this connection's session got (1 for the fake's first READY).
    ready: usize,
    /// Its session's id, once identified or resumed.
    session: Option<String>,
    /// Whether heartbeats get their ACK (op 11).
    acks: bool,
}

/// Dispatches kept for a RESUME (Discord keeps a session's recent events).
const REPLAYABLE: usize = 1_000;

/// A gateway session: it outlives its connection until it is invalidated, so a client
/// can RESUME it and get the dispatches it missed.
struct Session {
    identify: Value,
    shard: Shard,
    /// The READY number it started with.
    ready: usize,
    /// The last sequence number used.
    seq: u64,
    /// The latest dispatches, `(s, frame)`, oldest first.
    sent: VecDeque<(u64, String)>,
    /// The open connection it runs on, if any.
    conn: Option<u64>,
}

impl Session {
    /// Numbers and keeps a dispatch; returns the frame.
    fn record(&mut self, event: &str, data: Value) -> String {
        self.seq += 1;
        // Built by hand so `data` is moved in, not deep-copied as `json!` would.
        let mut frame = serde_json::Map::new();
        frame.insert("op".to_owned(), json!(0));
        frame.insert("t".to_owned(), json!(event));
        frame.insert("s".to_owned(), json!(self.seq));
        frame.insert("d".to_owned(), data);
        let frame = Value::Object(frame).to_string();
        if self.sent.len() == REPLAYABLE {
            self.sent.pop_front();
        }
        self.sent.push_back((self.seq, frame.clone()));
        frame
    }
}

impl Conn {
    fn shard(&self) -> Option<Shard> {
        self.identified.as_ref().map(|(_, shard)| *shard)
    }
}

/// Open connections and gateway history.
#[derive(Default)]
pub(super) struct Registry {
    conns: Vec<Conn>,
    next_id: u64,
    pub(super) identifies: Vec<Value>,
    pub(super) readies: usize,
    sessions: HashMap<String, Session>,
    /// The `d` of every RESUME that succeeded, oldest first.
    pub(super) resumes: Vec<Value>,
    /// Close the next IDENTIFYs with 4004 (a rejected token).
    reject_identify: bool,
    /// HELLO's heartbeat interval in milliseconds (0: the default).
    heartbeat_ms: u64,
}

impl Registry {
    /// The shards of the open identified connections, sorted.
    pub(super) fn shards(&self) -> Vec<Shard> {
        let mut shards: Vec<Shard> = self.conns.iter().filter_map(Conn::shard).collect();
        shards.sort_unstable();
        shards
    }

    /// The IDENTIFY of the newest open connection that got a READY numbered above `seen`,
    /// of `shard` if given.
    pub(super) fn newest_ready(&self, seen: usize, shard: Option<Shard>) -> Option<Value> {
        self.conns
            .iter()
            .filter(|c| c.ready > seen && (shard.is_none() || c.shard() == shard))
            .max_by_key(|c| c.ready)
            .and_then(|c| Some(c.identified.as_ref()?.0.clone()))
    }

    /// Sends op 0 with the next sequence number to the connection of the event's shard;
    /// while that shard's session is between connections (closed, not invalidated), it
    /// is kept for the RESUME instead, as Discord does.
    pub(super) fn dispatch(&mut self, event: &str, data: Value) -> Result<(), String> {
        let guild = guild_of(event, &data);
        let (tx, session) = match self.route(guild) {
            Ok(conn) => (Some(conn.tx.clone()), conn.session.clone()),
            Err(why) => match self.waiting_session(guild) {
                Some(session) => (None, Some(session)),
                None => return Err(format!("cannot send {event}: {why}")),
            },
        };
        let session = session.and_then(|id| self.sessions.get_mut(&id));
        let Some(session) = session else {
            return Err(format!(
                "cannot send {event}: the connection has no session"
            ));
        };
        if let Some((bit, name)) = intent_of(event) {
            let intents = session.identify["intents"].as_u64();
            if intents.unwrap_or(0) & bit == 0 {
                return Err(format!(
                    "Discord sends {event} only to a connection that asked for the {name} intent \
                     (IDENTIFY intents: {intents:?})"
                ));
            }
        }
        let frame = session.record(event, data);
        match tx {
            Some(tx) => tx
                .send(Out::Text(frame))
                .map_err(|_| "gateway connection closed".to_owned()),
            None => Ok(()),
        }
    }

    /// The session, between connections, whose shard receives events of `guild`.
    fn waiting_session(&self, guild: Option<u64>) -> Option<String> {
        let receives = |[id, total]: Shard| guild.map_or(0, |g| shard_of(g, total)) == id;
        (self.sessions.iter())
            .filter(|(_, s)| s.conn.is_none() && receives(s.shard))
            .max_by_key(|(_, s)| s.ready)
            .map(|(id, _)| id.clone())
    }

    /// The newest identified connection whose shard receives events of `guild` (`None`:
    /// not of a guild, so shard 0), as Discord picks it.
    fn route(&mut self, guild: Option<u64>) -> Result<&mut Conn, String> {
        let receives = |[id, total]: Shard| guild.map_or(0, |g| shard_of(g, total)) == id;
        let target = (self.conns.iter().enumerate())
            .filter(|(_, c)| c.shard().is_some_and(receives))
            .max_by_key(|(_, c)| c.ready)
            .map(|(i, _)| i);
        match target {
            Some(i) => Ok(&mut self.conns[i]),
            None => Err(self.unroutable(guild)),
        }
    }

    /// Why no connection receives events of `guild`.
    fn unroutable(&self, guild: Option<u64>) -> String {
        let open = self.shards();
        match (open.first(), guild) {
            (None, _) => "no identified gateway connection".to_owned(),
            (Some(&[_, total]), Some(g)) => format!(
                "guild {g} is on shard {} (of {total}), which is not connected; open shards: \
                 {open:?}",
                shard_of(g, total)
            ),
            (Some(_), None) => {
                format!("events without a guild go to shard 0; open shards: {open:?}")
            }
        }
    }

    /// Why identifying `conn` as `shard` conflicts with the other open connections.
    fn conflicts(&self, conn: u64, [id, total]: Shard) -> Vec<String> {
        let others = self.conns.iter().filter(|c| c.id != conn);
        let mut out = Vec::new();
        for [other_id, other_total] in others.filter_map(Conn::shard) {
            if other_total != total {
                out.push(format!(
                    "shard [{id}, {total}] disagrees on the total with open shard \
                     [{other_id}, {other_total}]"
                ));
            } else if other_id == id && total > 1 {
                out.push(format!(
                    "two open connections identified as shard [{id}, {total}]"
                ));
            }
        }
        out
    }

    /// Forgets a connection; its session waits for a RESUME, unless the client closed
    /// it normally (1000, 1001, or a close frame without a code), which ends a session
    /// on Discord.
    fn remove(&mut self, id: u64, client_close: Option<Option<u16>>) {
        let session = self
            .conns
            .iter()
            .find(|c| c.id == id)
            .and_then(|c| c.session.clone());
        self.conns.retain(|c| c.id != id);
        if let Some(session) = session {
            if matches!(client_close, Some(None | Some(1000 | 1001))) {
                self.sessions.remove(&session);
            } else if let Some(s) = self.sessions.get_mut(&session) {
                if s.conn == Some(id) {
                    s.conn = None;
                }
            }
        }
    }
}

/// The guild an event belongs to: its `guild_id`, or for the guild events themselves
/// (GUILD_CREATE, GUILD_UPDATE, GUILD_DELETE) the guild's `id`.
fn guild_of(event: &str, data: &Value) -> Option<u64> {
    payloads::snowflake(&data["guild_id"]).or_else(|| {
        matches!(event, "GUILD_CREATE" | "GUILD_UPDATE" | "GUILD_DELETE")
            .then(|| payloads::id_of(data))
            .flatten()
    })
}

/// `GET /gateway?v=10` (or `/?v=10`): upgrades to the gateway protocol.
pub(super) async fn upgrade(
    State(shared): State<Arc<Shared>>,
    uri: Uri,
    ws: WebSocketUpgrade,
) -> Response {
    if !uri
        .query()
        .unwrap_or_default()
        .split('&')
        .any(|kv| kv == "v=10")
    {
        shared.violation(format!("gateway {uri}: connected without ?v=10"));
    }
    ws.on_upgrade(move |socket| run(shared, socket))
}

async fn run(shared: Arc<Shared>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let (id, interval) = {
        let mut st = shared.lock();
        let g = &mut st.gateway;
        g.next_id += 1;
        g.conns.push(Conn {
            id: g.next_id,
            tx,
            identified: None,
            ready: 0,
            session: None,
            acks: true,
        });
        let interval = match g.heartbeat_ms {
            0 => HEARTBEAT_INTERVAL_MS,
            ms => ms,
        };
        (g.next_id, interval)
    };
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": interval } });
    let mut outgoing = vec![text(&hello)];
    let mut client_close = None;
    loop {
        for frame in outgoing.drain(..) {
            let closing = matches!(frame, Message::Close(_));
            if socket.send(frame).await.is_err() || closing {
                return close(&shared, id, None);
            }
        }
        outgoing = tokio::select! {
            frame = rx.recv() => match frame {
                Some(Out::Text(frame)) => vec![Message::Text(frame)],
                Some(Out::Close(code, reason)) => vec![Message::Close(Some(CloseFrame {
                    code,
                    reason: reason.into(),
                }))],
                // The fake was dropped. Closing with a code matters: serenity 0.12 reads
                // a close frame without one as "no event" and polls the ended stream again
                // without yielding, hogging the runtime until its next heartbeat (~41 s),
                // which stalls a test that goes on with another fake.
                None => vec![Message::Close(Some(CloseFrame {
                    code: GOING_AWAY,
                    reason: "the fake Discord stopped".into(),
                }))],
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => on_frame(&shared, id, &text),
                Some(Ok(Message::Binary(_))) => {
                    shared.violation("gateway: unexpected binary frame".to_owned());
                    Vec::new()
                }
                Some(Ok(Message::Close(frame))) => {
                    client_close = Some(frame.map(|f| f.code));
                    break;
                }
                Some(Err(_)) | None => break,
                Some(Ok(_)) => Vec::new(), // ping/pong: axum answers pings itself
            },
        };
    }
    // Forgotten before the close is answered: a client that waited for the answer (a
    // shard shut down) may reconnect as the same shard right away.
    close(&shared, id, client_close);
    let _ = socket.send(Message::Close(None)).await;
}

/// The connection `id` ended; `client_close` is the code of the client's close frame
/// (`Some(None)` for one without a code), `None` if it sent none.
fn close(shared: &Shared, id: u64, client_close: Option<Option<u16>>) {
    shared.lock().gateway.remove(id, client_close);
    shared.bump();
}

fn text(frame: &Value) -> Message {
    Message::Text(frame.to_string())
}

/// Handles one client frame; returns the frames to answer with (a close frame ends the
/// connection).
fn on_frame(shared: &Shared, conn: u64, text_frame: &str) -> Vec<Message> {
    let frame: Value = match serde_json::from_str(text_frame) {
        Ok(frame) => frame,
        Err(e) => {
            shared.violation(format!("gateway: frame is not JSON ({e})"));
            return Vec::new();
        }
    };
    match frame["op"].as_u64() {
        Some(1) => faults::heartbeat(shared, conn),
        Some(2) => match faults::rejected_identify(shared, &frame["d"]) {
            Some(close) => close,
            None => identify(shared, conn, &frame["d"]),
        },
        Some(6) => resume(shared, conn, &frame["d"]),
        // Presence, voice state, guild member requests: accepted and ignored.
        Some(3 | 4 | 8) => Vec::new(),
        op => {
            shared.violation(format!("gateway: unexpected opcode {op:?}"));
            Vec::new()
        }
    }
}

/// IDENTIFY's `shard`: absent means `[0, 1]`; Discord closes with 4010 on a bad one.
fn parse_shard(d: &Value) -> Result<Shard, String> {
    let Some(shard) = d.get("shard") else {
        return Ok([0, 1]);
    };
    let pair = shard.as_array().filter(|a| a.len() == 2);
    let numbers = pair.map(|a| (a[0].as_i64(), a[1].as_i64()));
    match numbers {
        Some((Some(id), Some(total))) if total <= 0 => {
            Err(format!("shard [{id}, {total}] has a non-positive total"))
        }
        Some((Some(id), Some(total))) if id < 0 || id >= total => {
            Err(format!("shard id {id} is not in 0..{total}"))
        }
        Some((Some(id), Some(total))) => Ok([id.unsigned_abs(), total.unsigned_abs()]),
        _ => Err(format!("shard {shard} is not [shard_id, num_shards]")),
    }
}

/// What a well-formed IDENTIFY `d` is missing.
fn identify_problems(d: &Value) -> Vec<&'static str> {
    let mut problems = Vec::new();
    if d["token"].as_str().is_none_or(|t| t.is_empty()) {
        problems.push("IDENTIFY without token");
    }
    if d["intents"].as_u64().is_none() {
        problems.push("IDENTIFY without integer intents");
    }
    if !d["properties"].is_object() {
        problems.push("IDENTIFY without properties");
    }
    problems
}

fn identify(shared: &Shared, conn_id: u64, d: &Value) -> Vec<Message> {
    for problem in identify_problems(d) {
        shared.violation(format!("gateway: {problem}"));
    }
    let shard = match parse_shard(d) {
        Ok(shard) => shard,
        Err(why) => {
            shared.violation(format!("gateway: IDENTIFY: {why}"));
            let reason = "Invalid shard".into();
            let frame = CloseFrame {
                code: INVALID_SHARD,
                reason,
            };
            return vec![Message::Close(Some(frame))];
        }
    };
    let mut st = shared.lock();
    let conflicts = st.gateway.conflicts(conn_id, shard);
    st.violations
        .extend(conflicts.into_iter().map(|c| format!("gateway: {c}")));
    let g = &mut st.gateway;
    let Some(conn) = g.conns.iter_mut().find(|c| c.id == conn_id) else {
        return Vec::new();
    };
    let again = conn.identified.replace((d.clone(), shard)).is_some();
    g.identifies.push(d.clone());
    g.readies += 1;
    conn.ready = g.readies;
    let session = format!("fake-session-{conn_id}");
    conn.session = Some(session.clone());
    let started = Session {
        identify: d.clone(),
        shard,
        ready: g.readies,
        seq: 1,
        sent: VecDeque::new(),
        conn: Some(conn_id),
    };
    g.sessions.insert(session, started);
    if again {
        st.violations
            .push("gateway: IDENTIFY twice on one connection".to_owned());
    }
    drop(st);
    shared.bump();
    vec![text(&ready(shared, conn_id, shard))]
}

fn ready(shared: &Shared, conn_id: u64, shard: Shard) -> Value {
    json!({
        "op": 0, "t": "READY", "s": 1,
        "d": {
            "v": 10,
            "user": payloads::bot_user(),
            "guilds": [],
            "session_id": format!("fake-session-{conn_id}"),
            "resume_gateway_url": shared.ws_url(),
            "shard": shard,
            "application": { "id": APPLICATION_ID.to_string(), "flags": 0 },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": ["fake"],
        }
    })
}

/// RESUME (op 6): a known session between connections continues on this one with the
/// dispatches after the client's `seq`, then RESUMED; anything else gets INVALID_SESSION
/// (not resumable), as Discord answers.
fn resume(shared: &Shared, conn_id: u64, d: &Value) -> Vec<Message> {
    let invalid = || vec![text(&json!({ "op": 9, "d": false }))];
    let mut st = shared.lock();
    let g = &mut st.gateway;
    let id = d["session_id"].as_str().unwrap_or_default().to_owned();
    let seq = d["seq"].as_u64().unwrap_or_default();
    let Some(session) = g.sessions.get_mut(&id) else {
        return invalid();
    };
    if d["token"] != session.identify["token"] || seq > session.seq {
        return invalid();
    }
    // A client resuming before its old socket is seen closed: that one is done.
    let old = session.conn.replace(conn_id).filter(|&old| old != conn_id);
    let mut frames: Vec<Message> = (session.sent.iter())
        .filter(|(s, _)| *s > seq)
        .map(|(_, frame)| Message::Text(frame.clone()))
        .collect();
    let resumed = session.record("RESUMED", json!({}));
    frames.push(Message::Text(resumed));
    let (identify, shard, ready) = (session.identify.clone(), session.shard, session.ready);
    if let Some(old) = old {
        g.conns.retain(|c| c.id != old);
    }
    if let Some(conn) = g.conns.iter_mut().find(|c| c.id == conn_id) {
        conn.identified = Some((identify, shard));
        conn.ready = ready;
        conn.session = Some(id);
    }
    g.resumes.push(d.clone());
    drop(st);
    shared.bump();
    frames
}
