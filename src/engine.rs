//! The scoring engine: answers → criterion weights → scores → ranking → explanation.
//!
//! # The formula
//! Every criterion starts with weight 1. Each picked option multiplies the weights it
//! names (`weights = { performance = 2 }` doubles it; 0 makes it irrelevant). A
//! framework's score is its weighted mean rating scaled to the guide's 35-point total,
//! plus the affinity bonuses of the picked options (framework or language, in guide
//! points):
//!
//! ```text
//! score(f) = 7 · Σc w(c)·rating(f, c) / Σc w(c)  +  Σ bonus(f)
//! ```
//!
//! With all weights equal and no bonus this is exactly the guide's total. (If every
//! weight is set to 0 the weights fall back to equal.) Excluded frameworks are ranked
//! but can never be recommended.
//!
//! Ties (scores within 1e-9) are broken by the guide's unweighted total, then by the
//! guide's order of presentation; a tie is reported as such in the explanation.

mod explain;
mod profile;
pub mod team;

use serde::{Deserialize, Serialize};

pub use explain::{
    Deciding, Explanation, FlipPoint, Margin, MarginPart, PartSource, RunnerUp, TradeOff,
    MAX_DECIDING,
};
pub use profile::{
    Because, Bonus, CriterionWeight, Exclusion, ExclusionKind, Profile, WeightChange,
};

use crate::guide::Catalogue;
use crate::ids::FrameworkId;
use crate::questionnaire::{Answers, QuestionSet};

/// Scores closer than this are a tie.
pub const TIE_EPSILON: f64 = 1e-9;
/// A winner ahead by less than this many guide points is flagged as a close call.
pub const CLOSE_CALL_MARGIN: f64 = 1.0;

/// One framework's place in the ranking.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Standing {
    /// The framework.
    pub framework: FrameworkId,
    /// Its score: weighted ratings plus bonuses.
    pub score: f64,
    /// The part of the score that comes from the guide's ratings.
    pub from_ratings: f64,
    /// Affinity bonuses that applied to it.
    pub bonuses: Vec<Bonus>,
    /// Why it is ruled out; empty when eligible.
    pub excluded: Vec<Exclusion>,
}

impl Standing {
    /// Whether the framework can be recommended.
    pub fn is_eligible(&self) -> bool {
        self.excluded.is_empty()
    }
}

/// The outcome of a questionnaire.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Verdict {
    /// A framework is recommended, with why.
    Recommend(Box<Explanation>),
    /// The answers ruled out every framework.
    NothingEligible,
}

/// The full result: weights, ranking and verdict. Serializable so it can be stored and
/// rendered again exactly.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Recommendation {
    /// The guide edition the ratings come from.
    pub guide_version: String,
    /// The weight of every criterion, with the answers that changed it.
    pub weights: Vec<CriterionWeight>,
    /// Eligible frameworks best first, then excluded ones best first.
    pub ranking: Vec<Standing>,
    /// The recommendation, or why there is none.
    pub verdict: Verdict,
}

impl Recommendation {
    /// The standing of a framework.
    pub fn standing(&self, framework: &FrameworkId) -> Option<&Standing> {
        self.ranking.iter().find(|s| &s.framework == framework)
    }

    /// The recommended framework, if any.
    pub fn winner(&self) -> Option<&FrameworkId> {
        match &self.verdict {
            Verdict::Recommend(explanation) => Some(&explanation.winner),
            Verdict::NothingEligible => None,
        }
    }
}

/// Scores a set's answers against the catalogue.
pub fn recommend(catalogue: &Catalogue, set: &QuestionSet, answers: &Answers) -> Recommendation {
    let profile = Profile::from_answers(catalogue, set, answers);
    evaluate(catalogue, &profile)
}

