//! Team mode over Discord: the lobby's buttons (Answer, Decide now, Cancel), the
//! members' "show my answers" choice, and keeping the public lobby message up to date.
//! The lobby's lifecycle is the session service's (`session::lobby`); this file only
//! translates clicks in and renders what to show.

use anyhow::Result;
use serenity::all::{ChannelId, ComponentInteraction, MessageId};
use tracing::warn;

use super::commands::questions;
use super::custom_id::TeamAction;
use super::flow::{current_view, ephemeral};
use super::render::{self, Reply};
use super::{Ctx, Response, State};
use crate::store::Lobby;

/// The lobby message as the lobby stands now.
pub async fn lobby_reply(state: &State, lobby: &Lobby) -> Reply {
    let sessions = &state.sessions;
    let set = sessions.lobby_set(lobby).await;
    render::team::lobby(
        &sessions.catalogue,
        lobby,
        set.as_deref(),
        sessions.lobby_lifetime,
    )
}

/// Edits the public lobby message to show the lobby as it stands (after a member
/// finished). A failure is logged: the lobby itself is stored, and the next click on
/// the message shows it.
pub async fn refresh(ctx: &Ctx, state: &State, lobby: &Lobby) {
    let Some(message) = lobby.message_id else {
        return;
    };
    let reply = lobby_reply(state, lobby).await;
    if let Err(e) = ChannelId::new(lobby.channel_id)
        .edit_message(
            &ctx.http,
            MessageId::new(message),
            reply.into_message_edit(),
        )
        .await
    {
        warn!(error = %e, lobby = %lobby.id, "could not update the team lobby message");
    }
}

/// A click on a lobby's button, or on a member's show/hide choice.
pub async fn click(
    ctx: &Ctx,
    state: &State,
    click: &ComponentInteraction,
    lobby_id: &str,
    action: TeamAction,
) -> Result<()> {
    let sessions = &state.sessions;
    let user = click.user.id.get();
    let manages = questions::is_allowed(click.member.as_ref().and_then(|m| m.permissions));
    let outcome = match action {
        TeamAction::Answer => {
            return match sessions.join_lobby(lobby_id, user).await? {
                Ok(current) => {
                    let reply = current_view(state, &current)?;
                    ctx.respond(click.into(), Response::message(reply, true))
                        .await
                }
                Err(refusal) => ephemeral(ctx, click, &sessions.lobby_refusal(refusal)).await,
            };
        }
        TeamAction::Show | TeamAction::Hide => {
            let show = action == TeamAction::Show;
            let text = match sessions.show_answers(lobby_id, user, show).await? {
                Ok(_) if show => "Your answers, and your name where your answers decide it, will appear in the team's result.".to_owned(),
                Ok(_) => "Your answers stay private: the team's result calls you “one member”.".to_owned(),
                Err(refusal) => sessions.lobby_refusal(refusal),
            };
            return ephemeral(ctx, click, &text).await;
        }
        TeamAction::Decide => sessions.decide_lobby(lobby_id, user, manages).await?,
        TeamAction::Cancel => sessions.cancel_lobby(lobby_id, user, manages).await?,
    };
    match outcome {
        // Decided or cancelled: the lobby message itself shows it, for everyone.
        Ok(lobby) => {
            let reply = lobby_reply(state, &lobby).await;
            ctx.respond(click.into(), Response::Update(reply)).await
        }
        Err(refusal) => ephemeral(ctx, click, &sessions.lobby_refusal(refusal)).await,
    }
}
