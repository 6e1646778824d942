//! Every validation rule, each on a minimal file: the problem is reported with its
//! line and column, the part of the set involved, and the fix.

use super::super::*;

/// A set whose metadata takes lines 1 to 3, so that `$body` starts on line 4.
macro_rules! set {
    ($body:literal) => {
        concat!("id = \"t\"\ntitle = \"T\"\nversion = 1\n", $body)
    };
}

/// One question with two options, lines 4 to 7.
const VALID: &str = set!(
    r#"[[questions]]
id = "q1"
prompt = "Q?"
options = [{ id = "a", label = "A" }, { id = "b", label = "B" }]
"#
);

fn load(text: &str) -> Result<QuestionSet, LoadError> {
    QuestionSet::from_toml(
        Source {
            name: "t.toml",
            text,
        },
        Catalogue::builtin(),
    )
}

fn problems(text: &str) -> Vec<Problem> {
    match load(text) {
        Ok(set) => panic!("expected problems, loaded {set:?}"),
        Err(error) => error.problems,
    }
}

/// Each problem as `line:column context: message` (without a location when it has none).
fn located(text: &str) -> Vec<String> {
    problems(text)
        .iter()
        .map(|p| match p.location {
            Some(at) => format!("{at} {}: {}", p.context, p.message),
            None => format!("{}: {}", p.context, p.message),
        })
        .collect()
}

/// Line and column, 1-based.
fn loc(line: usize, column: usize) -> Location {
    Location { line, column }
}

/// Where `needle`, which occurs once in `text`, starts: the position a problem about
/// it must name.
fn at(text: &str, needle: &str) -> Location {
    assert_eq!(
        text.matches(needle).count(),
        1,
        "`{needle}` once in:\n{text}"
    );
    let before = &text[..text.find(needle).unwrap()];
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    Location {
        line: before.matches('\n').count() + 1,
        column: before[line_start..].chars().count() + 1,
    }
}

/// The only problem of a file, after checking where it is, the part of the set it
/// names and what it says.
fn only_at(text: &str, location: Location, context: &str, message: &str) -> Problem {
    let problem = only(text);
    assert_eq!(
        (
            problem.location,
            problem.context.as_str(),
            problem.message.as_str()
        ),
        (Some(location), context, message)
    );
    problem
}

/// Checks how the fix of a problem begins.
fn assert_fix_starts(problem: &Problem, prefix: &str) {
    assert!(problem.fix.starts_with(prefix), "{}", problem.fix);
}

/// The only problem of a file.
fn only(text: &str) -> Problem {
    let mut problems = problems(text);
    assert_eq!(problems.len(), 1, "{problems:#?}");
    problems.remove(0)
}

/// `text` repeated to exactly `chars` characters.
fn chars(text: &str, chars: usize) -> String {
    text.repeat(chars).chars().take(chars).collect()
}

/// The VALID set with the first option's label replaced.
fn with_label(label: &str) -> String {
    VALID.replace("label = \"A\"", &format!("label = \"{label}\""))
}

/// A set with one question of `count` options.
fn with_options(count: usize) -> String {
    let options: Vec<String> = (0..count)
        .map(|i| format!("{{ id = \"o{i}\", label = \"O{i}\" }}"))
        .collect();
    format!(
        "{}[[questions]]\nid = \"q1\"\nprompt = \"Q?\"\noptions = [\n{}\n]\n",
        set!(""),
        options.join(",\n")
    )
}

#[test]
fn a_minimal_set_loads_with_single_choice_required_and_no_effects() {
    let set = load(VALID).unwrap();
    assert_eq!(
        (set.id.as_str(), set.title.as_str(), set.version),
        ("t", "T", 1)
    );
    let question = &set.questions[0];
    assert_eq!(question.choice, Choice::Single);
    assert!(question.required && question.show_if.is_none() && question.help.is_none());
    assert_eq!(question.options.len(), 2);
    assert_eq!(question.options[0].effects, Effects::default());
}

#[test]
fn an_unknown_key_in_the_set_is_reported_with_the_key_it_resembles() {
    let text = VALID.replace("title = ", "titel = ");
    assert_eq!(
        located(&text),
        [
            "1:1 the set: unknown key `titel`",
            "1:1 the set: `title` is missing",
        ]
    );
    let problems = problems(&text);
    assert_eq!(
        problems[0].fix,
        "did you mean `title`? Known keys: id, title, description, version, questions"
    );
    assert_eq!(problems[1].fix, "add `title = \"My question set\"`");
}

