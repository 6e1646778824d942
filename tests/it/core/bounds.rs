//! The engine never produces NaN or infinity: over random valid sets (the validator
//! keeps every weight at 0 or within [1/1000, 1000] and every framework's bonuses
//! within ±35, whatever the answers), and over random profiles within those bounds.

use proptest::prelude::*;

use stackpick::coverage::{coverage, Options};
use stackpick::engine::{evaluate, recommend, Because, Bonus, Profile, Recommendation, Verdict};
use stackpick::guide::Catalogue;
use stackpick::ids::OptionId;
use stackpick::questionnaire::{
    Answers, Choice, QuestionSet, Source, MAX_TOTAL_BONUS, WEIGHT_BOUNDS,
};

const CRITERIA: [&str; 7] = [
    "performance",
    "scalability",
    "flexibility",
    "community",
    "learning_curve",
    "security",
    "future_proofing",
];
const FRAMEWORKS: [&str; 7] = [
    "nextjs",
    "fastify",
    "sveltekit",
    "rails",
    "laravel",
    "phoenix",
    "actix",
];
const LANGUAGES: [&str; 5] = ["javascript", "ruby", "php", "elixir", "rust"];

/// A multiplier the format accepts, biased to the extremes.
fn factor() -> impl Strategy<Value = f64> {
    prop_oneof![
        Just(0.0),
        Just(0.001),
        Just(0.01),
        Just(5.0),
        Just(1.0),
        0.0..=5.0f64,
    ]
}

fn bonus() -> impl Strategy<Value = f64> {
    prop_oneof![Just(-10.0), Just(10.0), -10.0..=10.0f64]
}

/// One option's effect lines.
fn effects() -> impl Strategy<Value = String> {
    (
        prop::collection::vec((0..7usize, factor()), 0..3),
        prop::collection::vec((0..7usize, bonus()), 0..2),
        prop::collection::vec((0..5usize, bonus()), 0..2),
        prop::option::of(bonus()),
        prop::collection::vec(0..7usize, 0..2),
        any::<u8>(),
    )
        .prop_map(|(weights, frameworks, languages, team, exclude, flags)| {
            let table = |pairs: Vec<String>| format!("{{ {} }}", pairs.join(", "));
            let mut lines = Vec::new();
            let dedup = |pairs: Vec<(&str, f64)>| {
                let mut seen = Vec::new();
                pairs
                    .into_iter()
                    .filter(|(k, _)| {
                        let new = !seen.contains(k);
                        seen.push(*k);
                        new
                    })
                    .map(|(k, v)| format!("{k} = {v:?}"))
                    .collect::<Vec<_>>()
            };
            let w = dedup(weights.into_iter().map(|(c, f)| (CRITERIA[c], f)).collect());
            if !w.is_empty() {
                lines.push(format!("weights = {}", table(w)));
            }
            let f = dedup(
                frameworks
                    .into_iter()
                    .map(|(c, f)| (FRAMEWORKS[c], f))
                    .collect(),
            );
            if !f.is_empty() {
                lines.push(format!("frameworks = {}", table(f)));
            }
            let l = dedup(
                languages
                    .into_iter()
                    .map(|(c, f)| (LANGUAGES[c], f))
                    .collect(),
            );
            if !l.is_empty() {
                lines.push(format!("languages = {}", table(l)));
            }
            if let Some(team) = team {
                lines.push(format!("team_languages = {team:?}"));
            }
            if !exclude.is_empty() {
                let names: Vec<String> = exclude
                    .iter()
                    .map(|&f| format!("\"{}\"", FRAMEWORKS[f]))
                    .collect();
                lines.push(format!("exclude = [{}]", names.join(", ")));
            }
            if flags % 7 == 0 {
                lines.push("only_team_languages = true".to_owned());
            }
            if flags % 11 == 0 {
                lines.push(format!(
                    "only_languages = [\"{}\"]",
                    LANGUAGES[usize::from(flags) % 5]
                ));
            }
            lines.join("\n  ")
        })
}

