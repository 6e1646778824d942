//! Properties of the explanation over random answer sets of every shipped set: the
//! margin taken apart adds up, the deciding parts come first, the trade-off is never
//! a deciding criterion, and a win by bonus points is said plainly.

use proptest::prelude::*;

use stackpick::engine::{recommend, Explanation, PartSource, Recommendation, Verdict};
use stackpick::guide::Catalogue;
use stackpick::ids::OptionId;
use stackpick::questionnaire::{Answers, Choice, QuestionSet};
use stackpick::text;

use super::builtin;

/// Answers for `set` drawn from `seeds` (one per question): every shown question is
/// answered within its pick counts, optional ones sometimes skipped.
fn random_answers(set: &QuestionSet, seeds: &[u64]) -> Answers {
    let mut answers = Answers::default();
    for (question, &seed) in set.questions.iter().zip(seeds) {
        if !set.is_shown(question, &answers) {
            continue;
        }
        if !question.required && seed % 4 == 0 {
            continue;
        }
        let n = question.options.len();
        let mut order: Vec<usize> = (0..n).collect();
        // A seeded shuffle (splitmix-like steps), enough to vary the picks.
        let mut state = seed;
        for i in (1..n).rev() {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            let j = usize::try_from((state >> 33) % (i as u64 + 1)).unwrap();
            order.swap(i, j);
        }
        let count = match question.choice {
            Choice::Single => 1,
            Choice::Multi { min, max } => {
                let max = max.min(n);
                min + usize::try_from((seed >> 8) % (max - min + 1) as u64).unwrap()
            }
        };
        let picked: Vec<OptionId> = order[..count]
            .iter()
            .map(|&i| question.options[i].id.clone())
            .collect();
        answers.set(question.id.clone(), picked);
    }
    answers
        .check(set)
        .unwrap_or_else(|p| panic!("generated answers fit: {p:?}"));
    answers
}

fn explained(result: &Recommendation) -> Option<&Explanation> {
    match &result.verdict {
        Verdict::Recommend(x) => Some(x),
        Verdict::NothingEligible => None,
    }
}

