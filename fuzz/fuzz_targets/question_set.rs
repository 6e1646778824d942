//! The question-set loader (`/questions upload`, `questions_dir`, `stackpick check`):
//! any bytes give a set or a list of problems, never a panic; a set it accepts can be
//! asked (every question renders as a step of a conversation).
#![no_main]

use libfuzzer_sys::fuzz_target;
use stackpick::conversation::Conversation;
use stackpick::engine;
use stackpick::guide::Catalogue;
use stackpick::questionnaire::{Answers, QuestionSet};

fuzz_target!(|data: &[u8]| {
    let catalogue = Catalogue::builtin();
    match QuestionSet::from_bytes("fuzz.toml", data, catalogue) {
        Ok(set) => {
            let conversation = Conversation::start(&set);
            let _ = conversation.view(&set, catalogue);
            let _ = engine::recommend(catalogue, &set, &Answers::default());
        }
        Err(error) => assert!(!error.to_string().is_empty()),
    }
});
