//! Team lobbies, written once for every transport: open a lobby on a question set,
//! let members answer privately (each in an ordinary conversation that knows its
//! lobby, so it is resumable and survives restarts like any other), record each
//! member's answers when they finish, and decide or cancel.
//!
//! Every change is a compare-and-swap on the lobby's version, retried on a fresh copy
//! when another change won: two members finishing at the same moment (in one process
//! or two) both count.

use std::time::Duration;

use anyhow::{bail, Context as _, Result};

use super::{millis, Current, Place, Resolved, Sessions};
use crate::conversation::Stage;
use crate::engine::team::recommend_team;
use crate::store::{now_ms, Lobby, LobbyMember, LobbyStatus};

/// How long a lobby stays open when the configuration doesn't say.
pub const DEFAULT_LIFETIME: Duration = Duration::from_secs(24 * 60 * 60);

/// Changes of one lobby tried at most this many times in a row when others keep
/// winning (each lost attempt means another change was applied).
const MAX_ATTEMPTS: usize = 64;

/// Why a lobby action was not applied; nothing was changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LobbyRefusal {
    /// Not found (expired and purged, or never there).
    Gone,
    /// Older than the configured lifetime.
    Expired,
    /// Already decided.
    Decided,
    /// Cancelled.
    Cancelled,
    /// Only the organiser or a server manager may do this.
    NotAllowed,
    /// Deciding needs at least one member's answers.
    NoAnswers,
    /// Only a member who answered can do this.
    NotMember,
    /// The lobby's question set changed or was removed since it opened.
    SetChanged,
}

impl LobbyRefusal {
    /// What happened, in one sentence.
    pub fn reason(&self, lifetime: Duration) -> String {
        match self {
            LobbyRefusal::Gone => "This team lobby is gone.".to_owned(),
            LobbyRefusal::Expired => {
                let hours = lifetime.as_secs().div_ceil(3600);
                let unit = if hours == 1 { "hour" } else { "hours" };
                format!("This team lobby expired: lobbies stay open for {hours} {unit}.")
            }
            LobbyRefusal::Decided => "This team has already decided.".to_owned(),
            LobbyRefusal::Cancelled => "This team lobby was cancelled.".to_owned(),
            LobbyRefusal::NotAllowed => {
                "Only the member who opened this lobby, or someone with Manage Server, can do that."
                    .to_owned()
            }
            LobbyRefusal::NoAnswers => {
                "Nobody has answered yet: the team needs at least one member's answers to decide."
                    .to_owned()
            }
            LobbyRefusal::NotMember => {
                "Answer the questions first; then you can choose whether to show your answers."
                    .to_owned()
            }
            LobbyRefusal::SetChanged => {
                "This lobby's question set changed since it opened, so it can't go on.".to_owned()
            }
        }
    }
}

/// The id of a member's conversation for a lobby: one per member and lobby, so
/// clicking Answer again resumes it. Alphanumeric, at most 27 characters.
pub fn member_session_id(lobby_id: &str, user_id: u64) -> String {
    const DIGITS: &[u8; 36] = b"0123456789abcdefghijklmnopqrstuvwxyz";
    let mut user = Vec::new();
    let mut n = user_id;
    loop {
        user.push(DIGITS[(n % 36) as usize]);
        n /= 36;
        if n == 0 {
            break;
        }
    }
    user.reverse();
    // The lobby id padded to a fixed width keeps (lobby, user) pairs apart.
    format!("t{lobby_id:0>13}{}", String::from_utf8_lossy(&user))
}

impl Sessions {
    /// Whether the lobby is older than the lifetime.
    pub fn lobby_expired(&self, lobby: &Lobby) -> bool {
        now_ms().saturating_sub(lobby.created_at_ms) > millis(self.lobby_lifetime)
    }

    /// What a refusal tells the member.
    pub fn lobby_refusal(&self, refusal: LobbyRefusal) -> String {
        refusal.reason(self.lobby_lifetime)
    }

