//! How an interaction gets its first response, whatever transport it came by.
//!
//! Over the gateway the response is a REST call (`POST /interactions/{id}/{token}/callback`).
//! Over Discord's HTTP interactions endpoint it is the body of the HTTP answer itself, with
//! no request back to Discord. Handlers don't care: they call [`Ctx::respond`]. Follow-ups
//! and edits of `@original` go over REST with the interaction's token either way; in HTTP
//! mode `respond` returns only once the inline answer has been handed to the connection, so
//! a follow-up can't overtake it.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use serenity::all::{
    AutocompleteChoice, CreateAutocompleteResponse, CreateInteractionResponse,
    CreateInteractionResponseMessage, Http, InteractionId,
};
use serenity::builder::Builder as _;
use tokio::sync::oneshot;

use super::render::Reply;

/// The first response to an interaction, independent of the transport.
pub enum Response {
    /// A new message (type 4), optionally visible to the user alone, with the reply's
    /// files (sent over REST: see [`Ctx::respond`]).
    Message {
        /// What it shows.
        reply: Reply,
        /// Only the user sees it.
        ephemeral: bool,
    },
    /// Replaces the message a component was on (type 7), its attachments with the
    /// reply's files.
    Update(Reply),
    /// "Thinking…" now, the message later by editing `@original` (type 5).
    Defer {
        /// Only the user will see it.
        ephemeral: bool,
    },
    /// Acknowledges a click without changing anything yet (type 6).
    DeferUpdate,
    /// Autocomplete choices (type 8).
    Autocomplete(Vec<AutocompleteChoice>),
}

impl Response {
    /// A new message.
    pub fn message(reply: Reply, ephemeral: bool) -> Response {
        Response::Message { reply, ephemeral }
    }

    fn into_builder(self) -> CreateInteractionResponse {
        match self {
            Response::Message { reply, ephemeral } => {
                CreateInteractionResponse::Message(reply.into_interaction().ephemeral(ephemeral))
            }
            Response::Update(reply) => {
                CreateInteractionResponse::UpdateMessage(reply.into_interaction())
            }
            Response::Defer { ephemeral } => CreateInteractionResponse::Defer(
                CreateInteractionResponseMessage::new().ephemeral(ephemeral),
            ),
            Response::DeferUpdate => CreateInteractionResponse::Acknowledge,
            Response::Autocomplete(choices) => CreateInteractionResponse::Autocomplete(
                CreateAutocompleteResponse::new().set_choices(choices),
            ),
        }
    }
}

/// Which interaction a response is for.
#[derive(Debug, Clone, Copy)]
pub struct Target<'a> {
    /// Its id.
    pub id: InteractionId,
    /// Its token (valid 15 minutes, for the callback, follow-ups and `@original`).
    pub token: &'a str,
    /// Whether it is a component click (a deferral then keeps the clicked message).
    pub component: bool,
}

/// An inline answer for the HTTP endpoint: the JSON body, and a signal to send back
/// once the body has been handed to the connection.
pub struct InlineAnswer {
    /// The interaction response, serialised.
    pub body: Vec<u8>,
    /// Fired by the endpoint when the body is out.
    pub delivered: oneshot::Sender<()>,
}

/// Where an HTTP-endpoint interaction stands.
enum Inline {
    /// The endpoint waits for the answer.
    Waiting(oneshot::Sender<InlineAnswer>),
    /// The handler took too long: the endpoint answered with a deferral itself, so the
    /// handler's response becomes an edit of `@original` (or a follow-up for a new
    /// message after a click), sent once the deferral is out (the receiver fires then).
    Deferred(Option<oneshot::Receiver<()>>),
    /// Answered.
    Answered,
}

/// What a handler needs to talk to Discord: the REST client and, for an interaction
/// that came over HTTP, the way back to the waiting endpoint.
#[derive(Clone)]
pub struct Ctx {
    /// Discord's REST API.
    pub http: Arc<Http>,
    inline: Option<Arc<Mutex<Inline>>>,
}

/// How long an inline answer may wait for the endpoint to hand it to the connection.
const DELIVERY_WAIT: Duration = Duration::from_secs(5);

impl Ctx {
    /// For gateway events: every response is a REST call.
    pub fn rest(http: Arc<Http>) -> Ctx {
        Ctx { http, inline: None }
    }

    /// For the HTTP endpoint: the first response goes to `answer`.
    pub fn inline(http: Arc<Http>, answer: oneshot::Sender<InlineAnswer>) -> Ctx {
        Ctx {
            http,
            inline: Some(Arc::new(Mutex::new(Inline::Waiting(answer)))),
        }
    }

