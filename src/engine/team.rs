//! Team mode: several members answer the same question set, and their answers are
//! combined into one profile that is scored and explained like anyone's.
//!
//! # How answers combine
//! - Each criterion's weight is the **geometric mean** of the members' weights (a
//!   member whose weights are all 0 counts with equal weights, as on their own). The
//!   geometric mean suits multipliers: one member doubling a weight and another
//!   halving it cancel out, and the result doesn't depend on how a member scales all
//!   their weights at once.
//! - Affinity bonuses count **per member who gave them**: each member's points are
//!   divided by the team's size, so a language three of four members write gets ¾ of
//!   its points, and identical members add up to exactly one member.
//! - Every member's **hard constraint** applies to the team: an exclusion by name or
//!   an "only these languages" answer as it is, and "only the languages we know" with
//!   the languages the whole team writes. They are listed in the result.
//!
//! Besides the recommendation, the result says where the team agrees and where it is
//! split (per criterion, the spread of the members' weights) and which members'
//! answers, removed on their own, would change the winner. Members are indices into
//! the list given; adapters decide how (and whether) to name them.

use serde::{Deserialize, Serialize};

use super::profile::{Because, Bonus, CriterionWeight, Exclusion, ExclusionKind, Profile};
use super::{effective_weights, evaluate, Recommendation};
use crate::guide::Catalogue;
use crate::ids::{CriterionId, FrameworkId, LanguageId};
use crate::questionnaire::{Answers, QuestionSet};

/// A team's members weigh a criterion within this ratio of each other: they agree.
pub const AGREEMENT_RATIO: f64 = 1.5;

/// How the members weigh one criterion.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Spread {
    /// The criterion.
    pub criterion: CriterionId,
    /// The team's weight (geometric mean).
    pub team_weight: f64,
    /// The lowest member weight.
    pub lowest: f64,
    /// The highest member weight.
    pub highest: f64,
    /// Whether the highest is within [`AGREEMENT_RATIO`] of the lowest.
    pub agreed: bool,
}

impl Spread {
    /// How far apart the members are: highest ÷ lowest (infinite when one member
    /// makes it irrelevant and another doesn't; 1 when they all agree exactly).
    pub fn ratio(&self) -> f64 {
        if self.highest <= 0.0 {
            1.0
        } else if self.lowest <= 0.0 {
            f64::INFINITY
        } else {
            self.highest / self.lowest
        }
    }
}

/// A member whose answers, removed, change the team's winner.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Pivotal {
    /// The member's index in the list given.
    pub member: usize,
    /// Who would win without them (`None`: nothing would be eligible).
    pub winner_without: Option<FrameworkId>,
}

/// A hard constraint that applies to the whole team.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Constraint {
    /// What it rules out and the answer behind it.
    pub exclusion: Exclusion,
    /// The frameworks it rules out, in catalogue order.
    pub rules_out: Vec<FrameworkId>,
}

/// The team's result.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct TeamResult {
    /// How many members' answers were combined.
    pub members: usize,
    /// The combined recommendation, explained as for one person.
    pub recommendation: Recommendation,
    /// Per criterion (catalogue order): how far apart the members are.
    pub spreads: Vec<Spread>,
    /// Hard constraints from any member, applied to the team.
    pub constraints: Vec<Constraint>,
    /// The languages the team writes (catalogue order).
    pub team_languages: Vec<LanguageId>,
    /// Members whose answers, removed on their own, change the winner (by index).
    pub pivotal: Vec<Pivotal>,
}

impl TeamResult {
    /// The criteria the members agree on, in catalogue order.
    pub fn agreed(&self) -> impl Iterator<Item = &Spread> {
        self.spreads.iter().filter(|s| s.agreed)
    }

    /// The criteria the team is split on, most split first.
    pub fn split(&self) -> Vec<&Spread> {
        let mut split: Vec<&Spread> = self.spreads.iter().filter(|s| !s.agreed).collect();
        split.sort_by(|a, b| b.ratio().total_cmp(&a.ratio()));
        split
    }
}

/// Combines the members' profiles (at least one) into the team's profile. The
/// members' order changes nothing but the order of equal entries.
pub fn combine(catalogue: &Catalogue, members: &[Profile]) -> Profile {
    let mut team = Profile::neutral(catalogue);
    if members.is_empty() {
        return team;
    }
    let n = members.len() as f64;

    // Weights: the geometric mean of each member's effective weights.
    let effective: Vec<Vec<f64>> = members.iter().map(effective_weights).collect();
    for (c, weight) in team.weights.iter_mut().enumerate() {
        let values: Vec<f64> = effective.iter().map(|w| w[c]).collect();
        weight.weight = geometric_mean(&values);
        if members.len() == 1 {
            // One member: their own trace, so their result reads the same.
            weight.changes = members[0].weights[c].changes.clone();
        }
    }

    // Bonuses: the same bonus (framework, language, answer) counted per member who
    // gave it, each member's share being 1/n of the points.
    for (f, bonuses) in team.bonuses.iter_mut().enumerate() {
        let mut merged: Vec<(Bonus, usize)> = Vec::new();
        for member in members {
            for bonus in &member.bonuses[f] {
                match merged.iter_mut().find(|(b, _)| same_bonus(b, bonus)) {
                    Some((b, count)) => {
                        b.points += bonus.points;
                        *count += 1;
                    }
                    None => merged.push((bonus.clone(), 1)),
                }
            }
        }
        *bonuses = merged
            .into_iter()
            .map(|(mut b, _)| {
                b.points /= n;
                b
            })
            .collect();
        sort_bonuses(bonuses);
    }

    // The languages the team writes, in catalogue order.
    team.team_languages = catalogue
        .languages
        .iter()
        .map(|l| l.id.clone())
        .filter(|l| members.iter().any(|m| m.team_languages.contains(l)))
        .collect();

    // Hard constraints: every member's, "our languages" meaning the team's.
    let mut team_rules: Vec<Because> = Vec::new();
    for member in members {
        for (f, exclusions) in member.exclusions.iter().enumerate() {
            for exclusion in exclusions {
                match &exclusion.kind {
                    ExclusionKind::OnlyTeamLanguages { .. } => {
                        if !team_rules.contains(&exclusion.because) {
                            team_rules.push(exclusion.because.clone());
                        }
                    }
                    _ => {
                        if !team.exclusions[f].contains(exclusion) {
                            team.exclusions[f].push(exclusion.clone());
                        }
                    }
                }
            }
        }
    }
    for because in team_rules {
        for (f, framework) in catalogue.frameworks.iter().enumerate() {
            if !team.team_languages.contains(&framework.language) {
                team.exclusions[f].push(Exclusion {
                    kind: ExclusionKind::OnlyTeamLanguages {
                        team: team.team_languages.clone(),
                    },
                    because: because.clone(),
                });
            }
        }
    }
    for exclusions in &mut team.exclusions {
        exclusions.sort_by(|a, b| because_key(&a.because).cmp(&because_key(&b.because)));
    }
    team
}

