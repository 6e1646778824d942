//! Why the winner won: the lead over the runner-up taken apart into criterion and
//! bonus parts, what the ratings alone would pick, the trade-off, the runner-up, and
//! the smallest weight change that would flip the result.
//!
//! # The margin, taken apart
//! With `s = n / Σw` (n criteria), the lead of the winner W over another framework O is
//!
//! ```text
//! score(W) − score(O) = Σc s·w(c)·(rating(W, c) − rating(O, c))  +  Σa (bonus_a(W) − bonus_a(O))
//! ```
//!
//! one part per criterion and one per answer that gave either of them points. The
//! parts add up to the margin exactly (up to floating point); "what decided it" is
//! the largest positive parts, criterion or bonus alike.

use serde::{Deserialize, Serialize};

use super::profile::{Because, Bonus, Profile, WeightChange};
use super::{winner_with, Score, CLOSE_CALL_MARGIN, TIE_EPSILON};
use crate::guide::Catalogue;
use crate::ids::{CriterionId, FrameworkId};

/// Most parts listed as deciding.
pub const MAX_DECIDING: usize = 3;
/// Flip points beyond this weight are not realistic answers, so not reported.
const MAX_FLIP_WEIGHT: f64 = 25.0;

/// A criterion listed among the parts that decided it (see [`Explanation::margin`]).
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
    /// Guide points this criterion put between them (in results stored before the
    /// margin was taken apart, with no runner-up: what it added to the winner's score).
    pub advantage: f64,
    /// The guide's note on the winner's rating, in our words. Kept as data; the
    /// explanation compares the two ratings instead, since a note on its own may
    /// argue the other way.
    pub reasoning: String,
}

/// Where a part of the margin comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "source", rename_all = "snake_case")]
pub enum PartSource {
    /// A criterion's weighted rating difference.
    Criterion {
        /// The criterion.
        criterion: CriterionId,
        /// Its weight.
        weight: f64,
        /// The answers that changed its weight.
        changes: Vec<WeightChange>,
        /// The winner's rating.
        winner_rating: f64,
        /// The other framework's rating.
        other_rating: f64,
    },
    /// The points one answer gave either framework.
    Bonus {
        /// The answer.
        answer: Because,
        /// Points it gave the winner (negative: took away).
        winner_points: f64,
        /// Points it gave the other framework.
        other_points: f64,
    },
}

/// One part of the winner's lead over another framework.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MarginPart {
    /// The criterion or the answer.
    #[serde(flatten)]
    pub source: PartSource,
    /// Guide points it adds to the lead (negative: takes away).
    pub points: f64,
}

impl MarginPart {
    /// Whether the part comes from an answer's bonus points.
    pub fn is_bonus(&self) -> bool {
        matches!(self.source, PartSource::Bonus { .. })
    }
}

/// The winner's lead over another framework, taken apart.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Margin {
    /// The other framework.
    pub over: FrameworkId,
    /// The lead in guide points (0 in a tie).
    pub points: f64,
    /// Every non-zero part, largest first; they add up to `points`.
    pub parts: Vec<MarginPart>,
}

impl Margin {
    /// The lead the weighted ratings alone give (negative: the other leads).
    pub fn from_ratings(&self) -> f64 {
        self.parts
            .iter()
            .filter(|p| !p.is_bonus())
            .map(|p| p.points)
            .sum()
    }

    /// The parts listed as deciding: the largest positive ones.
    pub fn deciding(&self) -> impl Iterator<Item = &MarginPart> {
        self.parts
            .iter()
            .filter(|p| p.points > TIE_EPSILON)
            .take(MAX_DECIDING)
    }

    /// The parts not listed as deciding, in order.
    pub fn others(&self) -> impl Iterator<Item = &MarginPart> {
        let listed = self.deciding().count();
        self.parts.iter().skip(listed)
    }

    /// Answers whose points favour the winner, largest first: the ones that put it
    /// ahead when the ratings alone do not.
    pub fn favouring_bonuses(&self) -> impl Iterator<Item = &MarginPart> {
        self.parts
            .iter()
            .filter(|p| p.is_bonus() && p.points > TIE_EPSILON)
    }
}

