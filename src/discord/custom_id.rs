//! Component custom_ids: short, namespaced, and parsed by one function, so clicks are
//! handled globally and keep working after a restart.
//!
//! Shape: `sp:<session>:<step>:<action>`, e.g. `sp:k3j9a0b2c4:7:o2`. The step makes a
//! click on an outdated message recognisable.

use std::fmt;

/// Every custom_id of ours starts with this.
const PREFIX: &str = "sp";
/// Discord's limit for a custom_id.
pub const MAX_LEN: usize = 100;

/// What a component does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// An option button (0-based option index).
    Pick(usize),
    /// The answer select menu (values are option indices).
    Select,
    /// Skip the question.
    Skip,
    /// Previous question.
    Back,
    /// Give up.
    Cancel,
    /// Post a public card of the result.
    Share,
    /// Show the menu of answered questions.
    ChangeMenu,
    /// The menu of answered questions (value: question index).
    Change,
    /// Back from the change menu to the result.
    ShowResult,
    /// Start again from the first question.
    Restart,
    /// Answer a question again (question index), to settle a contradiction.
    Revise(usize),
    /// Keep answers that contradict each other.
    Keep,
}

/// A parsed custom_id.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ComponentId {
    /// The session it belongs to.
    pub session: String,
    /// The session step it was rendered at.
    pub step: u32,
    /// What it does.
    pub action: Action,
}

impl ComponentId {
    /// A component of `session` at `step`.
    pub fn new(session: &str, step: u32, action: Action) -> Self {
        Self {
            session: session.to_owned(),
            step,
            action,
        }
    }

    /// Reads a custom_id; `None` for anything that isn't one of ours.
    pub fn parse(custom_id: &str) -> Option<ComponentId> {
        if custom_id.len() > MAX_LEN {
            return None;
        }
        let mut parts = custom_id.split(':');
        if parts.next()? != PREFIX {
            return None;
        }
        let session = parts.next()?;
        if session.is_empty() || !session.chars().all(|c| c.is_ascii_alphanumeric()) {
            return None;
        }
        let step = parts.next()?.parse().ok()?;
        let action = match parts.next()? {
            "sel" => Action::Select,
            "skip" => Action::Skip,
            "back" => Action::Back,
            "cancel" => Action::Cancel,
            "share" => Action::Share,
            "chmenu" => Action::ChangeMenu,
            "ch" => Action::Change,
            "result" => Action::ShowResult,
            "restart" => Action::Restart,
            "keep" => Action::Keep,
            other => match other.strip_prefix("rv") {
                Some(index) => Action::Revise(index.parse().ok()?),
                None => Action::Pick(other.strip_prefix('o')?.parse().ok()?),
            },
        };
        if parts.next().is_some() {
            return None;
        }
        Some(ComponentId {
            session: session.to_owned(),
            step,
            action,
        })
    }
}

impl fmt::Display for ComponentId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{PREFIX}:{}:{}:", self.session, self.step)?;
        match self.action {
            Action::Pick(i) => write!(f, "o{i}"),
            Action::Select => f.write_str("sel"),
            Action::Skip => f.write_str("skip"),
            Action::Back => f.write_str("back"),
            Action::Cancel => f.write_str("cancel"),
            Action::Share => f.write_str("share"),
            Action::ChangeMenu => f.write_str("chmenu"),
            Action::Change => f.write_str("ch"),
            Action::ShowResult => f.write_str("result"),
            Action::Restart => f.write_str("restart"),
            Action::Revise(i) => write!(f, "rv{i}"),
            Action::Keep => f.write_str("keep"),
        }
    }
}

