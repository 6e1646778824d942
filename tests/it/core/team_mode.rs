//! `stackpick team`: several members' answers files scored as one team.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use stackpick::engine::team::recommend_team;
use stackpick::guide::Catalogue;

use super::{answers, builtin};

fn stackpick(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_stackpick"))
        .args(args)
        .env_remove("DISCORD_TOKEN")
        .current_dir(std::env::temp_dir())
        .output()
        .expect("the binary runs")
}

/// Alice writes Ruby and would rather stay in it; Bob builds a critical real-time
/// chat in Elixir and rules out Rust; Carol is in a hurry and handles payments.
const MEMBERS: [(&str, &str); 3] = [
    (
        "alice",
        r#"
languages = ["ruby"]
stick_to_languages = "prefer"
experience = "mixed"
app_type = "crud"
scale = "growing"
realtime = "none"
deadline = "weeks"
security = "standard"
maintenance = "years"
"#,
    ),
    (
        "bob",
        r#"
languages = ["elixir"]
stick_to_languages = "open"
experience = "senior"
app_type = "realtime_app"
scale = "large"
realtime = "critical"
deadline = "months"
security = "standard"
maintenance = "decade"
ruled_out = ["no_rust"]
"#,
    ),
    (
        "carol",
        r#"
languages = ["ruby", "elixir"]
stick_to_languages = "open"
experience = "new"
app_type = "crud"
scale = "small"
realtime = "some"
deadline = "weeks"
security = "sensitive"
maintenance = "years"
"#,
    ),
];

fn write_members(dir: &Path) -> Vec<PathBuf> {
    MEMBERS
        .iter()
        .map(|(name, toml)| {
            let path = dir.join(format!("{name}.toml"));
            std::fs::write(&path, toml).unwrap();
            path
        })
        .collect()
}

fn args<'a>(files: &'a [PathBuf], extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec!["team", "--answers"];
    args.extend(files.iter().map(|f| f.to_str().unwrap()));
    args.extend(extra);
    args
}

#[test]
fn team_scores_three_answers_files_as_one_team_in_text_and_json() {
    let dir = tempfile::tempdir().unwrap();
    let files = write_members(dir.path());
    // What the library says for the same answers.
    let parsed: Vec<_> = MEMBERS
        .iter()
        .map(|(_, toml)| {
            let table: toml::Table = toml::from_str(toml).unwrap();
            let pairs: Vec<(String, Vec<String>)> = table
                .iter()
                .map(|(q, v)| {
                    let options = match v {
                        toml::Value::String(s) => vec![s.clone()],
                        toml::Value::Array(a) => {
                            a.iter().map(|o| o.as_str().unwrap().to_owned()).collect()
                        }
                        _ => unreachable!(),
                    };
                    (q.clone(), options)
                })
                .collect();
            let refs: Vec<Vec<&str>> = pairs
                .iter()
                .map(|(_, o)| o.iter().map(String::as_str).collect())
                .collect();
            let pairs: Vec<(&str, &[&str])> = pairs
                .iter()
                .zip(&refs)
                .map(|((q, _), o)| (q.as_str(), o.as_slice()))
                .collect();
            answers(&pairs)
        })
        .collect();
    let expected = recommend_team(Catalogue::builtin(), &builtin("default"), &parsed).unwrap();
    let winner = expected.recommendation.winner().unwrap().to_string();

    let output = stackpick(&args(&files, &["--json"]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).unwrap();
    assert_eq!(json["members"], 3);
    assert_eq!(
        json["member_names"],
        serde_json::json!(["alice", "bob", "carol"])
    );
    assert_eq!(json["recommendation"]["verdict"]["winner"], winner.as_str());
    assert_eq!(json["spreads"].as_array().unwrap().len(), 7);
    // Bob's "No Rust" binds the team.
    let constraints = json["constraints"].as_array().unwrap();
    assert!(
        constraints
            .iter()
            .any(|c| c["exclusion"]["because"]["option"] == "no_rust"
                && c["rules_out"] == serde_json::json!(["actix"])),
        "{constraints:?}"
    );
    let actix = json["recommendation"]["ranking"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["framework"] == "actix")
        .unwrap();
    assert!(!actix["excluded"].as_array().unwrap().is_empty());

    let output = stackpick(&args(&files, &[]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.starts_with("Team of 3: alice, bob and carol\n"),
        "{stdout}"
    );
    assert!(
        stdout.contains("Where the team agrees and disagrees:"),
        "{stdout}"
    );
    // Bob's ×2 scale and critical real-time weights against the others' ×1.
    assert!(stdout.contains("  Split on:\n    - "), "{stdout}");
    assert!(
        stdout.contains("  - “No Rust” rules out Actix\n"),
        "{stdout}"
    );
    assert!(stdout.contains("Whose answers decide it:"), "{stdout}");
    for pivotal in &expected.pivotal {
        let name = MEMBERS[pivotal.member].0;
        assert!(
            stdout.contains(&format!("Without {name}'s answers, ")),
            "{stdout}"
        );
    }
    if expected.pivotal.is_empty() {
        assert!(
            stdout.contains("No single member's answers decide it"),
            "{stdout}"
        );
    }

    // `--chart`: the team's result drawn, the same bytes as in-process.
    let out = dir.path().join("team.png");
    let output = stackpick(&args(&files, &["--chart", out.to_str().unwrap()]));
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert_eq!(
        std::fs::read(&out).unwrap(),
        stackpick::chart::png(Catalogue::builtin(), &expected.recommendation).unwrap()
    );
}

#[test]
fn team_names_the_answers_file_that_does_not_fit_and_prints_nothing_else() {
    let dir = tempfile::tempdir().unwrap();
    let mut files = write_members(dir.path());
    let broken = dir.path().join("dave.toml");
    std::fs::write(&broken, "languages = [\"cobol\"]\n").unwrap();
    files.push(broken);
    let output = stackpick(&args(&files, &[]));
    assert!(!output.status.success());
    assert!(output.stdout.is_empty());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("dave.toml") && stderr.contains("`cobol`"),
        "{stderr}"
    );

    let output = stackpick(&["team", "--answers"]);
    assert!(!output.status.success(), "at least one file is required");
}
