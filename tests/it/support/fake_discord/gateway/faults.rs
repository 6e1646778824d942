//! Gateway faults a test can cause: a close with any code (the session kept for a RESUME
//! or not, as Discord does for that code), INVALID_SESSION, a token rejected at IDENTIFY
//! (close 4004) and heartbeats left without their ACK.

use axum::extract::ws::{CloseFrame, Message};
use serde_json::json;

use super::super::Shared;
use super::{text, Out, Registry};

/// Discord's close code for a rejected token.
const AUTHENTICATION_FAILED: u16 = 4004;

/// Close codes after which Discord's session is gone: the client must IDENTIFY again
/// (4007 invalid seq, 4009 session timed out) or may not reconnect at all (4004, 4010 to
/// 4014).
fn ends_session(code: u16) -> bool {
    matches!(code, 4004 | 4007 | 4009..=4014)
}

/// Op 1: the ACK (op 11), unless this connection's ACKs were stopped.
pub(super) fn heartbeat(shared: &Shared, conn: u64) -> Vec<Message> {
    let st = shared.lock();
    let acks = st.gateway.conns.iter().any(|c| c.id == conn && c.acks);
    if acks {
        vec![text(&json!({ "op": 11 }))]
    } else {
        Vec::new()
    }
}

/// The close for an IDENTIFY (`d`, recorded like any other) while tokens are rejected.
pub(super) fn rejected_identify(shared: &Shared, d: &serde_json::Value) -> Option<Vec<Message>> {
    let mut st = shared.lock();
    let rejecting = st.gateway.reject_identify;
    if rejecting {
        st.gateway.identifies.push(d.clone());
    }
    rejecting.then(|| {
        let frame = CloseFrame {
            code: AUTHENTICATION_FAILED,
            reason: "Authentication failed.".into(),
        };
        vec![Message::Close(Some(frame))]
    })
}

impl Registry {
    /// Closes the connection DMs go to (shard 0) with `code`. It stops receiving at once;
    /// its session keeps the dispatches sent meanwhile for a RESUME, unless `code` ends
    /// the session.
    pub(in super::super) fn close_with(&mut self, code: u16) -> Result<(), String> {
        let conn = self.route(None)?;
        let (id, tx, session) = (conn.id, conn.tx.clone(), conn.session.clone());
        self.conns.retain(|c| c.id != id);
        if let Some(session) = session {
            if ends_session(code) {
                self.sessions.remove(&session);
            } else if let Some(s) = self.sessions.get_mut(&session) {
                s.conn = None;
            }
        }
        tx.send(Out::Close(code, "closed by the test"))
            .map_err(|_| "gateway connection closed".to_owned())
    }

    /// Sends INVALID_SESSION (op 9) with `d = resumable` on the connection DMs go to; a
    /// session that is not resumable is forgotten.
    pub(in super::super) fn invalidate(&mut self, resumable: bool) -> Result<(), String> {
        let conn = self.route(None)?;
        let frame = json!({ "op": 9, "d": resumable }).to_string();
        let tx = conn.tx.clone();
        if !resumable {
            if let Some(session) = conn.session.take() {
                self.sessions.remove(&session);
            }
        }
        tx.send(Out::Text(frame))
            .map_err(|_| "gateway connection closed".to_owned())
    }

    /// The open connections stop acknowledging heartbeats (new ones still do).
    pub(in super::super) fn stop_acks(&mut self) {
        for conn in &mut self.conns {
            conn.acks = false;
        }
    }

    /// From now on, IDENTIFY is closed with 4004 (or no longer, with `false`).
    pub(in super::super) fn reject_identify(&mut self, reject: bool) {
        self.reject_identify = reject;
    }

    /// HELLO's heartbeat interval for new connections.
    pub(in super::super) fn set_heartbeat_ms(&mut self, ms: u64) {
        self.heartbeat_ms = ms;
    }
}
