//! The conversations this process stored last, so that a click on the step it just
//! stored is answered without reading the database first.
//!
//! Only ever a hint. A copy is used only for an input that names the very step it
//! holds, and every save is still a compare-and-swap on that step in the database: a
//! copy that another process (another shard, an HTTP worker) or a purge has made
//! outdated can't store anything, and the input is refused as outdated, exactly as it
//! would have been after reading the database.

use std::collections::HashMap;
use std::sync::Mutex;

use crate::store::Session;

/// Copies kept at most; when full, the oldest half is dropped. Enough for the
/// conversations a busy process has between two clicks (at 2,000 interactions/s and a
/// few seconds per answer, several thousand), at well under 1 KB each.
const KEPT: usize = 8_192;

/// A bounded map of session id → the session as this process last stored it.
#[derive(Default)]
pub struct Recent {
    sessions: Mutex<Kept>,
}

#[derive(Default)]
struct Kept {
    by_id: HashMap<String, (u64, Session)>,
    /// Bumped at every store: the order in which copies were kept.
    clock: u64,
}

impl Recent {
    /// The copy of `id` if it is at `step`.
    pub fn at_step(&self, id: &str, step: u32) -> Option<Session> {
        let kept = self.sessions.lock().ok()?;
        kept.by_id
            .get(id)
            .filter(|(_, session)| session.step == step)
            .map(|(_, session)| session.clone())
    }

    /// Keeps a copy of a session just stored.
    pub fn stored(&self, session: &Session) {
        let Ok(mut kept) = self.sessions.lock() else {
            return;
        };
        if kept.by_id.len() >= KEPT && !kept.by_id.contains_key(&session.id) {
            // Drop the older half: cheap, and rare (one store in KEPT / 2).
            let mut ages: Vec<u64> = kept.by_id.values().map(|(age, _)| *age).collect();
            let (_, median, _) = ages.select_nth_unstable(KEPT / 2);
            let median = *median;
            kept.by_id.retain(|_, (age, _)| *age > median);
        }
        kept.clock += 1;
        let age = kept.clock;
        kept.by_id
            .insert(session.id.clone(), (age, session.clone()));
    }

    /// Forgets a session (removed, or its stored state is unknown).
    pub fn forget(&self, id: &str) {
        if let Ok(mut kept) = self.sessions.lock() {
            kept.by_id.remove(id);
        }
    }

    /// Forgets every copy `drop` picks (a user's or a server's data deleted).
    pub fn forget_where(&self, drop: impl Fn(&Session) -> bool) {
        if let Ok(mut kept) = self.sessions.lock() {
            kept.by_id.retain(|_, (_, session)| !drop(session));
        }
    }

    /// How many copies are kept.
    #[cfg(test)]
    fn len(&self) -> usize {
        self.sessions.lock().map_or(0, |kept| kept.by_id.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conversation::Conversation;
    use crate::guide::Catalogue;
    use crate::questionnaire::builtin_sets;

    fn session(id: &str, step: u32) -> Session {
        let set = builtin_sets(Catalogue::builtin()).unwrap().remove(1);
        Session {
            id: id.to_owned(),
            user_id: 7,
            guild_id: None,
            dm_channel_id: None,
            step,
            conversation: Conversation::start(&set),
            updated_at_ms: 0,
            preview: false,
            set_revision: None,
            result_id: None,
            lobby: None,
        }
    }

    #[test]
    fn a_copy_serves_only_the_step_it_holds() {
        let recent = Recent::default();
        assert_eq!(recent.at_step("a", 0), None);
        recent.stored(&session("a", 3));
        assert_eq!(recent.at_step("a", 3), Some(session("a", 3)));
        assert_eq!(recent.at_step("a", 2), None, "an older step");
        assert_eq!(recent.at_step("a", 4), None, "moved on elsewhere: read it");
        recent.stored(&session("a", 4));
        assert_eq!(recent.at_step("a", 3), None, "replaced");
        assert_eq!(recent.at_step("a", 4), Some(session("a", 4)));
        recent.forget("a");
        assert_eq!(recent.at_step("a", 4), None);
        recent.stored(&session("b", 1));
        recent.forget_where(|s| s.user_id == 8);
        assert!(recent.at_step("b", 1).is_some(), "another user's");
        recent.forget_where(|s| s.user_id == 7);
        assert_eq!(recent.at_step("b", 1), None);
    }

    #[test]
    fn it_stays_bounded_and_keeps_the_newest() {
        let recent = Recent::default();
        let mut one = session("0", 1);
        for n in 0..KEPT * 3 {
            one.id = n.to_string();
            recent.stored(&one);
            assert!(recent.len() <= KEPT);
        }
        let newest = (KEPT * 3 - 1).to_string();
        assert!(recent.at_step(&newest, 1).is_some());
        assert!(recent.at_step("0", 1).is_none(), "the oldest went first");
    }
}