fn check(set_id: &str, seeds: &[u64]) {
    let catalogue = Catalogue::builtin();
    let set = builtin(set_id);
    let answers = random_answers(&set, seeds);
    let result = recommend(catalogue, &set, &answers);
    let Some(x) = explained(&result) else {
        return;
    };
    let rendered = stackpick::terminal::render(catalogue, &result);
    let name = |id| text::framework_name(catalogue, id);
    let winner = result.standing(&x.winner).unwrap();

    match (&x.margin, &x.runner_up) {
        (Some(margin), Some(runner_up)) => {
            assert_eq!(margin.over, runner_up.framework);
            let other = result.standing(&margin.over).unwrap();
            let sum: f64 = margin.parts.iter().map(|p| p.points).sum();
            assert!(
                (sum - margin.points).abs() < 0.01
                    && (margin.points - (winner.score - other.score)).abs() < 1e-9,
                "parts {sum} vs margin {} ({set_id}, {seeds:?})",
                margin.points
            );
            assert!(
                margin.parts.windows(2).all(|w| w[0].points >= w[1].points),
                "parts sorted, largest first: {:?}",
                margin.parts
            );
            assert!(margin.parts.iter().all(|p| p.points != 0.0));
            // The deciding items are the largest positive parts, and the criteria
            // among them are `deciding`.
            let listed: Vec<_> = margin.deciding().collect();
            assert!(listed.len() <= stackpick::engine::MAX_DECIDING);
            assert!(listed.iter().all(|p| p.points > 0.0));
            assert!(
                margin.parts[..listed.len()]
                    == listed.iter().map(|p| (*p).clone()).collect::<Vec<_>>()[..]
            );
            let listed_criteria: Vec<_> = listed
                .iter()
                .filter_map(|p| match &p.source {
                    PartSource::Criterion { criterion, .. } => Some(criterion.clone()),
                    PartSource::Bonus { .. } => None,
                })
                .collect();
            let deciding: Vec<_> = x.deciding.iter().map(|d| d.criterion.clone()).collect();
            assert_eq!(deciding, listed_criteria);
            // The winner trailing on the weighted ratings is said plainly.
            if margin.from_ratings() < -0.005 {
                let line = rendered
                    .lines()
                    .find(|l| l.contains("On the guide's ratings alone"))
                    .unwrap_or_else(|| panic!("the counterfactual is said:\n{rendered}"));
                assert!(line.contains(name(&margin.over)), "{line}");
            }
        }
        (None, None) => assert!(x.deciding.is_empty()),
        other => panic!("margin and runner-up go together: {other:?}"),
    }

    // The trade-off is never among the deciding items, and is a real gap.
    if let Some(t) = &x.trade_off {
        assert!(
            x.deciding.iter().all(|d| d.criterion != t.criterion),
            "trade-off {} is listed as deciding ({set_id}, {seeds:?})",
            t.criterion
        );
        assert!(t.alternative_rating.unwrap() > t.rating && t.cost.unwrap() > 0.0);
        assert!(rendered.contains("Trade-off: "), "{rendered}");
    }

    // The ratings-alone winner really leads the eligible frameworks on ratings.
    let ratings_alone = x.ratings_alone_winner.as_ref().expect("always set");
    let best = result
        .ranking
        .iter()
        .filter(|s| s.is_eligible())
        .map(|s| s.from_ratings)
        .fold(f64::MIN, f64::max);
    assert!((result.standing(ratings_alone).unwrap().from_ratings - best).abs() < 1e-9);

    // When the bonuses decide, the text names the framework that would win without
    // them and the answers that put the winner ahead of it.
    if ratings_alone != &x.winner {
        let against = x
            .ratings_alone_margin
            .as_ref()
            .expect("the margin over the ratings-alone winner");
        assert_eq!(&against.over, ratings_alone);
        let line = rendered
            .lines()
            .find(|l| l.contains("On the guide's ratings alone") && l.contains(name(ratings_alone)))
            .unwrap_or_else(|| panic!("names {ratings_alone}:\n{rendered}"));
        let labels: Vec<&str> = against
            .favouring_bonuses()
            .filter_map(|p| match &p.source {
                PartSource::Bonus { answer, .. } => Some(answer.label.as_str()),
                PartSource::Criterion { .. } => None,
            })
            .collect();
        assert!(!labels.is_empty(), "some answer's points decided it");
        for label in labels {
            assert!(line.contains(&format!("“{label}”")), "{label} in {line}");
        }
    } else {
        assert!(x.ratings_alone_margin.is_none());
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn the_default_sets_explanations_hold_together(seeds in prop::collection::vec(any::<u64>(), 16)) {
        check("default", &seeds);
    }

    #[test]
    fn the_quick_sets_explanations_hold_together(seeds in prop::collection::vec(any::<u64>(), 16)) {
        check("quick", &seeds);
    }

    #[test]
    fn the_realtime_sets_explanations_hold_together(seeds in prop::collection::vec(any::<u64>(), 16)) {
        check("realtime", &seeds);
    }
}

#[test]
fn shipped_sets_are_covered_by_the_properties() {
    // A new shipped set needs its own property above.
    let ids: Vec<String> = stackpick::questionnaire::builtin_sets(Catalogue::builtin())
        .unwrap()
        .iter()
        .map(|s| s.id.to_string())
        .collect();
    assert_eq!(ids, ["default", "quick", "realtime"]);
}

#[test]
fn random_answers_reach_wins_by_bonus_points_and_ties() {
    // The properties are only as good as the cases they see: the generator must reach
    // results decided by the answers' points, so the counterfactual is exercised.
    let set = builtin("default");
    let mut by_bonus = 0;
    let mut trailing = 0;
    for seed in 0..400u64 {
        let seeds: Vec<u64> = (0..16)
            .map(|i| seed.wrapping_mul(0x9E3779B97F4A7C15).wrapping_add(i * 7919))
            .collect();
        let result = recommend(Catalogue::builtin(), &set, &random_answers(&set, &seeds));
        if let Some(x) = explained(&result) {
            by_bonus += usize::from(x.won_by_bonuses());
            trailing += usize::from(x.margin.as_ref().is_some_and(|m| m.from_ratings() < 0.0));
            check("default", &seeds);
        }
    }
    assert!(by_bonus > 20 && trailing > 10, "{by_bonus} {trailing}");
}

#[test]
fn a_result_stored_before_the_margin_was_taken_apart_reads_and_renders_as_it_did() {
    let fixture = include_str!("fixtures/result_stored_before_the_margin.json");
    let result: Recommendation = serde_json::from_str(fixture).expect("old rows still read");
    let x = explained(&result).unwrap();
    assert!(x.margin.is_none() && x.ratings_alone_winner.is_none());
    assert!(x.trade_off.as_ref().unwrap().alternative.is_none());
    let rendered = stackpick::terminal::render(Catalogue::builtin(), &result);
    assert!(
        rendered.contains("What decided it:\n  • Security (weight ×1): no answer changed its weight → Phoenix 4.5 vs Next.js 3.5: +0.53 over Next.js."),
        "{rendered}"
    );
    assert!(
        rendered.contains("Trade-off: Community & ecosystem is rated 2.5/5. Its community is keen"),
        "{rendered}"
    );
    // Written back, it reads the same.
    let again: Recommendation =
        serde_json::from_str(&serde_json::to_string(&result).unwrap()).unwrap();
    assert_eq!(again, result);
}
