//! The result chart: a golden image, byte-for-byte determinism, every shipped set's
//! results, a seven-way tie, everything ruled out, labels longer than any room, and
//! the terminal's `--chart` and bars.

use std::process::{Command, Stdio};

use stackpick::chart::{self, alt_text, HEIGHT, WIDTH};
use stackpick::engine::Recommendation;
use stackpick::engine::{evaluate, recommend, Because, Bonus, Exclusion, ExclusionKind, Profile};
use stackpick::guide::Catalogue;
use stackpick::questionnaire::{builtin_sets, Answers, Choice, QuestionSet, MAX_LABEL_CHARS};
use tiny_skia::Pixmap;

/// The outer margin no drawing may reach but the card's border (1 px).
const MARGIN: u32 = 12;
/// Where the bars are drawn, well inside the rows (the legend is below).
const BAR_AREA: (std::ops::Range<u32>, std::ops::Range<u32>) = (190..740, 56..330);

fn because(label: &str) -> Because {
    Because {
        question: "q".into(),
        option: "o".into(),
        label: label.to_owned(),
    }
}

fn excluded(label: &str) -> Exclusion {
    Exclusion {
        kind: ExclusionKind::Excluded,
        because: because(label),
    }
}

fn bonus(points: f64, label: &str) -> Bonus {
    Bonus {
        points,
        language: None,
        because: because(label),
    }
}

/// Every feature the chart draws: uneven weights, a bonus, points taken away and an
/// exclusion.
fn showcase(catalogue: &Catalogue) -> Recommendation {
    let mut profile = Profile::neutral(catalogue);
    profile.weights[0].weight = 2.0;
    profile.weights[5].weight = 0.5;
    let index = |id: &str| catalogue.framework(id).unwrap().0;
    profile.bonuses[index("laravel")].push(bonus(4.0, "PHP"));
    profile.bonuses[index("rails")].push(bonus(-2.0, "No Ruby"));
    profile.exclusions[index("nextjs")].push(excluded("No JavaScript on the server"));
    evaluate(catalogue, &profile)
}

fn png(catalogue: &Catalogue, result: &Recommendation) -> Pixmap {
    let bytes = chart::png(catalogue, result).expect("the chart renders");
    let pixmap = Pixmap::decode_png(&bytes).expect("a valid PNG");
    assert_eq!((pixmap.width(), pixmap.height()), (WIDTH, HEIGHT));
    pixmap
}

fn rgb(pixmap: &Pixmap, x: u32, y: u32) -> [u8; 3] {
    let p = pixmap.pixel(x, y).unwrap().demultiply();
    [p.red(), p.green(), p.blue()]
}

/// Whether any pixel of the bar area is exactly a criterion's colour.
fn has_criterion_colours(catalogue: &Catalogue, pixmap: &Pixmap) -> bool {
    let colours: Vec<[u8; 3]> = (0..catalogue.criteria.len())
        .map(chart::criterion_colour)
        .collect();
    let (xs, ys) = BAR_AREA;
    ys.clone()
        .any(|y| xs.clone().any(|x| colours.contains(&rgb(pixmap, x, y))))
}

/// Nothing but the background and the border within [`MARGIN`] of the edges: no
/// label ran off the card.
fn assert_margins_clear(pixmap: &Pixmap) {
    let background = rgb(pixmap, 5, 5);
    let border = rgb(pixmap, 0, 0);
    for y in 0..HEIGHT {
        for x in (0..MARGIN).chain(WIDTH - MARGIN..WIDTH) {
            let p = rgb(pixmap, x, y);
            assert!(p == background || p == border, "ink at ({x}, {y}): {p:?}");
        }
    }
    for x in 0..WIDTH {
        for y in (0..MARGIN).chain(HEIGHT - MARGIN..HEIGHT) {
            let p = rgb(pixmap, x, y);
            assert!(p == background || p == border, "ink at ({x}, {y}): {p:?}");
        }
    }
}

