//! Why the winner won: deciding criteria traced to the answers, the trade-off, the
//! runner-up and margin, and the smallest weight change that would flip the result.

use serde::{Deserialize, Serialize};

use super::profile::{Bonus, Profile, WeightChange};
use super::{winner_with, Score, CLOSE_CALL_MARGIN, TIE_EPSILON};
use crate::guide::{Catalogue, Rating};
use crate::ids::{CriterionId, FrameworkId};

/// Most criteria listed as deciding.
const MAX_DECIDING: usize = 3;
/// Flip points beyond this weight are not realistic answers, so not reported.
const MAX_FLIP_WEIGHT: f64 = 25.0;

/// A criterion that put the winner ahead of the runner-up.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Deciding {
    /// The criterion.
    pub criterion: CriterionId,
    /// Its weight.
    pub weight: f64,
    /// The answers that changed its weight.
    pub changes: Vec<WeightChange>,
    /// The winner's rating.
    pub winner_rating: f64,
    /// The runner-up's rating, when there is a runner-up.
    pub runner_up_rating: Option<f64>,
    /// Guide points this criterion put between them (or, with no runner-up, what it
    /// contributed to the winner's score).
    pub advantage: f64,
    /// Why the guide rates the winner so, in our words.
    pub reasoning: String,
}

/// The winner's weakest point among the criteria that count.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeOff {
    /// The criterion.
    pub criterion: CriterionId,
    /// The winner's rating on it.
    pub rating: f64,
    /// Its weight in this result.
    pub weight: f64,
    /// The guide's caveat, in our words.
    pub caveat: String,
}

/// The second-best eligible framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RunnerUp {
    /// The framework.
    pub framework: FrameworkId,
    /// Its score.
    pub score: f64,
    /// How far behind the winner, in guide points.
    pub margin: f64,
    /// Whether the margin is under [`CLOSE_CALL_MARGIN`].
    pub close_call: bool,
}

/// The smallest change to one criterion's weight that makes another framework win.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct FlipPoint {
    /// The criterion whose weight would change.
    pub criterion: CriterionId,
    /// Its weight now.
    pub current_weight: f64,
    /// The weight at which the result changes (just past it, the new winner leads).
    pub flip_weight: f64,
    /// Who would win then.
    pub new_winner: FrameworkId,
}

/// Why the recommended framework won.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Explanation {
    /// The recommended framework.
    pub winner: FrameworkId,
    /// Its score.
    pub score: f64,
    /// Eligible frameworks with exactly the same score, placed after the winner by the
    /// tie-break rule (guide total, then guide order).
    pub tied_with: Vec<FrameworkId>,
    /// The two or three criteria that decided it, most decisive first.
    pub deciding: Vec<Deciding>,
    /// Affinity bonuses the winner received from the answers.
    pub bonuses: Vec<Bonus>,
    /// Frameworks the guide rates at least as high on every criterion (and higher on
    /// one): when present, the winner is first only because of the team's answers.
    pub rated_higher_by_guide: Vec<FrameworkId>,
    /// The winner's main weakness among weighted criteria.
    pub trade_off: Option<TradeOff>,
    /// The next eligible framework.
    pub runner_up: Option<RunnerUp>,
    /// What would change the result.
    pub flip: Option<FlipPoint>,
}

/// Builds the explanation for the first framework of `order`, which is eligible.
pub(super) fn explain(
    catalogue: &Catalogue,
    profile: &Profile,
    order: &[usize],
    scores: &[Score],
) -> Explanation {
    let eligible: Vec<usize> = order
        .iter()
        .copied()
        .filter(|&f| profile.exclusions[f].is_empty())
        .collect();
    let w = eligible[0];
    let runner = eligible.get(1).copied();
    let winner = &catalogue.frameworks[w];
    // The weights the scores were computed with (all 0 falls back to equal).
    let weights = super::effective_weights(profile);
    let scale = catalogue.criteria.len() as f64 / weights.iter().sum::<f64>();

    let mut deciding: Vec<Deciding> = catalogue
        .criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| {
            let mine = winner.ratings[c].rating.points();
            let theirs = runner.map(|r| catalogue.frameworks[r].ratings[c].rating.points());
            let advantage = scale * weights[c] * (mine - theirs.unwrap_or(0.0));
            Deciding {
                criterion: criterion.id.clone(),
                weight: weights[c],
                changes: profile.weights[c].changes.clone(),
                winner_rating: mine,
                runner_up_rating: theirs,
                advantage,
                reasoning: winner.ratings[c].why.clone(),
            }
        })
        .filter(|d| d.advantage > TIE_EPSILON)
        .collect();
    // Most decisive first; equal advantages: the one the answers cared about more.
    deciding.sort_by(|a, b| {
        b.advantage
            .total_cmp(&a.advantage)
            .then(b.weight.total_cmp(&a.weight))
    });
    deciding.truncate(MAX_DECIDING);

    let tied_with = eligible[1..]
        .iter()
        .filter(|&&f| (scores[f].total - scores[w].total).abs() < TIE_EPSILON)
        .map(|&f| catalogue.frameworks[f].id.clone())
        .collect();

    // Compared with every framework, excluded or not: the point is to be honest about
    // the guide's view when the answers, not the ratings, put the winner first.
    let rated_higher_by_guide = (0..catalogue.frameworks.len())
        .filter(|&f| f != w)
        .filter(|&f| {
            let other = &catalogue.frameworks[f];
            let pairs = || other.ratings.iter().zip(&winner.ratings);
            pairs().all(|(o, m)| o.rating >= m.rating) && pairs().any(|(o, m)| o.rating > m.rating)
        })
        .map(|f| catalogue.frameworks[f].id.clone())
        .collect();

    Explanation {
        winner: winner.id.clone(),
        score: scores[w].total,
        tied_with,
        deciding,
        bonuses: profile.bonuses[w].clone(),
        rated_higher_by_guide,
        trade_off: trade_off(catalogue, w, &weights),
        runner_up: runner.map(|r| {
            let margin = scores[w].total - scores[r].total;
            RunnerUp {
                framework: catalogue.frameworks[r].id.clone(),
                score: scores[r].total,
                margin,
                close_call: margin < CLOSE_CALL_MARGIN,
            }
        }),
        flip: flip_point(catalogue, profile, w, &weights),
    }
}

