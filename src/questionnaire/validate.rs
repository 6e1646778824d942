//! Raw TOML → validated [`QuestionSet`]: collects every problem with its position,
//! the ids involved and a fix, and builds the set only when there is none.

use std::collections::HashSet;
use std::ops::Range;

use serde::Deserialize;
use toml::{Spanned, Value};

use super::raw::{self, RawOption, RawQuestion, RawSet};
use super::{
    AnswerOption, Choice, Condition, Effects, LoadError, Location, Problem, Question, QuestionSet,
    Source, AFFINITY_RANGE, MAX_DESCRIPTION_CHARS, MAX_FILE_BYTES, MAX_HELP_CHARS, MAX_ID_CHARS,
    MAX_LABEL_CHARS, MAX_OPTIONS, MAX_OPTION_DESCRIPTION_CHARS, MAX_PROMPT_CHARS, MAX_QUESTIONS,
    MAX_TITLE_CHARS, WEIGHT_RANGE,
};
use crate::guide::Catalogue;
use crate::ids::{CriterionId, FrameworkId, LanguageId, OptionId, QuestionId, SetId};

/// Collects problems while walking the raw set.
struct Checker<'a> {
    text: &'a str,
    catalogue: &'a Catalogue,
    problems: Vec<Problem>,
}

type Field = Option<Spanned<Value>>;

impl<'a> Checker<'a> {
    fn report(&mut self, span: Option<Range<usize>>, context: &str, message: String, fix: &str) {
        self.problems.push(Problem {
            location: span.map(|s| Location::of_offset(self.text, s.start)),
            context: context.to_owned(),
            message,
            fix: fix.to_owned(),
        });
    }

    /// A string field; `None` (after reporting) when missing-but-required, mistyped
    /// or too long.
    fn string(
        &mut self,
        field: &Field,
        name: &str,
        context: &str,
        required: Option<&str>,
        max_chars: usize,
        fallback_span: &Range<usize>,
    ) -> Option<String> {
        let Some(value) = field else {
            if let Some(example) = required {
                self.report(
                    Some(fallback_span.clone()),
                    context,
                    format!("`{name}` is missing"),
                    &format!("add `{name} = {example}`"),
                );
            }
            return None;
        };
        let Value::String(text) = value.get_ref() else {
            self.report(
                Some(value.span()),
                context,
                format!(
                    "`{name}` must be text in quotes, not {}",
                    describe(value.get_ref())
                ),
                &format!("write it as `{name} = \"...\"`"),
            );
            return None;
        };
        let trimmed = text.trim();
        if trimmed.is_empty() {
            self.report(
                Some(value.span()),
                context,
                format!("`{name}` is empty"),
                "write some text between the quotes",
            );
            return None;
        }
        let chars = trimmed.chars().count();
        if chars > max_chars {
            self.report(
                Some(value.span()),
                context,
                format!("`{name}` is {chars} characters long, over the limit of {max_chars}"),
                &format!("shorten it to at most {max_chars} characters"),
            );
            return None;
        }
        Some(trimmed.to_owned())
    }

    /// An id: short, lowercase letters, digits, `_` and `-`, so it fits custom_ids.
    fn id(&mut self, field: &Field, context: &str, fallback_span: &Range<usize>) -> Option<String> {
        let id = self.string(
            field,
            "id",
            context,
            Some("\"my_id\""),
            MAX_ID_CHARS,
            fallback_span,
        )?;
        let valid = id
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
        if !valid {
            let span = field.as_ref().map(Spanned::span);
            self.report(
                span,
                context,
                format!("id `{id}` may only use lowercase letters, digits, `_` and `-`"),
                &format!("use e.g. `{}`", suggest_id(&id)),
            );
            return None;
        }
        Some(id)
    }

    fn boolean(&mut self, field: &Field, name: &str, context: &str) -> Option<bool> {
        let value = field.as_ref()?;
        match value.get_ref() {
            Value::Boolean(b) => Some(*b),
            other => {
                self.report(
                    Some(value.span()),
                    context,
                    format!("`{name}` must be true or false, not {}", describe(other)),
                    &format!("write `{name} = true` or `{name} = false` (no quotes)"),
                );
                None
            }
        }
    }