#[test]
fn the_chart_matches_its_golden_image() {
    // UPDATE_GOLDEN=1 rewrites the golden image (look at it before committing it).
    let catalogue = Catalogue::builtin();
    let bytes = chart::png(catalogue, &showcase(catalogue)).unwrap();
    let path = format!(
        "{}/tests/it/core/golden/chart.png",
        env!("CARGO_MANIFEST_DIR")
    );
    if std::env::var_os("UPDATE_GOLDEN").is_some() {
        std::fs::write(&path, &bytes).unwrap();
    }
    let golden = Pixmap::load_png(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run with UPDATE_GOLDEN=1 to create it)"));
    let actual = Pixmap::decode_png(&bytes).unwrap();
    assert_eq!(
        (actual.width(), actual.height()),
        (golden.width(), golden.height())
    );
    // A small tolerance: glyph rasterisation may shift a shade between versions.
    let differing = actual
        .pixels()
        .iter()
        .zip(golden.pixels())
        .filter(|(a, g)| {
            let (a, g) = (a.demultiply(), g.demultiply());
            [
                (a.red(), g.red()),
                (a.green(), g.green()),
                (a.blue(), g.blue()),
            ]
            .iter()
            .any(|(a, g)| a.abs_diff(*g) > 16)
        })
        .count();
    let allowed = (WIDTH * HEIGHT) as usize / 200;
    if differing > allowed {
        let actual_path = std::env::temp_dir().join("stackpick-chart.actual.png");
        std::fs::write(&actual_path, &bytes).unwrap();
        panic!(
            "{differing} pixels differ from {path} (at most {allowed} may); this run's chart is at {}",
            actual_path.display()
        );
    }
}

#[test]
fn the_same_result_gives_the_same_bytes() {
    let catalogue = Catalogue::builtin();
    let result = showcase(catalogue);
    let first = chart::png(catalogue, &result).unwrap();
    let again = chart::png(catalogue, &result.clone()).unwrap();
    assert_eq!(first, again);
    let other = chart::png(
        catalogue,
        &evaluate(catalogue, &Profile::neutral(catalogue)),
    )
    .unwrap();
    assert_ne!(first, other, "a different result, a different picture");
}

/// Answers to every shown question from `seed` (some optional ones skipped).
fn sampled(set: &QuestionSet, seed: u64) -> Answers {
    let mut state = seed.wrapping_add(1);
    let mut next = |n: usize| {
        state = state
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        (state >> 33) as usize % n
    };
    let mut answers = Answers::default();
    for question in &set.questions {
        if !set.is_shown(question, &answers) {
            continue;
        }
        let n = question.options.len();
        let count = match question.choice {
            _ if !question.required && next(4) == 0 => 0,
            Choice::Single => 1,
            Choice::Multi { min, max } => min + next(max.min(n) - min + 1),
        };
        let start = next(n);
        let picks = (0..count)
            .map(|k| question.options[(start + k) % n].id.clone())
            .collect();
        answers.set(question.id.clone(), picks);
    }
    answers
}

#[test]
fn every_shipped_set_renders_its_results_with_the_same_facts_in_words() {
    let catalogue = Catalogue::builtin();
    for set in builtin_sets(catalogue).unwrap() {
        for seed in 0..12 {
            let result = recommend(catalogue, &set, &sampled(&set, seed));
            let pixmap = png(catalogue, &result);
            assert_margins_clear(&pixmap);
            let alt = alt_text(catalogue, &result);
            assert!(alt.chars().count() <= chart::ALT_TEXT_MAX);
            match result.winner() {
                Some(winner) => {
                    let name = &catalogue.framework(winner.as_str()).unwrap().1.name;
                    assert!(alt.contains(&format!("{name} is recommended")), "{alt}");
                    assert!(has_criterion_colours(catalogue, &pixmap));
                }
                None => assert!(alt.contains("every framework is ruled out"), "{alt}"),
            }
        }
    }
}

