//! The set and its questions: metadata, question count, unique ids, the kind of
//! choice and `show_if` conditions on earlier questions.

use std::collections::HashSet;

use toml::{Spanned, Value};

use super::super::raw::{self, RawQuestion, RawSet};
use super::super::{
    Choice, Condition, Question, QuestionSet, MAX_DESCRIPTION_CHARS, MAX_HELP_CHARS, MAX_OPTIONS,
    MAX_PROMPT_CHARS, MAX_QUESTIONS, MAX_TITLE_CHARS,
};
use super::checker::Checker;
use super::keys::Keys;
use super::options::build_option;
use crate::ids::{OptionId, QuestionId, SetId};

/// The whole set; `None` when any part of it has a problem.
pub(super) fn build_set(c: &mut Checker<'_>, raw: &RawSet, keys: &Keys) -> Option<QuestionSet> {
    let top = 0..0;
    c.unknown_keys(Some(&keys.top), raw::SET_KEYS, "the set", &top);
    let id = c.id(&raw.id, "the set", &top);
    let title = c.string(
        &raw.title,
        "title",
        "the set",
        Some("\"My question set\""),
        MAX_TITLE_CHARS,
        &top,
    );
    let description = c
        .string(
            &raw.description,
            "description",
            "the set",
            None,
            MAX_DESCRIPTION_CHARS,
            &top,
        )
        .unwrap_or_default();
    let version = match c.integer(&raw.version, "version", "the set") {
        None if raw.version.is_none() => {
            c.report(
                Some(top.clone()),
                "the set",
                "`version` is missing".to_owned(),
                "add `version = 1` and raise it on each change",
            );
            None
        }
        None => None,
        Some(v) => match u32::try_from(v) {
            Ok(v) if v >= 1 => Some(v),
            _ => {
                let span = raw.version.as_ref().map(Spanned::span);
                c.report(
                    span,
                    "the set",
                    format!("`version` is {v}"),
                    "use a whole number from 1 up",
                );
                None
            }
        },
    };

    let raw_questions = raw.questions.as_deref().unwrap_or_default();
    if raw_questions.is_empty() {
        c.report(
            Some(top.clone()),
            "the set",
            "the set has no questions".to_owned(),
            "add at least one [[questions]] table with options",
        );
    }
    if raw_questions.len() > MAX_QUESTIONS {
        c.report(
            raw_questions.get(MAX_QUESTIONS).map(Spanned::span),
            "the set",
            format!(
                "the set has {} questions, over the limit of {MAX_QUESTIONS}",
                raw_questions.len()
            ),
            "split it into smaller sets",
        );
    }
    let mut questions: Vec<Question> = Vec::with_capacity(raw_questions.len());
    let mut seen_ids = HashSet::new();
    let mut all_ok = true;
    for (index, raw_question) in raw_questions.iter().enumerate() {
        if let Some((id, span)) = Checker::repeated_id(&mut seen_ids, &raw_question.get_ref().id) {
            c.report(
                Some(span),
                &format!("question `{id}`"),
                format!("the id `{id}` is used by an earlier question"),
                "give every question its own id",
            );
            all_ok = false;
        }
        match build_question(c, index, raw_question, keys, &questions) {
            Some(question) => questions.push(question),
            None => all_ok = false,
        }
    }
    if all_ok {
        for found in super::super::bounds::problems(c.catalogue, raw_questions, &questions) {
            c.report(found.span, &found.context, found.message, &found.fix);
        }
    }
    Some(QuestionSet {
        id: SetId::new(id?),
        title: title?,
        description,
        version: version?,
        questions: all_ok.then_some(questions)?,
    })
}

/// One question with its options; `None` when any part of it has a problem.
fn build_question(
    c: &mut Checker<'_>,
    index: usize,
    spanned: &Spanned<RawQuestion>,
    keys: &Keys,
    earlier: &[Question],
) -> Option<Question> {
    let raw = spanned.get_ref();
    let span = spanned.span();
    let (id, context) =
        c.id_and_context(&raw.id, &span, format!("question #{}", index + 1), |id| {
            format!("question `{id}`")
        });
    c.unknown_keys(keys.question(index), raw::QUESTION_KEYS, &context, &span);

    let prompt = c.string(
        &raw.prompt,
        "prompt",
        &context,
        Some("\"What are you building?\""),
        MAX_PROMPT_CHARS,
        &span,
    );
    let help = c.string(&raw.help, "help", &context, None, MAX_HELP_CHARS, &span);
    let required = c
        .boolean(&raw.required, "required", &context)
        .unwrap_or(true);

    let raw_options = raw.options.as_deref().unwrap_or_default();
    if raw_options.len() < 2 {
        c.report(
            Some(span.clone()),
            &context,
            format!("the question has {} option(s)", raw_options.len()),
            "give it at least two [[questions.options]] tables",
        );
    }
    if raw_options.len() > MAX_OPTIONS {
        c.report(
            raw_options.get(MAX_OPTIONS).map(Spanned::span),
            &context,
            format!("the question has {} options, over Discord's limit of {MAX_OPTIONS} in a select menu", raw_options.len()),
            "keep at most 25 options, or split the question in two",
        );
    }
    let mut options = Vec::with_capacity(raw_options.len());
    let mut seen = HashSet::new();
    let mut options_ok = true;
    for (i, raw_option) in raw_options.iter().enumerate() {
        if let Some((id, span)) = Checker::repeated_id(&mut seen, &raw_option.get_ref().id) {
            c.report(
                Some(span),
                &context,
                format!("two options have the id `{id}`"),
                "give every option of a question its own id",
            );
            options_ok = false;
        }
        match build_option(c, &context, i, raw_option, keys.option(index, i)) {
            Some(option) => options.push(option),
            None => options_ok = false,
        }
    }

    let choice = build_choice(c, raw, &context, raw_options.len());
    let show_if = match &raw.show_if {
        None => Some(None),
        Some(condition) => {
            build_condition(c, condition, &context, id.as_deref(), earlier).map(Some)
        }
    };

    Some(Question {
        id: QuestionId::new(id?),
        prompt: prompt?,
        help,
        choice: choice?,
        required,
        show_if: show_if?,
        options: (options_ok && raw_options.len() >= 2 && raw_options.len() <= MAX_OPTIONS)
            .then_some(options)?,
    })
}