/// What choosing the winner gives up: the criterion where it falls furthest behind
/// the best alternative, weighted by the answers.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TradeOff {
    /// The criterion.
    pub criterion: CriterionId,
    /// The winner's rating on it.
    pub rating: f64,
    /// Its weight in this result.
    pub weight: f64,
    /// The guide's note on the winner's rating, in our words.
    pub caveat: String,
    /// The framework rated best on it (absent in results stored before this was
    /// compared).
    #[serde(default)]
    pub alternative: Option<FrameworkId>,
    /// That framework's rating.
    #[serde(default)]
    pub alternative_rating: Option<f64>,
    /// The weighted guide points the gap is worth.
    #[serde(default)]
    pub cost: Option<f64>,
    /// Our note on why the guide rates that framework higher: what is given up.
    #[serde(default)]
    pub alternative_note: Option<String>,
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
    /// The criteria among the parts listed as deciding, most decisive first.
    pub deciding: Vec<Deciding>,
    /// Affinity bonuses the winner received from the answers.
    pub bonuses: Vec<Bonus>,
    /// Frameworks the guide rates at least as high on every criterion (and higher on
    /// one): when present, the winner is first only because of the team's answers.
    pub rated_higher_by_guide: Vec<FrameworkId>,
    /// What choosing the winner gives up.
    pub trade_off: Option<TradeOff>,
    /// The next eligible framework.
    pub runner_up: Option<RunnerUp>,
    /// What would change the result.
    pub flip: Option<FlipPoint>,
    /// The lead over the runner-up taken apart; absent with no runner-up (and in
    /// results stored before it was added).
    #[serde(default)]
    pub margin: Option<Margin>,
    /// The eligible framework that would win on the weighted ratings without any
    /// bonus points (absent in results stored before it was added).
    #[serde(default)]
    pub ratings_alone_winner: Option<FrameworkId>,
    /// When that is another framework: the winner's lead over it, taken apart, to
    /// show which answers' points overturned it.
    #[serde(default)]
    pub ratings_alone_margin: Option<Margin>,
    /// When the team writes a language the winner is not in: the winner's lead over
    /// the best eligible framework in the team's languages, taken apart, to say what
    /// outweighed the team's own language (absent in results stored before it).
    #[serde(default)]
    pub own_language: Option<Margin>,
}

impl Explanation {
    /// Whether the answers' bonus points, not the ratings, put the winner first.
    pub fn won_by_bonuses(&self) -> bool {
        self.ratings_alone_winner
            .as_ref()
            .is_some_and(|f| f != &self.winner)
    }
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

    let margin = runner.map(|r| margin_over(catalogue, profile, &weights, scores, w, r));
    let deciding: Vec<Deciding> = margin
        .iter()
        .flat_map(Margin::deciding)
        .filter_map(|part| match &part.source {
            PartSource::Criterion {
                criterion,
                weight,
                changes,
                winner_rating,
                other_rating,
            } => Some(Deciding {
                criterion: criterion.clone(),
                weight: *weight,
                changes: changes.clone(),
                winner_rating: *winner_rating,
                runner_up_rating: Some(*other_rating),
                advantage: part.points,
                reasoning: catalogue
                    .criterion(criterion.as_str())
                    .map(|(c, _)| winner.ratings[c].why.clone())
                    .unwrap_or_default(),
            }),
            PartSource::Bonus { .. } => None,
        })
        .collect();

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

    // The same weights and exclusions, no bonus.
    let without_bonuses = Profile {
        bonuses: vec![Vec::new(); profile.bonuses.len()],
        ..profile.clone()
    };
    let ratings_alone = winner_with(catalogue, &weights, &without_bonuses);
    let ratings_alone_margin = ratings_alone
        .filter(|&x| x != w)
        .map(|x| margin_over(catalogue, profile, &weights, scores, w, x));

    // The team's own language lost: what outweighed it.
    let in_team = |f: usize| {
        profile
            .team_languages
            .contains(&catalogue.frameworks[f].language)
    };
    let own_language = if in_team(w) {
        None
    } else {
        eligible[1..]
            .iter()
            .copied()
            .find(|&f| in_team(f))
            .map(|f| margin_over(catalogue, profile, &weights, scores, w, f))
    };

    // Alternatives: the other eligible frameworks, or, when the answers leave only
    // the winner, every other framework of the guide.
    let mut alternatives: Vec<usize> = eligible[1..].to_vec();
    if alternatives.is_empty() {
        alternatives = order.iter().copied().filter(|&f| f != w).collect();
    }
    let listed: Vec<&CriterionId> = deciding.iter().map(|d| &d.criterion).collect();

