//! The conversation lifecycle, written once for every transport (gateway clicks, DMs,
//! Discord's HTTP interactions endpoint): start a conversation, load the one an input
//! targets (owner, expiry, outdated step, the set it runs on), apply the input, store
//! it before anything is shown, store a finished result and say who should hear of it.
//!
//! It takes decoded input and an async [`Storage`] and returns what to show; it knows
//! nothing of Discord's types. Transports translate payloads in and render out.

pub mod lobby;
pub mod purge;
mod recent;
pub mod sets;

use std::sync::Arc;
use std::time::Duration;

use anyhow::{Context as _, Result};
use tracing::{debug, warn};

use recent::Recent;
pub use sets::{Library, Resolved};

use crate::conversation::{Conversation, Input, Stage, View};
use crate::engine::Recommendation;
use crate::guide::Catalogue;
use crate::ids::SetId;
use crate::questionnaire::QuestionSet;
use crate::store::{now_ms, Session, Storage, StoredResult};

/// The conversation service every transport drives; one value shared by all tasks.
pub struct Sessions {
    /// The guide's catalogue.
    pub catalogue: Catalogue,
    /// The question sets every server has, and parsed server sets.
    pub library: Library,
    /// Where conversations, server settings, sets and results live.
    pub store: Arc<dyn Storage>,
    /// How long an untouched conversation stays open.
    pub idle_timeout: Duration,
    /// The conversations this process stored last (a hint; see [`Recent`]).
    recent: Recent,
    /// How long a team lobby stays open after it is created.
    pub lobby_lifetime: Duration,
}

/// Where a conversation happens and whose it is. Plain numbers: no transport types.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Place {
    /// The only user who may drive it.
    pub user_id: u64,
    /// The server it was started in, if any.
    pub guild_id: Option<u64>,
    /// The DM channel, when it happens in a DM (typed replies are accepted there).
    pub dm_channel_id: Option<u64>,
}

/// Why a conversation can't be continued.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Not found (finished long ago, purged, or never ours).
    Gone,
    /// Idle for longer than the timeout.
    Expired,
    /// The question set changed or was removed since it started.
    SetChanged,
}

/// Why an input was not applied; nothing was changed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// The conversation can't be continued.
    Stale(Stale),
    /// Someone else's conversation.
    NotYours,
    /// From an earlier step (an old message, or a double click that lost the race).
    Outdated,
    /// The choice doesn't match the current question any more.
    NoMatch,
    /// The state machine refused it (e.g. skipping a required question): why.
    Refused(String),
}

/// A loaded conversation and the very set version it runs on.
#[derive(Clone)]
pub struct Current {
    /// The stored conversation.
    pub session: Session,
    /// Its set.
    pub set: Arc<QuestionSet>,
}

impl Current {
    /// The recommendation, when the conversation is finished.
    pub fn finished(&self, catalogue: &Catalogue) -> Option<Box<Recommendation>> {
        match self.session.conversation.view(&self.set, catalogue).ok()? {
            View::Finished(recommendation) => Some(recommendation),
            _ => None,
        }
    }
}

/// A result stored for the first time, and who should hear of it.
pub struct NewResult {
    /// The recommendation.
    pub recommendation: Arc<Recommendation>,
    /// The server's log channel, if it logs results.
    pub log_channel_id: Option<u64>,
    /// Whether the server wants the result posted publicly (never from a DM).
    pub public: bool,
}

/// An input applied and stored.
pub struct Stepped {
    /// The conversation after it.
    pub current: Current,
    /// A result that this input completed (not an update of an earlier one).
    pub new_result: Option<NewResult>,
    /// The recommendation, when the conversation is finished after this input
    /// (computed once: show this rather than computing it again).
    pub recommendation: Option<Arc<Recommendation>>,
    /// For a team member's conversation that this input finished: the lobby with
    /// their answers recorded, or why they could not be.
    pub lobby: Option<Result<crate::store::Lobby, lobby::LobbyRefusal>>,
}

