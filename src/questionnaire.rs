//! Question sets: the format server admins write (TOML, one file per set, documented
//! in `questions/README.md`), its validated model, and the loader that reports every
//! problem with its line, the id involved and the fix.

mod bounds;
mod error;
mod raw;
pub mod space;
mod validate;

use serde::{Deserialize, Serialize};

pub use error::{LoadError, Location, Problem};

use crate::guide::Catalogue;
use crate::ids::{CriterionId, FrameworkId, LanguageId, OptionId, QuestionId, SetId};

/// Largest question-set file accepted, in bytes.
pub const MAX_FILE_BYTES: usize = 64 * 1024;
/// Discord shows at most 25 options in a select menu.
pub const MAX_OPTIONS: usize = 25;
/// Discord's limit for a button label.
pub const MAX_LABEL_CHARS: usize = 80;
/// Discord's limit for an embed title, where a prompt is shown.
pub const MAX_PROMPT_CHARS: usize = 256;
/// Discord's limit for a select option's description.
pub const MAX_OPTION_DESCRIPTION_CHARS: usize = 100;
/// Kept under the 1024 characters of an embed field.
pub const MAX_HELP_CHARS: usize = 1000;
/// A set's title goes in embed titles and select options.
pub const MAX_TITLE_CHARS: usize = 100;
/// Kept well under an embed description.
pub const MAX_DESCRIPTION_CHARS: usize = 1000;
/// Ids travel inside Discord custom_ids (100 characters in all), so they stay short.
pub const MAX_ID_CHARS: usize = 32;
/// More questions than this would be a chore to answer, and the "change an answer"
/// menu (a select menu) holds 25.
pub const MAX_QUESTIONS: usize = 25;
/// Criterion weight multipliers range from "does not matter" to "five times as much".
pub const WEIGHT_RANGE: std::ops::RangeInclusive<f64> = 0.0..=5.0;
/// Affinity bonuses, in guide points (a framework's total is out of 35).
pub const AFFINITY_RANGE: std::ops::RangeInclusive<f64> = -10.0..=10.0;
/// Whatever the answers, a criterion's final weight is 0 (ignored) or within these
/// bounds, so that no criterion can drown the others out and scores stay finite.
pub const WEIGHT_BOUNDS: std::ops::RangeInclusive<f64> = 0.001..=1000.0;
/// Whatever the answers, the bonus points of one framework add up to at most this
/// much, up or down: the guide's whole 35-point scale.
pub const MAX_TOTAL_BONUS: f64 = 35.0;

/// A validated question set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuestionSet {
    /// Stable id, e.g. `default`.
    pub id: SetId,
    /// Shown to users when choosing a set.
    pub title: String,
    /// What the set is for.
    pub description: String,
    /// Bumped by the author on each change.
    pub version: u32,
    /// The questions in the order they are asked.
    pub questions: Vec<Question>,
}

/// How many options a question takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Choice {
    /// Exactly one option.
    Single,
    /// Between `min` and `max` options.
    Multi {
        /// Fewest picks accepted.
        min: usize,
        /// Most picks accepted.
        max: usize,
    },
}

/// A question of a set.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Question {
    /// Unique within the set.
    pub id: QuestionId,
    /// The question as asked.
    pub prompt: String,
    /// Optional extra guidance shown under the prompt.
    pub help: Option<String>,
    /// Single or multi-choice.
    pub choice: Choice,
    /// Whether the question can be skipped.
    pub required: bool,
    /// Shown only when an earlier answer matches.
    pub show_if: Option<Condition>,
    /// Between 2 and 25 options.
    pub options: Vec<AnswerOption>,
}

impl Question {
    /// The option with this id.
    pub fn option(&self, id: &str) -> Option<&AnswerOption> {
        self.options.iter().find(|o| o.id.as_str() == id)
    }

    /// The 1-based position of an option, as shown in numbered lists.
    pub fn option_number(&self, id: &OptionId) -> Option<usize> {
        self.options.iter().position(|o| &o.id == id).map(|i| i + 1)
    }
}

/// A `show_if` condition: the question is shown when the earlier question's answer
/// includes any of the listed options.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Condition {
    /// An earlier question.
    pub question: QuestionId,
    /// Options of that question; any one of them shows this question.
    pub any_of: Vec<OptionId>,
}