    Explanation {
        winner: winner.id.clone(),
        score: scores[w].total,
        tied_with,
        trade_off: trade_off(catalogue, w, &weights, &alternatives, &listed),
        deciding,
        bonuses: profile.bonuses[w].clone(),
        rated_higher_by_guide,
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
        margin,
        ratings_alone_winner: ratings_alone.map(|x| catalogue.frameworks[x].id.clone()),
        ratings_alone_margin,
        own_language,
    }
}

/// The lead of framework `w` over framework `o`, split into one part per criterion
/// and one per answer that gave either of them points; zero parts are left out.
/// Largest first; equal parts keep criteria in catalogue order, then answers in the
/// order they were given.
fn margin_over(
    catalogue: &Catalogue,
    profile: &Profile,
    weights: &[f64],
    scores: &[Score],
    w: usize,
    o: usize,
) -> Margin {
    let scale = catalogue.criteria.len() as f64 / weights.iter().sum::<f64>();
    let (mine, theirs) = (&catalogue.frameworks[w], &catalogue.frameworks[o]);
    let mut parts: Vec<MarginPart> = catalogue
        .criteria
        .iter()
        .enumerate()
        .map(|(c, criterion)| {
            let (a, b) = (
                mine.ratings[c].rating.points(),
                theirs.ratings[c].rating.points(),
            );
            MarginPart {
                source: PartSource::Criterion {
                    criterion: criterion.id.clone(),
                    weight: weights[c],
                    changes: profile.weights[c].changes.clone(),
                    winner_rating: a,
                    other_rating: b,
                },
                points: scale * weights[c] * (a - b),
            }
        })
        .collect();

    // One part per answer, netting what it gave each of the two.
    let mut answers: Vec<&Because> = Vec::new();
    for bonus in profile.bonuses[w].iter().chain(&profile.bonuses[o]) {
        if !answers.iter().any(|a| same_answer(a, &bonus.because)) {
            answers.push(&bonus.because);
        }
    }
    let given = |f: usize, answer: &Because| -> f64 {
        profile.bonuses[f]
            .iter()
            .filter(|b| same_answer(&b.because, answer))
            .map(|b| b.points)
            .sum::<f64>()
            // An empty sum is −0; read 0.
            + 0.0
    };
    parts.extend(answers.into_iter().map(|answer| {
        let (a, b) = (given(w, answer), given(o, answer));
        MarginPart {
            source: PartSource::Bonus {
                answer: answer.clone(),
                winner_points: a,
                other_points: b,
            },
            points: a - b,
        }
    }));
    parts.retain(|p| p.points.abs() > TIE_EPSILON);
    parts.sort_by(|a, b| b.points.total_cmp(&a.points));
    Margin {
        over: theirs.id.clone(),
        points: scores[w].total - scores[o].total,
        parts,
    }
}

fn same_answer(a: &Because, b: &Because) -> bool {
    a.question == b.question && a.option == b.option
}