/// A set of one to four questions with two to four options each, some multi-choice,
/// some optional, some follow-ups.
fn set_text() -> impl Strategy<Value = String> {
    prop::collection::vec(
        (prop::collection::vec(effects(), 2..5), any::<u8>()),
        1..5,
    )
    .prop_map(|questions| {
        let mut text = "id = \"random\"\ntitle = \"Random\"\nversion = 1\n".to_owned();
        for (q, (options, flags)) in questions.iter().enumerate() {
            text.push_str(&format!("\n[[questions]]\nid = \"q{q}\"\nprompt = \"Question {q}?\"\n"));
            if flags % 2 == 0 {
                text.push_str("kind = \"multi\"\n");
            }
            if flags % 3 == 0 {
                text.push_str("required = false\n");
            }
            if q > 0 && flags % 5 == 0 {
                text.push_str(&format!(
                    "show_if = {{ question = \"q{}\", any_of = [\"o0\"] }}\n",
                    q - 1
                ));
            }
            for (o, effects) in options.iter().enumerate() {
                text.push_str(&format!(
                    "  [[questions.options]]\n  id = \"o{o}\"\n  label = \"Option {o}\"\n  {effects}\n"
                ));
            }
        }
        text
    })
}

/// Answers for `set` from `seeds`: every shown question answered within its pick
/// counts, optional ones sometimes skipped.
fn answers_for(set: &QuestionSet, seeds: &[u64]) -> Answers {
    let mut answers = Answers::default();
    for (question, &seed) in set.questions.iter().zip(seeds.iter().cycle()) {
        if !set.is_shown(question, &answers) {
            continue;
        }
        if !question.required && seed % 3 == 0 {
            answers.set(question.id.clone(), Vec::new());
            continue;
        }
        let n = question.options.len();
        let picked: Vec<OptionId> = match question.choice {
            Choice::Single => vec![question.options[(seed as usize) % n].id.clone()],
            Choice::Multi { min, max } => {
                let mut chosen: Vec<OptionId> = question
                    .options
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| seed >> i & 1 == 1)
                    .map(|(_, o)| o.id.clone())
                    .take(max)
                    .collect();
                for o in &question.options {
                    if chosen.len() >= min {
                        break;
                    }
                    if !chosen.contains(&o.id) {
                        chosen.push(o.id.clone());
                    }
                }
                chosen
            }
        };
        answers.set(question.id.clone(), picked);
    }
    answers
}

