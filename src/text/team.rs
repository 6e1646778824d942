//! The phrases of a team's result: where the members agree and where they are split,
//! the hard constraints that bind the team, and the members whose answers decided it.
//! Members are named by the caller (a name, or "one member" when they keep their
//! answers to themselves).

use super::{criterion_name, factor, framework_name, join_and, language_names};
use crate::engine::team::{Constraint, Pivotal, Spread, TeamResult};
use crate::engine::ExclusionKind;
use crate::guide::Catalogue;

/// When no single member's answers decide it.
pub const NO_PIVOTAL: &str =
    "No single member's answers decide it: leave any one out and the winner stays.";

/// `Security ×1.73`.
fn agreed_item(catalogue: &Catalogue, spread: &Spread) -> String {
    format!(
        "{} {}",
        criterion_name(catalogue, &spread.criterion),
        factor(spread.team_weight)
    )
}

/// `Security: from ×1 to ×3 (the team weighs it ×1.73)`.
pub fn split_line(catalogue: &Catalogue, spread: &Spread) -> String {
    format!(
        "{}: from {} to {} (the team weighs it {})",
        criterion_name(catalogue, &spread.criterion),
        factor(spread.lowest),
        factor(spread.highest),
        factor(spread.team_weight)
    )
}

/// The criteria everyone weighs about the same, in one sentence (`None` if none).
pub fn agreed_line(catalogue: &Catalogue, result: &TeamResult) -> Option<String> {
    let agreed: Vec<String> = result.agreed().map(|s| agreed_item(catalogue, s)).collect();
    (!agreed.is_empty()).then(|| {
        format!(
            "Everyone weighs these about the same: {}.",
            join_and(&agreed)
        )
    })
}

/// One line per criterion the team is split on, most split first.
pub fn split_lines(catalogue: &Catalogue, result: &TeamResult) -> Vec<String> {
    result
        .split()
        .into_iter()
        .map(|s| split_line(catalogue, s))
        .collect()
}

/// `“No Rust” rules out Actix`, or for "only our languages":
/// `“We must stay in them”: only the team's languages (Ruby and Elixir), ruling out …`.
pub fn constraint_line(catalogue: &Catalogue, constraint: &Constraint) -> String {
    let label = &constraint.exclusion.because.label;
    let ruled_out: Vec<String> = constraint
        .rules_out
        .iter()
        .map(|f| framework_name(catalogue, f).to_owned())
        .collect();
    let ruled_out = join_and(&ruled_out);
    match &constraint.exclusion.kind {
        ExclusionKind::Excluded => format!("“{label}” rules out {ruled_out}"),
        ExclusionKind::OnlyLanguages { allowed } => format!(
            "“{label}”: only {}, ruling out {ruled_out}",
            join_and(&language_names(catalogue, allowed))
        ),
        ExclusionKind::OnlyTeamLanguages { team } if team.is_empty() => format!(
            "“{label}”: the team writes none of the guide's languages, ruling out {ruled_out}"
        ),
        ExclusionKind::OnlyTeamLanguages { team } => format!(
            "“{label}”: only the team's languages ({}), ruling out {ruled_out}",
            join_and(&language_names(catalogue, team))
        ),
    }
}

/// `Without one member's answers, Ruby on Rails would win instead.`
pub fn pivotal_line(catalogue: &Catalogue, pivotal: &Pivotal, who: &str) -> String {
    match &pivotal.winner_without {
        Some(other) => format!(
            "Without {who}'s answers, {} would win instead.",
            framework_name(catalogue, other)
        ),
        None => format!("Without {who}'s answers, no framework would fit."),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::team::recommend_team;
    use crate::questionnaire::{builtin_sets, Answers};

    #[test]
    fn a_split_team_reads_its_spread_constraints_and_who_decided_it() {
        let catalogue = Catalogue::builtin();
        let set = builtin_sets(catalogue)
            .unwrap()
            .into_iter()
            .find(|s| s.id.as_str() == "default")
            .unwrap();
        let mut strict = Answers::default();
        strict.set("security".into(), vec!["regulated".into()]);
        strict.set("ruled_out".into(), vec!["no_rust".into()]);
        let mut ruby = Answers::default();
        ruby.set("languages".into(), vec!["ruby".into()]);
        ruby.set("stick_to_languages".into(), vec!["prefer".into()]);
        let result = recommend_team(catalogue, &set, &[strict, ruby]).unwrap();
        assert_eq!(
            split_lines(catalogue, &result),
            ["Security: from ×1 to ×3 (the team weighs it ×1.73)"]
        );
        let agreed = agreed_line(catalogue, &result).unwrap();
        assert!(
            agreed.starts_with("Everyone weighs these about the same: Performance ×1, "),
            "{agreed}"
        );
        assert_eq!(
            constraint_line(catalogue, &result.constraints[0]),
            "“No Rust” rules out Actix"
        );
        let pivotal = Pivotal {
            member: 0,
            winner_without: Some("rails".into()),
        };
        assert_eq!(
            pivotal_line(catalogue, &pivotal, "one member"),
            "Without one member's answers, Ruby on Rails would win instead."
        );
    }
}
