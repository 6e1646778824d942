//! An option of a question and its effects: criterion weights, framework and language
//! bonuses, exclusions, each naming ids the guide knows, within range.

use toml::{Spanned, Value};

use super::super::raw::{self, RawOption};
use super::super::{
    is_discord_emoji, AnswerOption, Effects, AFFINITY_RANGE, MAX_LABEL_CHARS,
    MAX_OPTION_DESCRIPTION_CHARS, WEIGHT_RANGE,
};
use super::checker::{closest, Checker, Field};
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
    let provisional = format!("{question}, option #{}", index + 1);
    let id = c.id(&raw.id, &provisional, &span);
    let context = id
        .as_ref()
        .map_or(provisional, |id| format!("{question}, option `{id}`"));
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
        "framework",
    );
    let only_languages = id_list(
        c,
        &raw.only_languages,
        "only_languages",
        context,
        &languages,
        "language",
    );
    let only_team = c.boolean(&raw.only_team_languages, "only_team_languages", context);
    if raw.only_team_languages.is_some() && only_team.is_none() {
        return None;
    }
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
    })
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
        c.report(
            Some(span),
            context,
            format!("`{name}` must be a table"),
            &format!(
                "write `{name} = {{ {} = 2 }}`",
                known.first().copied().unwrap_or("id")
            ),
        );
        return None;
    };
    let mut entries = Vec::with_capacity(table.len());
    let mut ok = true;
    for (key, number) in table {
        if !known.contains(&key.as_str()) {
            let fix = unknown_id_fix(key, known, whats);
            c.report(
                Some(span.clone()),
                context,
                format!("`{name}` names unknown {what} `{key}`"),
                &fix,
            );
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
    what: &str,
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
        c.report(
            Some(span),
            context,
            format!("`{name}` must be a list of {what} ids"),
            &format!(
                "write `{name} = [\"{}\"]`",
                known.first().copied().unwrap_or("id")
            ),
        );
        return None;
    };
    let mut ok = true;
    for item in &items {
        if !known.contains(item) {
            let fix = unknown_id_fix(item, known, &format!("{what}s"));
            c.report(
                Some(span.clone()),
                context,
                format!("`{name}` names unknown {what} `{item}`"),
                &fix,
            );
            ok = false;
        }
    }
    ok.then(|| items.into_iter().map(str::to_owned).collect())
}

/// The fix for an id the guide does not know (`whats` names the kind, in the plural):
/// the closest known id when one is close enough, and the known ids either way.
fn unknown_id_fix(id: &str, known: &[&str], whats: &str) -> String {
    match closest(id, known) {
        Some(near) => format!("did you mean `{near}`? Known {whats}: {}", known.join(", ")),
        None => format!("use one of the known {whats}: {}", known.join(", ")),
    }
}