/// Components that are not part of a conversation: `spa:<kind>[:<arg>[:<arg>]]`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Other {
    /// Confirm replacing a set with a pending upload.
    ConfirmUpload(String),
    /// Keep the current set and drop the pending upload.
    KeepCurrent(String),
    /// A panel's "Find my framework" button; `None` = the server's active set.
    Panel(Option<String>),
    /// `/history`'s menu (value: result id).
    History,
    /// `/questions show` page `n` of a set.
    Page(String, usize),
    /// A team lobby's button (lobby id, what it does).
    Team(String, TeamAction),
    /// `/forget`'s buttons: delete the clicker's data (`true`) or cancel.
    Forget(bool),
    /// "Delete this server's data" buttons: delete (`true`) or cancel.
    ForgetServer(bool),
}

/// What a team lobby's button does.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TeamAction {
    /// Answer the questions privately (or carry on where one left off).
    Answer,
    /// Combine the answers so far (organiser or server manager).
    Decide,
    /// Close the lobby (organiser or server manager).
    Cancel,
    /// Show my answers and name in the team's result.
    Show,
    /// Keep my answers private.
    Hide,
}

impl TeamAction {
    const ALL: [(TeamAction, &'static str); 5] = [
        (TeamAction::Answer, "answer"),
        (TeamAction::Decide, "decide"),
        (TeamAction::Cancel, "cancel"),
        (TeamAction::Show, "show"),
        (TeamAction::Hide, "hide"),
    ];

    fn word(self) -> &'static str {
        Self::ALL
            .iter()
            .find(|(a, _)| *a == self)
            .map_or("answer", |(_, w)| w)
    }

    fn parse(word: &str) -> Option<TeamAction> {
        Self::ALL.iter().find(|(_, w)| *w == word).map(|(a, _)| *a)
    }
}

/// The namespace of [`Other`] components.
const OTHER_PREFIX: &str = "spa";

impl Other {
    /// Reads a custom_id; `None` for anything that isn't one of ours.
    pub fn parse(custom_id: &str) -> Option<Other> {
        if custom_id.len() > MAX_LEN {
            return None;
        }
        let parts: Vec<&str> = custom_id.split(':').collect();
        let arg_ok = |a: &str| {
            !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-')
        };
        match parts.as_slice() {
            [OTHER_PREFIX, "up", id] if arg_ok(id) => Some(Other::ConfirmUpload((*id).to_owned())),
            [OTHER_PREFIX, "keep", id] if arg_ok(id) => Some(Other::KeepCurrent((*id).to_owned())),
            [OTHER_PREFIX, "panel"] => Some(Other::Panel(None)),
            [OTHER_PREFIX, "panel", set] if arg_ok(set) => {
                Some(Other::Panel(Some((*set).to_owned())))
            }
            [OTHER_PREFIX, "hist"] => Some(Other::History),
            [OTHER_PREFIX, "forget", yes] => Some(Other::Forget(yes_no(yes)?)),
            [OTHER_PREFIX, "wipe", yes] => Some(Other::ForgetServer(yes_no(yes)?)),
            [OTHER_PREFIX, "page", set, n] if arg_ok(set) => {
                Some(Other::Page((*set).to_owned(), n.parse().ok()?))
            }
            [OTHER_PREFIX, "team", lobby, action]
                if arg_ok(lobby) && lobby.chars().all(|c| c.is_ascii_alphanumeric()) =>
            {
                Some(Other::Team((*lobby).to_owned(), TeamAction::parse(action)?))
            }
            _ => None,
        }
    }
}

impl fmt::Display for Other {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Other::ConfirmUpload(id) => write!(f, "{OTHER_PREFIX}:up:{id}"),
            Other::KeepCurrent(id) => write!(f, "{OTHER_PREFIX}:keep:{id}"),
            Other::Panel(None) => write!(f, "{OTHER_PREFIX}:panel"),
            Other::Panel(Some(set)) => write!(f, "{OTHER_PREFIX}:panel:{set}"),
            Other::History => write!(f, "{OTHER_PREFIX}:hist"),
            Other::Page(set, n) => write!(f, "{OTHER_PREFIX}:page:{set}:{n}"),
            Other::Team(lobby, action) => {
                write!(f, "{OTHER_PREFIX}:team:{lobby}:{}", action.word())
            }
            Other::Forget(yes) => write!(f, "{OTHER_PREFIX}:forget:{}", word(*yes)),
            Other::ForgetServer(yes) => write!(f, "{OTHER_PREFIX}:wipe:{}", word(*yes)),
        }
    }
}