/// Scores a profile (weights, bonuses, exclusions) against the catalogue.
pub fn evaluate(catalogue: &Catalogue, profile: &Profile) -> Recommendation {
    let weights = effective_weights(profile);
    let scores = scores(catalogue, &weights, profile);
    let order = rank(catalogue, &scores, profile);
    let ranking: Vec<Standing> = order
        .iter()
        .map(|&f| Standing {
            framework: catalogue.frameworks[f].id.clone(),
            score: scores[f].total,
            from_ratings: scores[f].from_ratings,
            bonuses: profile.bonuses[f].clone(),
            excluded: profile.exclusions[f].clone(),
        })
        .collect();
    let verdict = if ranking.first().is_some_and(Standing::is_eligible) {
        Verdict::Recommend(Box::new(explain::explain(
            catalogue, profile, &order, &scores,
        )))
    } else {
        Verdict::NothingEligible
    };
    Recommendation {
        guide_version: catalogue.guide.version.clone(),
        weights: profile.weights.clone(),
        ranking,
        verdict,
    }
}

/// The profile's weights, or equal weights when every one is 0 (nothing to weigh by).
pub(crate) fn effective_weights(profile: &Profile) -> Vec<f64> {
    let weights: Vec<f64> = profile.weights.iter().map(|w| w.weight).collect();
    if weights.iter().sum::<f64>() > 0.0 {
        weights
    } else {
        vec![1.0; weights.len()]
    }
}

/// A framework's score split in its two parts.
#[derive(Debug, Clone, Copy)]
struct Score {
    from_ratings: f64,
    total: f64,
}

/// Every framework's score under the given weights (indexed like the catalogue).
fn scores(catalogue: &Catalogue, weights: &[f64], profile: &Profile) -> Vec<Score> {
    let bonuses: Vec<f64> = profile
        .bonuses
        .iter()
        .map(|b| b.iter().map(|b| b.points).sum())
        .collect();
    raw_scores(catalogue, weights, &bonuses)
}

/// Every framework's score from plain weights and bonus totals (catalogue order).
fn raw_scores(catalogue: &Catalogue, weights: &[f64], bonuses: &[f64]) -> Vec<Score> {
    let sum: f64 = weights.iter().sum();
    let equal = sum <= 0.0;
    let denominator = if equal { weights.len() as f64 } else { sum };
    let criteria = catalogue.criteria.len() as f64;
    catalogue
        .frameworks
        .iter()
        .enumerate()
        .map(|(f, framework)| {
            let weighted: f64 = framework
                .ratings
                .iter()
                .zip(weights)
                .map(|(r, w)| r.rating.points() * if equal { 1.0 } else { *w })
                .sum();
            let from_ratings = criteria * weighted / denominator;
            let bonus = bonuses.get(f).copied().unwrap_or_default();
            Score {
                from_ratings,
                total: from_ratings + bonus,
            }
        })
        .collect()
}

/// Catalogue indices, eligible first, each group by score with the documented
/// tie-break: guide total, then guide order.
fn rank(catalogue: &Catalogue, scores: &[Score], profile: &Profile) -> Vec<usize> {
    let eligible: Vec<bool> = profile.exclusions.iter().map(Vec::is_empty).collect();
    raw_rank(catalogue, scores, &eligible)
}

/// [`rank`] from a plain eligibility list (catalogue order).
fn raw_rank(catalogue: &Catalogue, scores: &[Score], eligible: &[bool]) -> Vec<usize> {
    let mut order: Vec<usize> = (0..catalogue.frameworks.len()).collect();
    order.sort_by(|&a, &b| {
        let eligible = |f: usize| eligible.get(f).copied().unwrap_or(false);
        eligible(b)
            .cmp(&eligible(a))
            .then_with(|| {
                if (scores[a].total - scores[b].total).abs() < TIE_EPSILON {
                    std::cmp::Ordering::Equal
                } else {
                    scores[b].total.total_cmp(&scores[a].total)
                }
            })
            .then_with(|| {
                catalogue.frameworks[b]
                    .total()
                    .total_cmp(&catalogue.frameworks[a].total())
            })
            .then_with(|| a.cmp(&b))
    });
    order
}

/// Who comes first and second, from plain numbers: what [`evaluate`] decides, without
/// building the explanation. Fast enough to run over every answer combination of a
/// set (see [`crate::coverage`]).
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Podium {
    /// The winner's catalogue index; `None` when nothing is eligible.
    pub winner: Option<usize>,
    /// The next eligible framework's catalogue index.
    pub runner_up: Option<usize>,
    /// The winner's lead over the runner-up, in guide points.
    pub margin: Option<f64>,
}

