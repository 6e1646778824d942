//! Discord's limits on messages, as named constants, and the helpers that keep text
//! within them: [`clip`] for one piece of text, [`build_embed`] for a whole embed.

use serenity::all::{CreateEmbed, CreateEmbedFooter};

/// Characters in an embed title.
pub(super) const EMBED_TITLE_MAX: usize = 256;
/// Characters in an embed description.
pub(super) const EMBED_DESCRIPTION_MAX: usize = 4096;
/// Characters in an embed field's name.
pub(super) const FIELD_NAME_MAX: usize = 256;
/// Characters in an embed field's value.
pub(super) const FIELD_VALUE_MAX: usize = 1024;
/// Characters in an embed footer.
pub(super) const FOOTER_MAX: usize = 2048;
/// Fields in one embed.
pub(super) const FIELDS_MAX: usize = 25;
/// Characters in an embed's title, description, field names and values and footer
/// together.
pub(super) const EMBED_TOTAL_MAX: usize = 6000;
/// Characters in a button label.
pub(super) const BUTTON_LABEL_MAX: usize = 80;
/// Buttons in one action row.
pub(super) const BUTTONS_PER_ROW_MAX: usize = 5;
/// Characters in a select option's label, value or description.
pub(super) const SELECT_TEXT_MAX: usize = 100;
/// Options in one select menu (and the most values one can take).
pub(super) const SELECT_OPTIONS_MAX: usize = 25;

/// Room kept for each field's value when the description is cut to fit the total.
const FIELD_VALUE_RESERVE: usize = 25;

/// Cuts text to `max` characters, ending with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

/// An embed that respects every size limit: fields are clipped to 1024 characters
/// and, if the total would pass 6000, the longest fields are shortened further.
pub(in crate::discord) fn build_embed(
    title: &str,
    description: &str,
    fields: &[(String, String)],
    footer: &str,
) -> CreateEmbed {
    let count = |text: &str| text.chars().count();
    let title = clip(title, EMBED_TITLE_MAX);
    let footer = clip(footer, FOOTER_MAX);
    let fields = &fields[..fields.len().min(FIELDS_MAX)];
    let names: Vec<String> = fields
        .iter()
        .map(|(n, _)| clip(n, FIELD_NAME_MAX))
        .collect();
    let mut values: Vec<String> = fields
        .iter()
        .map(|(_, v)| clip(v, FIELD_VALUE_MAX))
        .collect();
    // Title, footer and field names are short by construction; the description gives
    // way first, then the longest field values, until the total fits.
    let fixed = count(&title) + count(&footer) + names.iter().map(|n| count(n)).sum::<usize>();
    let description = clip(
        description,
        EMBED_DESCRIPTION_MAX
            .min(EMBED_TOTAL_MAX.saturating_sub(fixed + FIELD_VALUE_RESERVE * values.len())),
    );
    let fixed = fixed + count(&description);
    while fixed + values.iter().map(|v| count(v)).sum::<usize>() > EMBED_TOTAL_MAX {
        let Some(longest) = values.iter_mut().max_by_key(|v| v.chars().count()) else {
            break;
        };
        let length = count(longest);
        if length <= 1 {
            break;
        }
        *longest = clip(longest, length * 3 / 4);
    }
    let mut embed = CreateEmbed::new()
        .title(title)
        .footer(CreateEmbedFooter::new(footer));
    if !description.is_empty() {
        embed = embed.description(description);
    }
    for (name, value) in names.into_iter().zip(values) {
        if !value.is_empty() {
            embed = embed.field(name, value, false);
        }
    }
    embed
}

/// Checks a rendered [`Reply`](super::Reply) against every Discord limit it can break,
/// for the renderers' tests.
#[cfg(test)]
pub(super) mod check {
    use serde_json::Value;

    use super::*;
    use crate::discord::custom_id;

    /// Embeds in one message.
    const EMBEDS_MAX: usize = 10;
    /// Action rows in one message.
    const ACTION_ROWS_MAX: usize = 5;
    /// Characters in a select menu's placeholder.
    const PLACEHOLDER_MAX: usize = 150;

    fn chars(value: &Value) -> usize {
        value.as_str().map_or(0, |s| s.chars().count())
    }