    /// Opens a lobby on `set` and stores it before anything is shown.
    pub async fn open_lobby(
        &self,
        set: &Resolved,
        id: String,
        (guild_id, channel_id): (u64, u64),
        organiser_id: u64,
    ) -> Result<Lobby> {
        let lobby = Lobby {
            id,
            guild_id,
            channel_id,
            message_id: None,
            organiser_id,
            set_id: set.id.clone(),
            set_version: set.version,
            set_revision: set.revision,
            set_title: set.title.clone(),
            members: Vec::new(),
            status: LobbyStatus::Open,
            version: 0,
            created_at_ms: now_ms(),
        };
        self.store
            .put_lobby(&lobby)
            .await
            .context("could not store the team lobby")?;
        Ok(lobby)
    }

    /// The lobby, unless it is gone or expired.
    pub async fn lobby(&self, id: &str) -> Result<Result<Lobby, LobbyRefusal>> {
        let Some(lobby) = self.store.get_lobby(id).await? else {
            return Ok(Err(LobbyRefusal::Gone));
        };
        // Left for the purge task to delete: until then it keeps saying it expired.
        if self.lobby_expired(&lobby) {
            return Ok(Err(LobbyRefusal::Expired));
        }
        Ok(Ok(lobby))
    }

    /// Applies `change` to the stored lobby (compare-and-swap on its version, tried
    /// again on a fresh copy when another change won) and returns it as stored.
    pub async fn change_lobby(
        &self,
        id: &str,
        mut change: impl FnMut(&mut Lobby) -> Result<(), LobbyRefusal>,
    ) -> Result<Result<Lobby, LobbyRefusal>> {
        for _ in 0..MAX_ATTEMPTS {
            let lobby = match self.lobby(id).await? {
                Ok(lobby) => lobby,
                Err(refusal) => return Ok(Err(refusal)),
            };
            let mut next = lobby.clone();
            if let Err(refusal) = change(&mut next) {
                return Ok(Err(refusal));
            }
            next.version = lobby.version.wrapping_add(1);
            if self
                .store
                .replace_lobby(&next, lobby.version)
                .await
                .context("could not store the team lobby")?
            {
                return Ok(Ok(next));
            }
        }
        bail!("the team lobby {id} kept changing under {MAX_ATTEMPTS} attempts")
    }

    /// The set the lobby runs on, as it was when the lobby opened.
    pub async fn lobby_set(&self, lobby: &Lobby) -> Option<Resolved> {
        let set = self
            .set_at(
                Some(lobby.guild_id),
                &lobby.set_id,
                lobby.set_revision,
                lobby.set_version,
            )
            .await?;
        Some(Resolved {
            set,
            revision: lobby.set_revision,
        })
    }

    /// A member's private questionnaire for the lobby: the one they started (where
    /// they left it), or a new one.
    pub async fn join_lobby(
        &self,
        id: &str,
        user_id: u64,
    ) -> Result<Result<Current, LobbyRefusal>> {
        let lobby = match self.lobby(id).await? {
            Ok(lobby) => lobby,
            Err(refusal) => return Ok(Err(refusal)),
        };
        if let Err(refusal) = still_open(&lobby) {
            return Ok(Err(refusal));
        }
        let session_id = member_session_id(id, user_id);
        if let Ok(current) = self.open(&session_id, user_id, None).await? {
            let resumable = current.session.lobby.as_deref() == Some(id)
                && current.session.conversation.stage != Stage::Cancelled;
            if resumable {
                return Ok(Ok(current));
            }
        }
        let Some(set) = self.lobby_set(&lobby).await else {
            return Ok(Err(LobbyRefusal::SetChanged));
        };
        let place = Place {
            user_id,
            guild_id: Some(lobby.guild_id),
            dm_channel_id: None,
        };
        let current = self
            .start_in(&set, session_id, place, false, Some(id.to_owned()))
            .await?;
        Ok(Ok(current))
    }

    /// Records a finished team member's answers in their lobby (replacing earlier
    /// ones); `None` when the conversation isn't a finished team member's.
    pub(super) async fn record_in_lobby(
        &self,
        current: &Current,
    ) -> Result<Option<Result<Lobby, LobbyRefusal>>> {
        let session = &current.session;
        let Some(id) = &session.lobby else {
            return Ok(None);
        };
        if session.conversation.stage != Stage::Finished {
            return Ok(None);
        }
        let (user_id, answers) = (session.user_id, &session.conversation.answers);
        let changed = self
            .change_lobby(id, |lobby| {
                still_open(lobby)?;
                match lobby.members.iter_mut().find(|m| m.user_id == user_id) {
                    Some(member) => member.answers = answers.clone(),
                    None => lobby.members.push(LobbyMember {
                        user_id,
                        answers: answers.clone(),
                        show_answers: false,
                    }),
                }
                Ok(())
            })
            .await?;
        Ok(Some(changed))
    }

