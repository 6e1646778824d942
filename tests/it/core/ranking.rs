//! The engine against the guide's own figures.

use stackpick::engine::{evaluate, Profile, Verdict};
use stackpick::guide::Catalogue;

#[test]
fn equal_weights_reproduce_the_guides_totals_and_order() {
    let catalogue = Catalogue::builtin();
    let result = evaluate(catalogue, &Profile::neutral(catalogue));
    let ranking: Vec<(&str, f64)> = result
        .ranking
        .iter()
        .map(|s| (s.framework.as_str(), s.score))
        .collect();
    assert_eq!(
        ranking,
        [
            ("nextjs", 32.5),
            ("fastify", 31.0),
            ("laravel", 31.0),
            ("phoenix", 30.5),
            ("sveltekit", 29.5),
            ("rails", 28.0),
            ("actix", 25.5),
        ]
    );
    let Verdict::Recommend(explanation) = &result.verdict else {
        panic!("the guide's own view recommends something");
    };
    assert_eq!(explanation.winner.as_str(), "nextjs");
    let runner_up = explanation.runner_up.as_ref().unwrap();
    assert_eq!(runner_up.framework.as_str(), "fastify");
    assert!((runner_up.margin - 1.5).abs() < 1e-9);
    assert!(!runner_up.close_call);
}

#[test]
fn the_fastify_laravel_tie_is_broken_by_guide_order_and_reported() {
    // Rule Next.js out: Fastify and Laravel tie at 31 with equal guide totals, so the
    // guide's order of presentation (Fastify before Laravel) decides, and says so.
    let catalogue = Catalogue::builtin();
    let mut profile = Profile::neutral(catalogue);
    let (next, _) = catalogue.framework("nextjs").unwrap();
    profile.exclusions[next].push(stackpick::engine::Exclusion {
        kind: stackpick::engine::ExclusionKind::Excluded,
        because: stackpick::engine::Because {
            question: "q".into(),
            option: "o".into(),
            label: "No Next.js".to_owned(),
        },
    });
    let result = evaluate(catalogue, &profile);
    let Verdict::Recommend(explanation) = &result.verdict else {
        panic!("Fastify and Laravel are eligible");
    };
    assert_eq!(explanation.winner.as_str(), "fastify");
    assert_eq!(explanation.tied_with, ["laravel".into()]);
    assert!(explanation.runner_up.as_ref().unwrap().close_call);
    assert_eq!(result.ranking.last().unwrap().framework.as_str(), "nextjs");
    assert!(!result.ranking.last().unwrap().is_eligible());
}

#[test]
fn the_flip_point_really_flips_the_result() {
    let catalogue = Catalogue::builtin();
    let profile = Profile::neutral(catalogue);
    let result = evaluate(catalogue, &profile);
    let Verdict::Recommend(explanation) = &result.verdict else {
        panic!("recommends");
    };
    let flip = explanation
        .flip
        .as_ref()
        .expect("a single weight can change the winner");
    let (c, _) = catalogue.criterion(flip.criterion.as_str()).unwrap();
    let past = |delta: f64| {
        let mut changed = profile.clone();
        changed.weights[c].weight = flip.flip_weight + delta;
        evaluate(catalogue, &changed).winner().cloned()
    };
    let direction = (flip.flip_weight - flip.current_weight).signum();
    assert_eq!(past(direction * 1e-3), Some(flip.new_winner.clone()));
    assert_eq!(past(-direction * 1e-3), Some(explanation.winner.clone()));
}
