//! A question: the prompt, numbered options, and buttons or a select menu.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateEmbed, CreateEmbedFooter, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption, ReactionType,
};

use super::limits::{
    clip, BUTTONS_PER_ROW_MAX, EMBED_DESCRIPTION_MAX, EMBED_TITLE_MAX, FOOTER_MAX,
    SELECT_OPTIONS_MAX, SELECT_TEXT_MAX,
};
use super::{button, Reply, QUESTION_COLOUR};
use crate::conversation::Progress;
use crate::discord::custom_id::{Action, ComponentId};
use crate::ids::OptionId;
use crate::questionnaire::{Choice, Question, QuestionSet};

/// Buttons fit in one row up to this many options; more options use a select menu.
const MAX_OPTION_BUTTONS: usize = BUTTONS_PER_ROW_MAX;

/// What is needed to render a question.
pub struct QuestionView<'a> {
    /// The session id for custom_ids.
    pub session: &'a str,
    /// The session step for custom_ids.
    pub step: u32,
    /// The set (for its title).
    pub set: &'a QuestionSet,
    /// The question.
    pub question: &'a Question,
    /// "Question k of n".
    pub progress: Progress,
    /// The earlier answer, if any.
    pub previous: &'a [OptionId],
    /// Whether Back is possible.
    pub can_go_back: bool,
    /// Whether typed replies are read (in DMs).
    pub typed_replies: bool,
}

/// An option's emoji for a button or select option, when Discord will accept it.
fn emoji(text: &str) -> Option<ReactionType> {
    // Loaded sets are validated already; this guards sets checked by older builds.
    crate::questionnaire::is_discord_emoji(text)
        .then(|| ReactionType::try_from(text).ok())
        .flatten()
}

/// A question: the prompt, numbered options, and buttons or a select menu.
pub fn question(view: &QuestionView<'_>) -> Reply {
    let q = view.question;
    let mut lines = Vec::new();
    if let Some(help) = &q.help {
        lines.push(format!("*{help}*"));
    }
    for (i, option) in q.options.iter().enumerate() {
        let emoji = option
            .emoji
            .as_deref()
            .map(|e| format!("{e} "))
            .unwrap_or_default();
        let mut line = format!("**{}.** {emoji}{}", i + 1, option.label);
        if let Some(description) = &option.description {
            line.push_str(&format!(" — {description}"));
        }
        lines.push(line);
    }
    if let Choice::Multi { min, max } = q.choice {
        lines.push(if min == max {
            format!("Pick {min}.")
        } else {
            format!("Pick {min} to {max}.")
        });
    }
    if view.typed_replies {
        let skip = if q.required { "" } else { ", `skip`" };
        lines.push(format!(
            "Click below or reply with a number or a name (`back`{skip}, `cancel`, `restart`)."
        ));
    }
    let embed = CreateEmbed::new()
        .title(clip(&q.prompt, EMBED_TITLE_MAX))
        .description(clip(&lines.join("\n"), EMBED_DESCRIPTION_MAX))
        .colour(QUESTION_COLOUR)
        .footer(CreateEmbedFooter::new(clip(
            &format!(
                "Question {} of {} · {}",
                view.progress.number, view.progress.total, view.set.title
            ),
            FOOTER_MAX,
        )));

    let (session, step) = (view.session, view.step);
    let mut rows = Vec::new();
    if q.choice == Choice::Single && q.options.len() <= MAX_OPTION_BUTTONS {
        let buttons = q
            .options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let style = if view.previous.contains(&option.id) {
                    ButtonStyle::Success
                } else {
                    ButtonStyle::Primary
                };
                let mut b = button(session, step, Action::Pick(i), &option.label, style);
                if let Some(e) = option.emoji.as_deref().and_then(emoji) {
                    b = b.emoji(e);
                }
                b
            })
            .collect();
        rows.push(CreateActionRow::Buttons(buttons));
    } else {
        let options = q
            .options
            .iter()
            .enumerate()
            .map(|(i, option)| {
                let mut o = CreateSelectMenuOption::new(
                    clip(&option.label, SELECT_TEXT_MAX),
                    i.to_string(),
                )
                .default_selection(view.previous.contains(&option.id));
                if let Some(description) = &option.description {
                    o = o.description(clip(description, SELECT_TEXT_MAX));
                }
                if let Some(e) = option.emoji.as_deref().and_then(emoji) {
                    o = o.emoji(e);
                }
                o
            })
            .collect();
        let (min, max, placeholder) = match q.choice {
            Choice::Single => (1, 1, "Pick one…".to_owned()),
            Choice::Multi { min, max } if min == max => (min, max, format!("Pick {min}…")),
            Choice::Multi { min, max } => (min, max, format!("Pick {min} to {max}…")),
        };
        let menu = CreateSelectMenu::new(
            ComponentId::new(session, step, Action::Select).to_string(),
            CreateSelectMenuKind::String { options },
        )
        .placeholder(placeholder)
        .min_values(u8::try_from(min).unwrap_or(1))
        .max_values(u8::try_from(max).unwrap_or(SELECT_OPTIONS_MAX as u8));
        rows.push(CreateActionRow::SelectMenu(menu));
    }
    let mut nav = vec![
        button(session, step, Action::Back, "Back", ButtonStyle::Secondary)
            .disabled(!view.can_go_back),
    ];
    if !q.required {
        nav.push(button(
            session,
            step,
            Action::Skip,
            "Skip",
            ButtonStyle::Secondary,
        ));
    }
    nav.push(button(
        session,
        step,
        Action::Cancel,
        "Cancel",
        ButtonStyle::Danger,
    ));
    rows.push(CreateActionRow::Buttons(nav));
    Reply {
        content: None,
        files: Vec::new(),
        embeds: vec![embed],
        components: rows,
    }
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::fixtures::{labels, largest_set, session, set, shipped_sets, STEP};
    use super::super::limits::check::broken_limits;
    use super::*;

    /// A question rendered with the longest custom_ids, every option picked before,
    /// and the DM hint.
    fn render(set: &QuestionSet, question: &Question) -> Reply {
        let previous: Vec<OptionId> = question.options.iter().map(|o| o.id.clone()).collect();
        super::question(&QuestionView {
            session: &session(),
            step: STEP,
            set,
            question,
            progress: Progress {
                number: set.questions.len(),
                total: set.questions.len(),
            },
            previous: &previous,
            can_go_back: true,
            typed_replies: true,
        })
    }

    fn rows(reply: &Reply) -> Vec<Value> {
        reply.components.iter().map(|row| json!(row)).collect()
    }

    const TWO_QUESTIONS: &str = r#"