#[test]
fn an_unknown_key_like_no_known_one_is_to_be_removed() {
    let problem = only_at(
        &VALID.replace("prompt = \"Q?\"", "prompt = \"Q?\"\ncolour = 3"),
        loc(4, 1),
        "question `q1`",
        "unknown key `colour`",
    );
    assert_fix_starts(&problem, "remove it; known keys are id, prompt, help, kind");
}

#[test]
fn an_unknown_key_in_an_option_names_the_option() {
    let text = VALID.replace("label = \"B\"", "label = \"B\", lable = \"B\"");
    // Unknown keys are reported where their table starts.
    let problem = only_at(
        &text,
        at(&text, "{ id = \"b\""),
        "question `q1`, option `b`",
        "unknown key `lable`",
    );
    assert_fix_starts(&problem, "did you mean `label`?");
}

#[test]
fn an_unknown_criterion_is_reported_with_the_one_it_resembles() {
    let text = VALID.replace(
        "label = \"A\"",
        "label = \"A\", weights = { perfomance = 2 }",
    );
    let problem = only_at(
        &text,
        at(&text, "{ perfomance"),
        "question `q1`, option `a`",
        "`weights` names unknown criterion `perfomance`",
    );
    assert_eq!(
        problem.fix,
        "did you mean `performance`? Known criteria: performance, scalability, flexibility, \
         community, learning_curve, security, future_proofing"
    );
}

#[test]
fn unknown_frameworks_and_languages_are_reported_in_bonuses_and_restrictions() {
    for (what, bonus, (typo, near), restriction, far) in [
        (
            "framework",
            "frameworks",
            ("rials", "rails"),
            "exclude",
            "django",
        ),
        (
            "language",
            "languages",
            ("rubby", "ruby"),
            "only_languages",
            "cobol",
        ),
    ] {
        let text = VALID.replace(
            "label = \"B\"",
            &format!("label = \"B\", {bonus} = {{ {typo} = 1 }}, {restriction} = [\"{far}\"]"),
        );
        assert_eq!(
            located(&text),
            [
                format!(
                    "{} question `q1`, option `b`: `{bonus}` names unknown {what} `{typo}`",
                    at(&text, &format!("{{ {typo}"))
                ),
                format!(
                    "{} question `q1`, option `b`: `{restriction}` names unknown {what} `{far}`",
                    at(&text, &format!("[\"{far}"))
                ),
            ]
        );
        let problems = problems(&text);
        assert_fix_starts(
            &problems[0],
            &format!("did you mean `{near}`? Known {what}s: "),
        );
        assert_fix_starts(&problems[1], &format!("use one of the known {what}s: "));
    }
}

#[test]
fn a_question_id_used_twice_is_reported_at_the_second_use() {
    let text = format!(
        "{VALID}\n{}",
        &VALID[VALID.find("[[questions]]").unwrap()..]
    );
    let problem = only_at(
        &text,
        loc(10, 6),
        "question `q1`",
        "the id `q1` is used by an earlier question",
    );
    assert_eq!(problem.fix, "give every question its own id");
}

#[test]
fn an_option_id_used_twice_in_a_question_is_reported() {
    let text = VALID.replace("id = \"b\"", "id = \"a\"");
    let problem = only_at(
        &text,
        at(&text, "\"a\", label = \"B\""),
        "question `q1`",
        "two options have the id `a`",
    );
    assert_eq!(problem.fix, "give every option of a question its own id");
}

/// VALID with a second question (lines 8 to 12) whose `show_if` is `condition`.
fn follow_up(condition: &str) -> String {
    format!(
        "{VALID}[[questions]]\nid = \"q2\"\nprompt = \"Then?\"\nshow_if = {condition}\n\
         options = [{{ id = \"x\", label = \"X\" }}, {{ id = \"y\", label = \"Y\" }}]\n"
    )
}