#[test]
fn a_seven_way_tie_draws_seven_equal_bars_and_one_winner() {
    // Bonuses that bring every framework to 35 points.
    let catalogue = Catalogue::builtin();
    let mut profile = Profile::neutral(catalogue);
    for (f, framework) in catalogue.frameworks.iter().enumerate() {
        profile.bonuses[f].push(bonus(35.0 - framework.total(), "Level"));
    }
    let result = evaluate(catalogue, &profile);
    assert!(result.ranking.iter().all(|s| (s.score - 35.0).abs() < 1e-9));
    let bars = chart::bars_of(catalogue, &result);
    assert_eq!(bars.iter().filter(|b| b.winner).count(), 1);
    png(catalogue, &result);
    let alt = alt_text(catalogue, &result);
    assert_eq!(alt.matches(": 35 points").count(), 7, "{alt}");
    assert_eq!(alt.matches("is recommended").count(), 1, "{alt}");
}

#[test]
fn when_everything_is_ruled_out_every_bar_is_grey_and_says_why() {
    let catalogue = Catalogue::builtin();
    let mut profile = Profile::neutral(catalogue);
    for exclusions in &mut profile.exclusions {
        exclusions.push(excluded("Only Go"));
    }
    let result = evaluate(catalogue, &profile);
    assert_eq!(result.winner(), None);
    let pixmap = png(catalogue, &result);
    assert!(
        !has_criterion_colours(catalogue, &pixmap),
        "no criterion's colour on a ruled-out bar"
    );
    let alt = alt_text(catalogue, &result);
    assert_eq!(alt.matches("ruled out by “Only Go”").count(), 7, "{alt}");
    // Sanity: the same result with one framework eligible shows colours.
    profile.exclusions[0].clear();
    assert!(has_criterion_colours(
        catalogue,
        &png(catalogue, &evaluate(catalogue, &profile))
    ));
}

