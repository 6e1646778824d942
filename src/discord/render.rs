//! Core values → Discord messages (embeds and components), within Discord's limits.
//! Every message goes out through [`Reply`], which sets no allowed mentions.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateAllowedMentions, CreateButton, CreateEmbed,
    CreateEmbedFooter, CreateInteractionResponseFollowup, CreateInteractionResponseMessage,
    CreateMessage, CreateSelectMenu, CreateSelectMenuKind, CreateSelectMenuOption,
    EditInteractionResponse, ReactionType,
};

use super::custom_id::{Action, ComponentId};
use crate::conversation::Progress;
use crate::engine::{Recommendation, Verdict};
use crate::guide::{Catalogue, Framework};
use crate::ids::OptionId;
use crate::questionnaire::{Choice, Question, QuestionSet};
use crate::text;

/// Embed colour of questions.
const QUESTION_COLOUR: u32 = 0x5865F2;
/// Embed colour of results.
const RESULT_COLOUR: u32 = 0x57F287;
/// Embed colour of notices (cancelled, nothing eligible).
const NOTICE_COLOUR: u32 = 0x99AAB5;
/// Buttons fit in one row up to this many options; more options use a select menu.
const MAX_OPTION_BUTTONS: usize = 5;
/// Discord's limits for embeds.
const FIELD_VALUE_MAX: usize = 1024;
const DESCRIPTION_MAX: usize = 4096;
const EMBED_TOTAL_MAX: usize = 6000;
const SELECT_TEXT_MAX: usize = 100;
const MAX_FIELDS: usize = 25;

/// A message to send: embeds and components, never pinging anyone.
#[derive(Debug, Clone, Default)]
pub struct Reply {
    /// Plain text above the embeds.
    pub content: Option<String>,
    /// Embeds (at most 10).
    pub embeds: Vec<CreateEmbed>,
    /// Component rows (at most 5).
    pub components: Vec<CreateActionRow>,
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
                .description(clip(&text.into(), DESCRIPTION_MAX))
                .colour(NOTICE_COLOUR),
        )
    }

    /// As an interaction response (new message or update).
    pub fn into_interaction(self) -> CreateInteractionResponseMessage {
        fill!(CreateInteractionResponseMessage::new(), self)
    }

    /// As the edit of a deferred response.
    pub fn into_edit(self) -> EditInteractionResponse {
        fill!(EditInteractionResponse::new(), self)
    }

    /// As a follow-up message (public unless made ephemeral).
    pub fn into_followup(self) -> CreateInteractionResponseFollowup {
        fill!(CreateInteractionResponseFollowup::new(), self)
    }

    /// As a channel message (DMs).
    pub fn into_message(self) -> CreateMessage {
        fill!(CreateMessage::new(), self)
    }
}

/// Cuts text to `max` characters, ending with an ellipsis when cut.
pub fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max.saturating_sub(1)).collect();
    cut.push('…');
    cut
}

fn button(
    session: &str,
    step: u32,
    action: Action,
    label: &str,
    style: ButtonStyle,
) -> CreateButton {
    CreateButton::new(ComponentId::new(session, step, action).to_string())
        .label(clip(label, 80))
        .style(style)
}

