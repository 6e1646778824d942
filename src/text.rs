//! Plain-text phrases for the parts of an explanation, shared by every adapter so the
//! terminal and Discord say the same thing. Adapters add their own layout (embeds,
//! bold, numbering) around them. Every sentence here is ours.

use crate::engine::{
    Bonus, Deciding, Exclusion, ExclusionKind, Explanation, FlipPoint, RunnerUp, WeightChange,
};
use crate::guide::Catalogue;
use crate::ids::{CriterionId, FrameworkId, LanguageId};

/// Guide points with at most two decimals and no trailing zeros: `32.5`, `31`, `30.72`.
pub fn points(value: f64) -> String {
    let rounded = (value * 100.0).round() / 100.0;
    let text = format!("{rounded:.2}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}

/// A weight multiplier: `×2`, `×1.5`.
pub fn factor(value: f64) -> String {
    format!("×{}", points(value))
}

/// A framework's display name, or its id if the catalogue lacks it.
pub fn framework_name<'c>(catalogue: &'c Catalogue, id: &'c FrameworkId) -> &'c str {
    catalogue
        .framework(id.as_str())
        .map_or(id.as_str(), |(_, f)| f.name.as_str())
}

/// A criterion's display name, or its id.
pub fn criterion_name<'c>(catalogue: &'c Catalogue, id: &'c CriterionId) -> &'c str {
    catalogue
        .criterion(id.as_str())
        .map_or(id.as_str(), |(_, c)| c.name.as_str())
}

/// A language's display name, or its id.
pub fn language_name<'c>(catalogue: &'c Catalogue, id: &'c LanguageId) -> &'c str {
    catalogue
        .language(id.as_str())
        .map_or(id.as_str(), |l| l.name.as_str())
}

/// `you said “Large” (×2) and “Critical” (×1.5)`, or that no answer changed it.
pub fn weight_trace(changes: &[WeightChange]) -> String {
    if changes.is_empty() {
        return "no answer changed its weight".to_owned();
    }
    let parts: Vec<String> = changes
        .iter()
        .map(|c| format!("“{}” ({})", c.because.label, factor(c.factor)))
        .collect();
    format!("you said {}", join_and(&parts))
}

/// What a deciding criterion put between the winner and the runner-up:
/// `Phoenix 5 vs Laravel 4: +0.8 over Laravel`, or, with no runner-up,
/// `rated 5, worth 5 points`.
pub fn advantage(catalogue: &Catalogue, explanation: &Explanation, deciding: &Deciding) -> String {
    match (&explanation.runner_up, deciding.runner_up_rating) {
        (Some(runner_up), Some(theirs)) => {
            let other = framework_name(catalogue, &runner_up.framework);
            format!(
                "{} {} vs {other} {}: +{} over {other}",
                framework_name(catalogue, &explanation.winner),
                points(deciding.winner_rating),
                points(theirs),
                points(deciding.advantage),
            )
        }
        _ => format!(
            "rated {}, worth {} points",
            points(deciding.winner_rating),
            points(deciding.advantage)
        ),
    }
}

/// `+4 for Elixir (“Elixir”)`.
pub fn bonus_line(catalogue: &Catalogue, bonus: &Bonus) -> String {
    let sign = if bonus.points >= 0.0 { "+" } else { "" };
    match &bonus.language {
        Some(language) => format!(
            "{sign}{} for {} (you said “{}”)",
            points(bonus.points),
            language_name(catalogue, language),
            bonus.because.label
        ),
        None => format!(
            "{sign}{} (you said “{}”)",
            points(bonus.points),
            bonus.because.label
        ),
    }
}

/// Display names of several languages, in the given order.
pub fn language_names(catalogue: &Catalogue, ids: &[LanguageId]) -> Vec<String> {
    ids.iter()
        .map(|l| language_name(catalogue, l).to_owned())
        .collect()
}

/// Why a framework is ruled out, e.g. `ruled out by “No Rust”`.
pub fn exclusion_reason(catalogue: &Catalogue, exclusion: &Exclusion) -> String {
    let label = &exclusion.because.label;
    match &exclusion.kind {
        ExclusionKind::Excluded => format!("ruled out by “{label}”"),
        ExclusionKind::OnlyLanguages { allowed } => format!(
            "not in {} (you said “{label}”)",
            join_or(&language_names(catalogue, allowed))
        ),
        ExclusionKind::OnlyTeamLanguages { team } if team.is_empty() => {
            format!("none of your team's languages is one of the guide's (you said “{label}”)")
        }
        ExclusionKind::OnlyTeamLanguages { team } => format!(
            "not in your team's languages, {} (you said “{label}”)",
            join_and(&language_names(catalogue, team))
        ),
    }
}

/// The runner-up sentence, flagging a close call.
pub fn runner_up_line(catalogue: &Catalogue, runner_up: &RunnerUp) -> String {
    let name = framework_name(catalogue, &runner_up.framework);
    if runner_up.margin.abs() < crate::engine::TIE_EPSILON {
        format!(
            "{name} has exactly the same score ({}).",
            points(runner_up.score)
        )
    } else if runner_up.close_call {
        format!(
            "Close call: {name} is only {} points behind with {}.",
            points(runner_up.margin),
            points(runner_up.score)
        )
    } else {
        format!(
            "{name} comes second with {}, {} points behind.",
            points(runner_up.score),
            points(runner_up.margin)
        )
    }
}

/// The tie sentence, naming the documented tie-break rule.
pub fn tie_line(catalogue: &Catalogue, explanation: &Explanation) -> Option<String> {
    if explanation.tied_with.is_empty() {
        return None;
    }
    let others: Vec<String> = explanation
        .tied_with
        .iter()
        .map(|f| framework_name(catalogue, f).to_owned())
        .collect();
    Some(format!(
        "It is a tie with {} at {}: ties go to the higher unweighted guide total, then to the \
         guide's own order, which puts {} first.",
        join_and(&others),
        points(explanation.score),
        framework_name(catalogue, &explanation.winner)
    ))
}

/// `Fastify would win if Security weighed ×3.2 instead of ×1.`
pub fn flip_line(catalogue: &Catalogue, flip: &FlipPoint) -> String {
    let (direction, bound) = if flip.flip_weight > flip.current_weight {
        ("mattered more", "above")
    } else {
        ("mattered less", "below")
    };
    format!(
        "{} would win if {} {direction}: a weight {bound} {} instead of {}.",
        framework_name(catalogue, &flip.new_winner),
        criterion_name(catalogue, &flip.criterion),
        factor(flip.flip_weight),
        factor(flip.current_weight)
    )
}

/// The honest note when the guide rates another framework at least as high on
/// every criterion.
pub fn affinity_note(catalogue: &Catalogue, explanation: &Explanation) -> Option<String> {
    if explanation.rated_higher_by_guide.is_empty() {
        return None;
    }
    let others: Vec<String> = explanation
        .rated_higher_by_guide
        .iter()
        .map(|f| framework_name(catalogue, f).to_owned())
        .collect();
    let winner = framework_name(catalogue, &explanation.winner);
    Some(format!(
        "On the guide's ratings alone, {} score{} at least as high as {winner} on every criterion; \
         {winner} comes first here because of what you told us about your team and constraints.",
        join_and(&others),
        if others.len() == 1 { "s" } else { "" }
    ))
}

/// "a, b and c".
pub fn join_and(items: &[String]) -> String {
    join(items, "and")
}

/// "a, b or c".
pub fn join_or(items: &[String]) -> String {
    join(items, "or")
}

fn join(items: &[String], word: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., last] => format!("{} {word} {last}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn points_print_like_the_guide() {
        assert_eq!(points(32.5), "32.5");
        assert_eq!(points(31.0), "31");
        assert_eq!(points(30.7222), "30.72");
        assert_eq!(points(-0.001), "0");
        assert_eq!(factor(1.5), "×1.5");
    }

    #[test]
    fn lists_read_naturally() {
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&items(&["a"])), "a");
        assert_eq!(join_and(&items(&["a", "b", "c"])), "a, b and c");
        assert_eq!(join_or(&items(&["a", "b"])), "a or b");
    }
}