/// One option of a question, with what picking it does.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnswerOption {
    /// Unique within the question.
    pub id: OptionId,
    /// At most 80 characters (Discord's button label limit).
    pub label: String,
    /// Optional line shown under the label in a select menu.
    pub description: Option<String>,
    /// Optional emoji shown before the label.
    pub emoji: Option<String>,
    /// What picking it changes.
    pub effects: Effects,
}

/// What picking an option does to the recommendation.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Effects {
    /// Criterion weight multipliers (1 = unchanged, 2 = twice as important, 0 = ignore).
    pub weights: Vec<(CriterionId, f64)>,
    /// Guide points added to (or taken from) a framework's score.
    pub frameworks: Vec<(FrameworkId, f64)>,
    /// Guide points added to every framework written in a language; a positive value
    /// also marks the language as one the team knows.
    pub languages: Vec<(LanguageId, f64)>,
    /// Frameworks ruled out.
    pub exclude: Vec<FrameworkId>,
    /// Only frameworks in these languages stay eligible.
    pub only_languages: Vec<LanguageId>,
    /// Only frameworks in a language the team knows stay eligible.
    pub only_team_languages: bool,
    /// Guide points added to every framework in a language the team knows (one some
    /// answer gave a positive `languages` bonus), e.g. for "we'd prefer to stay in it".
    #[serde(default)]
    pub team_languages: f64,
}

/// Where a question set came from, for messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Source<'a> {
    /// A file name or label.
    pub name: &'a str,
    /// The file's text.
    pub text: &'a str,
}

impl QuestionSet {
    /// Parses and validates a question set against the catalogue, reporting every
    /// problem at once. Never panics, whatever the input.
    pub fn from_toml(source: Source<'_>, catalogue: &Catalogue) -> Result<QuestionSet, LoadError> {
        validate::load(source, catalogue)
    }

    /// Like [`QuestionSet::from_toml`] for raw bytes (e.g. a Discord attachment),
    /// refusing oversize, empty and non-UTF-8 input with a clear message.
    pub fn from_bytes(
        name: &str,
        bytes: &[u8],
        catalogue: &Catalogue,
    ) -> Result<QuestionSet, LoadError> {
        let refuse = |message: &str, fix: &str| LoadError {
            source_name: name.to_owned(),
            problems: vec![Problem {
                location: None,
                context: String::new(),
                message: message.to_owned(),
                fix: fix.to_owned(),
            }],
        };
        if bytes.len() > MAX_FILE_BYTES {
            return Err(refuse(
                &format!(
                    "the file is {} bytes, over the {MAX_FILE_BYTES}-byte (64 KiB) limit",
                    bytes.len()
                ),
                "split it into smaller sets or shorten the help texts",
            ));
        }
        let text = std::str::from_utf8(bytes).map_err(|e| {
            refuse(
                &format!(
                    "the file is not UTF-8 text (bad byte at offset {})",
                    e.valid_up_to()
                ),
                "save it as a UTF-8 .toml text file",
            )
        })?;
        Self::from_toml(Source { name, text }, catalogue)
    }

    /// The question with this id.
    pub fn question(&self, id: &QuestionId) -> Option<&Question> {
        self.questions.iter().find(|q| &q.id == id)
    }

    /// The index of the question with this id.
    pub fn position(&self, id: &QuestionId) -> Option<usize> {
        self.questions.iter().position(|q| &q.id == id)
    }
}

/// Whether Discord accepts `text` as a button or select-option emoji: one Unicode
/// emoji (checked against the Unicode emoji list), or a custom emoji written
/// `<:name:id>` / `<a:name:id>`. Anything else makes Discord refuse the message.
pub fn is_discord_emoji(text: &str) -> bool {
    if let Some(inner) = text.strip_prefix('<').and_then(|t| t.strip_suffix('>')) {
        let inner = inner.strip_prefix('a').unwrap_or(inner);
        let mut parts = inner.splitn(3, ':');
        return matches!(
            (parts.next(), parts.next(), parts.next()),
            (Some(""), Some(name), Some(id))
                if (2..=32).contains(&name.len())
                    && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
                    && !id.is_empty()
                    && id.chars().all(|c| c.is_ascii_digit())
        );
    }
    emojis::get(text).is_some()
}

