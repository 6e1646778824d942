//! A contradiction on Discord: which answers leave no framework, with a button per
//! way out (change this answer, change one of the others, keep them), within
//! Discord's limits (at most five buttons a row, five rows, embed sizes).

use serenity::all::{ButtonStyle, CreateActionRow, CreateButton, CreateEmbed, CreateEmbedFooter};

use super::custom_id::{Action, ComponentId};
use super::render::{clip, Reply};
use crate::conversation::{Conflict, Resolution};
use crate::guide::Catalogue;
use crate::questionnaire::QuestionSet;
use crate::text;

/// Embed colour of a contradiction (Discord's yellow).
const CONFLICT_COLOUR: u32 = 0xFEE75C;
/// Discord's limits.
const BUTTON_LABEL_MAX: usize = 80;
const BUTTONS_PER_ROW: usize = 5;
const DESCRIPTION_MAX: usize = 4096;

fn button(
    session: &str,
    step: u32,
    action: Action,
    label: &str,
    style: ButtonStyle,
) -> CreateButton {
    CreateButton::new(ComponentId::new(session, step, action).to_string())
        .label(clip(label, BUTTON_LABEL_MAX))
        .style(style)
}

/// The contradiction and its ways out; `typed_replies` adds how to answer by typing
/// (in DMs).
pub fn render(
    catalogue: &Catalogue,
    set: &QuestionSet,
    conflict: &Conflict,
    (session, step): (&str, u32),
    typed_replies: bool,
) -> Reply {
    let mut lines = text::conflict_lines(catalogue, conflict);
    let resolutions = conflict.resolutions();
    if typed_replies {
        let numbered: Vec<String> = resolutions
            .iter()
            .enumerate()
            .map(|(i, r)| format!("`{}` {}", i + 1, text::resolution(conflict, r)))
            .collect();
        lines.push(format!(
            "Click below or reply with a number (`back`, `cancel`, `restart`):\n{}",
            numbered.join("\n")
        ));
    }
    let (title, rest) = lines
        .split_first()
        .map_or((String::new(), &[][..]), |(t, r)| (t.clone(), r));
    let embed = CreateEmbed::new()
        .title(clip(&title, 256))
        .description(clip(&rest.join("\n"), DESCRIPTION_MAX))
        .colour(CONFLICT_COLOUR)
        .footer(CreateEmbedFooter::new(clip(&set.title, 2048)));

    let mut changes = Vec::new();
    let mut keep = None;
    for resolution in &resolutions {
        let label = text::resolution_short(conflict, resolution);
        match resolution {
            Resolution::ChangeThis(q) | Resolution::ChangeOther(q) => {
                if let Some(index) = set.position(q) {
                    changes.push(button(
                        session,
                        step,
                        Action::Revise(index),
                        &label,
                        ButtonStyle::Primary,
                    ));
                }
            }
            Resolution::Keep => {
                keep = Some(button(
                    session,
                    step,
                    Action::Keep,
                    &label,
                    ButtonStyle::Secondary,
                ));
            }
        }
    }
    let mut rows: Vec<CreateActionRow> = changes
        .chunks(BUTTONS_PER_ROW)
        .map(|row| CreateActionRow::Buttons(row.to_vec()))
        .collect();
    let mut last = Vec::new();
    last.extend(keep);
    last.push(button(
        session,
        step,
        Action::Back,
        "Back",
        ButtonStyle::Secondary,
    ));
    last.push(button(
        session,
        step,
        Action::Cancel,
        "Cancel",
        ButtonStyle::Danger,
    ));
    rows.push(CreateActionRow::Buttons(last));
    Reply {
        content: None,
        files: Vec::new(),
        embeds: vec![embed],
        components: rows,
    }
}
