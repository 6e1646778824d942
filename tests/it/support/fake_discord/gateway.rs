//! Gateway half of the fake: HELLO, IDENTIFY → READY, heartbeat ACKs and test dispatches.

use std::sync::Arc;

use axum::extract::ws::{Message, WebSocket, WebSocketUpgrade};
use axum::extract::State;
use axum::http::Uri;
use axum::response::Response;
use serde_json::{json, Value};
use tokio::sync::mpsc;

use super::{payloads, Shared, APPLICATION_ID, HEARTBEAT_INTERVAL_MS};

/// One open gateway connection.
struct Conn {
    id: u64,
    /// Frames for the socket task; dropping it closes the connection.
    tx: mpsc::UnboundedSender<String>,
    /// The IDENTIFY `d`, once identified.
    identify: Option<Value>,
    seq: u64,
}

/// Open connections and gateway history.
#[derive(Default)]
pub(super) struct Registry {
    conns: Vec<Conn>,
    next_id: u64,
    /// Connection that receives dispatches: the most recently identified one still open.
    current: Option<u64>,
    pub(super) identifies: Vec<Value>,
    pub(super) readies: usize,
}

impl Registry {
    /// The IDENTIFY of the connection dispatches go to.
    pub(super) fn current_identify(&self) -> Option<Value> {
        let id = self.current?;
        self.conns.iter().find(|c| c.id == id)?.identify.clone()
    }

    /// Sends op 0 with the connection's next sequence number.
    pub(super) fn dispatch(&mut self, event: &str, data: Value) -> Result<(), String> {
        let current = self.current;
        let conn = self
            .conns
            .iter_mut()
            .find(|c| Some(c.id) == current)
            .ok_or("no identified gateway connection to dispatch to")?;
        conn.seq += 1;
        // Built by hand so `data` is moved in, not deep-copied as `json!` would.
        let mut frame = serde_json::Map::new();
        frame.insert("op".to_owned(), json!(0));
        frame.insert("t".to_owned(), json!(event));
        frame.insert("s".to_owned(), json!(conn.seq));
        frame.insert("d".to_owned(), data);
        conn.tx
            .send(Value::Object(frame).to_string())
            .map_err(|_| "gateway connection closed".to_owned())
    }

    fn remove(&mut self, id: u64) {
        self.conns.retain(|c| c.id != id);
        if self.current == Some(id) {
            self.current = self
                .conns
                .iter()
                .rev()
                .find(|c| c.identify.is_some())
                .map(|c| c.id);
        }
    }
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
        shared
            .lock()
            .violations
            .push(format!("gateway {uri}: connected without ?v=10"));
    }
    ws.on_upgrade(move |socket| run(shared, socket))
}

async fn run(shared: Arc<Shared>, mut socket: WebSocket) {
    let (tx, mut rx) = mpsc::unbounded_channel();
    let id = {
        let mut st = shared.lock();
        let g = &mut st.gateway;
        g.next_id += 1;
        g.conns.push(Conn {
            id: g.next_id,
            tx,
            identify: None,
            seq: 0,
        });
        g.next_id
    };
    let hello = json!({ "op": 10, "d": { "heartbeat_interval": HEARTBEAT_INTERVAL_MS } });
    let mut outgoing = vec![hello.to_string()];
    loop {
        for frame in outgoing.drain(..) {
            if socket.send(Message::Text(frame)).await.is_err() {
                return close(&shared, id);
            }
        }
        outgoing = tokio::select! {
            frame = rx.recv() => match frame {
                Some(frame) => vec![frame],
                None => break, // the fake was dropped
            },
            incoming = socket.recv() => match incoming {
                Some(Ok(Message::Text(text))) => on_frame(&shared, id, &text),
                Some(Ok(Message::Binary(_))) => {
                    shared.lock().violations.push("gateway: unexpected binary frame".to_owned());
                    Vec::new()
                }
                Some(Ok(Message::Close(_)) | Err(_)) | None => break,
                Some(Ok(_)) => Vec::new(), // ping/pong: axum answers pings itself
            },
        };
    }
    let _ = socket.send(Message::Close(None)).await;
    close(&shared, id);
}

fn close(shared: &Shared, id: u64) {
    shared.lock().gateway.remove(id);
    shared.bump();
}

/// Handles one client frame; returns the frames to answer with.
fn on_frame(shared: &Shared, conn: u64, text: &str) -> Vec<String> {
    let frame: Value = match serde_json::from_str(text) {
        Ok(frame) => frame,
        Err(e) => {
            shared
                .lock()
                .violations
                .push(format!("gateway: frame is not JSON ({e})"));
            return Vec::new();
        }
    };
    match frame["op"].as_u64() {
        Some(1) => vec![json!({ "op": 11 }).to_string()],
        Some(2) => identify(shared, conn, &frame["d"]),
        // No session survives here: "invalid session, not resumable" makes serenity identify.
        Some(6) => vec![json!({ "op": 9, "d": false }).to_string()],
        // Presence, voice state, guild member requests: accepted and ignored.
        Some(3 | 4 | 8) => Vec::new(),
        op => {
            shared
                .lock()
                .violations
                .push(format!("gateway: unexpected opcode {op:?}"));
            Vec::new()
        }
    }
}

fn identify(shared: &Shared, conn_id: u64, d: &Value) -> Vec<String> {
    let mut st = shared.lock();
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
    st.violations
        .extend(problems.into_iter().map(|p| format!("gateway: {p}")));
    let g = &mut st.gateway;
    let Some(conn) = g.conns.iter_mut().find(|c| c.id == conn_id) else {
        return Vec::new();
    };
    let again = conn.identify.replace(d.clone()).is_some();
    conn.seq = 1;
    g.identifies.push(d.clone());
    g.readies += 1;
    g.current = Some(conn_id);
    if again {
        st.violations
            .push("gateway: IDENTIFY twice on one connection".to_owned());
    }
    drop(st);
    shared.bump();
    let ready = json!({
        "op": 0, "t": "READY", "s": 1,
        "d": {
            "v": 10,
            "user": payloads::bot_user(),
            "guilds": [],
            "session_id": format!("fake-session-{conn_id}"),
            "resume_gateway_url": shared.ws_url(),
            "shard": d.get("shard").cloned().unwrap_or(json!([0, 1])),
            "application": { "id": APPLICATION_ID.to_string(), "flags": 0 },
            "private_channels": [],
            "relationships": [],
            "presences": [],
            "geo_ordered_rtc_regions": ["fake"],
        }
    });
    vec![ready.to_string()]
}
