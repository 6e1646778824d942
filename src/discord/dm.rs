//! Plain DM messages: start a conversation when none is open, or answer the open one
//! with a typed reply (a number, a label, a close match, or back/skip/cancel/restart).

use anyhow::Result;
use serenity::all::{Context, Message};

use super::custom_id::session_id;
use super::flow::{self, Stale};
use super::{send, Reply, State};
use crate::conversation::{parse_reply, View};
use crate::questionnaire::{Choice, Question};

/// Handles one DM from a user.
pub async fn message(ctx: &Context, state: &State, message: &Message) -> Result<()> {
    let user = message.author.id.get();
    let open = state.store.open_dm(user).await?;
    let mut note = None;
    let session = match open {
        Some(session) if flow::is_expired(state, &session) => {
            state.store.remove(&session.id).await?;
            note = Some(format!(
                "{} Let's start again.",
                Stale::Expired.reason(state)
            ));
            None
        }
        other => other,
    };
    let Some(mut session) = session else {
        // No open conversation: any message starts one on the default set.
        let set = state.active_set(None).await?;
        let session = flow::new_session(
            &set,
            session_id(message.id.get()),
            user,
            None,
            Some(message.channel_id.get()),
        );
        state.store.put(&session).await?;
        let mut reply = flow::view(state, &set, &session)?;
        reply.content = Some(note.unwrap_or_else(|| {
            "Hi! Let's find the backend framework that fits your project. Answer with the buttons or by typing.".to_owned()
        }));
        send(ctx, message.channel_id, reply).await?;
        return Ok(());
    };
    let set = match flow::session_set(state, &session).await? {
        Ok(set) => set,
        Err(stale) => {
            state.store.remove(&session.id).await?;
            let text = format!(
                "{} Send me another message to start again.",
                stale.reason(state)
            );
            send(ctx, message.channel_id, Reply::notice(text)).await?;
            return Ok(());
        }
    };
    let set = set.as_ref();
    let question = session.conversation.current(set)?;
    let step = parse_reply(question, &message.content)
        .map_err(|e| e.to_string())
        .and_then(|input| {
            session
                .conversation
                .apply(set, input)
                .map_err(|e| e.to_string())
        });
    match step {
        Ok(next) => {
            if !flow::save(state, &mut session, next).await? {
                // Another message was handled first: show where things stand now.
                let Some(current) = state.store.get(&session.id).await? else {
                    return Ok(());
                };
                let mut reply = flow::view(state, set, &current)?;
                reply.content = Some(
                    "Your previous message changed this conversation first; here is where we are."
                        .to_owned(),
                );
                send(ctx, message.channel_id, reply).await?;
                return Ok(());
            }
            // A result is stored before it is shown, and logged after.
            let finished = match session.conversation.view(set, &state.catalogue)? {
                View::Finished(recommendation) => {
                    flow::store_result(state, set, &mut session, &recommendation)
                        .await?
                        .then_some(recommendation)
                }
                _ => None,
            };
            send(ctx, message.channel_id, flow::view(state, set, &session)?).await?;
            if let Some(recommendation) = finished {
                // Results are never posted publicly from a DM.
                flow::announce(ctx, state, set, &session, &recommendation).await?;
            }
        }
        Err(problem) => {
            send(
                ctx,
                message.channel_id,
                Reply::notice(nudge(question, &problem)),
            )
            .await?
        }
    }
    Ok(())
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