/// What a typed DM reply led to.
pub enum Typed {
    /// No conversation was open, so this one started; `expired` when the open one
    /// had just expired.
    Started {
        /// The new conversation.
        current: Current,
        /// Whether an expired conversation was replaced.
        expired: bool,
    },
    /// The open conversation can't go on (its set changed); it was removed.
    Ended(Stale),
    /// The reply was applied.
    Stepped(Stepped),
    /// Another message changed the conversation first; where it stands now.
    Raced(Option<Current>),
    /// The reply didn't fit the question: why, and the question it was for.
    NotUnderstood {
        /// The conversation, unchanged.
        current: Current,
        /// What was wrong.
        problem: String,
    },
}

impl Stale {
    /// What happened, in one sentence; transports add how to start again.
    pub fn reason(&self, idle_timeout: Duration) -> String {
        match self {
            Stale::Gone => "This conversation has ended.".to_owned(),
            Stale::Expired => {
                // "1 minute", not "1 minutes": `idle_timeout_minutes = 1` is valid.
                let minutes = idle_timeout.as_secs().div_ceil(60);
                let unit = if minutes == 1 { "minute" } else { "minutes" };
                format!("This conversation expired after {minutes} {unit} without an answer.")
            }
            Stale::SetChanged => {
                "The question set changed since this conversation started.".to_owned()
            }
        }
    }
}

/// Moves a session to its next state: a new step, touched now. Back at no answers
/// means "Start over": the next result is a new one, not an update of the last.
fn advance(session: &mut Session, conversation: Conversation) {
    if conversation.answers.iter().next().is_none() {
        session.result_id = None;
    }
    session.conversation = conversation;
    session.step = session.step.wrapping_add(1);
    session.updated_at_ms = now_ms();
}

/// A duration in whole milliseconds (saturating).
pub fn millis(duration: Duration) -> u64 {
    u64::try_from(duration.as_millis()).unwrap_or(u64::MAX)
}

impl Sessions {
    /// The service over a catalogue, its sets and a store.
    pub fn new(
        catalogue: Catalogue,
        library: Library,
        store: Arc<dyn Storage>,
        idle_timeout: Duration,
    ) -> Sessions {
        Sessions {
            catalogue,
            library,
            store,
            idle_timeout,
            recent: Recent::default(),
            lobby_lifetime: lobby::DEFAULT_LIFETIME,
        }
    }

    /// The reason a conversation is stale, in one sentence.
    pub fn stale_reason(&self, stale: Stale) -> String {
        stale.reason(self.idle_timeout)
    }

    /// Whether the session has been idle for longer than the timeout.
    pub fn is_expired(&self, session: &Session) -> bool {
        now_ms().saturating_sub(session.updated_at_ms) > millis(self.idle_timeout)
    }

    /// Starts a conversation on the first question of `set` and stores it before
    /// anything is shown. A preview (an admin trying a set) records no result.
    pub async fn start(
        &self,
        set: &Resolved,
        id: String,
        place: Place,
        preview: bool,
    ) -> Result<Current> {
        self.start_in(set, id, place, preview, None).await
    }

    /// [`Sessions::start`], for a team member when `lobby` names the team's lobby.
    async fn start_in(
        &self,
        set: &Resolved,
        id: String,
        place: Place,
        preview: bool,
        lobby: Option<String>,
    ) -> Result<Current> {
        let session = Session {
            id,
            user_id: place.user_id,
            guild_id: place.guild_id,
            dm_channel_id: place.dm_channel_id,
            step: 0,
            conversation: Conversation::start(set),
            updated_at_ms: now_ms(),
            preview,
            set_revision: set.revision,
            result_id: None,
            lobby,
        };
        self.store
            .put(&session)
            .await
            .context("could not store the conversation")?;
        self.recent.stored(&session);
        Ok(Current {
            session,
            set: Arc::clone(&set.set),
        })
    }

    /// Stores a conversation as it is now (e.g. moved out of a DM that is closed).
    pub async fn put(&self, session: &Session) -> Result<()> {
        self.recent.forget(&session.id);
        self.store
            .put(session)
            .await
            .context("could not store the conversation")?;
        self.recent.stored(session);
        Ok(())
    }

