//! Raw TOML → validated [`QuestionSet`]: collects every problem with its position,
//! the ids involved and a fix, and builds the set only when there is none.
//!
//! - [`checker`]: the problem collector and the typed field readers;
//! - [`keys`]: the keys as written, to report misspelt ones;
//! - [`questions`]: the set, its questions, their choice and `show_if` conditions;
//! - [`options`]: each option and its effects.

mod checker;
mod keys;
mod options;
mod questions;
#[cfg(test)]
mod tests;

use std::ops::Range;

use serde::Deserialize;

use super::raw::RawSet;
use super::{LoadError, Location, Problem, QuestionSet, Source, MAX_FILE_BYTES};
use crate::guide::Catalogue;
use checker::Checker;
use keys::Keys;
use questions::build_set;

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

/// A TOML syntax or structure error, as a problem.
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
