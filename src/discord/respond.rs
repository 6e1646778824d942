//! How an interaction gets its first response, whatever transport it came by.
//!
//! Over the gateway the response is a REST call (`POST /interactions/{id}/{token}/callback`).
//! Over Discord's HTTP interactions endpoint it is the body of the HTTP answer itself, with
//! no request back to Discord. Handlers don't care: they call [`Ctx::respond`]. Follow-ups
//! and edits of `@original` go over REST with the interaction's token either way; in HTTP
//! mode `respond` returns only once the inline answer has been handed to the connection, so
//! a follow-up can't overtake it. Either way, a handler that can't answer within
//! [`DEFER_AFTER`] gets its interaction deferred for it (by the endpoint, or over the
//! gateway by [`Ctx::defer_if_slow`]). Calls to Discord are retried as [`super::retry`]
//! allows.

use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

use anyhow::{bail, Context as _, Result};
use serenity::all::{
    AutocompleteChoice, CreateAttachment, CreateAutocompleteResponse, CreateInteractionResponse,
    CreateInteractionResponseMessage, Http, InteractionId,
};
use serenity::builder::Builder as _;
use serenity::http::{HttpError, LightMethod, Multipart, MultipartUpload, Request, Route};
use tokio::sync::oneshot;

use super::render::Reply;
use super::retry::{self, Resend};

/// How long a handler may take before its interaction is deferred for it: Discord's
/// window is 3 s, counted from before the interaction reached us.
pub const DEFER_AFTER: Duration = Duration::from_millis(2_000);

/// The deferral sent when a handler is too slow: "thinking…" (private) for a command,
/// a silent acknowledgement for a click (its message changes when the handler is
/// done), and no suggestions for an autocomplete (which can't be deferred).
pub fn deferral(kind: &str) -> CreateInteractionResponse {
    match kind {
        "component" => CreateInteractionResponse::Acknowledge,
        // Autocomplete can't be deferred: no suggestions this time beats an error.
        "autocomplete" => {
            CreateInteractionResponse::Autocomplete(CreateAutocompleteResponse::new())
        }
        _ => CreateInteractionResponse::Defer(
            CreateInteractionResponseMessage::new().ephemeral(true),
        ),
    }
}

/// A first response that failed, and whether Discord surely has none.
#[derive(Debug)]
struct CallbackError {
    error: serenity::Error,
    /// Nothing was acknowledged (a 4xx or a call that never got through).
    unanswered: bool,
}