/// The [`Podium`] for criterion weights (as the answers multiplied them: all 0 counts
/// as equal weights), bonus totals and eligibility, each in catalogue order. Exactly
/// the ranking rule of [`evaluate`].
pub fn podium(
    catalogue: &Catalogue,
    weights: &[f64],
    bonuses: &[f64],
    eligible: &[bool],
) -> Podium {
    let weights = if weights.iter().sum::<f64>() > 0.0 {
        weights.to_vec()
    } else {
        vec![1.0; weights.len()]
    };
    let scores = raw_scores(catalogue, &weights, bonuses);
    let order = raw_rank(catalogue, &scores, eligible);
    let is_eligible = |f: &usize| eligible.get(*f).copied().unwrap_or(false);
    let mut eligible_order = order.iter().copied().filter(is_eligible);
    let winner = eligible_order.next();
    let runner_up = eligible_order.next();
    Podium {
        winner,
        runner_up,
        margin: winner
            .zip(runner_up)
            .map(|(w, r)| scores[w].total - scores[r].total),
    }
}

/// The winner's catalogue index under other weights, or `None` if nothing is eligible.
fn winner_with(catalogue: &Catalogue, weights: &[f64], profile: &Profile) -> Option<usize> {
    let scores = scores(catalogue, weights, profile);
    rank(catalogue, &scores, profile)
        .first()
        .copied()
        .filter(|&f| profile.exclusions[f].is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn profile() -> Profile {
        Profile::neutral(Catalogue::builtin())
    }

    fn score_of(result: &Recommendation, id: &str) -> f64 {
        result.standing(&id.into()).unwrap().score
    }

    #[test]
    fn equal_weights_score_every_framework_at_its_guide_total() {
        let catalogue = Catalogue::builtin();
        let result = evaluate(catalogue, &profile());
        for framework in &catalogue.frameworks {
            let standing = result.standing(&framework.id).unwrap();
            assert!((standing.score - framework.total()).abs() < 1e-9);
            assert_eq!(standing.score, standing.from_ratings);
        }
    }

    #[test]
    fn a_weight_scales_its_criterion_within_the_35_point_total() {
        // Security ×3 (weights sum to 9): Laravel = 7·(4+3.5+5+5+4.5+3·4.5+4.5)/9.
        let catalogue = Catalogue::builtin();
        let mut p = profile();
        let (security, _) = catalogue.criterion("security").unwrap();
        p.weights[security].weight = 3.0;
        let result = evaluate(catalogue, &p);
        let expected = 7.0 * (4.0 + 3.5 + 5.0 + 5.0 + 4.5 + 3.0 * 4.5 + 4.5) / 9.0;
        assert!((score_of(&result, "laravel") - expected).abs() < 1e-9);
    }

    #[test]
    fn all_zero_weights_fall_back_to_equal_weights() {
        let catalogue = Catalogue::builtin();
        let mut p = profile();
        for w in &mut p.weights {
            w.weight = 0.0;
        }
        let result = evaluate(catalogue, &p);
        assert_eq!(score_of(&result, "nextjs"), 32.5);
        assert_eq!(result.winner().unwrap().as_str(), "nextjs");
    }

    #[test]
    fn bonuses_add_to_the_score_but_not_to_the_part_from_ratings() {
        let catalogue = Catalogue::builtin();
        let mut p = profile();
        let (rails, _) = catalogue.framework("rails").unwrap();
        p.bonuses[rails].push(Bonus {
            points: 5.0,
            language: None,
            because: Because {
                question: "q".into(),
                option: "o".into(),
                label: "Ruby".to_owned(),
            },
        });
        let result = evaluate(catalogue, &p);
        let standing = result.standing(&"rails".into()).unwrap();
        assert_eq!((standing.score, standing.from_ratings), (33.0, 28.0));
        assert_eq!(result.winner().unwrap().as_str(), "rails");
    }

    #[test]
    fn excluded_frameworks_rank_after_eligible_ones_and_never_win() {
        let catalogue = Catalogue::builtin();
        let mut p = profile();
        let (next, _) = catalogue.framework("nextjs").unwrap();
        p.exclusions[next].push(Exclusion {
            kind: ExclusionKind::Excluded,
            because: Because {
                question: "q".into(),
                option: "o".into(),
                label: "No Next.js".to_owned(),
            },
        });
        let result = evaluate(catalogue, &p);
        assert_eq!(result.ranking.last().unwrap().framework.as_str(), "nextjs");
        assert_ne!(result.winner().unwrap().as_str(), "nextjs");
        let Verdict::Recommend(x) = &result.verdict else {
            panic!("others are eligible");
        };
        // Nor is it the framework the ratings alone would pick.
        assert_ne!(x.ratings_alone_winner.as_ref().unwrap().as_str(), "nextjs");
    }

    #[test]
    fn the_podium_is_the_ranking_rule_of_evaluate() {
        // Uneven weights, bonuses and an exclusion: the quick podium names the same
        // winner, runner-up and margin as the full evaluation.
        let catalogue = Catalogue::builtin();
        let mut p = profile();
        for (c, w) in [(0, 2.5), (2, 0.0), (4, 3.0), (5, 0.001)] {
            p.weights[c].weight = w;
        }
        let (laravel, _) = catalogue.framework("laravel").unwrap();
        let (next, _) = catalogue.framework("nextjs").unwrap();
        p.bonuses[laravel].push(Bonus {
            points: 1.5,
            language: None,
            because: Because {
                question: "q".into(),
                option: "o".into(),
                label: "CRUD".to_owned(),
            },
        });
        p.exclusions[next].push(Exclusion {
            kind: ExclusionKind::Excluded,
            because: Because {
                question: "q".into(),
                option: "x".into(),
                label: "No Next.js".to_owned(),
            },
        });
        let result = evaluate(catalogue, &p);
        let weights: Vec<f64> = p.weights.iter().map(|w| w.weight).collect();
        let bonuses: Vec<f64> = p
            .bonuses
            .iter()
            .map(|b| b.iter().map(|b| b.points).sum())
            .collect();
        let eligible: Vec<bool> = p.exclusions.iter().map(Vec::is_empty).collect();
        let podium = podium(catalogue, &weights, &bonuses, &eligible);
        let name = |i: Option<usize>| i.map(|i| catalogue.frameworks[i].id.clone());
        assert_eq!(name(podium.winner).as_ref(), result.winner());
        let Verdict::Recommend(x) = &result.verdict else {
            panic!("recommends");
        };
        let runner_up = x.runner_up.as_ref().unwrap();
        assert_eq!(name(podium.runner_up), Some(runner_up.framework.clone()));
        assert_eq!(podium.margin, Some(runner_up.margin));
        // Nothing eligible: no podium.
        let none = podium_of_nothing(catalogue);
        assert_eq!(
            (none.winner, none.runner_up, none.margin),
            (None, None, None)
        );
    }

    fn podium_of_nothing(catalogue: &Catalogue) -> Podium {
        let n = catalogue.frameworks.len();
        podium(catalogue, &[1.0; 7], &vec![0.0; n], &vec![false; n])
    }

    #[test]
    fn extreme_weights_within_the_bounds_give_finite_scores() {
        // A criterion at ×1000 and others at ×0.001 or 0: every number stays finite.
        let catalogue = Catalogue::builtin();
        let mut p = profile();
        for (c, w) in p.weights.iter_mut().enumerate() {
            w.weight = match c {
                0 => 1000.0,
                1 => 0.0,
                _ => 0.001,
            };
        }
        let result = evaluate(catalogue, &p);
        assert!(result.ranking.iter().all(|s| s.score.is_finite()));
        let Verdict::Recommend(x) = &result.verdict else {
            panic!("recommends");
        };
        let margin = x.margin.as_ref().unwrap();
        assert!(margin.parts.iter().all(|part| part.points.is_finite()));
        assert!(x.flip.as_ref().is_none_or(|f| f.flip_weight.is_finite()));
    }

    #[test]
    fn nothing_is_recommended_when_everything_is_excluded() {
        let catalogue = Catalogue::builtin();
        let mut p = profile();
        for exclusions in &mut p.exclusions {
            exclusions.push(Exclusion {
                kind: ExclusionKind::Excluded,
                because: Because {
                    question: "q".into(),
                    option: "o".into(),
                    label: "None".to_owned(),
                },
            });
        }
        let result = evaluate(catalogue, &p);
        assert_eq!(result.verdict, Verdict::NothingEligible);
        assert_eq!(result.winner(), None);
    }
}
