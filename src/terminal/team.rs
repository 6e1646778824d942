//! A team's result in the terminal: the recommendation as for one person, then where
//! the members agree and disagree, the constraints that bind the team and whose
//! answers decided it (members named as the caller gives them, e.g. by file name).

use crate::engine::team::TeamResult;
use crate::guide::Catalogue;
use crate::text::{self, team};

/// The team's result as text; `names[i]` names member `i`.
pub fn render_team(catalogue: &Catalogue, result: &TeamResult, names: &[String]) -> String {
    let mut out = format!("Team of {}: {}\n\n", result.members, text::join_and(names));
    out.push_str(&super::render(catalogue, &result.recommendation));
    out.push_str("\nWhere the team agrees and disagrees:\n");
    if let Some(agreed) = team::agreed_line(catalogue, result) {
        out.push_str(&format!("  {agreed}\n"));
    }
    let split = team::split_lines(catalogue, result);
    if split.is_empty() {
        out.push_str("  Nobody weighs any criterion very differently.\n");
    } else {
        out.push_str("  Split on:\n");
        for line in split {
            out.push_str(&format!("    - {line}\n"));
        }
    }
    if !result.constraints.is_empty() {
        out.push_str("\nHard constraints from the team's answers:\n");
        for constraint in &result.constraints {
            out.push_str(&format!(
                "  - {}\n",
                team::constraint_line(catalogue, constraint)
            ));
        }
    }
    if result.members > 1 {
        out.push_str("\nWhose answers decide it:\n");
        if result.pivotal.is_empty() {
            out.push_str(&format!("  {}\n", team::NO_PIVOTAL));
        }
        for pivotal in &result.pivotal {
            let who = names
                .get(pivotal.member)
                .map_or("one member", String::as_str);
            out.push_str(&format!(
                "  {}\n",
                team::pivotal_line(catalogue, pivotal, who)
            ));
        }
    }
    out
}