    fn integer(&mut self, field: &Field, name: &str, context: &str) -> Option<i64> {
        let value = field.as_ref()?;
        match value.get_ref() {
            Value::Integer(i) => Some(*i),
            other => {
                self.report(
                    Some(value.span()),
                    context,
                    format!("`{name}` must be a whole number, not {}", describe(other)),
                    &format!("write e.g. `{name} = 2` (no quotes)"),
                );
                None
            }
        }
    }

    /// Reports keys written in a table that the format does not know, with a suggestion.
    fn unknown_keys(
        &mut self,
        keys: Option<&[String]>,
        known: &[&str],
        context: &str,
        span: &Range<usize>,
    ) {
        let Some(keys) = keys else { return };
        for key in keys.iter().filter(|k| !known.contains(&k.as_str())) {
            let fix = match closest(key, known) {
                Some(near) => format!("did you mean `{near}`? Known keys: {}", known.join(", ")),
                None => format!("remove it; known keys are {}", known.join(", ")),
            };
            self.report(
                Some(span.clone()),
                context,
                format!("unknown key `{key}`"),
                &fix,
            );
        }
    }
}

/// Parses, checks and builds a question set.
pub(super) fn load(source: Source<'_>, catalogue: &Catalogue) -> Result<QuestionSet, LoadError> {
    let fail = |problems: Vec<Problem>| LoadError {
        source_name: source.name.to_owned(),
        problems,
    };
    if source.text.len() > MAX_FILE_BYTES {
        return Err(fail(vec![Problem {
            location: None,
            context: String::new(),
            message: format!(
                "the file is {} bytes, over the {MAX_FILE_BYTES}-byte (64 KiB) limit",
                source.text.len()
            ),
            fix: "split it into smaller sets or shorten the help texts".to_owned(),
        }]));
    }
    // One parse: the document gives the keys as written (to spot misspelt ones), then
    // becomes the deserializer of the spanned raw model.
    let document = toml_edit::ImDocument::parse(source.text)
        .map_err(|e| fail(vec![syntax_problem(source.text, e.message(), e.span())]))?;
    let keys = Keys::of(&document);
    let raw = RawSet::deserialize(toml_edit::de::Deserializer::from(document))
        .map_err(|e| fail(vec![syntax_problem(source.text, e.message(), e.span())]))?;

    let mut checker = Checker {
        text: source.text,
        catalogue,
        problems: Vec::new(),
    };
    let set = build_set(&mut checker, &raw, &keys);
    match set {
        Some(set) if checker.problems.is_empty() => Ok(set),
        _ => {
            let mut problems = checker.problems;
            // File order: located problems by position, then the rest.
            problems.sort_by_key(|p| p.location.map_or((usize::MAX, 0), |l| (l.line, l.column)));
            Err(fail(problems))
        }
    }
}

/// The keys written at each level of a question-set file.
#[derive(Default)]
struct Keys {
    top: Vec<String>,
    /// Per `[[questions]]`: its keys, and per option the option's keys.
    questions: Vec<(Vec<String>, Vec<Vec<String>>)>,
}

impl Keys {
    fn of(document: &toml_edit::ImDocument<&str>) -> Keys {
        let names =
            |table: &dyn toml_edit::TableLike| table.iter().map(|(k, _)| k.to_owned()).collect();
        let questions = tables(document.get("questions"))
            .into_iter()
            .map(|q| {
                let options = tables(q.get("options")).into_iter().map(names).collect();
                (names(q), options)
            })
            .collect();
        Keys {
            top: names(document.as_table()),
            questions,
        }
    }

    fn question(&self, index: usize) -> Option<&[String]> {
        self.questions.get(index).map(|(own, _)| own.as_slice())
    }

    fn option(&self, question: usize, option: usize) -> Option<&[String]> {
        self.questions
            .get(question)?
            .1
            .get(option)
            .map(Vec::as_slice)
    }
}

