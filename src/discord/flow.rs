//! The questionnaire over Discord: rendering a conversation's current view, and
//! handling every component click globally from its custom_id. The lifecycle itself
//! (loading, checking, applying, storing) is the session service's; this file only
//! translates clicks in and renders what to show.

use anyhow::Result;
use serenity::all::{ChannelId, ComponentInteraction, ComponentInteractionDataKind};
use tracing::warn;

use super::commands::{forget, history, questions};
use super::custom_id::{session_id, Action, ComponentId, Other};
use super::render::{self, QuestionView, Reply};
use super::{Ctx, Response, State};
use crate::conversation::{Input, View};
use crate::engine::Recommendation;
use crate::ids::SetId;
use crate::questionnaire::QuestionSet;
use crate::session::{Current, NewResult, Place, Refusal, Stale, Stepped};
use crate::store::Session;

/// A stale conversation's reason, with how to start again from a slash command.
pub fn stale_message(state: &State, stale: Stale) -> String {
    format!(
        "{} Run `/recommend` to start again.",
        state.sessions.stale_reason(stale)
    )
}

/// What a refused click is told (the clicked message stays as it is).
fn refusal_message(state: &State, refusal: &Refusal) -> String {
    match refusal {
        Refusal::Stale(stale) => stale_message(state, *stale),
        Refusal::NotYours => "This isn't yours: these buttons belong to someone else's questionnaire. Run `/recommend` to get your own recommendation.".to_owned(),
        Refusal::Outdated => "That button is from an earlier step.".to_owned(),
        Refusal::NoMatch => {
            "That choice doesn't match this question any more. Use the latest message.".to_owned()
        }
        Refusal::Refused(why) => format!("Sorry, {why}."),
    }
}

/// The session's current view: a question, the result, or the cancellation notice.
pub fn view(state: &State, set: &QuestionSet, session: &Session) -> Result<Reply> {
    let view = session
        .conversation
        .view(set, &state.sessions.catalogue)
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
        View::Finished(recommendation) => result_view(state, set, session, &recommendation),
        View::Contradiction(conflict) => super::conflict::render(
            &state.sessions.catalogue,
            set,
            &conflict,
            (&session.id, session.step),
            session.dm_channel_id.is_some(),
        ),
        View::Cancelled => Reply::notice(if session.dm_channel_id.is_some() {
            "Cancelled. Send me any message to start again."
        } else {
            "Cancelled. Run `/recommend` whenever you want to start again."
        }),
    })
}

/// A finished conversation's result.
fn result_view(
    state: &State,
    set: &QuestionSet,
    session: &Session,
    recommendation: &Recommendation,
) -> Reply {
    let reply = result_text(state, set, session, recommendation);
    render::with_chart(reply, &state.sessions.catalogue, recommendation)
}

/// A finished conversation's result, without its chart.
fn result_text(
    state: &State,
    set: &QuestionSet,
    session: &Session,
    recommendation: &Recommendation,
) -> Reply {
    if let Some(lobby) = session.lobby.as_deref() {
        // A team member's own result: private, with the choice to show their answers
        // in the team's result instead of sharing.
        let mut reply = render::result(
            &state.sessions.catalogue,
            set,
            recommendation,
            &session.id,
            session.step,
            (false, false),
        );
        reply.content = Some(render::team::MEMBER_NOTE.to_owned());
        reply.components.push(render::team::member_row(lobby));
        return reply;
    }
    render::result(
        &state.sessions.catalogue,
        set,
        recommendation,
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
    )
}

/// The current view of a loaded conversation.
pub fn current_view(state: &State, current: &Current) -> Result<Reply> {
    view(state, &current.set, &current.session)
}

/// The view after an input: the result it finished with (already computed to be
/// stored), or the current view.
pub fn stepped_view(state: &State, stepped: &Stepped) -> Result<Reply> {
    let Stepped {
        current,
        recommendation,
        ..
    } = stepped;
    match recommendation {
        Some(recommendation) => Ok(result_view(
            state,
            &current.set,
            &current.session,
            recommendation,
        )),
        None => current_view(state, current),
    }
}