/// The criterion where the winner falls furthest behind the best of `alternatives`,
/// the gap weighted like the scores; criteria listed as deciding are left out.
/// Equal costs: the one weighted more, then catalogue order. None when the winner is
/// rated at least as high as every alternative on every other criterion.
fn trade_off(
    catalogue: &Catalogue,
    w: usize,
    weights: &[f64],
    alternatives: &[usize],
    listed: &[&CriterionId],
) -> Option<TradeOff> {
    let winner = &catalogue.frameworks[w];
    let scale = catalogue.criteria.len() as f64 / weights.iter().sum::<f64>();
    let mut best: Option<TradeOff> = None;
    for (c, criterion) in catalogue.criteria.iter().enumerate() {
        if weights[c] <= 0.0 || listed.contains(&&criterion.id) {
            continue;
        }
        // The best-rated alternative; equal ratings: the one ranked higher.
        let Some(&alt) = alternatives.iter().reduce(|best, f| {
            let rating = |f: usize| catalogue.frameworks[f].ratings[c].rating;
            if rating(*f) > rating(*best) {
                f
            } else {
                best
            }
        }) else {
            continue;
        };
        let mine = winner.ratings[c].rating.points();
        let theirs = catalogue.frameworks[alt].ratings[c].rating.points();
        let cost = scale * weights[c] * (theirs - mine);
        if cost <= TIE_EPSILON {
            continue;
        }
        let better = best.as_ref().is_none_or(|b| {
            let current = b.cost.unwrap_or_default();
            cost > current + TIE_EPSILON
                || ((cost - current).abs() <= TIE_EPSILON && weights[c] > b.weight)
        });
        if better {
            best = Some(TradeOff {
                criterion: criterion.id.clone(),
                rating: mine,
                weight: weights[c],
                caveat: winner.ratings[c].why.clone(),
                alternative: Some(catalogue.frameworks[alt].id.clone()),
                alternative_rating: Some(theirs),
                cost: Some(cost),
                alternative_note: Some(catalogue.frameworks[alt].ratings[c].why.clone()),
            });
        }
    }
    best
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{evaluate, Exclusion, ExclusionKind, Recommendation, Verdict};

    fn because(option: &str) -> Because {
        Because {
            question: "q".into(),
            option: option.into(),
            label: option.to_owned(),
        }
    }

    fn index(id: &str) -> usize {
        Catalogue::builtin().framework(id).unwrap().0
    }

    fn give(profile: &mut Profile, framework: &str, points: f64, option: &str) {
        profile.bonuses[index(framework)].push(Bonus {
            points,
            language: None,
            because: because(option),
        });
    }

    fn exclude(profile: &mut Profile, frameworks: &[&str]) {
        for f in frameworks {
            profile.exclusions[index(f)].push(Exclusion {
                kind: ExclusionKind::Excluded,
                because: because("no"),
            });
        }
    }

    fn explained(profile: &Profile) -> (Recommendation, Explanation) {
        let result = evaluate(Catalogue::builtin(), profile);
        let Verdict::Recommend(x) = &result.verdict else {
            panic!("something is eligible");
        };
        let x = (**x).clone();
        (result, x)
    }

    /// (criterion id or answer option, points), in the margin's order.
    fn parts(margin: &Margin) -> Vec<(String, f64)> {
        margin
            .parts
            .iter()
            .map(|p| {
                let name = match &p.source {
                    PartSource::Criterion { criterion, .. } => criterion.to_string(),
                    PartSource::Bonus { answer, .. } => answer.option.to_string(),
                };
                (name, (p.points * 1e6).round() / 1e6)
            })
            .collect()
    }

    #[test]
    fn the_guides_own_view_is_decided_by_community_against_fastifys_security() {
        // Equal weights: Next.js 32.5 leads Fastify 31 by 1.5 = community +2 (5 vs 3)
        // and security −0.5 (3.5 vs 4); the other criteria are level and left out.
        let (_, x) = explained(&Profile::neutral(Catalogue::builtin()));
        let margin = x.margin.unwrap();
        assert_eq!(margin.over.as_str(), "fastify");
        assert_eq!(margin.points, 1.5);
        assert_eq!(
            parts(&margin),
            [("community".to_owned(), 2.0), ("security".to_owned(), -0.5)]
        );
        assert_eq!(x.ratings_alone_winner.unwrap().as_str(), "nextjs");
        assert!(x.ratings_alone_margin.is_none());
        assert_eq!(x.deciding.len(), 1);
        assert_eq!(x.deciding[0].criterion.as_str(), "community");
    }

    #[test]
    fn bonus_points_that_outweigh_the_ratings_come_first_and_the_ratings_winner_is_named() {
        // +2 for Fastify turns a 1.5 deficit on the ratings into a 0.5 lead.
        let mut profile = Profile::neutral(Catalogue::builtin());
        give(&mut profile, "fastify", 2.0, "api");
        let (_, x) = explained(&profile);
        assert_eq!(x.winner.as_str(), "fastify");
        let margin = x.margin.as_ref().unwrap();
        assert_eq!(margin.over.as_str(), "nextjs");
        assert_eq!(
            parts(margin),
            [
                ("api".to_owned(), 2.0),
                ("security".to_owned(), 0.5),
                ("community".to_owned(), -2.0)
            ]
        );
        assert_eq!(margin.from_ratings(), -1.5);
        assert!(x.won_by_bonuses());
        assert_eq!(x.ratings_alone_winner.as_ref().unwrap().as_str(), "nextjs");
        assert_eq!(x.ratings_alone_margin.as_ref(), Some(margin));
    }

    #[test]
    fn an_answer_that_gives_both_frameworks_points_counts_only_the_difference() {
        let mut profile = Profile::neutral(Catalogue::builtin());
        give(&mut profile, "nextjs", 2.0, "serverless");
        give(&mut profile, "fastify", 0.5, "serverless");
        give(&mut profile, "fastify", 4.0, "javascript");
        give(&mut profile, "nextjs", 4.0, "javascript");
        let (result, x) = explained(&profile);
        let margin = x.margin.unwrap();
        assert_eq!(
            parts(&margin),
            [
                ("community".to_owned(), 2.0),
                ("serverless".to_owned(), 1.5),
                ("security".to_owned(), -0.5)
            ],
            "the 4 points both get are no part of the lead"
        );
        let PartSource::Bonus {
            winner_points,
            other_points,
            ..
        } = &margin.parts[1].source
        else {
            panic!("a bonus part");
        };
        assert_eq!((*winner_points, *other_points), (2.0, 0.5));
        let (w, o) = (&result.ranking[0], &result.ranking[1]);
        assert_eq!(margin.points, w.score - o.score);
    }

    #[test]
    fn parts_add_up_to_the_margin_under_uneven_weights() {
        let catalogue = Catalogue::builtin();
        let mut profile = Profile::neutral(catalogue);
        for (c, w) in [(0, 4.5), (1, 3.75), (4, 0.5), (6, 1.5)] {
            profile.weights[c].weight = w;
        }
        give(&mut profile, "phoenix", 4.0, "elixir");
        give(&mut profile, "actix", -1.0, "rather_not");
        let (result, x) = explained(&profile);
        let margin = x.margin.unwrap();
        let sum: f64 = margin.parts.iter().map(|p| p.points).sum();
        assert!(
            (sum - margin.points).abs() < 1e-9,
            "{sum} vs {}",
            margin.points
        );
        assert_eq!(
            margin.points,
            result.ranking[0].score - result.ranking[1].score
        );
        assert!(margin
            .parts
            .windows(2)
            .all(|pair| pair[0].points >= pair[1].points));
    }

    #[test]
    fn the_trade_off_is_never_a_criterion_listed_as_deciding() {
        // Fastify +2 beats Phoenix +2 on community (3 vs 2.5) and learning curve
        // (4 vs 3.5). Fastify's widest gap is community, against Laravel's 5, but
        // community is a reason it won; so the trade-off is security (Phoenix 4.5).
        let mut profile = Profile::neutral(Catalogue::builtin());
        exclude(&mut profile, &["nextjs"]);
        give(&mut profile, "fastify", 2.0, "api");
        give(&mut profile, "phoenix", 2.0, "realtime");
        let (_, x) = explained(&profile);
        assert_eq!(x.winner.as_str(), "fastify");
        assert_eq!(x.margin.as_ref().unwrap().over.as_str(), "phoenix");
        let deciding: Vec<&str> = x.deciding.iter().map(|d| d.criterion.as_str()).collect();
        assert_eq!(deciding, ["community", "learning_curve"]);
        let t = x.trade_off.unwrap();
        assert_eq!(t.criterion.as_str(), "security");
        assert_eq!(t.alternative.unwrap().as_str(), "phoenix");
        assert_eq!((t.rating, t.alternative_rating), (4.0, Some(4.5)));
        assert_eq!(t.cost, Some(0.5));
    }

    #[test]
    fn the_trade_off_weighs_the_gap_by_the_answers() {
        // Next.js's only gap is security (3.5 against 4.5): at weight 3 of 9 it is
        // worth 7·3/9·1 = 2.33 points.
        let mut profile = Profile::neutral(Catalogue::builtin());
        let (security, _) = Catalogue::builtin().criterion("security").unwrap();
        profile.weights[security].weight = 3.0;
        exclude(&mut profile, &["laravel", "phoenix", "rails"]);
        give(&mut profile, "nextjs", 5.0, "react");
        let (_, x) = explained(&profile);
        assert_eq!(x.winner.as_str(), "nextjs");
        let t = x.trade_off.unwrap();
        assert_eq!(t.criterion.as_str(), "security");
        assert_eq!(t.alternative.unwrap().as_str(), "fastify");
        assert!((t.cost.unwrap() - 7.0 * 3.0 / 9.0 * 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_lone_eligible_framework_has_no_margin_and_its_trade_off_looks_at_the_whole_guide() {
        let mut profile = Profile::neutral(Catalogue::builtin());
        exclude(
            &mut profile,
            &[
                "nextjs",
                "fastify",
                "sveltekit",
                "rails",
                "laravel",
                "phoenix",
            ],
        );
        let (_, x) = explained(&profile);
        assert_eq!(x.winner.as_str(), "actix");
        assert!(x.margin.is_none() && x.runner_up.is_none() && x.deciding.is_empty());
        assert_eq!(x.ratings_alone_winner.unwrap().as_str(), "actix");
        // Actix's widest gap: learning curve, 2 against Laravel's 4.5.
        let t = x.trade_off.unwrap();
        assert_eq!(t.criterion.as_str(), "learning_curve");
        assert_eq!(t.alternative.unwrap().as_str(), "laravel");
    }

    /// The winner with criterion `c` weighing `weight`, other weights as in `profile`.
    fn winner_at(profile: &Profile, c: usize, weight: f64) -> Option<FrameworkId> {
        let mut changed = profile.clone();
        changed.weights[c].weight = weight;
        evaluate(Catalogue::builtin(), &changed).winner().cloned()
    }

    #[test]
    fn the_flip_point_holds_under_unequal_weights_and_bonuses() {
        // Weights far from equal, bonus points on three frameworks and one exclusion:
        // the reported weight is where the winner changes, and the nearest such.
        let catalogue = Catalogue::builtin();
        let mut profile = Profile::neutral(catalogue);
        for (c, w) in [(0, 2.0), (1, 3.0), (3, 1.5), (4, 0.5), (5, 2.0), (6, 1.25)] {
            profile.weights[c].weight = w;
        }
        give(&mut profile, "phoenix", 3.0, "elixir");
        give(&mut profile, "laravel", 1.5, "crud");
        give(&mut profile, "fastify", 2.0, "api");
        exclude(&mut profile, &["nextjs"]);
        let (_, x) = explained(&profile);
        let flip = x.flip.clone().expect("a weight can change the winner");
        let (c, _) = catalogue.criterion(flip.criterion.as_str()).unwrap();
        assert_eq!(flip.current_weight, profile.weights[c].weight);
        let direction = (flip.flip_weight - flip.current_weight).signum();
        assert_eq!(
            winner_at(&profile, c, flip.flip_weight + direction * 1e-4),
            Some(flip.new_winner.clone())
        );
        assert_eq!(
            winner_at(&profile, c, flip.flip_weight - direction * 1e-4),
            Some(x.winner.clone())
        );
        // No criterion flips it closer: scan every criterion between its weight and
        // the reported distance.
        let distance = (flip.flip_weight - flip.current_weight).abs();
        for (k, w) in profile.weights.iter().enumerate() {
            for step in 1..200 {
                let delta = distance * f64::from(step) / 200.0 * 0.999;
                for weight in [w.weight + delta, w.weight - delta] {
                    if weight >= 0.0 {
                        assert_eq!(
                            winner_at(&profile, k, weight),
                            Some(x.winner.clone()),
                            "criterion {k} at {weight} flips sooner than {flip:?}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn a_team_language_that_loses_is_compared_with_the_winner() {
        // The team writes Rust (+4 through its language) but Next.js still leads: the
        // lead over Actix is taken apart, the 4 points on Actix's side.
        let catalogue = Catalogue::builtin();
        let mut profile = Profile::neutral(catalogue);
        profile.team_languages = vec!["rust".into()];
        profile.bonuses[index("actix")].push(Bonus {
            points: 4.0,
            language: Some("rust".into()),
            because: because("rust"),
        });
        let (_, x) = explained(&profile);
        assert_eq!(x.winner.as_str(), "nextjs");
        let own = x.own_language.as_ref().unwrap();
        assert_eq!(own.over.as_str(), "actix");
        assert!((own.points - 3.0).abs() < 1e-9, "32.5 against 25.5 + 4");
        let sum: f64 = own.parts.iter().map(|p| p.points).sum();
        assert!((sum - own.points).abs() < 1e-9);
        assert!(own
            .parts
            .iter()
            .any(|p| p.is_bonus() && (p.points + 4.0).abs() < 1e-9));
        // A team writing the winner's language has nothing to explain.
        profile.team_languages = vec!["javascript".into(), "rust".into()];
        assert!(explained(&profile).1.own_language.is_none());
    }

    #[test]
    fn a_new_result_survives_a_round_trip_through_json() {
        let mut profile = Profile::neutral(Catalogue::builtin());
        give(&mut profile, "fastify", 2.0, "api");
        let (result, _) = explained(&profile);
        let json = serde_json::to_value(&result).unwrap();
        let part = &json["verdict"]["margin"]["parts"][0];
        assert_eq!(part["source"], "bonus");
        assert_eq!(part["answer"]["option"], "api");
        assert_eq!(part["points"], 2.0);
        assert_eq!(json["verdict"]["margin"]["parts"][1]["source"], "criterion");
        assert_eq!(json["verdict"]["ratings_alone_winner"], "nextjs");
        let back: Recommendation = serde_json::from_value(json).unwrap();
        assert_eq!(back, result);
    }
}
