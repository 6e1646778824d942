//! The questionnaire over Discord: starting a session, rendering its current view, and
//! handling every component click globally from its custom_id.

use std::sync::Arc;

use anyhow::{Context as _, Result};
use serenity::all::{
    ChannelId, ComponentInteraction, ComponentInteractionDataKind, Context,
    CreateInteractionResponse,
};
use tracing::{debug, warn};

use super::commands::{history, questions};
use super::custom_id::{session_id, Action, ComponentId, Other};
use super::render::{self, QuestionView, Reply};
use super::{Resolved, State};
use crate::conversation::{Conversation, Input, Stage, View};
use crate::engine::Recommendation;
use crate::ids::SetId;
use crate::questionnaire::QuestionSet;
use crate::store::{now_ms, Session, StoredResult};

/// A new session on the first question of `set`.
pub fn new_session(
    set: &Resolved,
    id: String,
    user_id: u64,
    guild_id: Option<u64>,
    dm_channel_id: Option<u64>,
) -> Session {
    Session {
        id,
        user_id,
        guild_id,
        dm_channel_id,
        step: 0,
        conversation: Conversation::start(set),
        updated_at_ms: now_ms(),
        preview: false,
        set_revision: set.revision,
        result_id: None,
    }
}

/// Why a session can't be continued, as the message the user sees.
pub enum Stale {
    /// Not found (finished long ago, purged, or never ours).
    Gone,
    /// Idle for longer than the timeout.
    Expired,
    /// The question set changed or was removed since it started.
    SetChanged,
}

impl Stale {
    /// What happened, in one sentence; callers add how to start again, which differs
    /// between slash commands and DMs.
    pub fn reason(&self, state: &State) -> String {
        match self {
            Stale::Gone => "This conversation has ended.".to_owned(),
            Stale::Expired => {
                // "1 minute", not "1 minutes": `idle_timeout_minutes = 1` is a valid setting.
                let minutes = state.idle_timeout.as_secs().div_ceil(60);
                let unit = if minutes == 1 { "minute" } else { "minutes" };
                format!("This conversation expired after {minutes} {unit} without an answer.")
            }
            Stale::SetChanged => {
                "The question set changed since this conversation started.".to_owned()
            }
        }
    }

    /// The reason, with how to start again from a slash command.
    pub fn message(&self, state: &State) -> String {
        format!("{} Run `/recommend` to start again.", self.reason(state))
    }
}

/// What a click from an outdated message (or a double click) is told.
const OUTDATED: &str = "That button is from an earlier step. Use the latest message.";

/// Whether the session has been idle for longer than the timeout.
pub fn is_expired(state: &State, session: &Session) -> bool {
    let idle = super::millis(state.idle_timeout);
    now_ms().saturating_sub(session.updated_at_ms) > idle
}

/// The set a session runs on: the very version it started with (a server set's
/// stored revision, or the built-in set), or why it is gone.
pub async fn session_set(
    state: &State,
    session: &Session,
) -> Result<Result<Arc<QuestionSet>, Stale>> {
    let id = &session.conversation.set;
    let set = match (session.guild_id, session.set_revision) {
        (Some(guild), Some(revision)) => match state.stored_set(guild, id, revision).await {
            Ok(set) => set,
            // A stored version that no longer loads (e.g. checked by an older build)
            // ends the conversation cleanly instead of failing every click.
            Err(e) => {
                warn!(set = %id, revision, error = format!("{e:#}"), "a conversation's set no longer loads");
                None
            }
        },
        _ => state.sets.get(id).cloned(),
    };
    Ok(set
        .filter(|set| set.version == session.conversation.set_version)
        .ok_or(Stale::SetChanged))
}

/// Stores a changed conversation (before anything is sent about it) and bumps the
/// step. Returns `false`, storing nothing, when another click or message changed it
/// first: the caller treats the input as outdated.
#[must_use = "an outdated input must be reported, not shown as applied"]
pub async fn save(
    state: &State,
    session: &mut Session,
    conversation: Conversation,
) -> Result<bool> {
    let expected = session.step;
    // Back at no answers means "Start over": the next result is a new one, not an
    // update of the last.
    if conversation.answers.iter().next().is_none() {
        session.result_id = None;
    }
    session.conversation = conversation;
    session.step = session.step.wrapping_add(1);
    session.updated_at_ms = now_ms();
    state
        .store
        .replace(session, expected)
        .await
        .context("could not store the conversation")
}

