//! The answers file of `stackpick recommend --answers`: any text is read as answers
//! or refused with a reason; answers that fit a built-in set give a recommendation.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stackpick::engine;
use stackpick::guide::Catalogue;
use stackpick::questionnaire::{builtin_sets, Answers, QuestionSet};

fn sets() -> &'static [QuestionSet] {
    static SETS: OnceLock<Vec<QuestionSet>> = OnceLock::new();
    SETS.get_or_init(|| builtin_sets(Catalogue::builtin()).unwrap_or_default())
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    match Answers::from_toml(text) {
        Ok(answers) => {
            for set in sets() {
                if answers.check(set).is_ok() {
                    let _ = engine::recommend(Catalogue::builtin(), set, &answers);
                }
            }
        }
        Err(reason) => assert!(!reason.is_empty()),
    }
});