#[test]
fn the_longest_names_and_reasons_are_cut_to_fit_the_card() {
    // Every framework and criterion renamed to far more than fits, and a ruled-out
    // reason at the longest option label, in wide letters.
    let toml = include_str!("../../../src/guide/catalogue.toml");
    let long = "W".repeat(120);
    let renamed: String = toml
        .lines()
        .map(|line| {
            if line.starts_with("name = ") {
                format!("name = \"{long}\"")
            } else {
                line.to_owned()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let catalogue = Catalogue::from_toml(&renamed).unwrap();
    assert!(catalogue.frameworks.iter().all(|f| f.name == long));
    let mut profile = Profile::neutral(&catalogue);
    profile.bonuses[1].push(bonus(30.0, "Huge"));
    profile.bonuses[2].push(bonus(-30.0, "Tiny"));
    profile.exclusions[3].push(excluded(&"W".repeat(MAX_LABEL_CHARS)));
    profile.exclusions[3].push(excluded(&"M".repeat(MAX_LABEL_CHARS)));
    let result = evaluate(&catalogue, &profile);
    let pixmap = png(&catalogue, &result);
    assert_margins_clear(&pixmap);
    assert!(alt_text(&catalogue, &result).chars().count() <= chart::ALT_TEXT_MAX);
}

fn stackpick(args: &[&str], envs: &[(&str, &str)], stdin: &str) -> std::process::Output {
    use std::io::Write;
    let mut command = Command::new(env!("CARGO_BIN_EXE_stackpick"));
    command
        .args(args)
        .env_remove("DISCORD_TOKEN")
        .env_remove("NO_COLOR")
        .env_remove("LC_ALL")
        .env_remove("LC_CTYPE")
        .env_remove("LANG")
        .current_dir(std::env::temp_dir())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (name, value) in envs {
        command.env(name, value);
    }
    let mut child = command.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(stdin.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

const PHP_TEAM: &str = "languages = [\"php\"]\nstick_to_languages = \"prefer\"\nexperience = \"mixed\"\napp_type = \"crud\"\nscale = \"growing\"\nrealtime = \"none\"\ndeadline = \"weeks\"\nsecurity = \"sensitive\"\nmaintenance = \"years\"\n";

/// The lines of the terminal's chart (from its heading to the blank line after).
fn chart_lines(stdout: &str) -> Vec<String> {
    stdout
        .lines()
        .skip_while(|l| !l.starts_with("Chart ("))
        .take_while(|l| !l.is_empty())
        .map(str::to_owned)
        .collect()
}

#[test]
fn recommend_with_chart_writes_the_same_png_and_prints_bars() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.toml");
    std::fs::write(&answers, PHP_TEAM).unwrap();
    let out = dir.path().join("out.png");
    let args = [
        "recommend",
        "--answers",
        answers.to_str().unwrap(),
        "--chart",
        out.to_str().unwrap(),
    ];
    let output = stackpick(&args, &[("LANG", "en_GB.UTF-8")], "");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let written = std::fs::read(&out).unwrap();
    let catalogue = Catalogue::builtin();
    let set = super::builtin("default");
    let expected = super::answers(&[
        ("languages", &["php"]),
        ("stick_to_languages", &["prefer"]),
        ("experience", &["mixed"]),
        ("app_type", &["crud"]),
        ("scale", &["growing"]),
        ("realtime", &["none"]),
        ("deadline", &["weeks"]),
        ("security", &["sensitive"]),
        ("maintenance", &["years"]),
    ]);
    let result = recommend(catalogue, &set, &expected);
    assert_eq!(
        written,
        chart::png(catalogue, &result).unwrap(),
        "the same image"
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    let lines = chart_lines(&stdout);
    assert_eq!(lines.len(), 1 + 7, "{stdout}");
    assert!(
        lines[1].starts_with("★ Laravel") && lines[1].contains('█'),
        "{stdout}"
    );

    // --json stays exactly the JSON, and the chart is still written.
    std::fs::remove_file(&out).unwrap();
    let mut json_args = args.to_vec();
    json_args.push("--json");
    let output = stackpick(&json_args, &[("LANG", "en_GB.UTF-8")], "");
    let json: serde_json::Value = serde_json::from_slice(&output.stdout).expect("only JSON");
    assert_eq!(json["verdict"]["winner"], "laravel");
    assert_eq!(std::fs::read(&out).unwrap(), written);
}

#[test]
fn the_terminal_bars_fall_back_to_ascii_without_utf8_or_with_no_color() {
    let dir = tempfile::tempdir().unwrap();
    let answers = dir.path().join("answers.toml");
    std::fs::write(&answers, PHP_TEAM).unwrap();
    let args = ["recommend", "--answers", answers.to_str().unwrap()];
    for envs in [
        &[("LANG", "en_GB.UTF-8"), ("NO_COLOR", "1")][..],
        &[("LANG", "C")][..],
        &[][..],
    ] {
        let output = stackpick(&args, envs, "");
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        let lines = chart_lines(&stdout);
        assert_eq!(lines.len(), 8, "{envs:?}: {stdout}");
        assert!(lines.iter().all(|l| l.is_ascii()), "{envs:?}: {stdout}");
        assert!(
            lines[1].starts_with("* Laravel") && lines[1].contains('#'),
            "{stdout}"
        );
    }
}

#[test]
fn ask_with_chart_writes_the_png_after_the_questions() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("asked.png");
    // quick: Elixir, real-time app, huge, long run.
    let output = stackpick(
        &[
            "ask",
            "--questions",
            "quick",
            "--chart",
            out.to_str().unwrap(),
        ],
        &[("LC_ALL", "C.UTF-8")],
        "4\n4\n3\n3\n",
    );
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    assert!(output.status.success(), "{stdout}");
    assert!(chart_lines(&stdout)[1].starts_with("★ Phoenix"), "{stdout}");
    let pixmap = Pixmap::load_png(&out).expect("a PNG was written");
    assert_eq!((pixmap.width(), pixmap.height()), (WIDTH, HEIGHT));
}
