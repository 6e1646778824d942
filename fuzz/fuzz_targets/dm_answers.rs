//! Typed DM answers: each line of the input is a message typed to the bot during a
//! conversation on a built-in set (chosen by the first byte). Every reply is read as
//! an answer or refused with a reason, never a panic, and an answer it reads is one
//! the conversation accepts or refuses cleanly.
#![no_main]

use std::sync::OnceLock;

use libfuzzer_sys::fuzz_target;
use stackpick::conversation::Conversation;
use stackpick::guide::Catalogue;
use stackpick::questionnaire::{builtin_sets, QuestionSet};

fn sets() -> &'static [QuestionSet] {
    static SETS: OnceLock<Vec<QuestionSet>> = OnceLock::new();
    SETS.get_or_init(|| builtin_sets(Catalogue::builtin()).unwrap_or_default())
}

fuzz_target!(|data: &[u8]| {
    let catalogue = Catalogue::builtin();
    let sets = sets();
    let (Some(first), Ok(text)) = (
        data.first(),
        std::str::from_utf8(data.get(1..).unwrap_or_default()),
    ) else {
        return;
    };
    let Some(set) = sets.get(usize::from(*first) % sets.len().max(1)) else {
        return;
    };
    let mut conversation = Conversation::start(set);
    for line in text.lines().take(64) {
        if !conversation.is_waiting() {
            break;
        }
        match conversation.parse_typed(set, catalogue, line) {
            Ok(input) => {
                if let Ok(next) = conversation.apply(set, catalogue, input) {
                    conversation = next;
                }
            }
            Err(reason) => assert!(!reason.is_empty()),
        }
        let _ = conversation.view(set, catalogue);
    }
});