/// An option's emoji for a button or select option, when Discord will accept it.
fn emoji(text: &str) -> Option<ReactionType> {
    // Loaded sets are validated already; this guards sets checked by older builds.
    crate::questionnaire::is_discord_emoji(text)
        .then(|| ReactionType::try_from(text).ok())
        .flatten()
}

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
        .title(clip(&q.prompt, 256))
        .description(clip(&lines.join("\n"), DESCRIPTION_MAX))
        .colour(QUESTION_COLOUR)
        .footer(CreateEmbedFooter::new(clip(
            &format!(
                "Question {} of {} · {}",
                view.progress.number, view.progress.total, view.set.title
            ),
            2048,
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
        .max_values(u8::try_from(max).unwrap_or(25));
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
        embeds: vec![embed],
        components: rows,
    }
}

/// The result: verdict and reasons, with Share / Change an answer / Start over.
pub fn result(
    catalogue: &Catalogue,
    set: &QuestionSet,
    recommendation: &Recommendation,
    session: &str,
    step: u32,
    (shareable, preview): (bool, bool),
) -> Reply {
    let embed = result_embed(
        catalogue,
        (&set.title, set.version),
        recommendation,
        preview,
    );
    let mut buttons = Vec::new();
    if shareable && recommendation.winner().is_some() {
        buttons.push(button(
            session,
            step,
            Action::Share,
            "Share to channel",
            ButtonStyle::Primary,
        ));
    }
    buttons.push(button(
        session,
        step,
        Action::ChangeMenu,
        "Change an answer",
        ButtonStyle::Secondary,
    ));
    buttons.push(button(
        session,
        step,
        Action::Restart,
        "Start over",
        ButtonStyle::Secondary,
    ));
    Reply {
        content: None,
        embeds: vec![embed],
        components: vec![CreateActionRow::Buttons(buttons)],
    }
}

/// The result embed on its own (also used by stored results): the set is named by
/// its title and version at the time. `show_weights` adds every criterion weight (for
/// admins previewing a set).
pub fn result_embed(
    catalogue: &Catalogue,
    (set_title, set_version): (&str, u32),
    recommendation: &Recommendation,
    show_weights: bool,
) -> CreateEmbed {
    let name = |id| text::framework_name(catalogue, id);
    let mut fields: Vec<(String, String)> = Vec::new();
    let (title, mut description, colour) = match &recommendation.verdict {
        Verdict::NothingEligible => {
            let lines: Vec<String> = recommendation
                .ranking
                .iter()
                .map(|s| {
                    let reasons: Vec<String> = s
                        .excluded
                        .iter()
                        .map(|e| text::exclusion_reason(catalogue, e))
                        .collect();
                    format!("**{}**: {}", name(&s.framework), text::join_and(&reasons))
                })
                .collect();
            (
                "No framework fits these answers".to_owned(),
                format!(
                    "Your answers rule out every framework in the guide:\n{}\n\nChange one of those answers to get a recommendation.",
                    lines.join("\n")
                ),
                NOTICE_COLOUR,
            )
        }
        Verdict::Recommend(x) => {
            let summary = catalogue
                .framework(x.winner.as_str())
                .map(|(_, f)| f.summary.clone())
                .unwrap_or_default();
            let mut description = summary;
            if let Some(tie) = text::tie_line(catalogue, x) {
                description.push_str(&format!("\n\n{tie}"));
            }
            if let Some(note) = text::affinity_note(catalogue, x) {
                description.push_str(&format!("\n\n{note}"));
            }
            if let Some(own) = text::own_language(catalogue, x) {
                description.push_str(&format!("\n\n{own}"));
            }
            let mut reasons: Vec<String> = Vec::new();
            let mut heading = "What decided it".to_owned();
            if let Some(margin) = &x.margin {
                heading = format!(
                    "What decided it ({})",
                    text::margin_heading(catalogue, &x.winner, margin)
                );
                reasons.extend(margin.deciding().map(|part| {
                    let (head, detail) = text::part(catalogue, &x.winner, margin, part);
                    format!("**{head}**: {detail}")
                }));
                reasons.extend(text::other_parts(catalogue, margin));
            } else if let Some(only) = text::only_choice(catalogue, recommendation) {
                reasons.push(only);
            } else {
                // A result stored before the margin was taken apart.
                reasons.extend(x.deciding.iter().map(|d| {
                    let against = text::advantage(catalogue, x, d);
                    format!(
                        "**{}** (weight {}): {} → {against}\n> {}",
                        text::criterion_name(catalogue, &d.criterion),
                        text::factor(d.weight),
                        text::weight_trace(&d.changes),
                        d.reasoning
                    )
                }));
            }
            if !reasons.is_empty() {
                fields.push((heading, reasons.join("\n")));
            }
            // A field of its own, so clipping a long list of parts never cuts it.
            let counterfactual = text::counterfactual(catalogue, x);
            if !counterfactual.is_empty() {
                fields.push((
                    "Decided by your answers' points".to_owned(),
                    counterfactual.join("\n"),
                ));
            }
            if !x.bonuses.is_empty() {
                let bonuses: Vec<String> = x
                    .bonuses
                    .iter()
                    .map(|b| text::bonus_line(catalogue, b))
                    .collect();
                fields.push((
                    "Points from your answers".to_owned(),
                    text::join_and(&bonuses),
                ));
            }
            if let Some(t) = &x.trade_off {
                fields.push(("Trade-off".to_owned(), text::trade_off(catalogue, x, t)));
            }
            if let Some(r) = &x.runner_up {
                let mut value = text::runner_up_line(catalogue, r);
                if let Some(flip) = &x.flip {
                    value.push('\n');
                    value.push_str(&text::flip_line(catalogue, flip));
                }
                fields.push((
                    if r.close_call {
                        "Runner-up (close call)"
                    } else {
                        "Runner-up"
                    }
                    .to_owned(),
                    value,
                ));
            }
            (
                format!("{} — {} points", name(&x.winner), text::points(x.score)),
                description,
                RESULT_COLOUR,
            )
        }
    };
    let ranking: Vec<String> = recommendation
        .ranking
        .iter()
        .enumerate()
        .map(|(i, s)| {
            let mark = if s.is_eligible() {
                ""
            } else {
                " *(ruled out)*"
            };
            format!(
                "{}. {} — {}{mark}",
                i + 1,
                name(&s.framework),
                text::points(s.score)
            )
        })
        .collect();
    fields.push(("Full ranking".to_owned(), ranking.join("\n")));
    if show_weights {
        let weights: Vec<String> = recommendation
            .weights
            .iter()
            .map(|w| {
                format!(
                    "{} {} — {}",
                    text::criterion_name(catalogue, &w.criterion),
                    text::factor(w.weight),
                    text::weight_trace(&w.changes)
                )
            })
            .collect();
        fields.push(("Criterion weights (preview)".to_owned(), weights.join("\n")));
    }
    let footer = format!(
        "{set_title} v{set_version} · ratings from “{}” ({})",
        catalogue.guide.title, recommendation.guide_version
    );
    description = clip(&description, 1500);
    build_embed(&title, &description, &fields, &footer).colour(colour)
}

/// An embed that respects every size limit: fields are clipped to 1024 characters
/// and, if the total would pass 6000, the longest fields are shortened further.
pub(super) fn build_embed(
    title: &str,
    description: &str,
    fields: &[(String, String)],
    footer: &str,
) -> CreateEmbed {
    let count = |text: &str| text.chars().count();
    let title = clip(title, 256);
    let footer = clip(footer, 2048);
    let fields = &fields[..fields.len().min(MAX_FIELDS)];
    let names: Vec<String> = fields.iter().map(|(n, _)| clip(n, 256)).collect();
    let mut values: Vec<String> = fields
        .iter()
        .map(|(_, v)| clip(v, FIELD_VALUE_MAX))
        .collect();
    // Title, footer and field names are short by construction; the description gives
    // way first, then the longest field values, until the total fits.
    let fixed = count(&title) + count(&footer) + names.iter().map(|n| count(n)).sum::<usize>();
    let description = clip(
        description,
        DESCRIPTION_MAX.min(EMBED_TOTAL_MAX.saturating_sub(fixed + 25 * values.len())),
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

/// The menu of answered questions, shown from the result.
pub fn change_menu(
    catalogue: &Catalogue,
    set: &QuestionSet,
    recommendation: &Recommendation,
    answered: &[&Question],
    session: &str,
    step: u32,
) -> Reply {
    let options = answered
        .iter()
        .take(25)
        .map(|q| {
            let index = set.position(&q.id).unwrap_or_default();
            CreateSelectMenuOption::new(clip(&q.prompt, SELECT_TEXT_MAX), index.to_string())
        })
        .collect();
    let menu = CreateSelectMenu::new(
        ComponentId::new(session, step, Action::Change).to_string(),
        CreateSelectMenuKind::String { options },
    )
    .placeholder("Which answer do you want to change?");
    Reply {
        content: None,
        embeds: vec![result_embed(
            catalogue,
            (&set.title, set.version),
            recommendation,
            false,
        )],
        components: vec![
            CreateActionRow::SelectMenu(menu),
            CreateActionRow::Buttons(vec![button(
                session,
                step,
                Action::ShowResult,
                "Keep my answers",
                ButtonStyle::Secondary,
            )]),
        ],
    }
}

/// The compact public card posted by "Share to channel".
pub fn share_card(catalogue: &Catalogue, recommendation: &Recommendation) -> Reply {
    let Verdict::Recommend(x) = &recommendation.verdict else {
        return Reply::notice("No framework fitted these answers.");
    };
    // The strongest reasons first, never a weakness.
    let mut lines: Vec<String> = Vec::new();
    if let Some(margin) = &x.margin {
        lines.extend(margin.deciding().take(2).map(|part| {
            let (head, detail) = text::part(catalogue, &x.winner, margin, part);
            format!("• {head}: {detail}")
        }));
    } else if let Some(only) = text::only_choice(catalogue, recommendation) {
        lines.push(only);
    } else {
        // A result stored before the margin was taken apart.
        lines.extend(x.deciding.iter().take(2).map(|d| {
            format!(
                "• {}: {}",
                text::criterion_name(catalogue, &d.criterion),
                text::advantage(catalogue, x, d)
            )
        }));
    }
    lines.extend(text::counterfactual(catalogue, x));
    if let Some(r) = &x.runner_up {
        lines.push(text::runner_up_line(catalogue, r));
    }
    let embed = CreateEmbed::new()
        .title(clip(
            &format!(
                "Recommended: {} ({} points)",
                text::framework_name(catalogue, &x.winner),
                text::points(x.score)
            ),
            256,
        ))
        .description(clip(&lines.join("\n"), DESCRIPTION_MAX))
        .colour(RESULT_COLOUR)
        .footer(CreateEmbedFooter::new("Run /recommend to find yours"));
    Reply::embed(embed)
}

/// `/frameworks`: every framework with its total and ratings.
pub fn frameworks_overview(catalogue: &Catalogue) -> Reply {
    let mut ranked: Vec<&Framework> = catalogue.frameworks.iter().collect();
    ranked.sort_by(|a, b| b.total().total_cmp(&a.total()));
    let fields: Vec<(String, String)> = ranked
        .iter()
        .map(|f| {
            let ratings: Vec<String> = catalogue
                .criteria
                .iter()
                .zip(&f.ratings)
                .map(|(c, r)| format!("{} {}", c.name, r.rating))
                .collect();
            (
                format!("{} — {} / 35", f.name, text::points(f.total())),
                format!("{}\n{}", language(catalogue, f), ratings.join(" · ")),
            )
        })
        .collect();
    let embed = build_embed(
        &catalogue.guide.title,
        "The guide rates each framework from 1 to 5 on seven criteria (a higher learning-curve rating means easier to learn). Use `/framework` for the reasoning behind each rating.",
        &fields,
        &format!("{}, {}", catalogue.guide.source, catalogue.guide.version),
    );
    Reply::embed(embed.colour(QUESTION_COLOUR))
}

fn language(catalogue: &Catalogue, framework: &Framework) -> String {
    text::language_name(catalogue, &framework.language).to_owned()
}

/// `/framework`: one framework's ratings with our reasoning.
pub fn framework_detail(catalogue: &Catalogue, framework: &Framework) -> Reply {
    let fields: Vec<(String, String)> = catalogue
        .criteria
        .iter()
        .zip(&framework.ratings)
        .map(|(c, r)| (format!("{} — {}/5", c.name, r.rating), r.why.clone()))
        .collect();
    let description = format!(
        "{}\n\nLanguage: {} · guide total: {} / 35",
        framework.summary,
        language(catalogue, framework),
        text::points(framework.total())
    );
    Reply::embed(
        build_embed(
            &framework.name,
            &description,
            &fields,
            &catalogue.guide.title,
        )
        .colour(QUESTION_COLOUR),
    )
}

/// `/compare`: two frameworks side by side, criterion by criterion.
pub fn compare(catalogue: &Catalogue, a: &Framework, b: &Framework) -> Reply {
    let mut a_wins = Vec::new();
    let mut b_wins = Vec::new();
    let fields: Vec<(String, String)> = catalogue
        .criteria
        .iter()
        .zip(a.ratings.iter().zip(&b.ratings))
        .map(|(c, (ra, rb))| {
            let verdict = match ra.rating.cmp(&rb.rating) {
                std::cmp::Ordering::Greater => {
                    a_wins.push(c.name.clone());
                    format!("{} ahead", a.name)
                }
                std::cmp::Ordering::Less => {
                    b_wins.push(c.name.clone());
                    format!("{} ahead", b.name)
                }
                std::cmp::Ordering::Equal => "level".to_owned(),
            };
            (
                format!(
                    "{}: {} {} · {} {} ({verdict})",
                    c.name, a.name, ra.rating, b.name, rb.rating
                ),
                format!("**{}**: {}\n**{}**: {}", a.name, ra.why, b.name, rb.why),
            )
        })
        .collect();
    let summary = |name: &str, wins: &[String]| {
        if wins.is_empty() {
            format!("{name} is ahead on no criterion.")
        } else {
            format!("{name} is ahead on {}.", text::join_and(wins))
        }
    };
    let description = format!(
        "Guide totals: {} {} · {} {}\n{} {}",
        a.name,
        text::points(a.total()),
        b.name,
        text::points(b.total()),
        summary(&a.name, &a_wins),
        summary(&b.name, &b_wins)
    );
    Reply::embed(
        build_embed(
            &format!("{} vs {}", a.name, b.name),
            &description,
            &fields,
            &catalogue.guide.title,
        )
        .colour(QUESTION_COLOUR),
    )
}

/// `/criteria`: what each criterion means and which questions of a set move it.
pub fn criteria(catalogue: &Catalogue, set: &QuestionSet) -> Reply {
    let fields: Vec<(String, String)> = catalogue
        .criteria
        .iter()
        .map(|c| {
            let movers: Vec<String> = set
                .questions
                .iter()
                .filter(|q| {
                    q.options
                        .iter()
                        .any(|o| o.effects.weights.iter().any(|(id, _)| id == &c.id))
                })
                .map(|q| format!("“{}”", q.prompt))
                .collect();
            let moved = if movers.is_empty() {
                "No question of this set changes its weight.".to_owned()
            } else {
                format!("Moved by: {}", movers.join(", "))
            };
            (c.name.clone(), format!("{}\n{moved}", c.meaning))
        })
        .collect();
    Reply::embed(
        build_embed(
            "The guide's seven criteria",
            &format!("Each answer can make a criterion matter more or less. Questions listed are from the “{}” set.", set.title),
            &fields,
            &catalogue.guide.title,
        )
        .colour(QUESTION_COLOUR),
    )
}

/// `/help`.
pub fn help(sets: &[&QuestionSet]) -> Reply {
    let set_list: Vec<String> = sets
        .iter()
        .map(|s| format!("`{}` — {}", s.id, s.title))
        .collect();
    let description = format!(
        "I recommend a backend framework for your project from the ratings of “Top 7 Backend Frameworks to Use in 2024” (roadmap.sh), and explain why.\n\n\
         **/recommend** `[set]` — answer a few questions (only you see them in a server)\n\
         **/frameworks** — the guide's ratings and totals\n\
         **/framework** `name` — one framework, criterion by criterion\n\
         **/compare** `a` `b` — two frameworks side by side\n\
         **/criteria** — what the criteria mean and which questions move them\n\
         **/history** — your recent recommendations\n\
         **/questions** — server admins (Manage Server): this server's question sets\n\n\
         You can also DM me: send any message to start, then reply with a number or an option's name, or `back`, `skip`, `cancel`, `restart`.\n\n\
         **Question sets:** {}",
        set_list.join(" · ")
    );
    Reply::embed(
        CreateEmbed::new()
            .title("stackpick")
            .description(clip(&description, DESCRIPTION_MAX))
            .colour(QUESTION_COLOUR),
    )
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
}
