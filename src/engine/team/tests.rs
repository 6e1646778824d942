use proptest::prelude::*;

use super::*;
use crate::engine::{self, Verdict};
use crate::questionnaire::builtin_sets;
use crate::questionnaire::sample::answers as answers_from;

fn set(id: &str) -> QuestionSet {
    builtin_sets(Catalogue::builtin())
        .unwrap()
        .into_iter()
        .find(|s| s.id.as_str() == id)
        .unwrap()
}

fn answers(pairs: &[(&str, &[&str])]) -> Answers {
    let mut answers = Answers::default();
    for (q, options) in pairs {
        answers.set((*q).into(), options.iter().map(|o| (*o).into()).collect());
    }
    answers
}

fn team(members: &[Answers]) -> TeamResult {
    recommend_team(Catalogue::builtin(), &set("default"), members).unwrap()
}

fn weight(result: &TeamResult, criterion: &str) -> f64 {
    result
        .recommendation
        .weights
        .iter()
        .find(|w| w.criterion.as_str() == criterion)
        .unwrap()
        .weight
}

fn bonus_points(result: &TeamResult, framework: &str) -> f64 {
    let standing = result.recommendation.standing(&framework.into()).unwrap();
    standing.bonuses.iter().map(|b| b.points).sum()
}

fn eligible(result: &TeamResult) -> Vec<&str> {
    result
        .recommendation
        .ranking
        .iter()
        .filter(|s| s.is_eligible())
        .map(|s| s.framework.as_str())
        .collect()
}

#[test]
fn each_weight_is_the_geometric_mean_of_the_members_weights() {
    // Security: "regulated" multiplies it by 3 (and others), "standard" leaves it.
    let catalogue = Catalogue::builtin();
    let default = set("default");
    let a = answers(&[("security", &["regulated"])]);
    let b = answers(&[("security", &["standard"])]);
    let wa = Profile::from_answers(catalogue, &default, &a);
    let wb = Profile::from_answers(catalogue, &default, &b);
    let result = team(&[a, b]);
    for (c, criterion) in catalogue.criteria.iter().enumerate() {
        let expected = (wa.weights[c].weight * wb.weights[c].weight).sqrt();
        let got = weight(&result, criterion.id.as_str());
        assert!(
            (got - expected).abs() < 1e-9,
            "{}: {got} vs {expected}",
            criterion.id
        );
    }
    // And the team's weights carry no member's answers.
    assert!(result
        .recommendation
        .weights
        .iter()
        .all(|w| w.changes.is_empty()));
}

#[test]
fn a_language_bonus_counts_per_member_who_writes_it() {
    // JavaScript gives its frameworks 4 points; two of three members write it.
    let js = answers(&[("languages", &["javascript"])]);
    let ruby = answers(&[("languages", &["ruby"])]);
    let result = team(&[js.clone(), js, ruby]);
    assert!((bonus_points(&result, "nextjs") - 4.0 * 2.0 / 3.0).abs() < 1e-9);
    assert!((bonus_points(&result, "rails") - 4.0 / 3.0).abs() < 1e-9);
    assert_eq!(bonus_points(&result, "laravel"), 0.0);
    // One entry per answer, not one per member.
    let next = result.recommendation.standing(&"nextjs".into()).unwrap();
    assert_eq!(next.bonuses.len(), 1);
    assert_eq!(
        result.team_languages,
        [LanguageId::from("javascript"), LanguageId::from("ruby")]
    );
}

#[test]
fn one_members_ruled_out_language_applies_to_the_team_and_is_listed() {
    let open = answers(&[("languages", &["rust"])]);
    let no_rust = answers(&[("ruled_out", &["no_rust"])]);
    let result = team(&[open, no_rust]);
    assert!(!eligible(&result).contains(&"actix"));
    assert_eq!(result.constraints.len(), 1);
    let constraint = &result.constraints[0];
    assert_eq!(constraint.exclusion.because.option.as_str(), "no_rust");
    assert_eq!(constraint.rules_out, [FrameworkId::from("actix")]);
}

