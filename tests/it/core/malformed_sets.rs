//! Every file in `tests/malformed/` is refused with its specific problems, each
//! naming the line and column, the id involved and the fix. Every shipped set passes.

use std::path::Path;

use stackpick::guide::Catalogue;
use stackpick::questionnaire::{QuestionSet, BUILTIN_SETS, MAX_FILE_BYTES};

/// (file, the problems expected as `line:column: context: message`, fix fragment).
const EXPECTED: &[(&str, &[(&str, &str)])] = &[
    (
        "bad_emoji.toml",
        &[(
            "12:11: question `q1`, option `a`: `emoji` is `:rocket:`",
            "one emoji character",
        )],
    ),
    (
        "bad_metadata.toml",
        &[
            (
                "1:6: the set: id `Bad Id!` may only use lowercase letters",
                "use e.g. `bad_id_`",
            ),
            ("3:11: the set: `version` is 0", "from 1 up"),
            (
                "9:7: question `q1`: `min = 3`, `max = 2` with 2 options",
                "1 ≤ min ≤ max",
            ),
        ],
    ),
    (
        "duplicate_ids.toml",
        &[
            (
                "14:8: question `same`: two options have the id `x`",
                "its own id",
            ),
            (
                "18:6: question `same`: the id `same` is used by an earlier question",
                "its own id",
            ),
        ],
    ),
    (
        "effects_out_of_bounds.toml",
        &[
            (
                "25:13: question `scale`, option `open`: answers can shrink the weight of `security` to ×0.0005: `scale.open` ×0.05, `more.fast` ×0.1, `more.faster` ×0.1, under the limit of ×0.001",
                "raise `weights.security`",
            ),
            (
                "47:13: question `more`, option `rust_team`: answers can multiply the weight of `performance` to ×3125: `scale.big` ×5, `scale.bigger` ×5, `more.fast` ×5, `more.faster` ×5, `more.rust_team` ×5, over the limit of ×1000",
                "lower `weights.performance`",
            ),
            (
                "48:15: question `more`, option `rust_team`: answers can give Actix 40 points: `more.fast` +10, `more.faster` +10, `more.rust_team` +20, more than the 35",
                "more than 35 points",
            ),
        ],
    ),
    (
        "effects_out_of_range.toml",
        &[
            (
                "12:13: question `q1`, option `a`: `weights.performance = -1` is out of range",
                "from 0 (ignore) to 5",
            ),
            (
                "13:15: question `q1`, option `a`: `languages.ruby = 11` is out of range",
                "from -10 to 10",
            ),
            (
                "18:13: question `q1`, option `b`: `exclude` names unknown framework `django`",
                "nextjs, fastify",
            ),
            (
                "19:20: question `q1`, option `b`: `only_languages` must be a list",
                "[\"javascript\"]",
            ),
            (
                "20:20: question `q1`, option `b`: `team_languages = 11` is not a bonus",
                "from -10 to 10",
            ),
        ],
    ),
    (
        "label_too_long.toml",
        &[(
            "11:11: question `q1`, option `a`: `label` is 81 characters long, over the limit of 80",
            "at most 80",
        )],
    ),
    (
        "no_questions.toml",
        &[("1:1: the set: the set has no questions", "[[questions]]")],
    ),
    (
        "prompt_too_long.toml",
        &[(
            "7:10: question `q1`: `prompt` is 259 characters long, over the limit of 256",
            "at most 256",
        )],
    ),
    (
        "schema_errors_all_at_once.toml",
        &[
            (
                "5:1: question `q1`: unknown key `promt`",
                "did you mean `prompt`?",
            ),
            ("5:1: question `q1`: `prompt` is missing", "add `prompt = "),
            (
                "12:13: question `q1`, option `a`: `weights` names unknown criterion `speed`",
                "known criteria",
            ),
            (
                "17:16: question `q1`, option `b`: `frameworks` names unknown framework `nextjs2`",
                "did you mean `nextjs`?",
            ),
            (
                "18:13: question `q1`, option `b`: `weights.security = 9` is out of range",
                "from 0",
            ),
            (
                "23:12: question `q2`: `required` must be true or false, not text",
                "(no quotes)",
            ),
        ],
    ),
    (
        "show_if_later_question.toml",
        &[(
            "20:11: question `q2`: `show_if` refers to `q3`, which is not an earlier question",
            "asked before it",
        )],
    ),
    (
        "show_if_unknown_option.toml",
        &[(
            "20:11: question `q2`: `show_if` lists `c`, which is not an option of `q1`",
            "use one of: a, b",
        )],
    ),
    (
        "syntax_error.toml",
        &[("5:25: invalid basic string", "fix the TOML syntax")],
    ),
    (
        "too_many_options.toml",
        &[(
            "110:3: question `many`: the question has 26 options, over Discord's limit of 25",
            "at most 25",
        )],
    ),
];