    /// The conversation an input targets, if `user_id` may drive it at `step` (any
    /// step when `None`). An expired conversation is removed.
    pub async fn open(
        &self,
        id: &str,
        user_id: u64,
        step: Option<u32>,
    ) -> Result<Result<Current, Refusal>> {
        // The copy this process stored, if the input is for its step (most clicks):
        // saves reading the database; the save that follows checks the step there.
        let recent = step.and_then(|step| self.recent.at_step(id, step));
        let session = match recent {
            Some(session) => session,
            None => match self.store.get(id).await? {
                Some(session) => session,
                None => return Ok(Err(Refusal::Stale(Stale::Gone))),
            },
        };
        if session.user_id != user_id {
            return Ok(Err(Refusal::NotYours));
        }
        if self.is_expired(&session) {
            self.remove(&session.id).await?;
            return Ok(Err(Refusal::Stale(Stale::Expired)));
        }
        if step.is_some_and(|step| step != session.step) {
            debug!(clicked = ?step, current = session.step, "outdated input");
            return Ok(Err(Refusal::Outdated));
        }
        Ok(match self.session_set(&session).await {
            Some(set) => Ok(Current { session, set }),
            None => Err(Refusal::Stale(Stale::SetChanged)),
        })
    }

    /// The set a session runs on: the very version it started with (a server set's
    /// stored revision, or the built-in set), or `None` when that is gone.
    async fn session_set(&self, session: &Session) -> Option<Arc<QuestionSet>> {
        let conversation = &session.conversation;
        self.set_at(
            session.guild_id,
            &conversation.set,
            session.set_revision,
            conversation.set_version,
        )
        .await
    }

    /// A set as something started on it saw it: a server set's stored `revision`, or
    /// the built-in set, if it is still at `version`; `None` when that is gone.
    async fn set_at(
        &self,
        guild_id: Option<u64>,
        id: &SetId,
        revision: Option<u32>,
        version: u32,
    ) -> Option<Arc<QuestionSet>> {
        let set = match (guild_id, revision) {
            (Some(guild), Some(revision)) => match self.stored_set(guild, id, revision).await {
                Ok(set) => set,
                // A stored version that no longer loads (e.g. checked by an older
                // build) ends the conversation cleanly instead of failing every input.
                Err(e) => {
                    warn!(set = %id, revision, error = format!("{e:#}"), "a conversation's set no longer loads");
                    None
                }
            },
            _ => self.library.builtin.get(id).cloned(),
        };
        set.filter(|set| set.version == version)
    }

    /// Applies `input`, stores the new state (compare-and-swap on the step, so two
    /// simultaneous inputs can't both apply, across processes too) and, when it
    /// finishes the questionnaire, stores the result in the same transaction — all
    /// before the caller shows anything. The recommendation is computed once, for
    /// storing and for showing.
    pub async fn step(&self, current: Current, input: Input) -> Result<Result<Stepped, Refusal>> {
        let Current { mut session, set } = current;
        let next = match session.conversation.apply(&set, &self.catalogue, input) {
            Ok(next) => next,
            Err(refused) => return Ok(Err(Refusal::Refused(refused.to_string()))),
        };
        let was_finished = session.conversation.stage == Stage::Finished;
        let expected = session.step;
        advance(&mut session, next);
        let current = Current { session, set };
        let recommendation = current.finished(&self.catalogue).map(Arc::from);
        let new_result = match &recommendation {
            // A new result: stored with the step, in one transaction. (A team
            // member's answers go to the lobby, not to a result of their own.)
            Some(recommendation)
                if !was_finished
                    && !current.session.preview
                    && current.session.lobby.is_none()
                    && current.session.result_id.is_none() =>
            {
                let result = self.stored_result(&current, recommendation);
                let Current { mut session, set } = current;
                let finished = self.store.finish(&mut session, expected, &result).await;
                if finished.is_err() {
                    // Whether it was stored is unknown: read it next time.
                    self.recent.forget(&session.id);
                }
                let Some((_, settings)) = finished.context("could not store the result")? else {
                    self.recent.forget(&session.id);
                    return Ok(Err(Refusal::Outdated));
                };
                self.recent.stored(&session);
                let public = settings.results_public && session.dm_channel_id.is_none();
                return Ok(Ok(Stepped {
                    current: Current { session, set },
                    new_result: Some(NewResult {
                        recommendation: Arc::clone(recommendation),
                        log_channel_id: settings.log_channel_id,
                        public,
                    }),
                    recommendation: Some(Arc::clone(recommendation)),
                    lobby: None,
                }));
            }
            _ => None,
        };
        if !self.save(&current.session, expected).await? {
            return Ok(Err(Refusal::Outdated));
        }
        // After "Change an answer", the stored result follows (previews store none).
        if let Some(recommendation) = recommendation.as_deref().filter(|_| !was_finished) {
            self.update_result(&current, recommendation).await?;
        }
        let lobby = self.record_in_lobby(&current).await?;
        Ok(Ok(Stepped {
            current,
            new_result,
            recommendation,
            lobby,
        }))
    }

