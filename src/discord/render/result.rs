//! The result: its embed (also for stored results, and with the criterion weights for
//! admins previewing a set), the public share card and the change-an-answer menu.

use serenity::all::{
    ButtonStyle, CreateActionRow, CreateEmbed, CreateEmbedFooter, CreateSelectMenu,
    CreateSelectMenuKind, CreateSelectMenuOption,
};

use super::limits::{
    build_embed, clip, EMBED_DESCRIPTION_MAX, EMBED_TITLE_MAX, SELECT_OPTIONS_MAX, SELECT_TEXT_MAX,
};
use super::{button, Reply, NOTICE_COLOUR, RESULT_COLOUR};
use crate::discord::custom_id::{Action, ComponentId};
use crate::engine::{Recommendation, Verdict};
use crate::guide::Catalogue;
use crate::questionnaire::{Question, QuestionSet};
use crate::text;

/// The result's description (the winner's summary and notes) is kept this short, so
/// the reasons below it keep their room.
const RESULT_DESCRIPTION_MAX: usize = 1500;

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
        embeds: vec![embed],
        components: vec![CreateActionRow::Buttons(buttons)],
        ..Reply::default()
    }
}

/// The result embed on its own (also used by stored results): the set is named by
/// its title and version at the time. `show_weights` adds every criterion weight (for
/// admins previewing a set).
pub fn result_embed(
    catalogue: &Catalogue,
    set: (&str, u32),
    recommendation: &Recommendation,
    show_weights: bool,
) -> CreateEmbed {
    let parts = result_parts(catalogue, set, recommendation, show_weights);
    build_embed(
        &parts.title,
        &parts.description,
        &parts.fields,
        &parts.footer,
    )
    .colour(parts.colour)
}

/// A result embed's text before it is fitted to Discord's limits, so other embeds
/// (a team's result) can add fields of their own.
pub(super) struct ResultParts {
    pub title: String,
    pub description: String,
    /// The fields; without the weights, the last one is the full ranking.
    pub fields: Vec<(String, String)>,
    pub footer: String,
    pub colour: u32,
}

/// The parts of [`result_embed`].
pub(super) fn result_parts(
    catalogue: &Catalogue,
    (set_title, set_version): (&str, u32),
    recommendation: &Recommendation,
    show_weights: bool,
) -> ResultParts {
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
    description = clip(&description, RESULT_DESCRIPTION_MAX);
    ResultParts {
        title,
        description,
        fields,
        footer,
        colour,
    }
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
        .take(SELECT_OPTIONS_MAX)
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
        files: Vec::new(),
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
            EMBED_TITLE_MAX,
        ))
        .description(clip(&lines.join("\n"), EMBED_DESCRIPTION_MAX))
        .colour(RESULT_COLOUR)
        .footer(CreateEmbedFooter::new("Run /recommend to find yours"));
    Reply::embed(embed)
}

#[cfg(test)]
mod tests {
    use serde_json::{json, Value};

    use super::super::fixtures::{labels, largest_set, session, set, shipped_sets, STEP};
    use super::super::limits::check::broken_limits;
    use super::*;
    use crate::engine;
    use crate::ids::OptionId;
    use crate::questionnaire::Answers;

    use crate::questionnaire::sample::answers;

    /// Every message a result can become, rendered with the longest custom_ids.
    fn every_reply(set: &QuestionSet, answers: &Answers) -> Vec<Reply> {
        let catalogue = Catalogue::builtin();
        let recommendation = engine::recommend(catalogue, set, answers);
        let answered: Vec<&Question> = set
            .shown(answers)
            .filter(|q| answers.get(&q.id).is_some())
            .collect();
        let session = session();
        let mut replies: Vec<Reply> = [(true, true), (false, false)]
            .into_iter()
            .map(|flags| result(catalogue, set, &recommendation, &session, STEP, flags))
            .collect();
        replies.push(change_menu(
            catalogue,
            set,
            &recommendation,
            &answered,
            &session,
            STEP,
        ));
        replies.push(share_card(catalogue, &recommendation));
        replies
    }

    fn assert_fits(set: &QuestionSet, answers: &Answers) {
        for reply in every_reply(set, answers) {
            let broken = broken_limits(&reply);
            assert!(broken.is_empty(), "{} {answers:?}: {broken:?}", set.id);
        }
    }