    /// Called by the endpoint when it gives up waiting and sends a deferral itself:
    /// returns the signal to fire once that deferral is out, or `None` if the handler
    /// answered meanwhile (then that answer is used).
    pub fn mark_deferred(&self) -> Option<oneshot::Sender<()>> {
        let inline = self.inline.as_ref()?;
        let mut state = inline.lock().unwrap_or_else(PoisonError::into_inner);
        match *state {
            Inline::Waiting(_) => {
                let (delivered, sent) = oneshot::channel();
                *state = Inline::Deferred(Some(sent));
                Some(delivered)
            }
            _ => None,
        }
    }

    /// Sends the first response to an interaction.
    pub async fn respond(&self, target: Target<'_>, response: Response) -> Result<()> {
        let Some(inline) = &self.inline else {
            return response
                .into_builder()
                .execute(&*self.http, (target.id, target.token))
                .await
                .context("the interaction response was refused");
        };
        let previous = std::mem::replace(
            &mut *inline.lock().unwrap_or_else(PoisonError::into_inner),
            Inline::Answered,
        );
        match previous {
            Inline::Waiting(answer) => self.answer_inline(target, answer, response).await,
            Inline::Deferred(sent) => {
                // Edits and follow-ups can't overtake the deferral they build on.
                if let Some(sent) = sent {
                    let _ = tokio::time::timeout(DELIVERY_WAIT, sent).await;
                }
                self.after_deferral(target, response).await
            }
            Inline::Answered => bail!("this interaction was already answered"),
        }
    }

    async fn answer_inline(
        &self,
        target: Target<'_>,
        answer: oneshot::Sender<InlineAnswer>,
        response: Response,
    ) -> Result<()> {
        // Files don't ride in the inline answer: Discord's HTTP endpoint takes only JSON
        // reliably (multipart answers fail for some interactions and past ~150 KB:
        // discord-api-docs issues 5250, 5925, 5933). Defer, then edit `@original` with
        // the files over REST, which is documented to work.
        let (first, then) = match response {
            Response::Message { reply, ephemeral } if !reply.files.is_empty() => {
                (Response::Defer { ephemeral }, Some(reply.into_edit()))
            }
            Response::Update(reply) if !reply.files.is_empty() => {
                (Response::DeferUpdate, Some(reply.into_edit()))
            }
            other => (other, None),
        };
        let body = serde_json::to_vec(&first.into_builder())
            .context("could not serialise the interaction response")?;
        let (delivered, sent) = oneshot::channel();
        if answer.send(InlineAnswer { body, delivered }).is_err() {
            bail!("the HTTP request of this interaction is gone (its client disconnected)");
        }
        // Wait until the answer is out, so follow-ups can't overtake it.
        let _ = tokio::time::timeout(DELIVERY_WAIT, sent).await;
        if let Some(edit) = then {
            edit.execute(&*self.http, target.token)
                .await
                .context("could not attach the files")?;
        }
        Ok(())
    }

    async fn after_deferral(&self, target: Target<'_>, response: Response) -> Result<()> {
        match response {
            Response::Message { reply, ephemeral } if target.component => {
                let followup = reply.into_followup().ephemeral(ephemeral);
                followup
                    .execute(&*self.http, (None, target.token))
                    .await
                    .map(|_| ())
                    .context("could not send the late answer")
            }
            Response::Message { reply, .. } => reply
                .into_edit()
                .execute(&*self.http, target.token)
                .await
                .map(|_| ())
                .context("could not send the late answer"),
            Response::Update(reply) => reply
                .into_edit()
                .execute(&*self.http, target.token)
                .await
                .map(|_| ())
                .context("could not send the late answer"),
            Response::Defer { .. } | Response::DeferUpdate => Ok(()),
            Response::Autocomplete(_) => {
                // The endpoint already answered with no suggestions; these are dropped.
                tracing::debug!("autocomplete choices came too late to be shown");
                Ok(())
            }
        }
    }
}

impl<'a> From<&'a serenity::all::CommandInteraction> for Target<'a> {
    fn from(command: &'a serenity::all::CommandInteraction) -> Self {
        Target {
            id: command.id,
            token: &command.token,
            component: false,
        }
    }
}

impl<'a> From<&'a serenity::all::ComponentInteraction> for Target<'a> {
    fn from(click: &'a serenity::all::ComponentInteraction) -> Self {
        Target {
            id: click.id,
            token: &click.token,
            component: true,
        }
    }
}
