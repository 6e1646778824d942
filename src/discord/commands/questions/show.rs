//! `list`, `show` and its pages: a server's sets, and a set's questions, options and effects.

use anyhow::Result;
use serenity::all::{ButtonStyle, ComponentInteraction, CreateActionRow, CreateButton};

use super::{find, unknown_set, update, PER_PAGE};
use crate::discord::custom_id::Other;
use crate::discord::render::{self, Reply};
use crate::discord::Ctx;
use crate::discord::State;
use crate::guide::Catalogue;
use crate::ids::SetId;
use crate::questionnaire::{Question, QuestionSet};
use crate::text;

/// Built-in and server sets, the active one marked.
pub(super) async fn list(state: &State, guild: u64) -> Result<Reply> {
    let active = state.sessions.active_set(Some(guild)).await?;
    let server: Vec<SetId> = state
        .sessions
        .store
        .current_sets(guild)
        .await?
        .into_iter()
        .map(|s| s.set_id)
        .collect();
    let lines: Vec<String> = state
        .sessions
        .sets_for(Some(guild))
        .await?
        .values()
        .map(|s| {
            let origin = if server.contains(&s.id) {
                "server"
            } else {
                "built-in"
            };
            let mark = if s.id == active.id {
                " ✅ **active**"
            } else {
                ""
            };
            format!(
                "`{}` — {} (v{}, {origin}, {} questions){mark}",
                s.id,
                s.title,
                s.version,
                s.questions.len()
            )
        })
        .collect();
    Ok(Reply::embed(render::build_embed(
        "Question sets",
        &lines.join("\n"),
        &[],
        "Upload with /questions upload, choose with /questions use",
    )))
}

/// One option's effects in words.
fn effects_line(catalogue: &Catalogue, option: &crate::questionnaire::AnswerOption) -> String {
    let e = &option.effects;
    let mut parts = Vec::new();
    for (criterion, factor) in &e.weights {
        parts.push(format!(
            "{} {}",
            text::criterion_name(catalogue, criterion),
            text::factor(*factor)
        ));
    }
    for (framework, points) in &e.frameworks {
        parts.push(format!(
            "{} {:+}",
            text::framework_name(catalogue, framework),
            points
        ));
    }
    for (language, points) in &e.languages {
        parts.push(format!(
            "{} {:+}",
            text::language_name(catalogue, language),
            points
        ));
    }
    if !e.exclude.is_empty() {
        let names: Vec<String> = e
            .exclude
            .iter()
            .map(|f| text::framework_name(catalogue, f).to_owned())
            .collect();
        parts.push(format!("excludes {}", names.join(", ")));
    }
    if !e.only_languages.is_empty() {
        let names = text::language_names(catalogue, &e.only_languages);
        parts.push(format!("only {}", names.join(", ")));
    }
    if e.only_team_languages {
        parts.push("only the team's languages".to_owned());
    }
    if parts.is_empty() {
        format!("• {}", option.label)
    } else {
        format!("• {} — {}", option.label, parts.join(", "))
    }
}

fn question_field(
    catalogue: &Catalogue,
    set: &QuestionSet,
    question: &Question,
) -> (String, String) {
    let mut lines: Vec<String> = Vec::new();
    let mut tags = vec![match question.choice {
        crate::questionnaire::Choice::Single => "single choice".to_owned(),
        crate::questionnaire::Choice::Multi { min, max } => format!("pick {min}–{max}"),
    }];
    if !question.required {
        tags.push("skippable".to_owned());
    }
    if let Some(condition) = &question.show_if {
        let ids: Vec<&str> = condition.any_of.iter().map(|o| o.as_str()).collect();
        tags.push(format!(
            "only if `{}` is {}",
            condition.question,
            ids.join("/")
        ));
    }
    lines.push(format!("`{}` · {}", question.id, tags.join(" · ")));
    lines.extend(question.options.iter().map(|o| effects_line(catalogue, o)));
    let number = set.position(&question.id).map_or(0, |p| p + 1);
    (
        render::clip(&format!("{number}. {}", question.prompt), 256),
        render::clip(&lines.join("\n"), 1024),
    )
}

/// A page of a set's questions with Previous/Next buttons.
pub(super) async fn show(
    state: &State,
    guild: u64,
    set_id: Option<&SetId>,
    page: usize,
) -> Result<Reply> {
    let Some(set) = find(state, guild, set_id).await? else {
        return unknown_set(state, guild, set_id).await;
    };
    let pages = set.questions.len().div_ceil(PER_PAGE).max(1);
    let page = page.min(pages - 1);
    let fields: Vec<(String, String)> = set
        .questions
        .iter()
        .skip(page * PER_PAGE)
        .take(PER_PAGE)
        .map(|question| question_field(&state.sessions.catalogue, &set, question))
        .collect();
    let mut reply = Reply::embed(render::build_embed(
        &format!("{} (`{}` v{})", set.title, set.id, set.version),
        &set.description,
        &fields,
        &format!("Page {} of {pages}", page + 1),
    ));
    if pages > 1 {
        let nav = |label: &str, target: usize, disabled: bool| {
            CreateButton::new(Other::Page(set.id.to_string(), target).to_string())
                .label(label)
                .style(ButtonStyle::Secondary)
                .disabled(disabled)
        };
        reply.components = vec![CreateActionRow::Buttons(vec![
            nav("Previous", page.saturating_sub(1), page == 0),
            nav("Next", page + 1, page + 1 >= pages),
        ])];
    }
    Ok(reply)
}

/// Previous/Next of `/questions show`.
pub async fn page(
    ctx: &Ctx,
    state: &State,
    click: &ComponentInteraction,
    set: &str,
    page: usize,
) -> Result<()> {
    let Some(guild) = click.guild_id.map(|g| g.get()) else {
        return Ok(());
    };
    let reply = show(state, guild, Some(&SetId::from(set)), page).await?;
    update(ctx, click, reply).await
}