    #[test]
    fn every_result_of_every_shipped_set_fits_discords_limits() {
        for set in shipped_sets() {
            for seed in 0..200 {
                assert_fits(&set, &answers(&set, seed));
            }
        }
    }

    #[test]
    fn a_result_of_a_set_at_every_limit_of_the_format_still_fits_discords_limits() {
        let set = largest_set();
        for seed in 0..20 {
            assert_fits(&set, &answers(&set, seed));
        }
    }

    #[test]
    fn a_result_that_rules_out_every_framework_fits_and_cannot_be_shared() {
        let catalogue = Catalogue::builtin();
        let every: Vec<String> = catalogue
            .frameworks
            .iter()
            .map(|f| format!("\"{}\"", f.id))
            .collect();
        let set = set(&format!(
            "id = \"t\"\ntitle = \"T\"\nversion = 1\n[[questions]]\nid = \"q\"\nprompt = \"Q?\"\n\
             options = [{{ id = \"none\", label = \"None\", exclude = [{}] }}, {{ id = \"any\", label = \"Any\" }}]\n",
            every.join(", ")
        ));
        let mut answers = Answers::default();
        answers.set(set.questions[0].id.clone(), vec![OptionId::from("none")]);
        assert_fits(&set, &answers);
        let recommendation = engine::recommend(catalogue, &set, &answers);
        assert!(matches!(recommendation.verdict, Verdict::NothingEligible));
        let reply = result(catalogue, &set, &recommendation, "s", 1, (true, false));
        assert_eq!(
            labels(&reply.components[0]),
            [json!("Change an answer"), json!("Start over")]
        );
        let embed = json!(reply.embeds[0]);
        assert_eq!(embed["title"], "No framework fits these answers");
        assert_eq!(embed["color"], NOTICE_COLOUR);
        let card = json!(share_card(catalogue, &recommendation).embeds[0]);
        assert_eq!(card["description"], "No framework fitted these answers.");
    }

    #[test]
    fn a_winner_can_be_shared_and_the_preview_adds_the_criterion_weights() {
        let catalogue = Catalogue::builtin();
        let set = &shipped_sets()[0];
        let recommendation = engine::recommend(catalogue, set, &answers(set, 1));
        assert!(recommendation.winner().is_some());
        let field_names = |preview| -> Vec<Value> {
            let reply = result(catalogue, set, &recommendation, "s", 1, (true, preview));
            json!(reply.embeds[0])["fields"]
                .as_array()
                .unwrap()
                .iter()
                .map(|f| f["name"].clone())
                .collect()
        };
        assert!(!field_names(false).contains(&json!("Criterion weights (preview)")));
        let names = field_names(true);
        assert_eq!(names.last(), Some(&json!("Criterion weights (preview)")));
        let reply = result(catalogue, set, &recommendation, "s", 1, (true, false));
        let share = &json!(reply.components[0])["components"][0];
        assert_eq!(
            (&share["label"], &share["custom_id"]),
            (&json!("Share to channel"), &json!("sp:s:1:share"))
        );
        let embed = json!(reply.embeds[0]);
        assert_eq!(embed["color"], RESULT_COLOUR);
        let footer = embed["footer"]["text"].as_str().unwrap();
        assert!(footer.starts_with(&format!("{} v{} · ratings from", set.title, set.version)));
    }

    #[test]
    fn the_change_menu_offers_each_answered_question_by_its_place_in_the_set() {
        let catalogue = Catalogue::builtin();
        let set = &shipped_sets()[0];
        let answers = answers(set, 7);
        let recommendation = engine::recommend(catalogue, set, &answers);
        let answered: Vec<&Question> = set.questions.iter().skip(1).step_by(2).collect();
        let reply = change_menu(catalogue, set, &recommendation, &answered, "s", 2);
        let menu = &json!(reply.components[0])["components"][0];
        assert_eq!(menu["custom_id"], "sp:s:2:ch");
        let values: Vec<Value> = menu["options"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o["value"].clone())
            .collect();
        let expected: Vec<Value> = (1..set.questions.len())
            .step_by(2)
            .map(|i| json!(i.to_string()))
            .collect();
        assert_eq!(values, expected);
        let keep = &json!(reply.components[1])["components"][0];
        assert_eq!(keep["label"], "Keep my answers");
    }
}
