//! An option of a question and its effects: criterion weights, framework and language
//! bonuses, exclusions, each naming ids the guide knows, within range.

use std::ops::Range;

use toml::{Spanned, Value};

use super::super::raw::{self, RawOption};
use super::super::{
    is_discord_emoji, AnswerOption, Effects, AFFINITY_RANGE, MAX_LABEL_CHARS,
    MAX_OPTION_DESCRIPTION_CHARS, WEIGHT_RANGE,
};
use super::checker::{did_you_mean, Checker, Field};
use crate::ids::{CriterionId, FrameworkId, LanguageId, OptionId};

/// One option; `None` when any part of it has a problem.
pub(super) fn build_option(
    c: &mut Checker<'_>,
    question: &str,
    index: usize,
    spanned: &Spanned<RawOption>,
    keys: Option<&[String]>,
) -> Option<AnswerOption> {
    let raw = spanned.get_ref();
    let span = spanned.span();
    let (id, context) = c.id_and_context(
        &raw.id,
        &span,
        format!("{question}, option #{}", index + 1),
        |id| format!("{question}, option `{id}`"),
    );
    c.unknown_keys(keys, raw::OPTION_KEYS, &context, &span);
    let label = c.string(
        &raw.label,
        "label",
        &context,
        Some("\"Shown on the button\""),
        MAX_LABEL_CHARS,
        &span,
    );
    let description = c.string(
        &raw.description,
        "description",
        &context,
        None,
        MAX_OPTION_DESCRIPTION_CHARS,
        &span,
    );
    let emoji = c.string(&raw.emoji, "emoji", &context, None, 64, &span);
    if let (Some(emoji), Some(field)) = (&emoji, &raw.emoji) {
        if !is_discord_emoji(emoji) {
            c.report(
                Some(field.span()),
                &context,
                format!("`emoji` is `{emoji}`"),
                "use one emoji character such as \"⚡\" or a custom emoji like \"<:name:123>\"",
            );
        }
    }
    let effects = build_effects(c, raw, &context);
    Some(AnswerOption {
        id: OptionId::new(id?),
        label: label?,
        description,
        emoji,
        effects: effects?,
    })
}

/// What picking the option does.
fn build_effects(c: &mut Checker<'_>, raw: &RawOption, context: &str) -> Option<Effects> {
    let catalogue = c.catalogue;
    let criteria: Vec<&str> = catalogue.criteria.iter().map(|x| x.id.as_str()).collect();
    let frameworks: Vec<&str> = catalogue.frameworks.iter().map(|x| x.id.as_str()).collect();
    let languages: Vec<&str> = catalogue.languages.iter().map(|x| x.id.as_str()).collect();

    let weights = number_map(
        c,
        &raw.weights,
        "weights",
        context,
        &criteria,
        ("criterion", "criteria"),
        &WEIGHT_RANGE,
        "a multiplier from 0 (ignore) to 5; 1 leaves the weight unchanged",
    );
    let framework_bonus = number_map(
        c,
        &raw.frameworks,
        "frameworks",
        context,
        &frameworks,
        ("framework", "frameworks"),
        &AFFINITY_RANGE,
        "a bonus in guide points from -10 to 10",
    );
    let language_bonus = number_map(
        c,
        &raw.languages,
        "languages",
        context,
        &languages,
        ("language", "languages"),
        &AFFINITY_RANGE,
        "a bonus in guide points from -10 to 10",
    );
    let exclude = id_list(
        c,
        &raw.exclude,
        "exclude",
        context,
        &frameworks,
        ("framework", "frameworks"),
    );
    let only_languages = id_list(
        c,
        &raw.only_languages,
        "only_languages",
        context,
        &languages,
        ("language", "languages"),
    );
    let only_team = c.boolean(&raw.only_team_languages, "only_team_languages", context);
    if raw.only_team_languages.is_some() && only_team.is_none() {
        return None;
    }
    let team_bonus = team_languages(c, &raw.team_languages, context);
    Some(Effects {
        weights: weights?
            .into_iter()
            .map(|(k, v)| (CriterionId::new(k), v))
            .collect(),
        frameworks: framework_bonus?
            .into_iter()
            .map(|(k, v)| (FrameworkId::new(k), v))
            .collect(),
        languages: language_bonus?
            .into_iter()
            .map(|(k, v)| (LanguageId::new(k), v))
            .collect(),
        exclude: exclude?.into_iter().map(FrameworkId::new).collect(),
        only_languages: only_languages?.into_iter().map(LanguageId::new).collect(),
        only_team_languages: only_team.unwrap_or(false),
        team_languages: team_bonus?,
    })
}

