//! The one [`Reply`] type and its conversions to serenity's message builders, always
//! with no allowed mentions.

use serenity::all::{
    CreateActionRow, CreateAllowedMentions, CreateAttachment, CreateEmbed,
    CreateInteractionResponseFollowup, CreateInteractionResponseMessage, CreateMessage,
    EditAttachments, EditInteractionResponse, EditMessage,
};

use super::limits::{clip, EMBED_DESCRIPTION_MAX};
use super::NOTICE_COLOUR;

/// A message to send: embeds, components and files, never pinging anyone.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Plain text above the embeds.
    pub content: Option<String>,
    /// Embeds (at most 10).
    pub embeds: Vec<CreateEmbed>,
    /// Component rows (at most 5).
    pub components: Vec<CreateActionRow>,
    /// Attached files. A message that replaces another (an update or an edit) has
    /// exactly these afterwards: the old message's attachments are not kept.
    pub files: Vec<CreateAttachment>,
}

/// Fills any of serenity's message builders (they share method names but no trait)
/// from a [`Reply`], always with no allowed mentions.
macro_rules! fill {
    ($builder:expr, $reply:expr) => {{
        let reply = $reply;
        let builder = $builder
            .embeds(reply.embeds)
            .components(reply.components)
            .allowed_mentions(CreateAllowedMentions::new());
        match reply.content {
            Some(content) => builder.content(content),
            None => builder,
        }
    }};
}

impl Reply {
    /// A reply with one embed.
    pub fn embed(embed: CreateEmbed) -> Self {
        Reply {
            embeds: vec![embed],
            ..Reply::default()
        }
    }

    /// A short notice in a grey embed.
    pub fn notice(text: impl Into<String>) -> Self {
        Reply::embed(
            CreateEmbed::new()
                .description(clip(&text.into(), EMBED_DESCRIPTION_MAX))
                .colour(NOTICE_COLOUR),
        )
    }

    /// As an interaction response (new message or update). Its `attachments` are
    /// always sent, so an update drops the attachments of the message it replaces.
    pub fn into_interaction(mut self) -> CreateInteractionResponseMessage {
        let files = std::mem::take(&mut self.files);
        fill!(CreateInteractionResponseMessage::new(), self).files(files)
    }

    /// As the edit of a response: the message keeps only the reply's files.
    pub fn into_edit(mut self) -> EditInteractionResponse {
        let files = std::mem::take(&mut self.files);
        let attachments = files
            .into_iter()
            .fold(EditAttachments::new(), EditAttachments::add);
        fill!(EditInteractionResponse::new(), self).attachments(attachments)
    }

    /// As a follow-up message (public unless made ephemeral).
    pub fn into_followup(mut self) -> CreateInteractionResponseFollowup {
        let files = std::mem::take(&mut self.files);
        fill!(CreateInteractionResponseFollowup::new(), self).add_files(files)
    }

    /// As a channel message (DMs).
    pub fn into_message(mut self) -> CreateMessage {
        let files = std::mem::take(&mut self.files);
        fill!(CreateMessage::new(), self).add_files(files)
    }

    /// As the edit of a channel message (a team lobby).
    pub fn into_message_edit(self) -> EditMessage {
        fill!(EditMessage::new(), self)
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::*;

    fn sample() -> Reply {
        Reply {
            content: Some("@everyone <@123> <@&456>".to_owned()),
            ..Reply::notice("hello")
        }
    }

    #[test]
    fn every_conversion_keeps_the_content_and_allows_no_mentions() {
        let built: [(&str, Value); 5] = [
            ("interaction", json!(sample().into_interaction())),
            ("edit", json!(sample().into_edit())),
            ("followup", json!(sample().into_followup())),
            ("message", json!(sample().into_message())),
            ("message edit", json!(sample().into_message_edit())),
        ];
        for (what, body) in built {
            assert_eq!(
                body["allowed_mentions"],
                json!({ "parse": [], "users": [], "roles": [] }),
                "{what}: {body}"
            );
            assert_eq!(body["content"], "@everyone <@123> <@&456>", "{what}");
            assert_eq!(body["embeds"].as_array().map(Vec::len), Some(1), "{what}");
        }
    }

    #[test]
    fn a_notice_is_one_grey_embed_cut_to_the_description_limit() {
        let reply = Reply::notice("x".repeat(EMBED_DESCRIPTION_MAX + 10));
        assert!(reply.content.is_none() && reply.components.is_empty());
        let embed = json!(reply.embeds[0]);
        assert_eq!(embed["color"], NOTICE_COLOUR);
        let description = embed["description"].as_str().unwrap();
        assert_eq!(description.chars().count(), EMBED_DESCRIPTION_MAX);
        assert!(description.ends_with('…'));
    }
}