    /// A member shows (or hides again) their answers and name in the team's result.
    pub async fn show_answers(
        &self,
        id: &str,
        user_id: u64,
        show: bool,
    ) -> Result<Result<Lobby, LobbyRefusal>> {
        self.change_lobby(id, |lobby| {
            let member = lobby
                .members
                .iter_mut()
                .find(|m| m.user_id == user_id)
                .ok_or(LobbyRefusal::NotMember)?;
            member.show_answers = show;
            Ok(())
        })
        .await
    }

    /// Decides: combines every member's answers into the team's result. Only the
    /// organiser or a server manager (`manages_server`), with at least one answer.
    pub async fn decide_lobby(
        &self,
        id: &str,
        user_id: u64,
        manages_server: bool,
    ) -> Result<Result<Lobby, LobbyRefusal>> {
        let lobby = match self.lobby(id).await? {
            Ok(lobby) => lobby,
            Err(refusal) => return Ok(Err(refusal)),
        };
        let Some(set) = self.lobby_set(&lobby).await else {
            return Ok(Err(LobbyRefusal::SetChanged));
        };
        let catalogue = &self.catalogue;
        self.change_lobby(id, |lobby| {
            may_manage(lobby, user_id, manages_server)?;
            still_open(lobby)?;
            let answers: Vec<_> = lobby.members.iter().map(|m| m.answers.clone()).collect();
            let result =
                recommend_team(catalogue, &set, &answers).ok_or(LobbyRefusal::NoAnswers)?;
            lobby.status = LobbyStatus::Decided {
                result: Box::new(result),
                by: user_id,
            };
            Ok(())
        })
        .await
    }

    /// Cancels the lobby: only the organiser or a server manager.
    pub async fn cancel_lobby(
        &self,
        id: &str,
        user_id: u64,
        manages_server: bool,
    ) -> Result<Result<Lobby, LobbyRefusal>> {
        self.change_lobby(id, |lobby| {
            may_manage(lobby, user_id, manages_server)?;
            still_open(lobby)?;
            lobby.status = LobbyStatus::Cancelled { by: user_id };
            Ok(())
        })
        .await
    }

    /// Remembers the lobby's message, once it has been posted.
    pub async fn lobby_posted(
        &self,
        id: &str,
        message_id: u64,
    ) -> Result<Result<Lobby, LobbyRefusal>> {
        self.change_lobby(id, |lobby| {
            lobby.message_id = Some(message_id);
            Ok(())
        })
        .await
    }
}

/// Refuses anything but an open lobby.
fn still_open(lobby: &Lobby) -> Result<(), LobbyRefusal> {
    match lobby.status {
        LobbyStatus::Open => Ok(()),
        LobbyStatus::Decided { .. } => Err(LobbyRefusal::Decided),
        LobbyStatus::Cancelled { .. } => Err(LobbyRefusal::Cancelled),
    }
}

/// Only the organiser or a server manager decides or cancels.
fn may_manage(lobby: &Lobby, user_id: u64, manages_server: bool) -> Result<(), LobbyRefusal> {
    if lobby.organiser_id == user_id || manages_server {
        Ok(())
    } else {
        Err(LobbyRefusal::NotAllowed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_session_ids_are_short_alphanumeric_and_never_shared() {
        let long = member_session_id("3w5e11264sgsf", u64::MAX);
        assert!(long.len() <= 27 && long.chars().all(|c| c.is_ascii_alphanumeric()));
        // Without the padding these two would both be `tabc`.
        assert_ne!(
            member_session_id("ab", 12),
            member_session_id("a", 36 * 11 + 12)
        );
        assert_ne!(member_session_id("ab", 1), member_session_id("ab", 2));
    }

    #[test]
    fn an_expired_lobby_says_for_how_long_lobbies_stay_open() {
        let hour = Duration::from_secs(3600);
        assert_eq!(
            LobbyRefusal::Expired.reason(hour),
            "This team lobby expired: lobbies stay open for 1 hour."
        );
        assert!(LobbyRefusal::Expired
            .reason(DEFAULT_LIFETIME)
            .contains("24 hours"));
    }
}