fn folder() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/malformed"))
}

#[test]
fn each_malformed_set_reports_exactly_its_problems_with_position_and_fix() {
    let catalogue = Catalogue::builtin();
    for (file, expected) in EXPECTED {
        let bytes = std::fs::read(folder().join(file)).unwrap();
        let error = QuestionSet::from_bytes(file, &bytes, catalogue).unwrap_err();
        let report = error.to_string();
        assert_eq!(error.problems.len(), expected.len(), "{file}:\n{report}");
        for (problem, (located, fix)) in error.problems.iter().zip(expected.iter()) {
            let location = problem.location.expect("every problem here has a position");
            let line = format!("{location}: {}: {}", problem.context, problem.message);
            let line = line.replace(": : ", ": ");
            assert!(
                line.starts_with(located),
                "{file}: expected `{located}`, got `{line}`"
            );
            assert!(
                problem.fix.contains(fix),
                "{file}: fix `{}` lacks `{fix}`",
                problem.fix
            );
            assert!(report.contains(&format!("{file}:{location}:")), "{report}");
        }
    }
}

#[test]
fn every_file_in_the_malformed_folder_is_covered() {
    let mut files: Vec<String> = std::fs::read_dir(folder())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    files.sort();
    let covered: Vec<&str> = EXPECTED.iter().map(|(f, _)| *f).collect();
    assert_eq!(files, covered);
}

#[test]
fn oversize_empty_and_binary_uploads_get_clear_errors() {
    let catalogue = Catalogue::builtin();
    let big = format!("# {}\n", "x".repeat(MAX_FILE_BYTES));
    let error = QuestionSet::from_bytes("big.toml", big.as_bytes(), catalogue).unwrap_err();
    assert!(
        error
            .to_string()
            .contains("over the 65536-byte (64 KiB) limit"),
        "{error}"
    );

    let error = QuestionSet::from_bytes("empty.toml", b"", catalogue).unwrap_err();
    let report = error.to_string();
    assert!(
        report.contains("`id` is missing") && report.contains("no questions"),
        "{report}"
    );

    let error = QuestionSet::from_bytes(
        "image.png",
        &[0x89, b'P', b'N', b'G', 0xff, 0xfe],
        catalogue,
    )
    .unwrap_err();
    assert!(error.to_string().contains("not UTF-8 text"), "{error}");
}

#[test]
fn every_shipped_set_is_valid_and_the_default_covers_the_brief() {
    let catalogue = Catalogue::builtin();
    for (name, text) in BUILTIN_SETS {
        let on_disk = std::fs::read_to_string(
            Path::new(env!("CARGO_MANIFEST_DIR"))
                .join("questions")
                .join(name),
        )
        .unwrap();
        assert_eq!(&on_disk, text, "{name} is the file compiled in");
        QuestionSet::from_bytes(name, text.as_bytes(), catalogue).unwrap_or_else(|e| panic!("{e}"));
    }
    let default = super::builtin("default");
    assert!((8..=12).contains(&default.questions.len()));
    let quick = super::builtin("quick");
    assert!((3..=4).contains(&quick.questions.len()));
    let branching = super::builtin("realtime");
    assert!(
        branching
            .questions
            .iter()
            .filter(|q| q.show_if.is_some())
            .count()
            >= 2
    );
}
