//! Tests of the pure core through its public API: the guide's totals, persona
//! scenarios, exclusions, the shipped and the malformed question sets.

mod bounds;
mod chart;
mod coverage;
mod explanation;
mod loader_fuzz;
mod malformed_sets;
mod personas;
mod ranking;
mod team_mode;
mod terminal_mode;

use stackpick::guide::Catalogue;
use stackpick::ids::{OptionId, QuestionId};
use stackpick::questionnaire::{builtin_sets, Answers, QuestionSet};

/// A shipped question set by id.
pub fn builtin(id: &str) -> QuestionSet {
    builtin_sets(Catalogue::builtin())
        .expect("shipped sets are valid")
        .into_iter()
        .find(|s| s.id.as_str() == id)
        .expect("the set is shipped")
}

/// Answers from `(question, [options])` pairs.
pub fn answers(pairs: &[(&str, &[&str])]) -> Answers {
    let mut answers = Answers::default();
    for (question, options) in pairs {
        answers.set(
            QuestionId::from(*question),
            options.iter().map(|o| OptionId::from(*o)).collect(),
        );
    }
    answers
}
