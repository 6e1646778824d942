//! The `stackpick` binary driven end to end through stdin, as a person would.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn stackpick(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_stackpick"))
        .args(args)
        .env_remove("DISCORD_TOKEN")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the binary starts");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

#[test]
fn piped_answers_with_no_arguments_produce_a_reasoned_recommendation() {
    // An Elixir team building a large real-time chat, with a few detours: a wrong
    // answer, an out-of-range number, back, and a skip.
    let replies = [
        "4",      // languages: Elixir
        "python", // not an option → hint, asked again
        "prefer", // stick_to_languages, by label prefix
        "b",      // back to languages
        "elixir", // languages again, by label
        "2",      // stick_to_languages: prefer
        "3",      // experience: senior
        "9",      // out of range → hint
        "4",      // app_type: real-time app
        "3",      // scale: large
        "3",      // realtime: critical
        "2",      // deadline: months
        "1",      // security: standard
        "2",      // maintenance: a few years
        "s",      // hosting: skipped
        "s",      // ruled_out: skipped
    ];
    let output = stackpick(&[], &(replies.join("\n") + "\n"));
    let stdout = text(&output.stdout);
    assert!(
        output.status.success(),
        "{stdout}\n{}",
        text(&output.stderr)
    );
    assert!(
        stdout.contains("Question 1 of 11: Which languages"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Sorry, “python” doesn't match any option"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Sorry, there is no option 9; pick 1 to 4"),
        "{stdout}"
    );
    assert!(
        stdout.contains("(your earlier answer)"),
        "going back shows the earlier pick"
    );
    assert!(stdout.contains("Recommendation: Phoenix"), "{stdout}");
    assert!(
        stdout.contains("What decided it (Phoenix leads Next.js by 10.58):"),
        "{stdout}"
    );
    // The team's answers, not the ratings, put Phoenix ahead, and the text says so.
    assert!(
        stdout.contains(
            "On the guide's ratings alone Next.js would lead by 0.92; the 4 points for “Elixir”"
        ),
        "{stdout}"
    );
    assert!(
        stdout.contains("Trade-off: Community & ecosystem: Phoenix is rated 2.5, Next.js 5"),
        "{stdout}"
    );
    assert!(stdout.contains("Full ranking:\n  1. Phoenix"), "{stdout}");
}

#[test]
fn quitting_and_closed_input_end_cleanly() {
    let output = stackpick(&["ask", "--questions", "quick"], "q\n");
    assert!(output.status.success());
    assert!(text(&output.stdout).contains("Cancelled."));

    let output = stackpick(&["ask", "--questions", "quick"], "1\n");
    assert!(!output.status.success());
    assert!(text(&output.stdout).contains("Input ended before the questionnaire was finished."));
}

#[test]
fn check_passes_shipped_sets_and_names_line_and_column_of_a_broken_one() {
    let root = env!("CARGO_MANIFEST_DIR");
    let shipped: Vec<String> = ["default", "quick", "realtime"]
        .iter()
        .map(|s| format!("{root}/questions/{s}.toml"))
        .collect();
    let args: Vec<&str> = std::iter::once("check")
        .chain(shipped.iter().map(String::as_str))
        .collect();
    let output = stackpick(&args, "");
    assert!(output.status.success(), "{}", text(&output.stderr));
    assert_eq!(text(&output.stdout).matches(": ok").count(), 3);

    let broken = format!("{root}/tests/malformed/syntax_error.toml");
    let output = stackpick(&["check", &broken], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("syntax_error.toml:5:25: invalid basic string"),
        "{}",
        text(&output.stderr)
    );
}

#[test]
fn check_coverage_reports_every_combination_or_a_sample_and_says_which() {
    let root = env!("CARGO_MANIFEST_DIR");
    let file = format!("{root}/questions/realtime.toml");
    let output = stackpick(&["check", "--coverage", "quick", &file, "default"], "");
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}{}", text(&output.stderr));
    assert!(
        stdout.contains("quick: ok — set `quick` version 2, 4 questions\ncoverage of `quick`: every one of the 216 answer combinations"),
        "{stdout}"
    );
    assert!(
        stdout.contains("coverage of `realtime`: every one of the 264 answer combinations"),
        "{stdout}"
    );
    assert!(
        stdout.contains("coverage of `default`: a random sample of 20,000 of the 141,087,744 answer combinations (seed 2024; shares are estimates)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("    “Rust” → Actix: 66.7% of 36"),
        "{stdout}"
    );
    assert!(stdout.contains("smallest winning margin: "), "{stdout}");
    // A set past the bounds is refused with the line and a fix.
    let unbounded = format!("{root}/tests/malformed/effects_out_of_bounds.toml");
    let output = stackpick(&["check", "--coverage", &unbounded], "");
    assert_eq!(output.status.code(), Some(1));
    assert!(
        text(&output.stderr).contains("effects_out_of_bounds.toml:47:13: question `more`, option `rust_team`: answers can multiply the weight of `performance` to ×3125"),
        "{}",
        text(&output.stderr)
    );
    // Neither a file nor a shipped set.
    let output = stackpick(&["check", "--coverage", "nonsense"], "");
    assert!(!output.status.success());
    assert!(text(&output.stderr).contains("neither a file nor a built-in set"));
}

#[test]
fn a_contradiction_in_the_terminal_offers_to_change_either_answer() {
    // A JavaScript team that must stay in JavaScript rules JavaScript out.
    let replies = [
        "1", "1", "2", "1", "2", "1", "2", "1", "2", "s", // up to ruled_out
        "1", // No JavaScript on the server → the contradiction
        "7", // not a way out → hint
        "3", // change the answer to "Must the framework be…"
        "3", // No, we're happy to learn → the result
    ];
    let output = stackpick(&[], &(replies.join("\n") + "\n"));
    let stdout = text(&output.stdout);
    assert!(output.status.success(), "{stdout}");
    assert!(
        stdout.contains("These answers leave no framework in the guide:\n  Your answer “No JavaScript on the server” rules out Next.js, Fastify and SvelteKit."),
        "{stdout}"
    );
    assert!(
        stdout.contains("  3. Change your answer to “Must the framework be in a language the team already knows?”\n  4. Keep these answers (no framework will be recommended)"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Sorry, there is no option 7; pick 1 to 4: type a number from 1 to 4"),
        "{stdout}"
    );
    assert!(stdout.contains("Recommendation: "), "{stdout}");
    assert!(!stdout.contains("No recommendation"), "{stdout}");
}

#[test]
fn recommend_reads_an_answers_file_and_prints_json() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.toml");
    std::fs::write(
        &answers,
        r#"
languages = ["php"]
stick_to_languages = "prefer"
experience = "mixed"
app_type = "crud"
scale = "growing"
realtime = "none"
deadline = "weeks"
security = "sensitive"
maintenance = "years"
"#,
    )
    .unwrap();
    let output = stackpick(
        &[
            "recommend",
            "--answers",
            answers.to_str().unwrap(),
            "--json",
        ],
        "",
    );
    assert!(output.status.success(), "{}", text(&output.stderr));
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["verdict"]["outcome"], "recommend");
    assert_eq!(json["verdict"]["winner"], "laravel");
    // The lead over the runner-up, taken apart: the parts add up to it.
    let margin = &json["verdict"]["margin"];
    assert_eq!(margin["over"], json["verdict"]["runner_up"]["framework"]);
    let parts = margin["parts"].as_array().unwrap();
    let sum: f64 = parts.iter().map(|p| p["points"].as_f64().unwrap()).sum();
    assert!(
        (sum - margin["points"].as_f64().unwrap()).abs() < 0.01,
        "{margin}"
    );
    let php = parts
        .iter()
        .find(|p| p["source"] == "bonus")
        .expect("a bonus part");
    assert_eq!(php["answer"]["option"], "php");
    assert_eq!(php["points"], 4.0);
    assert!(parts
        .iter()
        .any(|p| p["source"] == "criterion" && p["criterion"] == "flexibility"));
    assert_eq!(json["verdict"]["ratings_alone_winner"], "nextjs");
    assert_eq!(json["ranking"].as_array().unwrap().len(), 7);

    std::fs::write(&answers, "languages = [\"cobol\"]\n").unwrap();
    let output = stackpick(&["recommend", "--answers", answers.to_str().unwrap()], "");
    assert!(!output.status.success());
    let stderr = text(&output.stderr);
    assert!(
        stderr.contains("`cobol`") && stderr.contains("needs an answer"),
        "{stderr}"
    );
}

#[test]
fn frameworks_prints_the_catalogue_with_totals() {
    let output = stackpick(&["frameworks"], "");
    let stdout = text(&output.stdout);
    assert!(output.status.success());
    assert!(
        stdout.contains("Next.js") && stdout.contains("32.5"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Actix") && stdout.contains("25.5"),
        "{stdout}"
    );
}