/// The question sets shipped with the bot, as (file name, text).
pub const BUILTIN_SETS: &[(&str, &str)] = &[
    ("default.toml", include_str!("../questions/default.toml")),
    ("quick.toml", include_str!("../questions/quick.toml")),
    ("realtime.toml", include_str!("../questions/realtime.toml")),
];

/// Loads the shipped question sets, in the order of [`BUILTIN_SETS`].
pub fn builtin_sets(catalogue: &Catalogue) -> Result<Vec<QuestionSet>, LoadError> {
    BUILTIN_SETS
        .iter()
        .map(|(name, text)| QuestionSet::from_toml(Source { name, text }, catalogue))
        .collect()
}

/// A person's answers: question id → picked option ids (empty = skipped). Only the
/// answers to questions that are shown count; see [`QuestionSet::is_shown`].
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Answers(std::collections::BTreeMap<QuestionId, Vec<OptionId>>);

impl Answers {
    /// The options picked for a question (`Some(&[])` when it was skipped).
    pub fn get(&self, question: &QuestionId) -> Option<&[OptionId]> {
        self.0.get(question).map(Vec::as_slice)
    }

    /// Records an answer, replacing any earlier one.
    pub fn set(&mut self, question: QuestionId, options: Vec<OptionId>) {
        self.0.insert(question, options);
    }

    /// Forgets an answer.
    pub fn remove(&mut self, question: &QuestionId) {
        self.0.remove(question);
    }

    /// Every recorded answer.
    pub fn iter(&self) -> impl Iterator<Item = (&QuestionId, &[OptionId])> {
        self.0.iter().map(|(q, o)| (q, o.as_slice()))
    }

    /// Reads answers written as TOML (`recommend --answers`): `question = "option"` or
    /// `question = ["a", "b"]`, `[]` to skip. The error says which key is wrong and
    /// how; whether the answers fit a set is [`Answers::check`]'s job.
    pub fn from_toml(text: &str) -> Result<Answers, String> {
        let table: toml::Table = toml::from_str(text).map_err(|e| {
            // Only the parser's message: its full report quotes the input.
            format!("it is not valid TOML: {}", e.message())
        })?;
        let mut answers = Answers::default();
        for (question, value) in table {
            let options: Option<Vec<OptionId>> = match &value {
                toml::Value::String(option) => Some(vec![OptionId::new(option.clone())]),
                toml::Value::Array(items) => items
                    .iter()
                    .map(|i| i.as_str().map(OptionId::from))
                    .collect(),
                _ => None,
            };
            let Some(options) = options else {
                return Err(format!(
                    "`{question}` must be an option id in quotes or a list of them"
                ));
            };
            answers.set(QuestionId::new(question), options);
        }
        Ok(answers)
    }

    /// Checks answers given all at once (e.g. from a file) against a set: every
    /// shown required question answered, every option known, pick counts respected.
    pub fn check(&self, set: &QuestionSet) -> Result<(), Vec<String>> {
        let mut problems = Vec::new();
        for question in self.0.keys() {
            if set.question(question).is_none() {
                problems.push(format!(
                    "`{question}` is not a question of set `{}`",
                    set.id
                ));
            }
        }
        for question in &set.questions {
            if !set.is_shown(question, self) {
                continue;
            }
            match self.get(&question.id) {
                None if question.required => problems.push(format!(
                    "question `{}` ({}) needs an answer",
                    question.id, question.prompt
                )),
                None => {}
                Some(picked) => {
                    if let Err(e) = question.check_picks(picked) {
                        problems.push(format!("question `{}`: {e}", question.id));
                    }
                }
            }
        }
        if problems.is_empty() {
            Ok(())
        } else {
            Err(problems)
        }
    }
}

/// Why a set of picks does not answer a question.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PickError {
    /// An option id the question does not have.
    #[error("`{0}` is not one of its options")]
    UnknownOption(String),
    /// The same option twice.
    #[error("`{0}` is picked twice")]
    Duplicate(String),
    /// Nothing picked, or more than one for a single-choice question.
    #[error("pick exactly one option")]
    NotOne,
    /// Too few picks for a multi-choice question.
    #[error("pick at least {0}")]
    TooFew(usize),
    /// Too many picks for a multi-choice question.
    #[error("pick at most {0}")]
    TooMany(usize),
    /// An empty answer to a required question.
    #[error("this question can't be skipped")]
    Required,
}

