//! Core values → Discord messages (embeds and components), within Discord's limits.
//! Every message goes out through [`Reply`], which sets no allowed mentions.
//!
//! - [`reply`]: the one [`Reply`] type and its conversions to serenity's builders;
//! - [`limits`]: Discord's limits as named constants, and the clipping/fitting helpers;
//! - [`question`]: a question with its buttons or select menu;
//! - [`result`]: the result embed, the share card and the change menu;
//! - [`team`]: a team lobby's public message;
//! - [`chart`]: the result's chart attached and shown in its embed;
//! - [`info`]: the information screens (`/frameworks`, `/framework`, `/compare`,
//!   `/criteria`, `/help`).

mod chart;
mod info;
mod limits;
mod question;
mod reply;
mod result;
pub mod team;

use serenity::all::{ButtonStyle, CreateButton};

use super::custom_id::{Action, ComponentId};

pub use chart::with_chart;
pub use info::{compare, criteria, framework_detail, frameworks_overview, help};
pub(super) use limits::build_embed;
pub use limits::clip;
pub use question::{question, QuestionView};
pub use reply::Reply;
pub use result::{change_menu, result, result_embed, share_card};

/// Embed colour of questions (and of the information screens).
const QUESTION_COLOUR: u32 = 0x5865F2;
/// Embed colour of results.
const RESULT_COLOUR: u32 = 0x57F287;
/// Embed colour of notices (cancelled, nothing eligible).
const NOTICE_COLOUR: u32 = 0x99AAB5;

/// A button of a session's message, its label clipped to Discord's limit.
fn button(
    session: &str,
    step: u32,
    action: Action,
    label: &str,
    style: ButtonStyle,
) -> CreateButton {
    CreateButton::new(ComponentId::new(session, step, action).to_string())
        .label(clip(label, limits::BUTTON_LABEL_MAX))
        .style(style)
}

/// What the renderers' tests draw: the shipped sets, and sets written for a test.
#[cfg(test)]
mod fixtures {
    use serde_json::Value;
    use serenity::all::CreateActionRow;

    use crate::discord::custom_id::session_id;
    use crate::guide::Catalogue;
    use crate::questionnaire::{
        builtin_sets, QuestionSet, Source, MAX_DESCRIPTION_CHARS, MAX_HELP_CHARS, MAX_ID_CHARS,
        MAX_LABEL_CHARS, MAX_OPTIONS, MAX_OPTION_DESCRIPTION_CHARS, MAX_PROMPT_CHARS,
        MAX_QUESTIONS, MAX_TITLE_CHARS,
    };

    /// The longest session id (custom_ids are longest with it).
    pub(super) fn session() -> String {
        session_id(u64::MAX)
    }

    /// The labels of the buttons of a row.
    pub(super) fn labels(row: &CreateActionRow) -> Vec<Value> {
        let row = serde_json::to_value(row).unwrap();
        let buttons = row["components"].as_array().unwrap();
        buttons.iter().map(|b| b["label"].clone()).collect()
    }

    /// The longest step number.
    pub(super) const STEP: u32 = u32::MAX;

    /// The question sets shipped with the bot.
    pub(super) fn shipped_sets() -> Vec<QuestionSet> {
        builtin_sets(Catalogue::builtin()).unwrap()
    }

    /// A set from TOML; the test fails if it is refused.
    pub(super) fn set(toml: &str) -> QuestionSet {
        QuestionSet::from_toml(
            Source {
                name: "test.toml",
                text: toml,
            },
            Catalogue::builtin(),
        )
        .unwrap_or_else(|e| panic!("{e}"))
    }

    /// Text of exactly `chars` characters (none of them trimmed), in words, with a
    /// non-ASCII letter so that characters and bytes differ.
    fn text(chars: usize) -> String {
        let mut text: String = "é word ".repeat(chars).chars().take(chars - 1).collect();
        text.push('x');
        text
    }

    fn id(prefix: &str, n: usize) -> String {
        format!("{prefix}{n:0>width$}", width = MAX_ID_CHARS - prefix.len())
    }

    /// A set at the limits of the format (within its file size): the most questions,
    /// each with the longest prompt; the first two with the longest help, the first
    /// multi-choice with the most options, each with the longest label and description,
    /// an emoji and every effect, the second with five button options at the longest
    /// label; all of them optional.
    pub(super) fn largest_set() -> QuestionSet {
        let catalogue = Catalogue::builtin();
        // Effects as large as the bounds allow when all 25 options of the multi-choice
        // question are picked: ×1.3^25 ≈ ×706 (limit ×1000), +25 points (limit 35).
        let all = |ids: Vec<&str>, value: f64| {
            let entries: Vec<String> = ids.iter().map(|id| format!("{id} = {value}")).collect();
            format!("{{ {} }}", entries.join(", "))
        };
        let weights = all(
            catalogue.criteria.iter().map(|c| c.id.as_str()).collect(),
            1.3,
        );
        let frameworks = all(
            catalogue.frameworks.iter().map(|f| f.id.as_str()).collect(),
            0.5,
        );
        let languages = all(
            catalogue.languages.iter().map(|l| l.id.as_str()).collect(),
            0.5,
        );
        let mut toml = format!(
            "id = \"{}\"\ntitle = \"{}\"\ndescription = \"{}\"\nversion = 4294967295\n",
            id("s", 0),
            text(MAX_TITLE_CHARS),
            text(MAX_DESCRIPTION_CHARS)
        );
        for q in 0..MAX_QUESTIONS {
            let (options, kind) = match q {
                0 => (MAX_OPTIONS, "kind = \"multi\"\n"),
                1 => (5, ""),
                _ => (2, ""),
            };
            toml.push_str(&format!(
                "\n[[questions]]\nid = \"{}\"\nprompt = \"{}\"\nrequired = false\n{kind}",
                id("q", q),
                text(MAX_PROMPT_CHARS),
            ));
            if q < 2 {
                toml.push_str(&format!("help = \"{}\"\n", text(MAX_HELP_CHARS)));
            }
            for o in 0..options {
                toml.push_str(&format!(
                    "[[questions.options]]\nid = \"{}\"\nlabel = \"{}\"\ndescription = \"{}\"\nemoji = \"🦀\"\n",
                    id("o", o),
                    text(MAX_LABEL_CHARS),
                    text(MAX_OPTION_DESCRIPTION_CHARS)
                ));
                if q == 0 {
                    toml.push_str(&format!(
                        "weights = {weights}\nframeworks = {frameworks}\nlanguages = {languages}\n"
                    ));
                }
            }
        }
        set(&toml)
    }
}