    /// Every limit the reply breaks, as readable lines (empty when it fits).
    pub(in crate::discord::render) fn broken_limits(reply: &super::super::Reply) -> Vec<String> {
        let mut broken = Vec::new();
        let mut over = |what: String, length: usize, max: usize| {
            if length > max {
                broken.push(format!("{what}: {length} > {max}"));
            }
        };
        over("embeds".into(), reply.embeds.len(), EMBEDS_MAX);
        over(
            "action rows".into(),
            reply.components.len(),
            ACTION_ROWS_MAX,
        );
        let mut total = 0;
        for (e, embed) in reply.embeds.iter().enumerate() {
            let embed = serde_json::to_value(embed).unwrap_or_default();
            let title = chars(&embed["title"]);
            let description = chars(&embed["description"]);
            let footer = chars(&embed["footer"]["text"]);
            over(format!("embed {e} title"), title, EMBED_TITLE_MAX);
            over(
                format!("embed {e} description"),
                description,
                EMBED_DESCRIPTION_MAX,
            );
            over(format!("embed {e} footer"), footer, FOOTER_MAX);
            total += title + description + footer;
            let fields = embed["fields"].as_array().cloned().unwrap_or_default();
            over(format!("embed {e} fields"), fields.len(), FIELDS_MAX);
            for (f, field) in fields.iter().enumerate() {
                let (name, value) = (chars(&field["name"]), chars(&field["value"]));
                over(format!("embed {e} field {f} name"), name, FIELD_NAME_MAX);
                over(format!("embed {e} field {f} value"), value, FIELD_VALUE_MAX);
                total += name + value;
            }
        }
        over("embed total".into(), total, EMBED_TOTAL_MAX);
        for (r, row) in reply.components.iter().enumerate() {
            let row = serde_json::to_value(row).unwrap_or_default();
            let components = row["components"].as_array().cloned().unwrap_or_default();
            over(
                format!("row {r} buttons"),
                components.len(),
                BUTTONS_PER_ROW_MAX,
            );
            for component in &components {
                for (text, max) in [
                    ("custom_id", custom_id::MAX_LEN),
                    ("label", BUTTON_LABEL_MAX),
                    ("placeholder", PLACEHOLDER_MAX),
                ] {
                    over(format!("row {r} {text}"), chars(&component[text]), max);
                }
                for bound in ["min_values", "max_values"] {
                    let n = component[bound].as_u64().unwrap_or(0) as usize;
                    over(format!("row {r} {bound}"), n, SELECT_OPTIONS_MAX);
                }
                let options = component["options"].as_array().cloned().unwrap_or_default();
                over(
                    format!("row {r} options"),
                    options.len(),
                    SELECT_OPTIONS_MAX,
                );
                for option in &options {
                    for text in ["label", "value", "description"] {
                        over(
                            format!("row {r} option {text}"),
                            chars(&option[text]),
                            SELECT_TEXT_MAX,
                        );
                    }
                }
            }
        }
        broken
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn oversized_embeds_are_cut_to_discords_limits() {
        let long = "word ".repeat(2000);
        let fields: Vec<(String, String)> = (0..30)
            .map(|i| (format!("field {i}"), long.clone()))
            .collect();
        let embed = serde_json::to_value(build_embed(&long, &long, &fields, &long)).unwrap();
        let text = |v: &serde_json::Value| v.as_str().unwrap_or_default().chars().count();
        let fields = embed["fields"].as_array().unwrap();
        assert_eq!(fields.len(), 25);
        let total = text(&embed["title"])
            + text(&embed["description"])
            + text(&embed["footer"]["text"])
            + fields
                .iter()
                .map(|f| text(&f["name"]) + text(&f["value"]))
                .sum::<usize>();
        assert!(total <= 6000, "{total}");
        assert!(text(&embed["title"]) <= 256 && fields.iter().all(|f| text(&f["value"]) <= 1024));
    }

    #[test]
    fn clipping_counts_characters_and_marks_the_cut() {
        assert_eq!(clip("héllo", 5), "héllo");
        assert_eq!(clip("héllo!", 5), "héll…");
        assert_eq!(clip("abc", 0), "…");
    }

    #[test]
    fn short_embeds_keep_their_text_and_leave_out_empty_fields() {
        let fields = vec![
            ("Kept".to_owned(), "a value".to_owned()),
            ("Dropped".to_owned(), String::new()),
        ];
        let embed = serde_json::to_value(build_embed("Title", "", &fields, "Footer")).unwrap();
        assert_eq!(embed["title"], "Title");
        assert_eq!(embed["footer"]["text"], "Footer");
        assert!(embed.get("description").is_none());
        assert_eq!(
            embed["fields"],
            serde_json::json!([{ "name": "Kept", "value": "a value", "inline": false }])
        );
    }

    #[test]
    fn the_limit_check_reports_each_limit_a_reply_breaks() {
        use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};

        let fits = super::super::Reply::notice("fine");
        assert!(check::broken_limits(&fits).is_empty());
        let button = |i: usize| {
            CreateButton::new("x".repeat(101 + i))
                .label("y".repeat(81))
                .style(ButtonStyle::Primary)
        };
        let row = || CreateActionRow::Buttons((0..6).map(button).collect());
        let broken = super::super::Reply {
            content: None,
            embeds: vec![CreateEmbed::new().title("t".repeat(257))],
            components: (0..6).map(|_| row()).collect(),
            files: Vec::new(),
        };
        let report = check::broken_limits(&broken).join("\n");
        for expected in [
            "action rows: 6 > 5",
            "embed 0 title: 257 > 256",
            "row 0 buttons: 6 > 5",
            "row 0 custom_id: 101 > 100",
            "row 0 label: 81 > 80",
        ] {
            assert!(report.contains(expected), "{expected} not in:\n{report}");
        }
    }
}
