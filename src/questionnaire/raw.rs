//! The question-set file as written, kept close to the TOML with positions, before
//! validation turns it into a [`QuestionSet`](super::QuestionSet).
//!
//! Scalar fields are read as untyped spanned values so that a wrong type is reported
//! like any other problem (with its line) instead of stopping the whole load.

use serde::Deserialize;
use toml::{Spanned, Value};

/// A whole question-set file.
#[derive(Deserialize)]
pub(super) struct RawSet {
    pub id: Option<Spanned<Value>>,
    pub title: Option<Spanned<Value>>,
    pub description: Option<Spanned<Value>>,
    pub version: Option<Spanned<Value>>,
    pub questions: Option<Vec<Spanned<RawQuestion>>>,
}

/// One `[[questions]]` table.
#[derive(Deserialize)]
pub(super) struct RawQuestion {
    pub id: Option<Spanned<Value>>,
    pub prompt: Option<Spanned<Value>>,
    pub help: Option<Spanned<Value>>,
    pub kind: Option<Spanned<Value>>,
    pub min: Option<Spanned<Value>>,
    pub max: Option<Spanned<Value>>,
    pub required: Option<Spanned<Value>>,
    pub show_if: Option<Spanned<Value>>,
    pub options: Option<Vec<Spanned<RawOption>>>,
}

/// One `[[questions.options]]` table.
#[derive(Deserialize)]
pub(super) struct RawOption {
    pub id: Option<Spanned<Value>>,
    pub label: Option<Spanned<Value>>,
    pub description: Option<Spanned<Value>>,
    pub emoji: Option<Spanned<Value>>,
    pub weights: Option<Spanned<Value>>,
    pub frameworks: Option<Spanned<Value>>,
    pub languages: Option<Spanned<Value>>,
    pub exclude: Option<Spanned<Value>>,
    pub only_languages: Option<Spanned<Value>>,
    pub only_team_languages: Option<Spanned<Value>>,
    pub team_languages: Option<Spanned<Value>>,
}

/// The keys each table accepts, to report typos with a suggestion.
pub(super) const SET_KEYS: &[&str] = &["id", "title", "description", "version", "questions"];
/// Keys of a `[[questions]]` table.
pub(super) const QUESTION_KEYS: &[&str] = &[
    "id", "prompt", "help", "kind", "min", "max", "required", "show_if", "options",
];
/// Keys of a `[[questions.options]]` table.
pub(super) const OPTION_KEYS: &[&str] = &[
    "id",
    "label",
    "description",
    "emoji",
    "weights",
    "frameworks",
    "languages",
    "exclude",
    "only_languages",
    "only_team_languages",
    "team_languages",
];
/// Keys of a `show_if` table.
pub(super) const SHOW_IF_KEYS: &[&str] = &["question", "any_of"];