/// The session's current view: a question, the result, or the cancellation notice.
pub fn view(state: &State, set: &QuestionSet, session: &Session) -> Result<Reply> {
    let view = session
        .conversation
        .view(set, &state.catalogue)
        .map_err(anyhow::Error::new)?;
    Ok(match view {
        View::Ask {
            question,
            progress,
            previous,
            can_go_back,
        } => render::question(&QuestionView {
            session: &session.id,
            step: session.step,
            set,
            question,
            progress,
            previous: previous.unwrap_or_default(),
            can_go_back,
            typed_replies: session.dm_channel_id.is_some(),
        }),
        View::Finished(recommendation) => render::result(
            &state.catalogue,
            set,
            &recommendation,
            &session.id,
            session.step,
            // "Share to channel" only where there is a server channel to share to: a
            // conversation moved to DMs by `/recommend dm:true` keeps its guild_id, but
            // a share from the DM would only post the card into the DM itself.
            // Previews are for the admin alone, and show the weights.
            (
                session.guild_id.is_some() && session.dm_channel_id.is_none() && !session.preview,
                session.preview,
            ),
        ),
        View::Cancelled => Reply::notice(if session.dm_channel_id.is_some() {
            "Cancelled. Send me any message to start again."
        } else {
            "Cancelled. Run `/recommend` whenever you want to start again."
        }),
    })
}

/// Handles a click on one of our components.
pub async fn click(ctx: &Context, state: &State, click: &ComponentInteraction) -> Result<()> {
    if let Some(other) = Other::parse(&click.data.custom_id) {
        return match other {
            Other::ConfirmUpload(_) | Other::KeepCurrent(_) => {
                questions::confirm(ctx, state, click, &other).await
            }
            Other::Page(set, page) => questions::page(ctx, state, click, &set, page).await,
            Other::History => {
                let picked = selected(click).first().cloned().unwrap_or_default();
                history::open(ctx, state, click, &picked).await
            }
            Other::Panel(set) => start_from_panel(ctx, state, click, set.as_deref()).await,
        };
    }
    let Some(id) = ComponentId::parse(&click.data.custom_id) else {
        return ephemeral(
            ctx,
            click,
            "This button belongs to an older version of me. Run `/recommend` to start again.",
        )
        .await;
    };
    let Some(mut session) = state.store.get(&id.session).await? else {
        return ephemeral(ctx, click, &Stale::Gone.message(state)).await;
    };
    if session.user_id != click.user.id.get() {
        return ephemeral(ctx, click, "This isn't yours: these buttons belong to someone else's questionnaire. Run `/recommend` to get your own recommendation.").await;
    }
    if is_expired(state, &session) {
        state.store.remove(&session.id).await?;
        return ephemeral(ctx, click, &Stale::Expired.message(state)).await;
    }
    if id.step != session.step {
        debug!(clicked = id.step, current = session.step, "outdated click");
        return ephemeral(ctx, click, OUTDATED).await;
    }
    let set = match session_set(state, &session).await? {
        Ok(set) => set,
        Err(stale) => return ephemeral(ctx, click, &stale.message(state)).await,
    };
    let set = set.as_ref();
    let values = selected(click);
    let input = match id.action {
        Action::Share => {
            let Some(recommendation) = finished(state, set, &session) else {
                return ephemeral(ctx, click, "There is no result to share yet.").await;
            };
            let card = render::share_card(&state.catalogue, &recommendation);
            return respond(
                ctx,
                click,
                CreateInteractionResponse::Message(card.into_interaction()),
            )
            .await;
        }
        Action::ChangeMenu | Action::ShowResult => {
            let Some(recommendation) = finished(state, set, &session) else {
                return ephemeral(ctx, click, "Finish the questions first.").await;
            };
            let reply = if id.action == Action::ChangeMenu {
                let answered: Vec<_> = session.conversation.answered(set).collect();
                render::change_menu(
                    &state.catalogue,
                    set,
                    &recommendation,
                    &answered,
                    &session.id,
                    session.step,
                )
            } else {
                view(state, set, &session)?
            };
            return respond(
                ctx,
                click,
                CreateInteractionResponse::UpdateMessage(reply.into_interaction()),
            )
            .await;
        }
        Action::Pick(index) => pick_input(set, &session, &[index]),
        Action::Select => {
            let indices: Option<Vec<usize>> = values.iter().map(|v| v.parse().ok()).collect();
            indices.and_then(|i| pick_input(set, &session, &i))
        }
        Action::Change => values
            .first()
            .and_then(|v| v.parse::<usize>().ok())
            .and_then(|i| set.questions.get(i))
            .map(|q| Input::Change(q.id.clone())),
        Action::Skip => Some(Input::Skip),
        Action::Back => Some(Input::Back),
        Action::Cancel => Some(Input::Cancel),
        Action::Restart => Some(Input::Restart),
    };
    let Some(input) = input else {
        return ephemeral(
            ctx,
            click,
            "That choice doesn't match this question any more. Use the latest message.",
        )
        .await;
    };
    let next = match session.conversation.apply(set, input) {
        Ok(next) => next,
        Err(refused) => return ephemeral(ctx, click, &format!("Sorry, {refused}.")).await,
    };
    let was_finished = session.conversation.stage == Stage::Finished;
    if !save(state, &mut session, next).await? {
        return ephemeral(ctx, click, OUTDATED).await;
    }
    // A result is stored before it is shown.
    let new_result = match finished(state, set, &session) {
        Some(recommendation) if !was_finished => {
            store_result(state, set, &mut session, &recommendation)
                .await?
                .then_some(recommendation)
        }
        _ => None,
    };
    let reply = view(state, set, &session)?;
    respond(
        ctx,
        click,
        CreateInteractionResponse::UpdateMessage(reply.into_interaction()),
    )
    .await?;
    if let Some(recommendation) = new_result {
        if announce(ctx, state, set, &session, &recommendation).await? {
            let card = render::share_card(&state.catalogue, &recommendation);
            click
                .create_followup(&ctx.http, card.into_followup())
                .await
                .context("could not post the public result")?;
        }
    }
    Ok(())
}