/// Handles a click on one of our components.
pub async fn click(ctx: &Ctx, state: &State, click: &ComponentInteraction) -> Result<()> {
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
            Other::Team(lobby, action) => {
                super::team::click(ctx, state, click, &lobby, action).await
            }
            Other::Forget(_) | Other::ForgetServer(_) => {
                forget::confirm(ctx, state, click, &other).await
            }
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
    let user = click.user.id.get();
    let current = match state
        .sessions
        .open(&id.session, user, Some(id.step))
        .await?
    {
        Ok(current) => current,
        Err(Refusal::Outdated) => return resync(ctx, state, click, &id.session).await,
        Err(refusal) => return ephemeral(ctx, click, &refusal_message(state, &refusal)).await,
    };
    let catalogue = &state.sessions.catalogue;
    let input = match id.action {
        Action::Share => {
            let Some(recommendation) = current.finished(catalogue) else {
                return ephemeral(ctx, click, "There is no result to share yet.").await;
            };
            let card = render::share_card(catalogue, &recommendation);
            let card = render::with_chart(card, catalogue, &recommendation);
            return ctx
                .respond(click.into(), Response::message(card, false))
                .await;
        }
        Action::ChangeMenu | Action::ShowResult => {
            let Some(recommendation) = current.finished(catalogue) else {
                return ephemeral(ctx, click, "Finish the questions first.").await;
            };
            let reply = if id.action == Action::ChangeMenu {
                let (session, set) = (&current.session, &current.set);
                let answered: Vec<_> = session.conversation.answered(set).collect();
                let menu = render::change_menu(
                    catalogue,
                    set,
                    &recommendation,
                    &answered,
                    &session.id,
                    session.step,
                );
                render::with_chart(menu, catalogue, &recommendation)
            } else {
                current_view(state, &current)?
            };
            return ctx.respond(click.into(), Response::Update(reply)).await;
        }
        Action::Pick(index) => pick_input(&current, &[index]),
        Action::Select => {
            let indices: Option<Vec<usize>> =
                selected(click).iter().map(|v| v.parse().ok()).collect();
            indices.and_then(|i| pick_input(&current, &i))
        }
        Action::Change => selected(click)
            .first()
            .and_then(|v| v.parse::<usize>().ok())
            .and_then(|i| current.set.questions.get(i))
            .map(|q| Input::Change(q.id.clone())),
        Action::Revise(i) => current
            .set
            .questions
            .get(i)
            .map(|q| Input::Change(q.id.clone())),
        Action::Keep => Some(Input::KeepAnswers),
        Action::Skip => Some(Input::Skip),
        Action::Back => Some(Input::Back),
        Action::Cancel => Some(Input::Cancel),
        Action::Restart => Some(Input::Restart),
    };
    let Some(input) = input else {
        return ephemeral(ctx, click, &refusal_message(state, &Refusal::NoMatch)).await;
    };
    let stepped = match state.sessions.step(current, input).await? {
        Ok(stepped) => stepped,
        Err(Refusal::Outdated) => return resync(ctx, state, click, &id.session).await,
        Err(refusal) => return ephemeral(ctx, click, &refusal_message(state, &refusal)).await,
    };
    let mut reply = stepped_view(state, &stepped)?;
    if let Some(Err(refusal)) = &stepped.lobby {
        reply.content = Some(format!(
            "{} Your answers weren't added to it.",
            state.sessions.lobby_refusal(*refusal)
        ));
    }
    ctx.respond(click.into(), Response::Update(reply)).await?;
    if let Some(Ok(lobby)) = &stepped.lobby {
        super::team::refresh(ctx, state, lobby).await;
    }
    if let Some(new) = stepped.new_result {
        if announce(ctx, state, &stepped.current, &new).await {
            let card = render::share_card(catalogue, &new.recommendation);
            let card = render::with_chart(card, catalogue, &new.recommendation);
            // The user has their result already: a failure here is logged, not shown
            // (and not sent again unless it surely never reached Discord).
            if let Err(e) = super::send_followup(ctx, &click.token, card.into_followup()).await {
                warn!(error = %e, "could not post the public result");
            }
        }
    }
    Ok(())
}

/// A click from an earlier step (an old message, a double click that lost the race, or
/// the message of a click whose reply failed after its answer was saved): the clicked
/// message is brought up to the stored conversation, so its buttons work again instead
/// of answering "earlier step" for ever.
async fn resync(
    ctx: &Ctx,
    state: &State,
    click: &ComponentInteraction,
    session: &str,
) -> Result<()> {
    let current = match state
        .sessions
        .open(session, click.user.id.get(), None)
        .await?
    {
        Ok(current) => current,
        Err(refusal) => return ephemeral(ctx, click, &refusal_message(state, &refusal)).await,
    };
    // No note on the message: a content line would stay through later updates.
    let reply = current_view(state, &current)?;
    ctx.respond(click.into(), Response::Update(reply)).await
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
    ctx: &Ctx,
    state: &State,
    click: &ComponentInteraction,
    set: Option<&str>,
) -> Result<()> {
    let guild = click.guild_id.map(|g| g.get());
    let set = match set {
        Some(id) => state.sessions.find_set(guild, &SetId::from(id)).await?,
        None => None,
    };
    let set = match set {
        Some(set) => set,
        None => state.sessions.active_set(guild).await?,
    };
    let place = Place {
        user_id: click.user.id.get(),
        guild_id: guild,
        dm_channel_id: None,
    };
    let current = state
        .sessions
        .start(&set, session_id(click.id.get()), place, false)
        .await?;
    let reply = current_view(state, &current)?;
    ctx.respond(click.into(), Response::message(reply, true))
        .await
}

/// Logs a new result in the server's log channel, if it has one (a failure there is
/// logged, not shown). Returns whether the server wants results posted publicly.
pub async fn announce(ctx: &Ctx, state: &State, current: &Current, new: &NewResult) -> bool {
    if let Some(channel) = new.log_channel_id {
        let (session, set) = (&current.session, &current.set);
        let catalogue = &state.sessions.catalogue;
        let card = render::share_card(catalogue, &new.recommendation);
        let mut card = render::with_chart(card, catalogue, &new.recommendation);
        card.content = Some(format!(
            "Recommendation for <@{}> ({} v{})",
            session.user_id, set.title, set.version
        ));
        if let Err(e) = super::send(ctx, ChannelId::new(channel), card).await {
            warn!(error = %e, channel, "could not log the recommendation");
        }
    }
    new.public
}

/// The answer input for option indices of the current question.
fn pick_input(current: &Current, indices: &[usize]) -> Option<Input> {
    let question = current.session.conversation.current(&current.set).ok()?;
    let ids: Option<Vec<_>> = indices
        .iter()
        .map(|&i| question.options.get(i).map(|o| o.id.clone()))
        .collect();
    ids.map(Input::Answer)
}

/// A message only the clicker sees; the clicked message stays as it is.
pub async fn ephemeral(ctx: &Ctx, click: &ComponentInteraction, text: &str) -> Result<()> {
    ctx.respond(click.into(), Response::message(Reply::notice(text), true))
        .await
}