impl From<CallbackError> for anyhow::Error {
    fn from(e: CallbackError) -> Self {
        anyhow::Error::new(e.error).context("the interaction response was refused")
    }
}

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

    /// The files of the reply it carries, if it carries one.
    fn files_mut(&mut self) -> Option<&mut Vec<CreateAttachment>> {
        match self {
            Response::Message { reply, .. } | Response::Update(reply) => Some(&mut reply.files),
            _ => None,
        }
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

/// Where an interaction's first response stands.
enum Inline {
    /// The endpoint waits for the answer.
    Waiting(oneshot::Sender<InlineAnswer>),
    /// Over the gateway: the answer will be a REST callback, not sent yet.
    Rest,
    /// The handler took too long: the endpoint (or, over the gateway, [`Ctx::defer_if_slow`])
    /// answered with a deferral itself, so the handler's response becomes an edit of
    /// `@original` (or a follow-up for a new message after a click), sent once the
    /// deferral is out (the receiver fires then).
    Deferred(Option<oneshot::Receiver<()>>),
    /// Answered.
    Answered,
}

/// What a handler needs to talk to Discord: the REST client and, for an interaction,
/// where its first response stands (and, over HTTP, the way back to the endpoint).
#[derive(Clone)]
pub struct Ctx {
    /// Discord's REST API.
    pub http: Arc<Http>,
    inline: Option<Arc<Mutex<Inline>>>,
}

/// How long an inline answer may wait for the endpoint to hand it to the connection.
const DELIVERY_WAIT: Duration = Duration::from_secs(5);

impl Ctx {
    /// For gateway events other than interactions (DMs): no first response to track.
    pub fn rest(http: Arc<Http>) -> Ctx {
        Ctx { http, inline: None }
    }

    /// For an interaction from the gateway: the first response is a REST callback, or
    /// a deferral sent by [`Ctx::defer_if_slow`] when the handler is too slow.
    pub fn gateway(http: Arc<Http>) -> Ctx {
        Ctx {
            http,
            inline: Some(Arc::new(Mutex::new(Inline::Rest))),
        }
    }

    /// Whether the interaction got its first response (or one is on its way), so a
    /// further message must be a follow-up.
    pub fn answered(&self) -> bool {
        self.inline.as_ref().is_some_and(|inline| {
            !matches!(
                *inline.lock().unwrap_or_else(PoisonError::into_inner),
                Inline::Waiting(_) | Inline::Rest
            )
        })
    }

    /// For a gateway interaction still unanswered after [`DEFER_AFTER`]: sends the
    /// deferral for `kind` (see [`deferral`]) over REST, so Discord's 3 s window is met
    /// and the handler's answer becomes an edit or a follow-up.
    pub async fn defer_if_slow(&self, target: Target<'_>, kind: &str) {
        let Some(delivered) = self.mark_deferred() else {
            return;
        };
        let response = deferral(kind);
        let sent = retry::send("the deferral", Resend::IfNotDelivered, || {
            response
                .clone()
                .execute(&*self.http, (target.id, target.token))
        })
        .await;
        match sent {
            Ok(()) => tracing::debug!("slow interaction: deferred, the handler finishes later"),
            Err(e) => tracing::warn!(error = %e, "could not defer a slow interaction"),
        }
        let _ = delivered.send(());
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
            Inline::Waiting(_) | Inline::Rest => {
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
            return self.callback(target, response).await.map_err(Into::into);
        };
        let lock = || inline.lock().unwrap_or_else(PoisonError::into_inner);
        let previous = std::mem::replace(&mut *lock(), Inline::Answered);
        match previous {
            Inline::Waiting(answer) => self.answer_inline(target, answer, response).await,
            Inline::Rest => {
                let outcome = self.callback(target, response).await;
                if let Err(e) = &outcome {
                    if e.unanswered {
                        // Discord surely has no response: an apology may still be one.
                        let mut state = lock();
                        if matches!(*state, Inline::Answered) {
                            *state = Inline::Rest;
                        }
                    }
                }
                outcome.map_err(Into::into)
            }
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

    /// The first response as a REST callback, sent again only if it surely did not
    /// reach Discord (a repeat of one that did would be refused as answered twice).
    /// Serialised once, not rebuilt from serenity's builder at each attempt (the
    /// builder, a tree of strings with the chart's bytes, was cloned for every one);
    /// as for edits, the renderers keep it within Discord's limits.
    async fn callback(
        &self,
        target: Target<'_>,
        mut response: Response,
    ) -> std::result::Result<(), CallbackError> {
        let what = "the interaction response";
        let sent = if response.files_mut().is_some_and(|files| files.len() > 1) {
            // serenity's builder numbers several new files itself.
            let builder = response.into_builder();
            retry::send(what, Resend::IfNotDelivered, || {
                builder
                    .clone()
                    .execute(&*self.http, (target.id, target.token))
            })
            .await
        } else {
            // Serialised once; a retry sends the same bytes again.
            async {
                let file = response.files_mut().and_then(take_file);
                let body = Body {
                    json: serde_json::to_string(&response.into_builder())?,
                    file,
                };
                retry::send(what, Resend::IfNotDelivered, || {
                    let route = Route::InteractionResponse {
                        interaction_id: target.id,
                        token: target.token,
                    };
                    send_body(&self.http, &body, route, LightMethod::Post)
                })
                .await
            }
            .await
        };
        sent.map_err(|e| CallbackError {
            unanswered: matches!(
                retry::failure(&e),
                retry::Failure::NotDelivered | retry::Failure::Refused
            ),
            error: e,
        })
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
                (Response::Defer { ephemeral }, Some(reply))
            }
            Response::Update(reply) if !reply.files.is_empty() => {
                (Response::DeferUpdate, Some(reply))
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
        if let Some(reply) = then {
            edit_original(&self.http, target.token, reply, "the files")
                .await
                .context("could not attach the files")?;
        }
        Ok(())
    }

    async fn after_deferral(&self, target: Target<'_>, response: Response) -> Result<()> {
        let edit = |reply: Reply| async move {
            edit_original(&self.http, target.token, reply, "the late answer")
                .await
                .context("could not send the late answer")
        };
        match response {
            Response::Message { reply, ephemeral } if target.component => {
                let followup = reply.into_followup().ephemeral(ephemeral);
                retry::send("the late answer", Resend::IfNotDelivered, || {
                    followup.clone().execute(&*self.http, (None, target.token))
                })
                .await
                .map(|_| ())
                .context("could not send the late answer")
            }
            Response::Message { reply, .. } | Response::Update(reply) => edit(reply).await,
            Response::Defer { .. } | Response::DeferUpdate => Ok(()),
            Response::Autocomplete(_) => {
                // The endpoint already answered with no suggestions; these are dropped.
                tracing::debug!("autocomplete choices came too late to be shown");
                Ok(())
            }
        }
    }
}

/// Edits the `@original` message of the interaction with this token to show `reply`,
/// sent again after a failure (an edit can't duplicate anything); `what` names it in
/// the logs.
///
/// The request is the one serenity's `EditInteractionResponse` sends, serialised once,
/// but Discord's answer (the edited message) is only read, not decoded into a `Message`
/// that nobody here uses: decoding it was a tenth of a result's cost over the HTTP
/// endpoint. Several new files go through serenity's builder, which numbers them
/// itself. serenity's builder also counts the characters first; here the renderers are
/// what keeps every reply within Discord's limits (`render/limits.rs`, checked by their
/// tests and by the fake Discord on every request), and Discord refuses an edit over
/// them with a 400, which is not sent again either way.
pub async fn edit_original(
    http: &Http,
    token: &str,
    mut reply: Reply,
    what: &str,
) -> serenity::Result<()> {
    if reply.files.len() > 1 {
        let edit = reply.into_edit();
        return retry::send(what, Resend::Always, || edit.clone().execute(http, token))
            .await
            .map(drop);
    }
    let application_id = http
        .application_id()
        .ok_or(HttpError::ApplicationIdMissing)?;
    let file = take_file(&mut reply.files);
    let body = Body {
        json: serde_json::to_string(&reply.into_edit())?,
        file,
    };
    retry::send(what, Resend::Always, || {
        let route = Route::WebhookOriginalInteractionResponse {
            application_id,
            token,
        };
        send_body(http, &body, route, LightMethod::Patch)
    })
    .await
}

/// A message request serialised once, sent as often as retries need: the JSON, and at
/// most one file, which the JSON lists (see [`take_file`]) and the multipart part
/// `files[0]` carries, as serenity's builders number a single new file.
struct Body {
    json: String,
    file: Option<CreateAttachment>,
}

/// Takes the one file out of `files`, leaving in its place its listing without the
/// bytes (new attachment 0 in the JSON); `None` when there is none. For at most one
/// file: more are serenity's builders' to number.
fn take_file(files: &mut Vec<CreateAttachment>) -> Option<CreateAttachment> {
    let file = files.pop()?;
    let mut listed = CreateAttachment::bytes(Vec::new(), file.filename.clone());
    listed.description.clone_from(&file.description);
    files.push(listed);
    Some(file)
}

/// Sends `body` to `route` once; Discord's answer is read to the end (so the
/// connection can carry the next request) and dropped. serenity's rate limiter and
/// proxy apply as to any of its requests, and an answer other than 2xx is its
/// `UnsuccessfulRequest` error.
async fn send_body(
    http: &Http,
    body: &Body,
    route: Route<'_>,
    method: LightMethod,
) -> serenity::Result<()> {
    let request = Request::new(route, method);
    let request = match &body.file {
        None => request.body(Some(body.json.clone().into_bytes())),
        Some(file) => request.multipart(Some(Multipart {
            upload: MultipartUpload::Attachments(vec![file.clone()]),
            fields: Vec::new(),
            payload_json: Some(body.json.clone()),
        })),
    };
    http.request(request).await?.bytes().await?;
    Ok(())
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