/// The tables of an array of tables, written either as `[[header]]` sections or as an
/// inline array of `{ … }`.
fn tables(item: Option<&toml_edit::Item>) -> Vec<&dyn toml_edit::TableLike> {
    match item {
        Some(toml_edit::Item::ArrayOfTables(array)) => array
            .iter()
            .map(|t| t as &dyn toml_edit::TableLike)
            .collect(),
        Some(toml_edit::Item::Value(toml_edit::Value::Array(array))) => array
            .iter()
            .filter_map(|v| v.as_inline_table().map(|t| t as &dyn toml_edit::TableLike))
            .collect(),
        _ => Vec::new(),
    }
}

fn syntax_problem(text: &str, message: &str, span: Option<Range<usize>>) -> Problem {
    Problem {
        location: span.map(|s| Location::of_offset(text, s.start)),
        context: String::new(),
        message: message.trim().to_owned(),
        fix: "fix the TOML syntax here (quotes around text, `key = value`, [[questions]] and \
              [[questions.options]] headers); see questions/README.md"
            .to_owned(),
    }
}

fn build_set(c: &mut Checker<'_>, raw: &RawSet, keys: &Keys) -> Option<QuestionSet> {
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
        // Duplicates are checked on the raw id so they are caught even when the
        // question has other problems.
        if let Some(id) = raw_question
            .get_ref()
            .id
            .as_ref()
            .and_then(|v| v.get_ref().as_str())
        {
            if !seen_ids.insert(id.to_owned()) {
                c.report(
                    raw_question.get_ref().id.as_ref().map(Spanned::span),
                    &format!("question `{id}`"),
                    format!("the id `{id}` is used by an earlier question"),
                    "give every question its own id",
                );
                all_ok = false;
            }
        }
        match build_question(c, index, raw_question, keys, &questions) {
            Some(question) => questions.push(question),
            None => all_ok = false,
        }
    }
    if all_ok {
        for found in super::bounds::problems(c.catalogue, raw_questions, &questions) {
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

fn build_question(
    c: &mut Checker<'_>,
    index: usize,
    spanned: &Spanned<RawQuestion>,
    keys: &Keys,
    earlier: &[Question],
) -> Option<Question> {
    let raw = spanned.get_ref();
    let span = spanned.span();
    let provisional = format!("question #{}", index + 1);
    let id = c.id(&raw.id, &provisional, &span);
    let context = id
        .as_ref()
        .map_or(provisional, |id| format!("question `{id}`"));
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
        if let Some(id) = raw_option
            .get_ref()
            .id
            .as_ref()
            .and_then(|v| v.get_ref().as_str())
        {
            if !seen.insert(id.to_owned()) {
                c.report(
                    raw_option.get_ref().id.as_ref().map(Spanned::span),
                    &context,
                    format!("two options have the id `{id}`"),
                    "give every option of a question its own id",
                );
                options_ok = false;
            }
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

fn build_option(
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
        if !super::is_discord_emoji(emoji) {
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
            let fix = match closest(key, known) {
                Some(near) => format!("did you mean `{near}`? Known {whats}: {}", known.join(", ")),
                None => format!("use one of the known {whats}: {}", known.join(", ")),
            };
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
            let fix = match closest(item, known) {
                Some(near) => format!("did you mean `{near}`? Known {what}s: {}", known.join(", ")),
                None => format!("use one of the known {what}s: {}", known.join(", ")),
            };
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

/// The known word closest to a misspelt one, if any is close enough.
fn closest<'k>(word: &str, known: &[&'k str]) -> Option<&'k str> {
    known
        .iter()
        .map(|k| (strsim::jaro_winkler(word, k), *k))
        .filter(|(score, _)| *score > 0.8)
        .max_by(|a, b| a.0.total_cmp(&b.0))
        .map(|(_, k)| k)
}

fn suggest_id(id: &str) -> String {
    let cleaned: String = id
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .take(MAX_ID_CHARS)
        .collect();
    if cleaned.trim_matches('_').is_empty() {
        "my_id".to_owned()
    } else {
        cleaned
    }
}

fn describe(value: &Value) -> &'static str {
    match value {
        Value::String(_) => "text",
        Value::Integer(_) => "a whole number",
        Value::Float(_) => "a number",
        Value::Boolean(_) => "true/false",
        Value::Datetime(_) => "a date",
        Value::Array(_) => "a list",
        Value::Table(_) => "a table",
    }
}
