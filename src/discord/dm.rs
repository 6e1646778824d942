//! Plain DM messages: start a conversation when none is open, or answer the open one
//! with a typed reply (a number, a label, a close match, or back/skip/cancel/restart).

use anyhow::Result;
use serenity::all::Message;

use super::custom_id::session_id;
use super::flow;
use super::{send, Ctx, Reply, State};
use crate::questionnaire::{Choice, Question};
use crate::session::Typed;

/// Handles one DM from a user: the session service decides, this renders and sends.
pub async fn message(ctx: &Ctx, state: &State, message: &Message) -> Result<()> {
    let channel = message.channel_id;
    let typed = state
        .sessions
        .typed(
            message.author.id.get(),
            channel.get(),
            session_id(message.id.get()),
            &message.content,
        )
        .await?;
    let reply = match typed {
        Typed::Started { current, expired } => {
            let mut reply = flow::current_view(state, &current)?;
            reply.content = Some(if expired {
                format!(
                    "{} Let's start again.",
                    state.sessions.stale_reason(crate::session::Stale::Expired)
                )
            } else {
                "Hi! Let's find the backend framework that fits your project. Answer with the buttons or by typing.".to_owned()
            });
            reply
        }
        Typed::Ended(stale) => Reply::notice(format!(
            "{} Send me another message to start again.",
            state.sessions.stale_reason(stale)
        )),
        Typed::Raced(None) => Reply::notice(format!(
            "{} Send me another message to start again.",
            state.sessions.stale_reason(crate::session::Stale::Gone)
        )),
        Typed::Raced(Some(current)) => {
            let mut reply = flow::current_view(state, &current)?;
            reply.content = Some(
                "Your previous message changed this conversation first; here is where we are."
                    .to_owned(),
            );
            reply
        }
        Typed::NotUnderstood { current, problem } => {
            match current.session.conversation.current(&current.set) {
                Ok(question) => Reply::notice(nudge(question, &problem)),
                // Waiting for a way out of a contradiction: show it again, numbered.
                Err(_) => {
                    let mut reply = flow::current_view(state, &current)?;
                    reply.content = Some(format!("I didn't get that: {problem}."));
                    reply
                }
            }
        }
        Typed::Stepped(stepped) => {
            // A result is stored before it is shown, and logged after; results are
            // never posted publicly from a DM.
            send(ctx, channel, flow::stepped_view(state, &stepped)?).await?;
            if let Some(new) = &stepped.new_result {
                flow::announce(ctx, state, &stepped.current, new).await;
            }
            return Ok(());
        }
    };
    send(ctx, channel, reply).await?;
    Ok(())
}

/// What a DM gets when handling it failed: where its conversation stands now, or a
/// plain apology when there is none. Typed answers carry no step, so "try again" would
/// be wrong when the answer was saved and only the reply failed: typed again, it would
/// answer the next question.
pub async fn apology(state: &State, user_id: u64) -> Reply {
    let sorry = "Sorry, something went wrong on my side.";
    let open = match state.sessions.store.open_dm(user_id).await {
        Ok(Some(session)) => state.sessions.open(&session.id, user_id, None).await,
        _ => return Reply::notice(format!("{sorry} Please try again in a moment.")),
    };
    match open.map(|opened| opened.ok().map(|c| flow::current_view(state, &c))) {
        Ok(Some(Ok(mut reply))) => {
            reply.content = Some(format!("{sorry} Here is where your conversation is now."));
            reply
        }
        _ => Reply::notice(format!("{sorry} Please try again in a moment.")),
    }
}

/// A short nudge listing the valid answers.
fn nudge(question: &Question, problem: &str) -> String {
    let options: Vec<String> = question
        .options
        .iter()
        .enumerate()
        .map(|(i, o)| format!("`{}` {}", i + 1, o.label))
        .collect();
    let how = match question.choice {
        Choice::Single => "Reply with one of",
        Choice::Multi { .. } => "Reply with one or more (separated by commas) of",
    };
    let skip = if question.required { "" } else { " `skip`," };
    format!(
        "I didn't get that: {problem}.\n{how}: {}\n…or `back`,{skip} `cancel`, `restart`.",
        options.join(" · ")
    )
}