/// Scores the members' answers to `set` as one team: at least one member.
pub fn recommend_team(
    catalogue: &Catalogue,
    set: &QuestionSet,
    members: &[Answers],
) -> Option<TeamResult> {
    let profiles: Vec<Profile> = members
        .iter()
        .map(|answers| Profile::from_answers(catalogue, set, answers))
        .collect();
    evaluate_team(catalogue, &profiles)
}

/// Scores the members' profiles as one team; `None` without members.
pub fn evaluate_team(catalogue: &Catalogue, members: &[Profile]) -> Option<TeamResult> {
    if members.is_empty() {
        return None;
    }
    let team = combine(catalogue, members);
    let recommendation = evaluate(catalogue, &team);
    let spreads = spreads(members, &team.weights);
    let constraints = constraints(catalogue, &team);
    let pivotal = if members.len() < 2 {
        Vec::new()
    } else {
        (0..members.len())
            .filter_map(|left_out| {
                let others: Vec<Profile> = members
                    .iter()
                    .enumerate()
                    .filter(|(i, _)| *i != left_out)
                    .map(|(_, p)| p.clone())
                    .collect();
                let without = evaluate(catalogue, &combine(catalogue, &others));
                (without.winner() != recommendation.winner()).then(|| Pivotal {
                    member: left_out,
                    winner_without: without.winner().cloned(),
                })
            })
            .collect()
    };
    Some(TeamResult {
        members: members.len(),
        team_languages: team.team_languages.clone(),
        recommendation,
        spreads,
        constraints,
        pivotal,
    })
}

/// The geometric mean; exact when all values are equal, 0 when one is 0.
fn geometric_mean(values: &[f64]) -> f64 {
    let Some(&first) = values.first() else {
        return 1.0;
    };
    if values.iter().all(|v| *v == first) {
        return first;
    }
    if values.iter().any(|v| *v <= 0.0) {
        return 0.0;
    }
    let mean_log = values.iter().map(|v| v.ln()).sum::<f64>() / values.len() as f64;
    mean_log.exp()
}

fn same_bonus(a: &Bonus, b: &Bonus) -> bool {
    a.language == b.language
        && a.because.question == b.because.question
        && a.because.option == b.because.option
}

fn because_key(b: &Because) -> (&str, &str) {
    (b.question.as_str(), b.option.as_str())
}

/// Bonuses in a fixed order (by answer, then language), whatever the members' order.
fn sort_bonuses(bonuses: &mut [Bonus]) {
    bonuses.sort_by(|a, b| {
        because_key(&a.because)
            .cmp(&because_key(&b.because))
            .then_with(|| {
                let lang = |x: &Bonus| x.language.as_ref().map(|l| l.as_str().to_owned());
                lang(a).cmp(&lang(b))
            })
    });
}

/// Per criterion: the team's weight and the members' lowest and highest.
fn spreads(members: &[Profile], team: &[CriterionWeight]) -> Vec<Spread> {
    let effective: Vec<Vec<f64>> = members.iter().map(effective_weights).collect();
    team.iter()
        .enumerate()
        .map(|(c, weight)| {
            let values = effective.iter().map(|w| w[c]);
            let lowest = values.clone().fold(f64::INFINITY, f64::min);
            let highest = values.fold(f64::NEG_INFINITY, f64::max);
            let agreed = if highest <= 0.0 {
                true
            } else {
                lowest > 0.0 && highest <= lowest * AGREEMENT_RATIO + 1e-12
            };
            Spread {
                criterion: weight.criterion.clone(),
                team_weight: weight.weight,
                lowest,
                highest,
                agreed,
            }
        })
        .collect()
}

/// The team's hard constraints, each once, with what it rules out.
fn constraints(catalogue: &Catalogue, team: &Profile) -> Vec<Constraint> {
    let mut constraints: Vec<Constraint> = Vec::new();
    for (f, exclusions) in team.exclusions.iter().enumerate() {
        for exclusion in exclusions {
            let framework = catalogue.frameworks[f].id.clone();
            match constraints.iter_mut().find(|c| &c.exclusion == exclusion) {
                Some(c) => c.rules_out.push(framework),
                None => constraints.push(Constraint {
                    exclusion: exclusion.clone(),
                    rules_out: vec![framework],
                }),
            }
        }
    }
    constraints
        .sort_by(|a, b| because_key(&a.exclusion.because).cmp(&because_key(&b.exclusion.because)));
    constraints
}

#[cfg(test)]
mod tests;