id = "t"
title = "T"
version = 1

[[questions]]
id = "few"
prompt = "Few?"
required = false
options = [
  { id = "a", label = "A", emoji = "⚡" },
  { id = "b", label = "B" },
  { id = "c", label = "C" },
  { id = "d", label = "D" },
  { id = "e", label = "E" },
]

[[questions]]
id = "many"
prompt = "Many?"
kind = "multi"
min = 2
max = 3
options = [
  { id = "a", label = "A", description = "the first" },
  { id = "b", label = "B" },
  { id = "c", label = "C" },
]
"#;

    #[test]
    fn every_question_of_every_shipped_set_fits_discords_limits() {
        for set in shipped_sets() {
            for question in &set.questions {
                let broken = broken_limits(&render(&set, question));
                assert!(
                    broken.is_empty(),
                    "{} / {}: {broken:?}",
                    set.id,
                    question.id
                );
            }
        }
    }

    #[test]
    fn a_question_at_every_limit_of_the_format_still_fits_discords_limits() {
        let set = largest_set();
        for question in &set.questions {
            let broken = broken_limits(&render(&set, question));
            assert!(broken.is_empty(), "{}: {broken:?}", question.id);
        }
    }

    #[test]
    fn up_to_five_single_choice_options_are_buttons_with_the_earlier_answer_marked() {
        let set = set(TWO_QUESTIONS);
        let reply = super::question(&QuestionView {
            session: "s",
            step: 3,
            set: &set,
            question: &set.questions[0],
            progress: Progress {
                number: 1,
                total: 2,
            },
            previous: &[OptionId::from("b")],
            can_go_back: false,
            typed_replies: false,
        });
        let rows = rows(&reply);
        let options = rows[0]["components"].as_array().unwrap();
        assert_eq!(options.len(), 5);
        assert_eq!(options[0]["custom_id"], "sp:s:3:o0");
        assert_eq!(options[0]["emoji"]["name"], "⚡");
        let styles: Vec<&Value> = options.iter().map(|b| &b["style"]).collect();
        // Primary, except the earlier answer in Success.
        assert_eq!(
            styles,
            [&json!(1), &json!(3), &json!(1), &json!(1), &json!(1)]
        );
        assert_eq!(
            labels(&reply.components[1]),
            [json!("Back"), json!("Skip"), json!("Cancel")]
        );
        assert_eq!(rows[1]["components"][0]["disabled"], true);
        let embed = json!(reply.embeds[0]);
        assert_eq!(embed["footer"]["text"], "Question 1 of 2 · T");
        assert!(!embed["description"]
            .as_str()
            .unwrap()
            .contains("reply with"));
    }

    #[test]
    fn several_picks_use_a_select_menu_bounded_by_the_choice_and_required_ones_cannot_be_skipped() {
        let set = set(TWO_QUESTIONS);
        let reply = render(&set, &set.questions[1]);
        let rows = rows(&reply);
        let menu = &rows[0]["components"][0];
        assert_eq!(menu["type"], 3);
        assert_eq!(
            (&menu["min_values"], &menu["max_values"]),
            (&json!(2), &json!(3))
        );
        assert_eq!(menu["placeholder"], "Pick 2 to 3…");
        assert_eq!(menu["options"][0]["description"], "the first");
        assert_eq!(menu["options"][2]["value"], "2");
        assert_eq!(
            labels(&reply.components[1]),
            [json!("Back"), json!("Cancel")]
        );
        let description = json!(reply.embeds[0])["description"].to_string();
        assert!(description.contains("Pick 2 to 3."), "{description}");
        assert!(
            description.contains("(`back`, `cancel`, `restart`)"),
            "{description}"
        );
    }
}