/// Single or multi-choice, with `min`/`max` checked against the options.
fn build_choice(
    c: &mut Checker<'_>,
    raw: &RawQuestion,
    context: &str,
    option_count: usize,
) -> Option<Choice> {
    let kind = match &raw.kind {
        None => "single".to_owned(),
        Some(value) => match value.get_ref().as_str() {
            Some(k @ ("single" | "multi")) => k.to_owned(),
            _ => {
                c.report(
                    Some(value.span()),
                    context,
                    format!("`kind` is {}", value.get_ref()),
                    "use `kind = \"single\"` (pick one) or `kind = \"multi\"` (pick several)",
                );
                return None;
            }
        },
    };
    let min = c.integer(&raw.min, "min", context);
    let max = c.integer(&raw.max, "max", context);
    if kind == "single" {
        if let Some(field) = raw.min.as_ref().or(raw.max.as_ref()) {
            c.report(
                Some(field.span()),
                context,
                "`min`/`max` only apply to multi-choice questions".to_owned(),
                "remove them, or set `kind = \"multi\"`",
            );
            return None;
        }
        return Some(Choice::Single);
    }
    let min = min.unwrap_or(1);
    let max = max.unwrap_or(option_count as i64);
    let span = raw.min.as_ref().or(raw.max.as_ref()).map(Spanned::span);
    if min < 1 || max < min || max > option_count as i64 {
        c.report(
            span,
            context,
            format!("`min = {min}`, `max = {max}` with {option_count} options"),
            "use 1 ≤ min ≤ max ≤ the number of options (to make the question optional, use `required = false`)",
        );
        return None;
    }
    Some(Choice::Multi {
        min: usize::try_from(min).ok()?,
        max: usize::try_from(max).ok()?,
    })
}

/// A `show_if` condition on an earlier question and its options.
fn build_condition(
    c: &mut Checker<'_>,
    spanned: &Spanned<Value>,
    context: &str,
    own_id: Option<&str>,
    earlier: &[Question],
) -> Option<Condition> {
    let span = spanned.span();
    let example = "write `show_if = { question = \"earlier_id\", any_of = [\"option_id\"] }`";
    let Some(table) = spanned.get_ref().as_table() else {
        c.report(
            Some(span),
            context,
            "`show_if` must be a table".to_owned(),
            example,
        );
        return None;
    };
    c.unknown_keys(
        Some(&table.keys().cloned().collect::<Vec<_>>()),
        raw::SHOW_IF_KEYS,
        &format!("{context}, show_if"),
        &span,
    );
    let Some(question_id) = table.get("question").and_then(Value::as_str) else {
        c.report(
            Some(span),
            context,
            "`show_if` has no `question`".to_owned(),
            example,
        );
        return None;
    };
    let Some(target) = earlier.iter().find(|q| q.id.as_str() == question_id) else {
        let message = if Some(question_id) == own_id {
            "`show_if` refers to the question itself".to_owned()
        } else {
            format!("`show_if` refers to `{question_id}`, which is not an earlier question")
        };
        c.report(
            Some(span),
            context,
            message,
            "a follow-up can only depend on a question asked before it: check the id and the order",
        );
        return None;
    };
    let any_of: Option<Vec<&str>> = table
        .get("any_of")
        .and_then(Value::as_array)
        .and_then(|a| a.iter().map(Value::as_str).collect());
    let Some(any_of) = any_of.filter(|a| !a.is_empty()) else {
        c.report(
            Some(span),
            context,
            "`show_if.any_of` must be a non-empty list of option ids".to_owned(),
            example,
        );
        return None;
    };
    let mut ok = true;
    for option in &any_of {
        if target.option(option).is_none() {
            let known: Vec<&str> = target.options.iter().map(|o| o.id.as_str()).collect();
            c.report(
                Some(span.clone()),
                context,
                format!("`show_if` lists `{option}`, which is not an option of `{question_id}`"),
                &format!("use one of: {}", known.join(", ")),
            );
            ok = false;
        }
    }
    ok.then(|| Condition {
        question: target.id.clone(),
        any_of: any_of.into_iter().map(OptionId::from).collect(),
    })
}
