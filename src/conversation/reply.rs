//! Typed replies (terminal lines, DM messages) → conversation input: an option's
//! number, its label or id, a close match, or a command word.

use super::{Conflict, Input};
use crate::guide::normalise;
use crate::ids::OptionId;
use crate::questionnaire::{Choice, Question};

/// How close (Jaro-Winkler) a typed word must be to a label to count as a match.
const CLOSE_MATCH: f64 = 0.85;

/// Why a reply was not understood. The adapter turns it into a nudge that lists the
/// valid answers.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ReplyError {
    /// Nothing but spaces.
    #[error("the reply is empty")]
    Empty,
    /// A number outside 1..=options.
    #[error("there is no option {number}; pick 1 to {count}")]
    NoSuchNumber {
        /// What was typed.
        number: usize,
        /// How many options there are.
        count: usize,
    },
    /// Neither a number, a label, nor a command.
    #[error("“{0}” doesn't match any option")]
    NoMatch(String),
    /// Several options on a single-choice question.
    #[error("pick just one option")]
    SeveralForSingle,
}

/// Reads a typed reply to `question`. Command words: back/b, skip/s, cancel/quit/q,
/// restart/start over. Several options for a multi-choice question are separated by
/// commas or spaces ("1, 3" or "1 3").
pub fn parse_reply(question: &Question, text: &str) -> Result<Input, ReplyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ReplyError::Empty);
    }
    // An exact whole-reply match first: labels containing commas or spaces work, and
    // an option labelled "Skip" or "Reset" can still be picked by typing it.
    if let Some(option) = exact_match(question, text) {
        return Ok(Input::Answer(vec![option]));
    }
    match normalise(text).as_str() {
        "b" | "back" | "previous" => return Ok(Input::Back),
        "s" | "skip" | "pass" => return Ok(Input::Skip),
        "q" | "quit" | "cancel" | "stop" | "exit" => return Ok(Input::Cancel),
        "restart" | "startover" | "reset" => return Ok(Input::Restart),
        _ => {}
    }
    let parts: Vec<&str> = if text.contains(',') {
        text.split(',')
            .map(str::trim)
            .filter(|p| !p.is_empty())
            .collect()
    } else {
        text.split_whitespace().collect()
    };
    // Several words that are not several options ("javascript typescript") are one
    // fuzzy answer.
    let parts = if parts.len() > 1 && !parts.iter().all(|p| exact_match(question, p).is_some()) {
        vec![text]
    } else {
        parts
    };
    if parts.len() > 1 && question.choice == Choice::Single {
        return Err(ReplyError::SeveralForSingle);
    }
    let mut picked = Vec::with_capacity(parts.len());
    for part in parts {
        let option =
            match_one(question, part)?.ok_or_else(|| ReplyError::NoMatch(part.to_owned()))?;
        if !picked.contains(&option) {
            picked.push(option);
        }
    }
    Ok(Input::Answer(picked))
}

/// Reads a typed reply to a contradiction: the number of a way out (as listed by
/// [`Conflict::resolutions`]), `keep`, `this` (change this answer), or a command word.
pub fn parse_resolution(conflict: &Conflict, text: &str) -> Result<Input, ReplyError> {
    let text = text.trim();
    if text.is_empty() {
        return Err(ReplyError::Empty);
    }
    let choices = conflict.resolutions();
    if let Ok(number) = text.trim_end_matches(['.', ')']).parse::<usize>() {
        return number
            .checked_sub(1)
            .and_then(|i| choices.get(i))
            .map(super::Resolution::input)
            .ok_or(ReplyError::NoSuchNumber {
                number,
                count: choices.len(),
            });
    }
    match normalise(text).as_str() {
        "k" | "keep" | "keepthem" | "keepboth" | "keepall" | "continue" => Ok(Input::KeepAnswers),
        "this" | "change" | "changethis" | "changethisanswer" => {
            Ok(Input::Change(conflict.this.question.clone()))
        }
        "b" | "back" | "previous" => Ok(Input::Back),
        "q" | "quit" | "cancel" | "stop" | "exit" => Ok(Input::Cancel),
        "restart" | "startover" | "reset" => Ok(Input::Restart),
        _ => Err(ReplyError::NoMatch(text.to_owned())),
    }
}

/// A number in range, or a label or id typed exactly (ignoring case and punctuation).
fn exact_match(question: &Question, text: &str) -> Option<OptionId> {
    if let Ok(number) = text.trim_end_matches(['.', ')']).parse::<usize>() {
        return number
            .checked_sub(1)
            .and_then(|i| question.options.get(i))
            .map(|o| o.id.clone());
    }
    let wanted = normalise(text);
    question
        .options
        .iter()
        .find(|o| {
            !wanted.is_empty()
                && (normalise(&o.label) == wanted || normalise(o.id.as_str()) == wanted)
        })
        .map(|o| o.id.clone())
}

