//! The loader never panics: arbitrary bytes, arbitrary TOML, and mutations of a real set.

use proptest::prelude::*;
use stackpick::guide::Catalogue;
use stackpick::questionnaire::{QuestionSet, BUILTIN_SETS};

/// Any TOML value, biased toward the format's own keys so validation runs deep.
fn value() -> impl Strategy<Value = toml::Value> {
    let key = prop_oneof![
        Just("id".to_owned()),
        Just("prompt".to_owned()),
        Just("label".to_owned()),
        Just("kind".to_owned()),
        Just("min".to_owned()),
        Just("max".to_owned()),
        Just("required".to_owned()),
        Just("show_if".to_owned()),
        Just("question".to_owned()),
        Just("any_of".to_owned()),
        Just("options".to_owned()),
        Just("weights".to_owned()),
        Just("frameworks".to_owned()),
        Just("languages".to_owned()),
        Just("exclude".to_owned()),
        Just("performance".to_owned()),
        Just("nextjs".to_owned()),
        "[a-z_]{1,8}",
    ];
    let leaf = prop_oneof![
        any::<i64>().prop_map(toml::Value::Integer),
        any::<f64>().prop_map(toml::Value::Float),
        any::<bool>().prop_map(toml::Value::Boolean),
        "\\PC{0,90}".prop_map(toml::Value::String),
        Just(toml::Value::String("a".to_owned())),
        Just(toml::Value::String("q1".to_owned())),
    ];
    leaf.prop_recursive(4, 64, 8, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(toml::Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..8)
                .prop_map(|m| toml::Value::Table(m.into_iter().collect())),
        ]
    })
}

fn document() -> impl Strategy<Value = String> {
    (value(), prop::collection::vec(value(), 0..4)).prop_map(|(meta, questions)| {
        let mut table = match meta {
            toml::Value::Table(t) => t,
            other => {
                let mut t = toml::Table::new();
                t.insert("id".to_owned(), other);
                t
            }
        };
        table.insert("questions".to_owned(), toml::Value::Array(questions));
        toml::to_string(&table).unwrap_or_default()
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..2048)) {
        let _ = QuestionSet::from_bytes("fuzz.toml", &bytes, Catalogue::builtin());
    }

    #[test]
    fn arbitrary_toml_never_panics_and_errors_always_say_something(text in document()) {
        if let Err(error) = QuestionSet::from_bytes("fuzz.toml", text.as_bytes(), Catalogue::builtin()) {
            prop_assert!(!error.problems.is_empty());
        }
    }

    #[test]
    fn mutated_shipped_sets_never_panic(cut in 0usize..20_000, insert in "\\PC{0,12}") {
        let text = BUILTIN_SETS[0].1;
        let mut at = cut.min(text.len());
        while !text.is_char_boundary(at) {
            at -= 1;
        }
        let mutated = format!("{}{insert}{}", &text[..at], &text[at..]);
        let _ = QuestionSet::from_bytes("fuzz.toml", mutated.as_bytes(), Catalogue::builtin());
    }
}