/// The values picked in a select menu (none for a button).
fn selected(click: &ComponentInteraction) -> &[String] {
    match &click.data.kind {
        ComponentInteractionDataKind::StringSelect { values } => values,
        _ => &[],
    }
}

/// A panel's button: a private conversation for whoever clicked, on the server's
/// active set (or the panel's own set).
async fn start_from_panel(
    ctx: &Context,
    state: &State,
    click: &ComponentInteraction,
    set: Option<&str>,
) -> Result<()> {
    let guild = click.guild_id.map(|g| g.get());
    let set = match set {
        Some(id) => state.find_set(guild, &SetId::from(id)).await?,
        None => None,
    };
    let set = match set {
        Some(set) => set,
        None => state.active_set(guild).await?,
    };
    let session = new_session(
        &set,
        session_id(click.id.get()),
        click.user.id.get(),
        guild,
        None,
    );
    state
        .store
        .put(&session)
        .await
        .context("could not store the conversation")?;
    let reply = view(state, &set, &session)?;
    respond(
        ctx,
        click,
        CreateInteractionResponse::Message(reply.into_interaction().ephemeral(true)),
    )
    .await
}

/// Stores a finished recommendation, or updates it after an answer was changed from
/// the result. Returns whether it is new (then the server's log and public-results
/// settings apply). Previews are not recorded.
pub async fn store_result(
    state: &State,
    set: &QuestionSet,
    session: &mut Session,
    recommendation: &Recommendation,
) -> Result<bool> {
    if session.preview {
        return Ok(false);
    }
    let result = StoredResult {
        id: 0,
        user_id: session.user_id,
        guild_id: session.guild_id,
        set_id: set.id.clone(),
        set_version: set.version,
        set_title: set.title.clone(),
        answers: session.conversation.answers.clone(),
        recommendation: recommendation.clone(),
        created_at_ms: now_ms(),
    };
    if let Some(id) = session.result_id {
        state.store.update_result(id, &result).await?;
        return Ok(false);
    }
    state.store.add_result(&result, session).await?;
    Ok(true)
}

/// Logs a new result in the server's log channel, if it has one. Returns whether the
/// server wants results posted publicly.
pub async fn announce(
    ctx: &Context,
    state: &State,
    set: &QuestionSet,
    session: &Session,
    recommendation: &Recommendation,
) -> Result<bool> {
    let Some(guild) = session.guild_id else {
        return Ok(false);
    };
    let settings = state.store.settings(guild).await?;
    if let Some(channel) = settings.log_channel_id {
        let mut card = render::share_card(&state.catalogue, recommendation);
        card.content = Some(format!(
            "Recommendation for <@{}> ({} v{})",
            session.user_id, set.title, set.version
        ));
        if let Err(e) = ChannelId::new(channel)
            .send_message(&ctx.http, card.into_message())
            .await
        {
            warn!(error = %e, channel, "could not log the recommendation");
        }
    }
    Ok(settings.results_public && session.dm_channel_id.is_none())
}

/// The recommendation when the conversation is finished.
fn finished(
    state: &State,
    set: &QuestionSet,
    session: &Session,
) -> Option<Box<crate::engine::Recommendation>> {
    match session.conversation.view(set, &state.catalogue).ok()? {
        View::Finished(recommendation) => Some(recommendation),
        _ => None,
    }
}

/// The answer input for option indices of the current question.
fn pick_input(set: &QuestionSet, session: &Session, indices: &[usize]) -> Option<Input> {
    let question = session.conversation.current(set).ok()?;
    let ids: Option<Vec<_>> = indices
        .iter()
        .map(|&i| question.options.get(i).map(|o| o.id.clone()))
        .collect();
    ids.map(Input::Answer)
}

async fn respond(
    ctx: &Context,
    click: &ComponentInteraction,
    response: CreateInteractionResponse,
) -> Result<()> {
    click
        .create_response(&ctx.http, response)
        .await
        .context("the click response was refused")
}

/// A message only the clicker sees; the clicked message stays as it is.
pub async fn ephemeral(ctx: &Context, click: &ComponentInteraction, text: &str) -> Result<()> {
    let message = Reply::notice(text).into_interaction().ephemeral(true);
    respond(ctx, click, CreateInteractionResponse::Message(message)).await
}