/// The winner's lowest rating among criteria with weight; equal ratings: the one
/// weighted more. None when the winner is rated 5 on all of them.
fn trade_off(catalogue: &Catalogue, w: usize, weights: &[f64]) -> Option<TradeOff> {
    let winner = &catalogue.frameworks[w];
    let (c, rated) = winner
        .ratings
        .iter()
        .enumerate()
        .filter(|(c, _)| weights[*c] > 0.0)
        .min_by(|(a, ra), (b, rb)| {
            ra.rating
                .cmp(&rb.rating)
                .then(weights[*b].total_cmp(&weights[*a]))
        })?;
    (rated.rating < Rating::from_points(5.0)?).then(|| TradeOff {
        criterion: catalogue.criteria[c].id.clone(),
        rating: rated.rating.points(),
        weight: weights[c],
        caveat: rated.why.clone(),
    })
}

/// Searches, for every criterion, the weights at which another framework's score
/// crosses the winner's, and keeps the crossing nearest the current weight after
/// which the winner really changes.
fn flip_point(
    catalogue: &Catalogue,
    profile: &Profile,
    w: usize,
    weights: &[f64],
) -> Option<FlipPoint> {
    let n = catalogue.criteria.len() as f64;
    let bonus = |f: usize| profile.bonuses[f].iter().map(|b| b.points).sum::<f64>();
    let mut best: Option<(f64, FlipPoint)> = None;
    for (c, criterion) in catalogue.criteria.iter().enumerate() {
        let rest_weight: f64 = weights
            .iter()
            .enumerate()
            .filter(|(i, _)| *i != c)
            .map(|(_, x)| x)
            .sum();
        let rest = |f: usize| -> f64 {
            catalogue.frameworks[f]
                .ratings
                .iter()
                .enumerate()
                .filter(|(i, _)| *i != c)
                .map(|(i, r)| weights[i] * r.rating.points())
                .sum()
        };
        for g in
            (0..catalogue.frameworks.len()).filter(|&g| g != w && profile.exclusions[g].is_empty())
        {
            // score_w(x) = score_g(x), with x the weight of criterion c, solved for x.
            let d_rest = rest(w) - rest(g);
            let d_rating = catalogue.frameworks[w].ratings[c].rating.points()
                - catalogue.frameworks[g].ratings[c].rating.points();
            let d_bonus = bonus(w) - bonus(g);
            let denominator = n * d_rating + d_bonus;
            if denominator.abs() < TIE_EPSILON {
                continue;
            }
            let x = -(n * d_rest + d_bonus * rest_weight) / denominator;
            let distance = (x - weights[c]).abs();
            if !(0.0..=MAX_FLIP_WEIGHT).contains(&x) || distance < TIE_EPSILON {
                continue;
            }
            if best.as_ref().is_some_and(|(d, _)| *d <= distance) {
                continue;
            }
            // Just past the crossing, away from the current weight.
            let nudged = x + (x - weights[c]).signum() * 1e-6;
            if nudged < 0.0 || rest_weight + nudged <= 0.0 {
                continue;
            }
            let mut trial = weights.to_vec();
            trial[c] = nudged;
            if let Some(new) = winner_with(catalogue, &trial, profile).filter(|&f| f != w) {
                best = Some((
                    distance,
                    FlipPoint {
                        criterion: criterion.id.clone(),
                        current_weight: weights[c],
                        flip_weight: x,
                        new_winner: catalogue.frameworks[new].id.clone(),
                    },
                ));
            }
        }
    }
    best.map(|(_, flip)| flip)
}