#[test]
fn only_the_languages_we_know_means_the_languages_the_whole_team_writes() {
    let strict = answers(&[("languages", &["ruby"]), ("stick_to_languages", &["must"])]);
    let elixir = answers(&[("languages", &["elixir"])]);
    let result = team(&[strict.clone(), elixir]);
    let mut allowed = eligible(&result);
    allowed.sort_unstable();
    assert_eq!(allowed, ["phoenix", "rails"]);
    let constraint = &result.constraints[0];
    assert_eq!(
        constraint.exclusion.kind,
        ExclusionKind::OnlyTeamLanguages {
            team: vec!["ruby".into(), "elixir".into()]
        }
    );
    assert_eq!(constraint.rules_out.len(), 5);
    // On their own, the strict member keeps only Rails.
    assert_eq!(eligible(&team(&[strict])), ["rails"]);
}

#[test]
fn a_member_whose_answers_decide_it_is_reported_and_the_others_are_not() {
    // A writes Ruby and wants to stay in it: Rails (28 + 4 + 4) on their own. B has no
    // preference: Next.js (32.5). Together Rails gets 4 points, 32 < 32.5: Next.js.
    let ruby = answers(&[
        ("languages", &["ruby"]),
        ("stick_to_languages", &["prefer"]),
    ]);
    let neutral = Answers::default();
    let result = team(&[ruby, neutral]);
    assert_eq!(result.recommendation.winner().unwrap().as_str(), "nextjs");
    assert_eq!(
        result.pivotal,
        [Pivotal {
            member: 1,
            winner_without: Some("rails".into())
        }]
    );
}

#[test]
fn the_spread_says_where_the_team_agrees_and_where_it_is_split() {
    // Regulated security triples its weight; shipping in weeks raises two others by
    // half (still agreed: within ×1.5).
    let strict = answers(&[("security", &["regulated"]), ("deadline", &["weeks"])]);
    let relaxed = answers(&[("security", &["standard"])]);
    let result = team(&[strict.clone(), relaxed.clone()]);
    let catalogue = Catalogue::builtin();
    let default = set("default");
    let a = Profile::from_answers(catalogue, &default, &strict);
    let b = Profile::from_answers(catalogue, &default, &relaxed);
    for (c, spread) in result.spreads.iter().enumerate() {
        let (x, y) = (a.weights[c].weight, b.weights[c].weight);
        assert_eq!(spread.lowest, x.min(y));
        assert_eq!(spread.highest, x.max(y));
        assert_eq!(
            spread.agreed,
            x.max(y) <= 1.5 * x.min(y),
            "{}",
            spread.criterion
        );
    }
    let split = result.split();
    let names: Vec<&str> = split.iter().map(|s| s.criterion.as_str()).collect();
    assert_eq!(names, ["security"]);
    assert!(split.windows(2).all(|w| w[0].ratio() >= w[1].ratio()));
    assert_eq!(
        result.agreed().count() + split.len(),
        catalogue.criteria.len()
    );
}

#[test]
fn no_members_is_no_result() {
    assert!(recommend_team(Catalogue::builtin(), &set("default"), &[]).is_none());
}

/// The same result: winner, ranking with scores and eligibility, runner-up and margin.
fn assert_same(a: &Recommendation, b: &Recommendation) -> Result<(), TestCaseError> {
    prop_assert_eq!(a.winner(), b.winner());
    prop_assert_eq!(a.ranking.len(), b.ranking.len());
    for (x, y) in a.ranking.iter().zip(&b.ranking) {
        prop_assert_eq!(&x.framework, &y.framework);
        prop_assert!(
            (x.score - y.score).abs() < 1e-9,
            "{} {} vs {}",
            x.framework,
            x.score,
            y.score
        );
        prop_assert_eq!(x.is_eligible(), y.is_eligible());
    }
    if let (Verdict::Recommend(x), Verdict::Recommend(y)) = (&a.verdict, &b.verdict) {
        let runner = |e: &engine::Explanation| e.runner_up.as_ref().map(|r| r.framework.clone());
        prop_assert_eq!(runner(x), runner(y));
        prop_assert_eq!(&x.tied_with, &y.tied_with);
    }
    Ok(())
}

