//! A store in process memory: for the terminal, tests and single-process trials.

use std::collections::HashMap;
use std::sync::Mutex;

use super::{Session, SessionStore};

/// Sessions in a map behind a mutex (never held across an await: the trait is sync).
#[derive(Debug, Default)]
pub struct MemoryStore {
    sessions: Mutex<HashMap<String, Session>>,
}

impl MemoryStore {
    fn lock(&self) -> anyhow::Result<std::sync::MutexGuard<'_, HashMap<String, Session>>> {
        self.sessions
            .lock()
            .map_err(|_| anyhow::anyhow!("the session map was poisoned by a panic"))
    }
}

impl SessionStore for MemoryStore {
    fn get(&self, id: &str) -> anyhow::Result<Option<Session>> {
        Ok(self.lock()?.get(id).cloned())
    }

    fn put(&self, session: &Session) -> anyhow::Result<()> {
        self.lock()?.insert(session.id.clone(), session.clone());
        Ok(())
    }

    fn open_dm(&self, user_id: u64) -> anyhow::Result<Option<Session>> {
        Ok(self
            .lock()?
            .values()
            .filter(|s| s.user_id == user_id && s.dm_channel_id.is_some() && s.is_asking())
            .max_by_key(|s| s.updated_at_ms)
            .cloned())
    }

    fn remove(&self, id: &str) -> anyhow::Result<()> {
        self.lock()?.remove(id);
        Ok(())
    }

    fn purge_idle(&self, cutoff_ms: u64) -> anyhow::Result<usize> {
        let mut sessions = self.lock()?;
        let before = sessions.len();
        sessions.retain(|_, s| s.updated_at_ms >= cutoff_ms);
        Ok(before - sessions.len())
    }
}