/// Every number of a result is finite.
fn assert_finite(result: &Recommendation) {
    for w in &result.weights {
        assert!(w.weight.is_finite(), "weight {w:?}");
    }
    for s in &result.ranking {
        assert!(s.score.is_finite() && s.from_ratings.is_finite(), "{s:?}");
    }
    let Verdict::Recommend(x) = &result.verdict else {
        return;
    };
    assert!(x.score.is_finite());
    for margin in [&x.margin, &x.ratings_alone_margin, &x.own_language]
        .into_iter()
        .flatten()
    {
        assert!(margin.points.is_finite(), "{margin:?}");
        assert!(
            margin.parts.iter().all(|p| p.points.is_finite()),
            "{margin:?}"
        );
    }
    if let Some(r) = &x.runner_up {
        assert!(r.score.is_finite() && r.margin.is_finite());
    }
    if let Some(f) = &x.flip {
        assert!(f.flip_weight.is_finite() && f.current_weight.is_finite());
    }
    if let Some(t) = &x.trade_off {
        assert!(t.cost.is_none_or(f64::is_finite) && t.weight.is_finite());
    }
    for d in &x.deciding {
        assert!(d.advantage.is_finite() && d.weight.is_finite());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn random_valid_sets_never_give_nan_or_infinity(
        text in set_text(),
        seeds in prop::collection::vec(any::<u64>(), 1..6),
    ) {
        let catalogue = Catalogue::builtin();
        // Sets the validator refuses (out of bounds, say) are not valid sets.
        let Ok(set) = QuestionSet::from_toml(Source { name: "random.toml", text: &text }, catalogue) else {
            return Ok(());
        };
        let answers = answers_for(&set, &seeds);
        prop_assert!(answers.check(&set).is_ok(), "{:?}", answers.check(&set));
        assert_finite(&recommend(catalogue, &set, &answers));
        // And the coverage report of any valid set is computed without a panic.
        let options = Options { enumerate_limit: 200, samples: 50, seed: 1 };
        let report = coverage(catalogue, &set, &options).unwrap();
        if let Some(c) = &report.closest {
            prop_assert!(c.margin.is_finite());
        }
    }

    #[test]
    fn profiles_within_the_bounds_never_give_nan_or_infinity(
        weights in prop::collection::vec(
            prop_oneof![Just(0.0), Just(*WEIGHT_BOUNDS.start()), Just(*WEIGHT_BOUNDS.end()), WEIGHT_BOUNDS],
            7,
        ),
        bonuses in prop::collection::vec(-MAX_TOTAL_BONUS..=MAX_TOTAL_BONUS, 7),
        excluded in prop::collection::vec(any::<bool>(), 7),
    ) {
        let catalogue = Catalogue::builtin();
        let mut profile = Profile::neutral(catalogue);
        for (w, value) in profile.weights.iter_mut().zip(&weights) {
            w.weight = *value;
        }
        for (f, points) in bonuses.iter().enumerate() {
            profile.bonuses[f].push(Bonus {
                points: *points,
                language: None,
                because: Because { question: "q".into(), option: "o".into(), label: "O".to_owned() },
            });
        }
        for (f, out) in excluded.iter().enumerate() {
            if *out {
                profile.exclusions[f].push(stackpick::engine::Exclusion {
                    kind: stackpick::engine::ExclusionKind::Excluded,
                    because: Because { question: "q".into(), option: "x".into(), label: "X".to_owned() },
                });
            }
        }
        profile.team_languages = vec!["rust".into()];
        assert_finite(&evaluate(catalogue, &profile));
    }
}

#[test]
fn bounds_follow_show_if_exactly() {
    // Two follow-ups on different branches each take performance to ×625: fine,
    // since no one sees both. Shown together they would reach ×390,625.
    let catalogue = Catalogue::builtin();
    let follow_up = |id: &str, on: &str| {
        let mut text = format!(
            "\n[[questions]]\nid = \"{id}\"\nprompt = \"How fast?\"\nkind = \"multi\"\nshow_if = {{ question = \"branch\", any_of = [\"{on}\"] }}\n"
        );
        for o in 0..4 {
            text.push_str(&format!(
                "  [[questions.options]]\n  id = \"o{o}\"\n  label = \"Fast {o}\"\n  weights = {{ performance = 5 }}\n"
            ));
        }
        text
    };
    let head = "id = \"branches\"\ntitle = \"Branches\"\nversion = 1\n\n[[questions]]\nid = \"branch\"\nprompt = \"Which way?\"\n  [[questions.options]]\n  id = \"a\"\n  label = \"A\"\n  [[questions.options]]\n  id = \"b\"\n  label = \"B\"\n";
    let apart = format!("{head}{}{}", follow_up("fa", "a"), follow_up("fb", "b"));
    let load = |text: &str| {
        QuestionSet::from_toml(
            Source {
                name: "branches.toml",
                text,
            },
            catalogue,
        )
    };
    assert!(load(&apart).is_ok(), "{:?}", load(&apart).err());
    let together = format!("{head}{}{}", follow_up("fa", "a"), follow_up("fb", "a"));
    let error = load(&together).unwrap_err().to_string();
    assert!(
        error.contains("answers can multiply the weight of `performance` to ×390625"),
        "{error}"
    );
}
