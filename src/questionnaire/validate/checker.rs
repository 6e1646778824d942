//! The checker that walks a raw set: it collects every problem with its position and
//! context, and reads the typed fields (text, ids, booleans, whole numbers) that every
//! table shares, reporting a wrong type like any other problem.

use std::collections::HashSet;
use std::ops::Range;

use toml::{Spanned, Value};

use super::super::{Location, Problem, MAX_ID_CHARS};
use crate::guide::Catalogue;

/// Collects problems while walking the raw set.
pub(super) struct Checker<'a> {
    /// The file's text, to turn byte offsets into lines and columns.
    pub(super) text: &'a str,
    /// The guide, for the criteria, frameworks and languages effects may name.
    pub(super) catalogue: &'a Catalogue,
    /// Every problem found so far.
    pub(super) problems: Vec<Problem>,
}

/// A scalar field as written: absent, or a value of any type with its span.
pub(super) type Field = Option<Spanned<Value>>;

impl<'a> Checker<'a> {
    /// Records a problem at `span`'s start.
    pub(super) fn report(
        &mut self,
        span: Option<Range<usize>>,
        context: &str,
        message: String,
        fix: &str,
    ) {
        self.problems.push(Problem {
            location: span.map(|s| Location::of_offset(self.text, s.start)),
            context: context.to_owned(),
            message,
            fix: fix.to_owned(),
        });
    }

    /// A string field; `None` (after reporting) when missing-but-required, mistyped
    /// or too long.
    pub(super) fn string(
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
    pub(super) fn id(
        &mut self,
        field: &Field,
        context: &str,
        fallback_span: &Range<usize>,
    ) -> Option<String> {
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

    /// The id of a table and the context its problems are reported in: `named(id)`
    /// once the id is valid, `provisional` (e.g. "question #2") until then.
    pub(super) fn id_and_context(
        &mut self,
        field: &Field,
        span: &Range<usize>,
        provisional: String,
        named: impl FnOnce(&str) -> String,
    ) -> (Option<String>, String) {
        let id = self.id(field, &provisional, span);
        let context = id.as_deref().map_or(provisional, named);
        (id, context)
    }

    /// A `true`/`false` field; `None` (after reporting) when mistyped.
    pub(super) fn boolean(&mut self, field: &Field, name: &str, context: &str) -> Option<bool> {
        self.scalar(field, context, Value::as_bool, |other| {
            (
                format!("`{name}` must be true or false, not {}", describe(other)),
                format!("write `{name} = true` or `{name} = false` (no quotes)"),
            )
        })
    }

    /// A whole-number field; `None` (after reporting) when mistyped.
    pub(super) fn integer(&mut self, field: &Field, name: &str, context: &str) -> Option<i64> {
        self.scalar(field, context, Value::as_integer, |other| {
            (
                format!("`{name}` must be a whole number, not {}", describe(other)),
                format!("write e.g. `{name} = 2` (no quotes)"),
            )
        })
    }

    /// A field read by `read`; when it is of another type, reports the message and fix
    /// that `mistyped` gives for what was written, and returns `None`.
    fn scalar<T>(
        &mut self,
        field: &Field,
        context: &str,
        read: impl FnOnce(&Value) -> Option<T>,
        mistyped: impl FnOnce(&Value) -> (String, String),
    ) -> Option<T> {
        let value = field.as_ref()?;
        let read = read(value.get_ref());
        if read.is_none() {
            let (message, fix) = mistyped(value.get_ref());
            self.report(Some(value.span()), context, message, &fix);
        }
        read
    }

    /// The id of a table as written, with its span, when it was seen before in
    /// `seen` (which records it). Checked on the raw text, so that a repeated id is
    /// caught even when the table has other problems.
    pub(super) fn repeated_id<'f>(
        seen: &mut HashSet<String>,
        field: &'f Field,
    ) -> Option<(&'f str, Range<usize>)> {
        let value = field.as_ref()?;
        let id = value.get_ref().as_str()?;
        (!seen.insert(id.to_owned())).then(|| (id, value.span()))
    }

    /// Reports keys written in a table that the format does not know, with a suggestion.
    pub(super) fn unknown_keys(
        &mut self,
        keys: Option<&[String]>,
        known: &[&str],
        context: &str,
        span: &Range<usize>,
    ) {
        let Some(keys) = keys else { return };
        for key in keys.iter().filter(|k| !known.contains(&k.as_str())) {
            let fix = did_you_mean(key, known, "keys", "remove it; known keys are ");
            self.report(
                Some(span.clone()),
                context,
                format!("unknown key `{key}`"),
                &fix,
            );
        }
    }
}

/// The fix for a word that is not one of the `known` ones (`whats`, in the plural):
/// the closest known word when one is close enough, else `otherwise`; then the list.
pub(super) fn did_you_mean(word: &str, known: &[&str], whats: &str, otherwise: &str) -> String {
    match closest(word, known) {
        Some(near) => format!("did you mean `{near}`? Known {whats}: {}", known.join(", ")),
        None => format!("{otherwise}{}", known.join(", ")),
    }
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

/// A valid id close to an invalid one, for the fix.
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

/// What kind of value was written, for messages.
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