#[test]
fn show_if_on_an_earlier_question_and_its_options_is_accepted() {
    let set = load(&follow_up(r#"{ question = "q1", any_of = ["b"] }"#)).unwrap();
    let condition = set.questions[1].show_if.as_ref().unwrap();
    assert_eq!(condition.question.as_str(), "q1");
    assert_eq!(condition.any_of, [OptionId::from("b")]);
}

#[test]
fn show_if_on_an_unknown_question_the_question_itself_or_a_later_one_is_refused() {
    for (target, message) in [
        (
            "nope",
            "`show_if` refers to `nope`, which is not an earlier question",
        ),
        ("q2", "`show_if` refers to the question itself"),
    ] {
        let problem = only_at(
            &follow_up(&format!("{{ question = \"{target}\", any_of = [\"a\"] }}")),
            loc(11, 11),
            "question `q2`",
            message,
        );
        assert!(problem.fix.contains("asked before it"), "{}", problem.fix);
    }
    // The first question depends on the second, asked after it.
    let text = format!(
        "{}{}",
        VALID.replace(
            "prompt = \"Q?\"",
            "prompt = \"Q?\"\nshow_if = { question = \"q2\", any_of = [\"a\"] }",
        ),
        &VALID[VALID.find("[[questions]]").unwrap()..].replace("q1", "q2")
    );
    let problem = only_at(
        &text,
        at(&text, "{ question"),
        "question `q1`",
        "`show_if` refers to `q2`, which is not an earlier question",
    );
    assert_fix_starts(
        &problem,
        "a follow-up can only depend on a question asked before it",
    );
}

#[test]
fn show_if_on_an_unknown_option_lists_the_options_there_are() {
    let problem = only_at(
        &follow_up(r#"{ question = "q1", any_of = ["a", "c"] }"#),
        loc(11, 11),
        "question `q2`",
        "`show_if` lists `c`, which is not an option of `q1`",
    );
    assert_eq!(problem.fix, "use one of: a, b");
}

#[test]
fn show_if_must_be_a_table_naming_a_question_and_some_options() {
    for (condition, message) in [
        ("\"q1\"", "`show_if` must be a table"),
        ("{ any_of = [\"a\"] }", "`show_if` has no `question`"),
        (
            "{ question = \"q1\", any_of = [] }",
            "`show_if.any_of` must be a non-empty list of option ids",
        ),
    ] {
        let problem = only_at(&follow_up(condition), loc(11, 11), "question `q2`", message);
        assert_fix_starts(&problem, "write `show_if = {");
    }
    let problem = only_at(
        &follow_up(r#"{ question = "q1", anyof = ["a"], any_of = ["a"] }"#),
        loc(11, 11),
        "question `q2`, show_if",
        "unknown key `anyof`",
    );
    assert_fix_starts(&problem, "did you mean `any_of`?");
}

#[test]
fn effects_at_the_ends_of_their_ranges_are_accepted() {
    let text = VALID.replace(
        "label = \"A\"",
        "label = \"A\", weights = { performance = 0, security = 5.0 }, \
         frameworks = { rails = -10 }, languages = { ruby = 10 }",
    );
    let effects = &load(&text).unwrap().questions[0].options[0].effects;
    assert_eq!(effects.weights.len(), 2);
    assert_eq!(effects.frameworks[0].1, -10.0);
    assert_eq!(effects.languages[0].1, 10.0);
}

#[test]
fn effects_out_of_range_or_not_numbers_are_reported_with_their_range() {
    let text = VALID
        .replace(
            "label = \"A\"",
            "label = \"A\", weights = { performance = 5.5 }",
        )
        .replace(
            "label = \"B\"",
            "label = \"B\", frameworks = { rails = -11 }, languages = { ruby = \"10\" }",
        );
    assert_eq!(
        located(&text),
        [
            format!(
                "{} question `q1`, option `a`: `weights.performance = 5.5` is out of range",
                at(&text, "{ performance")
            ),
            format!(
                "{} question `q1`, option `b`: `frameworks.rails = -11` is out of range",
                at(&text, "{ rails")
            ),
            format!(
                "{} question `q1`, option `b`: `languages.ruby = \"10\"` is out of range",
                at(&text, "{ ruby")
            ),
        ]
    );
    let fixes: Vec<String> = problems(&text).into_iter().map(|p| p.fix).collect();
    assert_eq!(
        fixes,
        [
            "use a multiplier from 0 (ignore) to 5; 1 leaves the weight unchanged",
            "use a bonus in guide points from -10 to 10",
            "use a bonus in guide points from -10 to 10",
        ]
    );
}

#[test]
fn effects_of_the_wrong_shape_say_how_to_write_them() {
    let text = VALID.replace(
        "label = \"A\"",
        "label = \"A\", weights = 2, exclude = \"rails\", only_team_languages = \"yes\"",
    );
    assert_eq!(
        located(&text),
        [
            format!(
                "{} question `q1`, option `a`: `weights` must be a table",
                at(&text, "2,")
            ),
            format!(
                "{} question `q1`, option `a`: `exclude` must be a list of framework ids",
                at(&text, "\"rails\"")
            ),
            format!(
                "{} question `q1`, option `a`: `only_team_languages` must be true or false, not text",
                at(&text, "\"yes\"")
            ),
        ]
    );
    let fixes: Vec<String> = problems(&text).into_iter().map(|p| p.fix).collect();
    assert_eq!(fixes[0], "write `weights = { performance = 2 }`");
    assert_eq!(fixes[1], "write `exclude = [\"nextjs\"]`");
}

#[test]
fn twenty_five_options_fit_a_select_menu_and_twenty_six_do_not() {
    assert_eq!(
        load(&with_options(25)).unwrap().questions[0].options.len(),
        25
    );
    // The 26th option, on the 26th line of the list that opens on line 7.
    let problem = only_at(
        &with_options(26),
        loc(33, 1),
        "question `q1`",
        "the question has 26 options, over Discord's limit of 25 in a select menu",
    );
    assert_eq!(
        problem.fix,
        "keep at most 25 options, or split the question in two"
    );
}

#[test]
fn a_question_needs_at_least_two_options() {
    let problem = only_at(
        &with_options(1),
        loc(4, 1),
        "question `q1`",
        "the question has 1 option(s)",
    );
    assert_eq!(
        problem.fix,
        "give it at least two [[questions.options]] tables"
    );
}

#[test]
fn a_label_of_eighty_characters_fits_a_button_and_one_more_does_not() {
    // Characters, not bytes: 'é' is two bytes.
    assert!(load(&with_label(&chars("é", 80))).is_ok());
    let text = with_label(&chars("é", 81));
    let problem = only_at(
        &text,
        at(&text, "\"é"),
        "question `q1`, option `a`",
        "`label` is 81 characters long, over the limit of 80",
    );
    assert_eq!(problem.fix, "shorten it to at most 80 characters");
}

#[test]
fn a_prompt_of_256_characters_fits_an_embed_title_and_one_more_does_not() {
    let with_prompt = |prompt: &str| VALID.replace("\"Q?\"", &format!("\"{prompt}\""));
    assert!(load(&with_prompt(&chars("ab ", 256).replace(' ', "x"))).is_ok());
    let problem = only_at(
        &with_prompt(&chars("x", 257)),
        loc(6, 10),
        "question `q1`",
        "`prompt` is 257 characters long, over the limit of 256",
    );
    assert_eq!(problem.fix, "shorten it to at most 256 characters");
}

#[test]
fn a_set_without_questions_is_refused() {
    for text in [set!(""), set!("questions = []\n")] {
        let problem = only_at(text, loc(1, 1), "the set", "the set has no questions");
        assert_eq!(
            problem.fix,
            "add at least one [[questions]] table with options"
        );
    }
}

#[test]
fn more_than_twenty_five_questions_are_refused_at_the_first_one_too_many() {
    let question = &VALID[VALID.find("[[questions]]").unwrap()..];
    let questions: Vec<String> = (0..26)
        .map(|i| question.replace("\"q1\"", &format!("\"q{i}\"")))
        .collect();
    // Each question takes four lines, from line 4.
    let problem = only_at(
        &format!("{}{}", set!(""), questions.join("")),
        loc(104, 1),
        "the set",
        "the set has 26 questions, over the limit of 25",
    );
    assert_eq!(problem.fix, "split it into smaller sets");
}

#[test]
fn an_oversize_file_is_refused_before_it_is_read() {
    let text = format!("{VALID}#{}\n", "x".repeat(MAX_FILE_BYTES));
    let problem = only(&text);
    assert_eq!(problem.location, None);
    assert_eq!(problem.context, "");
    assert_eq!(
        problem.message,
        format!(
            "the file is {} bytes, over the 65536-byte (64 KiB) limit",
            text.len()
        )
    );
    // A comment up to the limit is fine.
    let padding = MAX_FILE_BYTES - VALID.len() - 2;
    assert!(load(&format!("{VALID}#{}\n", "x".repeat(padding))).is_ok());
}

#[test]
fn an_emoji_discord_would_refuse_is_reported() {
    let text = VALID.replace("label = \"A\"", "label = \"A\", emoji = \":rocket:\"");
    let problem = only_at(
        &text,
        at(&text, "\":rocket:"),
        "question `q1`, option `a`",
        "`emoji` is `:rocket:`",
    );
    assert_fix_starts(&problem, "use one emoji character");
    for emoji in ["🦀", "<:ferris:123>"] {
        let text = VALID.replace(
            "label = \"A\"",
            &format!("label = \"A\", emoji = \"{emoji}\""),
        );
        assert!(load(&text).is_ok(), "{emoji}");
    }
}

#[test]
fn a_file_that_is_not_utf8_is_refused_with_the_offset_of_the_bad_byte() {
    let error =
        QuestionSet::from_bytes("t.toml", b"id = \"\xff\"\n", Catalogue::builtin()).unwrap_err();
    assert_eq!(error.source_name, "t.toml");
    assert_eq!(error.problems.len(), 1);
    let problem = &error.problems[0];
    assert_eq!(problem.location, None);
    assert_eq!(
        problem.message,
        "the file is not UTF-8 text (bad byte at offset 6)"
    );
    assert_eq!(problem.fix, "save it as a UTF-8 .toml text file");
}

#[test]
fn a_toml_syntax_error_is_reported_where_it_is() {
    let problem = only(&VALID.replace("prompt = \"Q?\"", "prompt = \"Q?"));
    assert_eq!(problem.location.map(|l| l.line), Some(6));
    assert_fix_starts(&problem, "fix the TOML syntax here");
}

#[test]
fn set_metadata_must_be_present_well_typed_and_valid() {
    let text =
        "id = \"Bad Id!\"\ntitle = 3\nversion = 0\n[[questions]]\nid = \"q1\"\nprompt = \"  \"\n\
                options = [{ id = \"a\", label = \"A\" }, { id = \"b\", label = \"B\" }]\n";
    assert_eq!(
        located(text),
        [
            "1:6 the set: id `Bad Id!` may only use lowercase letters, digits, `_` and `-`",
            "2:9 the set: `title` must be text in quotes, not a whole number",
            "3:11 the set: `version` is 0",
            "6:10 question `q1`: `prompt` is empty",
        ]
    );
    assert_eq!(problems(text)[0].fix, "use e.g. `bad_id_`");
    let missing = "[[questions]]\nid = \"q1\"\nprompt = \"Q?\"\n\
                   options = [{ id = \"a\", label = \"A\" }, { id = \"b\", label = \"B\" }]\n";
    assert_eq!(
        located(missing),
        [
            "1:1 the set: `id` is missing",
            "1:1 the set: `title` is missing",
            "1:1 the set: `version` is missing",
        ]
    );
}

#[test]
fn the_kind_of_choice_and_its_bounds_are_checked() {
    let with =
        |fields: &str| VALID.replace("prompt = \"Q?\"", &format!("prompt = \"Q?\"\n{fields}"));
    let multi = load(&with("kind = \"multi\"")).unwrap();
    assert_eq!(multi.questions[0].choice, Choice::Multi { min: 1, max: 2 });
    assert_eq!(
        located(&with("kind = \"many\"")),
        ["7:8 question `q1`: `kind` is \"many\""]
    );
    assert_eq!(
        located(&with("min = 1")),
        ["7:7 question `q1`: `min`/`max` only apply to multi-choice questions"]
    );
    assert_eq!(
        located(&with("kind = \"multi\"\nmin = 2\nmax = 3")),
        ["8:7 question `q1`: `min = 2`, `max = 3` with 2 options"]
    );
    assert_eq!(
        located(&with("required = \"no\"")),
        ["7:12 question `q1`: `required` must be true or false, not text"]
    );
    assert!(!load(&with("required = false")).unwrap().questions[0].required);
}

#[test]
fn every_problem_of_a_file_is_reported_at_once_in_file_order() {
    let text = set!(
        r#"[[questions]]
id = "q1"
prompt = "Q?"
options = [{ id = "a", label = "A" }, { id = "b", label = "B" }]

[[questions]]
id = "q2"
promt = "Then?"
show_if = { question = "q1", any_of = ["z"] }
options = [{ id = "x", label = "X", weights = { speed = 2 } }, { id = "x", label = "Y", emoji = "->" }]

[[questions]]
id = "q2"
prompt = "Again?"
options = [{ id = "c", label = "C" }]
"#
    );
    assert_eq!(
        located(text),
        [
            "9:1 question `q2`: unknown key `promt`",
            "9:1 question `q2`: `prompt` is missing",
            "12:11 question `q2`: `show_if` lists `z`, which is not an option of `q1`",
            "13:47 question `q2`, option `x`: `weights` names unknown criterion `speed`",
            "13:71 question `q2`: two options have the id `x`",
            "13:97 question `q2`, option `x`: `emoji` is `->`",
            "15:1 question `q2`: the question has 1 option(s)",
            "16:6 question `q2`: the id `q2` is used by an earlier question",
        ]
    );
    let report = load(text).unwrap_err().to_string();
    assert!(report.starts_with("t.toml has 8 problems:"), "{report}");
    assert!(
        report.contains("\n  t.toml:13:47: question `q2`, option `x`: `weights` names"),
        "{report}"
    );
}