/// `yes`/`no` in a custom_id.
fn yes_no(text: &str) -> Option<bool> {
    match text {
        "yes" => Some(true),
        "no" => Some(false),
        _ => None,
    }
}

fn word(yes: bool) -> &'static str {
    if yes {
        "yes"
    } else {
        "no"
    }
}

/// A short session id from a Discord snowflake (base 36: at most 13 characters).
pub fn session_id(snowflake: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut n = snowflake;
    let mut out = Vec::with_capacity(13);
    loop {
        out.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    out.reverse();
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ALL: [Action; 12] = [
        Action::Pick(24),
        Action::Select,
        Action::Skip,
        Action::Back,
        Action::Cancel,
        Action::Share,
        Action::ChangeMenu,
        Action::Change,
        Action::ShowResult,
        Action::Restart,
        Action::Revise(24),
        Action::Keep,
    ];

    #[test]
    fn every_action_round_trips_and_stays_well_under_the_limit() {
        let session = session_id(u64::MAX);
        for action in ALL {
            let id = ComponentId::new(&session, u32::MAX, action);
            let text = id.to_string();
            assert!(text.len() <= 40, "{text}");
            assert_eq!(ComponentId::parse(&text), Some(id));
        }
    }

    #[test]
    fn foreign_or_malformed_ids_are_not_ours() {
        for text in [
            "",
            "sp",
            "sp::1:back",
            "xx:abc:1:back",
            "sp:abc:x:back",
            "sp:abc:1:fly",
            "sp:abc:1:o",
            "sp:abc:1:o-1",
            "sp:abc:1:rv",
            "sp:abc:1:rvx",
            "sp:a-c:1:back",
            "sp:abc:1:back:extra",
            "sp:abc:99999999999:back",
        ] {
            assert_eq!(ComponentId::parse(text), None, "{text}");
        }
        assert_eq!(ComponentId::parse(&"x".repeat(101)), None);
    }

    #[test]
    fn other_components_round_trip_and_refuse_junk() {
        for other in [
            Other::ConfirmUpload("abc123".to_owned()),
            Other::KeepCurrent("abc123".to_owned()),
            Other::Panel(None),
            Other::Panel(Some("team_set".to_owned())),
            Other::History,
            Other::Page("default".to_owned(), 3),
            Other::Team(session_id(u64::MAX), TeamAction::Answer),
            Other::Team("abc".to_owned(), TeamAction::Decide),
            Other::Team("abc".to_owned(), TeamAction::Cancel),
            Other::Team("abc".to_owned(), TeamAction::Show),
            Other::Team("abc".to_owned(), TeamAction::Hide),
            Other::Forget(true),
            Other::Forget(false),
            Other::ForgetServer(true),
            Other::ForgetServer(false),
        ] {
            let text = other.to_string();
            assert!(text.len() <= 50, "{text}");
            assert_eq!(Other::parse(&text), Some(other));
        }
        for junk in [
            "spa",
            "spa:up",
            "spa:up:",
            "spa:panel:a b",
            "spa:page:x:y",
            "sp:abc:1:back",
            "spa:hist:1",
            "spa:team:abc",
            "spa:team:abc:fly",
            "spa:team:a_b:answer",
            "spa:team::answer",
            "spa:forget",
            "spa:forget:maybe",
            "spa:wipe:yes:now",
        ] {
            assert_eq!(Other::parse(junk), None, "{junk}");
        }
    }

    #[test]
    fn session_ids_are_short_base36_snowflakes() {
        assert_eq!(session_id(0), "0");
        assert_eq!(session_id(35), "z");
        assert_eq!(session_id(36), "10");
        assert_eq!(session_id(u64::MAX).len(), 13);
    }
}