const SETS: [&str; 3] = ["default", "quick", "realtime"];

proptest! {
    #![proptest_config(ProptestConfig::with_cases(64))]

    #[test]
    fn one_member_gets_their_own_result(which in 0..SETS.len(), seed in any::<u64>()) {
        let set = set(SETS[which]);
        let catalogue = Catalogue::builtin();
        let mine = answers_from(&set, seed);
        let alone = engine::recommend(catalogue, &set, &mine);
        let result = recommend_team(catalogue, &set, std::slice::from_ref(&mine)).unwrap();
        assert_same(&result.recommendation, &alone)?;
        prop_assert!(result.pivotal.is_empty());
        prop_assert!(result.spreads.iter().all(|s| s.agreed));
    }

    #[test]
    fn identical_members_get_that_members_result(
        which in 0..SETS.len(),
        seed in any::<u64>(),
        copies in 2usize..6,
    ) {
        let set = set(SETS[which]);
        let catalogue = Catalogue::builtin();
        let mine = answers_from(&set, seed);
        let alone = engine::recommend(catalogue, &set, &mine);
        let result = recommend_team(catalogue, &set, &vec![mine; copies]).unwrap();
        assert_same(&result.recommendation, &alone)?;
        prop_assert!(result.pivotal.is_empty());
        prop_assert!(result.spreads.iter().all(|s| s.agreed));
    }

    #[test]
    fn the_members_order_changes_nothing(
        which in 0..SETS.len(),
        seeds in proptest::collection::vec(any::<u64>(), 2..5),
        rotate in 0usize..4,
    ) {
        let set = set(SETS[which]);
        let catalogue = Catalogue::builtin();
        let members: Vec<Answers> = seeds.iter().map(|s| answers_from(&set, *s)).collect();
        let n = members.len();
        // Reversed, then rotated: every order of two members, many of more.
        let order: Vec<usize> = (0..n).rev().cycle().skip(rotate % n).take(n).collect();
        let shuffled: Vec<Answers> = order.iter().map(|&i| members[i].clone()).collect();
        let a = recommend_team(catalogue, &set, &members).unwrap();
        let b = recommend_team(catalogue, &set, &shuffled).unwrap();
        assert_same(&a.recommendation, &b.recommendation)?;
        prop_assert_eq!(&a.constraints, &b.constraints);
        prop_assert_eq!(&a.team_languages, &b.team_languages);
        for (x, y) in a.spreads.iter().zip(&b.spreads) {
            prop_assert!((x.team_weight - y.team_weight).abs() < 1e-9);
            prop_assert_eq!((x.lowest, x.highest, x.agreed), (y.lowest, y.highest, y.agreed));
        }
        // The same members are pivotal, under their new positions.
        let mut moved: Vec<(usize, Option<FrameworkId>)> = b
            .pivotal
            .iter()
            .map(|p| (order[p.member], p.winner_without.clone()))
            .collect();
        moved.sort_by_key(|(m, _)| *m);
        let original: Vec<(usize, Option<FrameworkId>)> =
            a.pivotal.iter().map(|p| (p.member, p.winner_without.clone())).collect();
        prop_assert_eq!(moved, original);
    }

    #[test]
    fn a_pivotal_member_is_exactly_one_whose_removal_changes_the_winner(
        seeds in proptest::collection::vec(any::<u64>(), 2..5),
    ) {
        let set = set("default");
        let catalogue = Catalogue::builtin();
        let members: Vec<Answers> = seeds.iter().map(|s| answers_from(&set, *s)).collect();
        let result = recommend_team(catalogue, &set, &members).unwrap();
        for left_out in 0..members.len() {
            let mut others = members.clone();
            others.remove(left_out);
            let without = recommend_team(catalogue, &set, &others).unwrap();
            let changes = without.recommendation.winner() != result.recommendation.winner();
            let listed = result.pivotal.iter().find(|p| p.member == left_out);
            prop_assert_eq!(listed.is_some(), changes);
            if let Some(p) = listed {
                prop_assert_eq!(p.winner_without.as_ref(), without.recommendation.winner());
            }
        }
    }
}
