//! Core benchmarks: scoring + explanation for the default set (target < 20 µs),
//! loading + validating a 64 KiB question set (target < 5 ms), and the coverage
//! report of the default set and of a 64 KiB set (the compact report Discord shows
//! on upload: target < 1 s, well inside the 15 minutes a deferred reply has), and
//! the result chart: PNG and alt text of the default set's result (target < 20 ms).

// criterion_group! generates undocumented items, and a broken fixture should stop the run.
#![allow(missing_docs, clippy::expect_used)]

use std::hint::black_box;

use criterion::{criterion_group, criterion_main, Criterion};
use stackpick::coverage::{coverage, Options};
use stackpick::engine::recommend;
use stackpick::guide::Catalogue;
use stackpick::ids::{OptionId, QuestionId};
use stackpick::questionnaire::{builtin_sets, Answers, QuestionSet, Source, MAX_FILE_BYTES};

fn default_answers() -> Answers {
    let mut answers = Answers::default();
    for (question, option) in [
        ("languages", "elixir"),
        ("stick_to_languages", "prefer"),
        ("experience", "senior"),
        ("app_type", "realtime_app"),
        ("scale", "large"),
        ("realtime", "critical"),
        ("deadline", "months"),
        ("security", "sensitive"),
        ("maintenance", "years"),
        ("hosting", "servers"),
        ("ruled_out", "no_rust"),
    ] {
        answers.set(QuestionId::from(question), vec![OptionId::from(option)]);
    }
    answers
}

/// A valid set just under 64 KiB: up to 40 questions with help texts, ten options
/// each with descriptions and effects, and follow-ups. Every option of a chain of 22
/// follow-ups can be picked together (3 per question), so its effects are small
/// enough to stay within the bounds: performance up to ×1.1^66 ≈ 539, Phoenix up to
/// 9.9 points.
fn big_set() -> String {
    let mut text = "id = \"big\"\ntitle = \"Big\"\nversion = 1\n".to_owned();
    for q in 0..40 {
        let mut question = format!(
            "\n[[questions]]\nid = \"q{q}\"\nprompt = \"Question number {q}: how much does this matter to you?\"\nhelp = \"{}\"\nkind = \"multi\"\nmax = 3\n",
            "Some guidance. ".repeat(20)
        );
        if q > 0 {
            question.push_str(&format!(
                "show_if = {{ question = \"q{}\", any_of = [\"o0\", \"o1\"] }}\n",
                q - 1
            ));
        }
        for o in 0..10 {
            question.push_str(&format!(
                "\n  [[questions.options]]\n  id = \"o{o}\"\n  label = \"Option {o} of question {q}\"\n  description = \"{}\"\n  weights = {{ performance = 1.1, security = 0.95 }}\n  frameworks = {{ phoenix = 0.15 }}\n  languages = {{ rust = 0.1 }}\n",
                "A longer description. ".repeat(4)
            ));
        }
        if text.len() + question.len() > MAX_FILE_BYTES {
            break;
        }
        text.push_str(&question);
    }
    text
}

fn benches(c: &mut Criterion) {
    let catalogue = Catalogue::builtin();
    let set = builtin_sets(catalogue)
        .expect("shipped sets are valid")
        .remove(0);
    let answers = default_answers();
    c.bench_function("score and explain (default set)", |b| {
        b.iter(|| recommend(catalogue, black_box(&set), black_box(&answers)))
    });
    // What storing a result encodes (the finishing click's biggest write).
    let recommendation = recommend(catalogue, &set, &answers);
    c.bench_function("a result as stored (JSON)", |b| {
        b.iter(|| serde_json::to_string(black_box(&recommendation)))
    });

    let text = big_set();
    QuestionSet::from_toml(
        Source {
            name: "big.toml",
            text: &text,
        },
        catalogue,
    )
    .unwrap_or_else(|e| panic!("the benchmark set must be valid: {e}"));
    c.bench_function(
        &format!("load and validate a {} KiB set", text.len() / 1024),
        |b| {
            b.iter(|| {
                QuestionSet::from_toml(
                    Source {
                        name: "big.toml",
                        text: black_box(&text),
                    },
                    catalogue,
                )
            })
        },
    );
}

fn chart_benches(c: &mut Criterion) {
    let catalogue = Catalogue::builtin();
    let set = builtin_sets(catalogue)
        .expect("shipped sets are valid")
        .remove(0);
    let result = recommend(catalogue, &set, &default_answers());
    c.bench_function("chart: PNG and alt text (default set)", |b| {
        b.iter(|| {
            let png = stackpick::chart::draw_png(catalogue, black_box(&result)).expect("renders");
            (
                png,
                stackpick::chart::alt_text(catalogue, black_box(&result)),
            )
        })
    });
}

fn coverage_benches(c: &mut Criterion) {
    let catalogue = Catalogue::builtin();
    let default = builtin_sets(catalogue)
        .expect("shipped sets are valid")
        .remove(0);
    let text = big_set();
    let big = QuestionSet::from_toml(
        Source {
            name: "big.toml",
            text: &text,
        },
        catalogue,
    )
    .unwrap_or_else(|e| panic!("the benchmark set must be valid: {e}"));
    let mut group = c.benchmark_group("coverage");
    group.sample_size(10);
    for (name, options) in [("compact", Options::COMPACT), ("full", Options::FULL)] {
        group.bench_function(format!("default set, {name}"), |b| {
            b.iter(|| coverage(catalogue, black_box(&default), &options))
        });
        group.bench_function(format!("{} KiB set, {name}", text.len() / 1024), |b| {
            b.iter(|| coverage(catalogue, black_box(&big), &options))
        });
    }
    group.finish();
}

criterion_group!(core, benches, chart_benches, coverage_benches);
criterion_main!(core);