    /// Stores a changed conversation (compare-and-swap on the step it was loaded at);
    /// `false` (storing nothing) when another input changed it first.
    async fn save(&self, session: &Session, expected: u32) -> Result<bool> {
        let saved = self.store.replace(session, expected).await;
        match saved {
            Ok(true) => self.recent.stored(session),
            // Outdated here, or unknown after an error: read it next time.
            _ => self.recent.forget(&session.id),
        }
        saved.context("could not store the conversation")
    }

    /// Drops this process's copies of a user's conversations (their data was deleted).
    pub fn forget_user(&self, user_id: u64) {
        self.recent.forget_where(|s| s.user_id == user_id);
    }

    /// Drops this process's copies of a server's conversations (its data was deleted).
    pub fn forget_guild(&self, guild_id: u64) {
        self.recent.forget_where(|s| s.guild_id == Some(guild_id));
        self.library.forget_guild(guild_id);
    }

    /// Deletes a conversation.
    async fn remove(&self, id: &str) -> Result<()> {
        self.recent.forget(id);
        self.store.remove(id).await
    }

    fn stored_result(&self, current: &Current, recommendation: &Recommendation) -> StoredResult {
        let (session, set) = (&current.session, &current.set);
        StoredResult {
            id: 0,
            user_id: session.user_id,
            guild_id: session.guild_id,
            set_id: set.id.clone(),
            set_version: set.version,
            set_title: set.title.clone(),
            answers: session.conversation.answers.clone(),
            recommendation: recommendation.clone(),
            created_at_ms: now_ms(),
        }
    }

    async fn update_result(
        &self,
        current: &Current,
        recommendation: &Recommendation,
    ) -> Result<()> {
        match (current.session.preview, current.session.result_id) {
            (false, Some(id)) => self
                .store
                .update_result(id, &self.stored_result(current, recommendation))
                .await
                .context("could not update the stored result"),
            _ => Ok(()),
        }
    }

    /// A typed reply in a DM: continues the user's open DM conversation, or starts one
    /// on the default set (with `new_id`) when none is open.
    pub async fn typed(
        &self,
        user_id: u64,
        dm_channel_id: u64,
        new_id: String,
        text: &str,
    ) -> Result<Typed> {
        let mut expired = false;
        let open = match self.store.open_dm(user_id).await? {
            Some(session) if self.is_expired(&session) => {
                self.remove(&session.id).await?;
                expired = true;
                None
            }
            other => other,
        };
        let Some(session) = open else {
            let set = self.active_set(None).await?;
            let place = Place {
                user_id,
                guild_id: None,
                dm_channel_id: Some(dm_channel_id),
            };
            let current = self.start(&set, new_id, place, false).await?;
            return Ok(Typed::Started { current, expired });
        };
        let Some(set) = self.session_set(&session).await else {
            self.remove(&session.id).await?;
            return Ok(Typed::Ended(Stale::SetChanged));
        };
        let current = Current { session, set };
        // An answer to the question, or a way out of a contradiction.
        let parsed = current
            .session
            .conversation
            .parse_typed(&current.set, &self.catalogue, text);
        let input = match parsed {
            Ok(input) => input,
            Err(problem) => return Ok(Typed::NotUnderstood { problem, current }),
        };
        let id = current.session.id.clone();
        match self.step(current.clone(), input).await? {
            Ok(stepped) => Ok(Typed::Stepped(stepped)),
            Err(Refusal::Refused(problem)) => Ok(Typed::NotUnderstood { current, problem }),
            Err(_) => {
                // Another message was handled first: show where things stand now.
                let now = self.store.get(&id).await?;
                Ok(Typed::Raced(now.map(|session| Current {
                    session,
                    set: current.set,
                })))
            }
        }
    }
}