/// One option from a number, an exact label or id, a unique label prefix, or a
/// unique close match.
fn match_one(question: &Question, text: &str) -> Result<Option<OptionId>, ReplyError> {
    let count = question.options.len();
    if let Ok(number) = text.trim_end_matches(['.', ')']).parse::<usize>() {
        return match number.checked_sub(1).and_then(|i| question.options.get(i)) {
            Some(option) => Ok(Some(option.id.clone())),
            None => Err(ReplyError::NoSuchNumber { number, count }),
        };
    }
    if let Some(option) = exact_match(question, text) {
        return Ok(Some(option));
    }
    let wanted = normalise(text);
    if wanted.is_empty() {
        return Ok(None);
    }
    let prefixed: Vec<_> = question
        .options
        .iter()
        .filter(|o| wanted.len() >= 3 && normalise(&o.label).starts_with(&wanted))
        .collect();
    if let [only] = prefixed.as_slice() {
        return Ok(Some(only.id.clone()));
    }
    let mut scored: Vec<(f64, &OptionId)> = question
        .options
        .iter()
        .map(|o| (strsim::jaro_winkler(&wanted, &normalise(&o.label)), &o.id))
        .filter(|(score, _)| *score >= CLOSE_MATCH)
        .collect();
    scored.sort_by(|a, b| b.0.total_cmp(&a.0));
    match scored.as_slice() {
        [(best, id), rest @ ..] if rest.first().is_none_or(|(next, _)| best - next > 0.05) => {
            Ok(Some((*id).clone()))
        }
        _ => Ok(None),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::{AnswerOption, Effects};

    fn question(choice: Choice) -> Question {
        let option = |id: &str, label: &str| AnswerOption {
            id: OptionId::from(id),
            label: label.to_owned(),
            description: None,
            emoji: None,
            effects: Effects::default(),
        };
        Question {
            id: "q".into(),
            prompt: "Which?".to_owned(),
            help: None,
            choice,
            required: true,
            show_if: None,
            options: vec![
                option("js", "JavaScript / TypeScript"),
                option("ruby", "Ruby"),
                option("rust", "Rust"),
            ],
        }
    }

    fn answer(ids: &[&str]) -> Input {
        Input::Answer(ids.iter().map(|id| OptionId::from(*id)).collect())
    }

    #[test]
    fn numbers_labels_ids_and_close_matches_pick_options() {
        let q = question(Choice::Single);
        assert_eq!(parse_reply(&q, "2"), Ok(answer(&["ruby"])));
        assert_eq!(parse_reply(&q, " 3. "), Ok(answer(&["rust"])));
        assert_eq!(parse_reply(&q, "ruby"), Ok(answer(&["ruby"])));
        assert_eq!(
            parse_reply(&q, "javascript/typescript"),
            Ok(answer(&["js"]))
        );
        assert_eq!(parse_reply(&q, "Javascript"), Ok(answer(&["js"])));
        assert_eq!(parse_reply(&q, "Rubyy"), Ok(answer(&["ruby"])));
    }

    #[test]
    fn command_words_become_navigation() {
        let q = question(Choice::Single);
        assert_eq!(parse_reply(&q, "Back"), Ok(Input::Back));
        assert_eq!(parse_reply(&q, "s"), Ok(Input::Skip));
        assert_eq!(parse_reply(&q, "cancel"), Ok(Input::Cancel));
        assert_eq!(parse_reply(&q, "start over"), Ok(Input::Restart));
    }

    #[test]
    fn an_option_labelled_like_a_command_can_still_be_typed() {
        let mut q = question(Choice::Single);
        q.options[2].label = "Reset".to_owned();
        assert_eq!(parse_reply(&q, "reset"), Ok(answer(&["rust"])));
        assert_eq!(parse_reply(&q, "restart"), Ok(Input::Restart));
    }

    #[test]
    fn multi_choice_takes_several_and_single_choice_refuses_them() {
        let multi = question(Choice::Multi { min: 1, max: 3 });
        assert_eq!(parse_reply(&multi, "1, 3"), Ok(answer(&["js", "rust"])));
        assert_eq!(
            parse_reply(&multi, "ruby rust"),
            Ok(answer(&["ruby", "rust"]))
        );
        let single = question(Choice::Single);
        assert_eq!(
            parse_reply(&single, "1 2"),
            Err(ReplyError::SeveralForSingle)
        );
    }

    #[test]
    fn unknown_replies_are_errors_not_guesses() {
        let q = question(Choice::Single);
        assert_eq!(
            parse_reply(&q, "7"),
            Err(ReplyError::NoSuchNumber {
                number: 7,
                count: 3
            })
        );
        assert_eq!(
            parse_reply(&q, "python"),
            Err(ReplyError::NoMatch("python".to_owned()))
        );
        assert_eq!(parse_reply(&q, "   "), Err(ReplyError::Empty));
        // "ru" is a prefix of two labels: ambiguous, so no match.
        assert!(parse_reply(&q, "ru").is_err());
    }
}