impl Question {
    /// Checks picks against the options and the pick counts (empty = skip).
    pub fn check_picks(&self, picked: &[OptionId]) -> Result<(), PickError> {
        if picked.is_empty() {
            return if self.required {
                Err(PickError::Required)
            } else {
                Ok(())
            };
        }
        for (i, option) in picked.iter().enumerate() {
            if self.option(option.as_str()).is_none() {
                return Err(PickError::UnknownOption(option.to_string()));
            }
            if picked[..i].contains(option) {
                return Err(PickError::Duplicate(option.to_string()));
            }
        }
        match self.choice {
            Choice::Single if picked.len() != 1 => Err(PickError::NotOne),
            Choice::Multi { min, .. } if picked.len() < min => Err(PickError::TooFew(min)),
            Choice::Multi { max, .. } if picked.len() > max => Err(PickError::TooMany(max)),
            _ => Ok(()),
        }
    }
}

impl QuestionSet {
    /// Whether a question is shown given the answers so far: its `show_if` question is
    /// shown and was answered with one of the listed options.
    pub fn is_shown(&self, question: &Question, answers: &Answers) -> bool {
        let Some(condition) = &question.show_if else {
            return true;
        };
        let Some(target) = self.question(&condition.question) else {
            return false;
        };
        // Validation guarantees the target comes earlier, so this recursion ends.
        self.is_shown(target, answers)
            && answers
                .get(&condition.question)
                .is_some_and(|picked| picked.iter().any(|p| condition.any_of.contains(p)))
    }

    /// The questions shown given the answers so far, in order.
    pub fn shown<'s>(&'s self, answers: &'s Answers) -> impl Iterator<Item = &'s Question> + 's {
        self.questions
            .iter()
            .filter(move |q| self.is_shown(q, answers))
    }
}

/// Answers drawn from a seed, for the tests of everything that takes answers.
#[cfg(test)]
pub(crate) mod sample {
    use super::{Answers, Choice, OptionId, QuestionSet};

    /// Answers to every shown question, drawn from `seed`: optional questions are
    /// sometimes skipped, multi-choice ones get from `min` to `max` picks.
    pub(crate) fn answers(set: &QuestionSet, seed: u64) -> Answers {
        let mut state = seed;
        let mut next = |n: usize| {
            state = state
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (state >> 33) as usize % n
        };
        let mut answers = Answers::default();
        for question in &set.questions {
            if !set.is_shown(question, &answers) {
                continue;
            }
            let n = question.options.len();
            let count = match question.choice {
                _ if !question.required && next(6) == 0 => 0,
                Choice::Single => 1,
                Choice::Multi { min, max } => min + next(max - min + 1),
            };
            let start = next(n);
            let picks: Vec<OptionId> = (0..count)
                .map(|k| question.options[(start + k) % n].id.clone())
                .collect();
            answers.set(question.id.clone(), picks);
        }
        answers
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn answers_toml_reads_options_and_lists_and_names_a_bad_key() {
        let answers =
            Answers::from_toml("language = \"rust\"\nscale = []\nkind = [\"a\", \"b\"]").unwrap();
        assert_eq!(
            answers.get(&QuestionId::from("language")),
            Some(&[OptionId::from("rust")][..])
        );
        assert_eq!(answers.get(&QuestionId::from("scale")), Some(&[][..]));
        assert_eq!(
            answers.get(&QuestionId::from("kind")).map(<[_]>::len),
            Some(2)
        );
        let err = Answers::from_toml("scale = 3").unwrap_err();
        assert!(err.contains("`scale` must be an option id"), "{err}");
        let err = Answers::from_toml("scale = [1]").unwrap_err();
        assert!(err.contains("`scale`"), "{err}");
        let err = Answers::from_toml("scale = \"unclosed").unwrap_err();
        assert!(err.starts_with("it is not valid TOML"), "{err}");
    }

    #[test]
    fn only_emoji_discord_accepts_pass() {
        for ok in [
            "⚡",
            "🦀",
            "🖥️",
            "☁️",
            "<:ferris:1234567890>",
            "<a:spin:42>",
        ] {
            assert!(is_discord_emoji(ok), "{ok}");
        }
        for bad in [
            ":rocket:",
            "->",
            "★★",
            "abc",
            "",
            "<:x:1>",
            "<:name:12a>",
            "<name:1>",
            "⚡⚡",
        ] {
            assert!(!is_discord_emoji(bad), "{bad}");
        }
    }
}