/// `team_languages = 4`: guide points for every framework in a team language.
fn team_languages(c: &mut Checker<'_>, field: &Field, context: &str) -> Option<f64> {
    let Some(value) = field else {
        return Some(0.0);
    };
    let number = match value.get_ref() {
        Value::Integer(i) => Some(*i as f64),
        Value::Float(f) => Some(*f),
        _ => None,
    };
    match number {
        Some(n) if n.is_finite() && AFFINITY_RANGE.contains(&n) => Some(n),
        _ => {
            c.report(
                Some(value.span()),
                context,
                format!("`team_languages = {}` is not a bonus", value.get_ref()),
                "use a number of guide points from -10 to 10, e.g. `team_languages = 4`",
            );
            None
        }
    }
}

/// A table of known id → number within `range`, e.g. `weights = { performance = 2 }`.
#[allow(clippy::too_many_arguments)] // each argument is a different part of the message
fn number_map(
    c: &mut Checker<'_>,
    field: &Field,
    name: &str,
    context: &str,
    known: &[&str],
    (what, whats): (&str, &str),
    range: &std::ops::RangeInclusive<f64>,
    meaning: &str,
) -> Option<Vec<(String, f64)>> {
    let Some(value) = field else {
        return Some(Vec::new());
    };
    let span = value.span();
    let Some(table) = value.get_ref().as_table() else {
        let example = format!("write `{name} = {{ {} = 2 }}`", example_id(known));
        c.report(
            Some(span),
            context,
            format!("`{name}` must be a table"),
            &example,
        );
        return None;
    };
    let mut entries = Vec::with_capacity(table.len());
    let mut ok = true;
    for (key, number) in table {
        if !is_known(c, key, known, (name, what, whats), (&span, context)) {
            ok = false;
            continue;
        }
        let parsed = match number {
            Value::Integer(i) => Some(*i as f64),
            Value::Float(f) => Some(*f),
            _ => None,
        };
        match parsed {
            Some(n) if n.is_finite() && range.contains(&n) => entries.push((key.clone(), n)),
            _ => {
                c.report(
                    Some(span.clone()),
                    context,
                    format!("`{name}.{key} = {number}` is out of range"),
                    &format!("use {meaning}"),
                );
                ok = false;
            }
        }
    }
    ok.then_some(entries)
}

/// A list of known ids, e.g. `exclude = ["actix"]`.
fn id_list(
    c: &mut Checker<'_>,
    field: &Field,
    name: &str,
    context: &str,
    known: &[&str],
    (what, whats): (&str, &str),
) -> Option<Vec<String>> {
    let Some(value) = field else {
        return Some(Vec::new());
    };
    let span = value.span();
    let items: Option<Vec<&str>> = value
        .get_ref()
        .as_array()
        .and_then(|a| a.iter().map(Value::as_str).collect());
    let Some(items) = items else {
        let example = format!("write `{name} = [\"{}\"]`", example_id(known));
        let message = format!("`{name}` must be a list of {what} ids");
        c.report(Some(span), context, message, &example);
        return None;
    };
    let mut ok = true;
    for item in &items {
        if !is_known(c, item, known, (name, what, whats), (&span, context)) {
            ok = false;
        }
    }
    ok.then(|| items.into_iter().map(str::to_owned).collect())
}

/// Whether `id`, written in the field `name`, is one of the `known` ids of its kind
/// (`what`, `whats` in the plural); if not, reports it with the closest known id when
/// one is close enough, and the known ids either way.
fn is_known(
    c: &mut Checker<'_>,
    id: &str,
    known: &[&str],
    (name, what, whats): (&str, &str, &str),
    (span, context): (&Range<usize>, &str),
) -> bool {
    if known.contains(&id) {
        return true;
    }
    let fix = did_you_mean(id, known, whats, &format!("use one of the known {whats}: "));
    c.report(
        Some(span.clone()),
        context,
        format!("`{name}` names unknown {what} `{id}`"),
        &fix,
    );
    false
}

/// The id an example of a fix names: the first known one.
fn example_id<'k>(known: &[&'k str]) -> &'k str {
    known.first().copied().unwrap_or("id")
}
