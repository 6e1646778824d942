//! Plain-text phrases for the parts of an explanation, shared by every adapter so the
//! terminal and Discord say the same thing. Adapters add their own layout (embeds,
//! bold, numbering) around them. Every sentence here is ours.

pub mod team;

use crate::conversation::{Conflict, Involved, Resolution};
use crate::engine::{
    Bonus, Deciding, Exclusion, ExclusionKind, Explanation, FlipPoint, Margin, MarginPart,
    PartSource, Recommendation, RunnerUp, TradeOff, Verdict, WeightChange, TIE_EPSILON,
};
use crate::guide::Catalogue;
use crate::ids::{CriterionId, FrameworkId, LanguageId};

/// Guide points with at most two decimals and no trailing zeros: `32.5`, `31`, `30.72`.
pub fn points(value: f64) -> String {
    // In whole hundredths, printed as integers: a result prints dozens of these, and
    // formatting a float to a precision costs several times more.
    let hundredths = (value * 100.0).round();
    if !hundredths.is_finite() || hundredths.abs() >= 1e13 {
        return points_by_float(value);
    }
    // Finite and below 10^13: exact as an integer.
    let hundredths = hundredths as i64;
    let sign = if hundredths < 0 { "-" } else { "" };
    let (whole, fraction) = (hundredths.abs() / 100, hundredths.abs() % 100);
    match fraction {
        0 => format!("{sign}{whole}"),
        f if f % 10 == 0 => format!("{sign}{whole}.{}", f / 10),
        f => format!("{sign}{whole}.{f:02}"),
    }
}

/// [`points`] by way of float formatting: for values too large for whole hundredths
/// (and the reference its fast path is tested against).
fn points_by_float(value: f64) -> String {
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

/// Signed guide points: `+0.77`, `−4`, `0`.
pub fn signed(value: f64) -> String {
    let magnitude = points(value.abs());
    if magnitude == "0" {
        magnitude
    } else if value > 0.0 {
        format!("+{magnitude}")
    } else {
        format!("−{magnitude}")
    }
}

/// `1 point`, `2.5 points`.
pub fn points_word(value: f64) -> String {
    let p = points(value);
    if p == "1" {
        "1 point".to_owned()
    } else {
        format!("{p} points")
    }
}

/// How a criterion got its weight: `weight ×1`, or
/// `weight ×3 (you said “Mostly new to it” ×2 and “In weeks” ×1.5)`.
pub fn weight_from(weight: f64, changes: &[WeightChange]) -> String {
    if changes.is_empty() {
        return format!("weight {}", factor(weight));
    }
    let parts: Vec<String> = changes
        .iter()
        .map(|c| format!("“{}” {}", c.because.label, factor(c.factor)))
        .collect();
    format!("weight {} (you said {})", factor(weight), join_and(&parts))
}

/// What the winner's lead is, for a heading: `Fastify leads Phoenix by 1.52`.
pub fn margin_heading(catalogue: &Catalogue, winner: &FrameworkId, margin: &Margin) -> String {
    let (w, o) = (
        framework_name(catalogue, winner),
        framework_name(catalogue, &margin.over),
    );
    if margin.points.abs() < TIE_EPSILON {
        format!("{w} and {o} are level")
    } else {
        format!("{w} leads {o} by {}", points(margin.points))
    }
}

/// A part's short name: the criterion, or the answer in quotes.
fn part_name<'c>(catalogue: &'c Catalogue, part: &'c MarginPart) -> String {
    match &part.source {
        PartSource::Criterion { criterion, .. } => criterion_name(catalogue, criterion).to_owned(),
        PartSource::Bonus { answer, .. } => format!("your answer “{}”", answer.label),
    }
}

/// What an answer's points do to one framework: `Laravel gets 4 points`.
fn gets(name: &str, value: f64) -> String {
    if value.abs() < TIE_EPSILON {
        format!("{name} gets nothing")
    } else if value > 0.0 {
        format!("{name} gets {}", points_word(value))
    } else {
        format!("{name} loses {}", points_word(-value))
    }
}

/// A part of the margin as a head and the facts behind it, compared between the two
/// frameworks: (`Community & ecosystem +0.52`, `Fastify is rated 3, Phoenix 2.5;
/// weight ×1.5 (you said “Mostly new to it” ×1.5)`), or (`Your answer “PHP” +4`,
/// `Laravel gets 4 points for it and Next.js gets nothing`).
pub fn part(
    catalogue: &Catalogue,
    winner: &FrameworkId,
    margin: &Margin,
    part: &MarginPart,
) -> (String, String) {
    let (w, o) = (
        framework_name(catalogue, winner),
        framework_name(catalogue, &margin.over),
    );
    let mut name = part_name(catalogue, part);
    if let Some(first) = name.chars().next() {
        name = first.to_uppercase().chain(name.chars().skip(1)).collect();
    }
    let head = format!("{name} {}", signed(part.points));
    let detail = match &part.source {
        PartSource::Criterion {
            weight,
            changes,
            winner_rating,
            other_rating,
            ..
        } => format!(
            "{w} is rated {}, {o} {}; {}",
            points(*winner_rating),
            points(*other_rating),
            weight_from(*weight, changes)
        ),
        PartSource::Bonus {
            winner_points,
            other_points,
            ..
        } => format!(
            "{} for it and {}",
            gets(w, *winner_points),
            gets(o, *other_points)
        ),
    };
    (head, detail)
}

/// The parts not listed as deciding, in one line:
/// `Other differences: Security −0.34 and your answer “Rust” −4.`
pub fn other_parts(catalogue: &Catalogue, margin: &Margin) -> Option<String> {
    let others: Vec<String> = margin
        .others()
        .map(|p| format!("{} {}", part_name(catalogue, p), signed(p.points)))
        .collect();
    (!others.is_empty()).then(|| format!("Other differences: {}.", join_and(&others)))
}

/// The answers whose points put the winner ahead of `margin.over`:
/// `the 4 points for “PHP” and the 1 point for “In weeks”`.
fn bonus_phrase(catalogue: &Catalogue, margin: &Margin) -> String {
    let phrases: Vec<String> = margin
        .favouring_bonuses()
        .filter_map(|p| match &p.source {
            PartSource::Bonus {
                answer,
                winner_points,
                other_points,
            } => Some(if other_points.abs() < TIE_EPSILON {
                format!("the {} for “{}”", points_word(*winner_points), answer.label)
            } else if winner_points.abs() < TIE_EPSILON {
                format!(
                    "the {} that “{}” takes from {}",
                    points_word(-other_points),
                    answer.label,
                    framework_name(catalogue, &margin.over)
                )
            } else {
                format!("the {} more for “{}”", points_word(p.points), answer.label)
            }),
            PartSource::Criterion { .. } => None,
        })
        .collect();
    if phrases.is_empty() {
        "the points from your answers".to_owned()
    } else {
        join_and(&phrases)
    }
}

/// Says plainly when the answers' bonus points, not the guide's ratings, put the
/// winner first: over the runner-up (`On the guide's ratings alone Phoenix would
/// lead by 0.48; the 2 points for “An API” put Fastify ahead.`) and over the
/// framework the ratings alone would pick, when that is another one.
pub fn counterfactual(catalogue: &Catalogue, explanation: &Explanation) -> Vec<String> {
    let winner = framework_name(catalogue, &explanation.winner);
    let lead = |margin: &Margin| -margin.from_ratings();
    let level = |other: &str| {
        format!("{other} and {winner} are level, and the tie-break would put {other} first")
    };
    // Over the runner-up, when it leads on the weighted ratings (or would win on them).
    let runner_up = explanation.margin.as_ref().filter(|m| {
        lead(m) > TIE_EPSILON || explanation.ratings_alone_winner.as_ref() == Some(&m.over)
    });
    // Over the framework the ratings alone would pick, when that is another one.
    let first = explanation
        .ratings_alone_margin
        .as_ref()
        .filter(|m| runner_up.is_none_or(|r| r.over != m.over));

    if let (Some(r), Some(f)) = (runner_up, first) {
        let phrase = bonus_phrase(catalogue, f);
        if lead(r) > TIE_EPSILON && lead(f) > TIE_EPSILON && bonus_phrase(catalogue, r) == phrase {
            return vec![format!(
                "On the guide's ratings alone {} would come first, {} ahead of {winner}, and {} \
                 would lead it by {}; {phrase} put {winner} ahead.",
                framework_name(catalogue, &f.over),
                points(lead(f)),
                framework_name(catalogue, &r.over),
                points(lead(r)),
            )];
        }
    }
    let mut lines = Vec::new();
    if let Some(margin) = runner_up {
        let other = framework_name(catalogue, &margin.over);
        let how = if lead(margin) > TIE_EPSILON {
            format!("{other} would lead by {}", points(lead(margin)))
        } else {
            level(other)
        };
        lines.push(format!(
            "On the guide's ratings alone {how}; {} put {winner} ahead.",
            bonus_phrase(catalogue, margin)
        ));
    }
    if let Some(margin) = first {
        let other = framework_name(catalogue, &margin.over);
        let how = if lead(margin) > TIE_EPSILON {
            format!(
                "{other} would come first, {} ahead of {winner}",
                points(lead(margin))
            )
        } else {
            level(other)
        };
        lines.push(format!(
            "On the guide's ratings alone {how}; {} put {winner} ahead of it.",
            bonus_phrase(catalogue, margin)
        ));
    }
    lines
}

/// Most parts named on each side by [`own_language`].
const OWN_LANGUAGE_PARTS: usize = 4;

/// When the team's own language lost, what outweighed it: `Your team writes Rust,
/// but Next.js leads Actix by 2.3: what favours Next.js (Flexibility +1.2 and your
/// answer “A server-rendered web app” +2) outweighs what favours Actix (your answer
/// “Rust” +4).`
pub fn own_language(catalogue: &Catalogue, explanation: &Explanation) -> Option<String> {
    let margin = explanation.own_language.as_ref()?;
    let own = framework_name(catalogue, &margin.over);
    let winner = framework_name(catalogue, &explanation.winner);
    let languages = catalogue
        .framework(margin.over.as_str())
        .map(|(_, f)| language_name(catalogue, &f.language).to_owned())
        .unwrap_or_default();
    let side = |favouring_winner: bool| -> String {
        // Largest first on either side (the parts run from the winner's largest).
        let mut parts: Vec<&MarginPart> = margin
            .parts
            .iter()
            .filter(|p| {
                (p.points > TIE_EPSILON) == favouring_winner && p.points.abs() > TIE_EPSILON
            })
            .collect();
        if !favouring_winner {
            parts.reverse();
        }
        let mut named: Vec<String> = parts
            .iter()
            .take(OWN_LANGUAGE_PARTS)
            .map(|p| format!("{} {}", part_name(catalogue, p), signed(p.points.abs())))
            .collect();
        if parts.len() > OWN_LANGUAGE_PARTS {
            named.push(format!("{} more", parts.len() - OWN_LANGUAGE_PARTS));
        }
        join_and(&named)
    };
    let (ahead, behind) = (side(true), side(false));
    let start = format!("Your team writes {languages}, but");
    Some(if margin.points.abs() < TIE_EPSILON {
        format!(
            "{start} {own} is level with {winner}, and the tie-break (the higher guide total, \
             then the guide's order) puts {winner} first."
        )
    } else if behind.is_empty() {
        format!(
            "{start} {winner} leads {own} by {}: {ahead}.",
            points(margin.points)
        )
    } else {
        format!(
            "{start} {winner} leads {own} by {}: what favours {winner} ({ahead}) outweighs what \
             favours {own} ({behind}).",
            points(margin.points)
        )
    })
}

/// The trade-off, what the winner gives up: `Community & ecosystem: Fastify is rated
/// 3, Next.js 5, worth 1.14 points at weight ×1.5. Next.js: <why it is rated higher>`.
/// Results stored before the comparison read `Community & ecosystem is rated 3/5.
/// <the winner's note>`.
pub fn trade_off(catalogue: &Catalogue, explanation: &Explanation, trade_off: &TradeOff) -> String {
    let criterion = criterion_name(catalogue, &trade_off.criterion);
    match (
        &trade_off.alternative,
        trade_off.alternative_rating,
        trade_off.cost,
    ) {
        (Some(alternative), Some(theirs), Some(cost)) => {
            let other = framework_name(catalogue, alternative);
            let mut line = format!(
                "{criterion}: {} is rated {}, {other} {}, worth {} at weight {}.",
                framework_name(catalogue, &explanation.winner),
                points(trade_off.rating),
                points(theirs),
                points_word(cost),
                factor(trade_off.weight),
            );
            if let Some(note) = &trade_off.alternative_note {
                line.push_str(&format!(" {other}: {note}"));
            }
            line
        }
        _ => format!(
            "{criterion} is rated {}/5. {}",
            points(trade_off.rating),
            trade_off.caveat
        ),
    }
}

/// When the answers leave a single framework: `Actix is the only framework your
/// answers leave; the others are ruled out: …`.
pub fn only_choice(catalogue: &Catalogue, recommendation: &Recommendation) -> Option<String> {
    let Verdict::Recommend(explanation) = &recommendation.verdict else {
        return None;
    };
    if explanation.runner_up.is_some() {
        return None;
    }
    let mut reasons: Vec<String> = Vec::new();
    for standing in recommendation
        .ranking
        .iter()
        .filter(|s| s.framework != explanation.winner)
    {
        for exclusion in &standing.excluded {
            let reason = exclusion_reason(catalogue, exclusion);
            if !reasons.contains(&reason) {
                reasons.push(reason);
            }
        }
    }
    (!reasons.is_empty()).then(|| {
        format!(
            "{} is the only framework your answers leave; the others are {}.",
            framework_name(catalogue, &explanation.winner),
            join_and(&reasons)
        )
    })
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

/// What one answer involved in a contradiction does: `Your earlier answer “Yes, only
/// languages we know” rules out Ruby on Rails and Actix, not in your team's languages
/// (JavaScript / TypeScript).`
fn involved_line(
    catalogue: &Catalogue,
    conflict: &Conflict,
    answer: &Involved,
    this: bool,
) -> String {
    let labels: Vec<String> = answer.labels.iter().map(|l| format!("“{l}”")).collect();
    let labels = if labels.is_empty() {
        "nothing".to_owned()
    } else {
        join_and(&labels)
    };
    let who = if this {
        format!("Your answer {labels}")
    } else if answer.earlier {
        format!("Your earlier answer {labels}")
    } else {
        format!("Your answer {labels} to “{}”", answer.prompt)
    };
    let names = |list: &[FrameworkId]| -> String {
        join_and(
            &list
                .iter()
                .map(|f| framework_name(catalogue, f).to_owned())
                .collect::<Vec<_>>(),
        )
    };
    let mut what: Vec<String> = answer
        .rules_out
        .iter()
        .map(|(kind, list)| match kind {
            ExclusionKind::Excluded => format!("rules out {}", names(list)),
            ExclusionKind::OnlyLanguages { allowed } => format!(
                "rules out {}, not in {}",
                names(list),
                join_or(&language_names(catalogue, allowed))
            ),
            ExclusionKind::OnlyTeamLanguages { team } if team.is_empty() => {
                "rules out every framework, as none of your team's languages is one of the guide's"
                    .to_owned()
            }
            ExclusionKind::OnlyTeamLanguages { team } => format!(
                "rules out {}, not in your team's languages ({})",
                names(list),
                join_and(&language_names(catalogue, team))
            ),
        })
        .collect();
    if answer.names_team {
        what.push(match &conflict.team {
            Some(team) if !team.is_empty() => format!(
                "makes {} your team's {}",
                join_and(&language_names(catalogue, team)),
                if team.len() == 1 {
                    "language"
                } else {
                    "languages"
                }
            ),
            _ => "names none of the guide's languages as your team's".to_owned(),
        });
    }
    if what.is_empty() {
        what.push("changes what the other answers leave".to_owned());
    }
    format!("{who} {}.", join_and(&what))
}

/// A contradiction in lines: what each answer involved rules out, then the way out.
pub fn conflict_lines(catalogue: &Catalogue, conflict: &Conflict) -> Vec<String> {
    let mut lines = vec!["These answers leave no framework in the guide:".to_owned()];
    lines.push(involved_line(catalogue, conflict, &conflict.this, true));
    for other in &conflict.others {
        lines.push(involved_line(catalogue, conflict, other, false));
    }
    lines.push("Change one of these answers, or keep them and get no recommendation.".to_owned());
    lines
}

/// A way out of a contradiction, in full: `Change your answer to “Must the framework
/// be in a language the team already knows?”`.
pub fn resolution(conflict: &Conflict, resolution: &Resolution) -> String {
    match resolution {
        Resolution::ChangeThis(_) => format!("Change this answer (“{}”)", conflict.this.prompt),
        Resolution::ChangeOther(q) => format!(
            "Change your answer to “{}”",
            conflict
                .involved(q)
                .map_or(q.as_str(), |i| i.prompt.as_str())
        ),
        Resolution::Keep => "Keep these answers (no framework will be recommended)".to_owned(),
    }
}

/// A way out of a contradiction, short enough for a button (before clipping):
/// `Change this answer`, `Change: Must the framework be…`, `Keep these answers`.
pub fn resolution_short(conflict: &Conflict, resolution: &Resolution) -> String {
    match resolution {
        Resolution::ChangeThis(_) => "Change this answer".to_owned(),
        Resolution::ChangeOther(q) => format!(
            "Change: {}",
            conflict
                .involved(q)
                .map_or(q.as_str(), |i| i.prompt.as_str())
        ),
        Resolution::Keep => "Keep these answers".to_owned(),
    }
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
        assert_eq!(points(-1.5), "-1.5");
        assert_eq!(points(-0.05), "-0.05");
        assert_eq!(points(1e20), "100000000000000000000");
        assert_eq!(factor(1.5), "×1.5");
    }

    proptest::proptest! {
        #[test]
        fn points_in_hundredths_print_as_the_float_formatting_does(value in -1e11f64..1e11) {
            proptest::prop_assert_eq!(points(value), points_by_float(value));
        }

        #[test]
        fn small_points_too(value in -200.0f64..200.0) {
            proptest::prop_assert_eq!(points(value), points_by_float(value));
        }
    }

    #[test]
    fn signed_points_and_point_counts_read_naturally() {
        assert_eq!(signed(0.774), "+0.77");
        assert_eq!(signed(-4.0), "−4");
        assert_eq!(signed(0.001), "0");
        assert_eq!(points_word(1.0), "1 point");
        assert_eq!(points_word(2.5), "2.5 points");
    }

    use crate::engine::{evaluate, Because, Bonus, Profile};

    fn with_bonuses(bonuses: &[(&str, f64, &str)]) -> Recommendation {
        let catalogue = Catalogue::builtin();
        let mut profile = Profile::neutral(catalogue);
        for (framework, points, label) in bonuses {
            let (f, _) = catalogue.framework(framework).unwrap();
            profile.bonuses[f].push(Bonus {
                points: *points,
                language: None,
                because: Because {
                    question: "q".into(),
                    option: (*label).into(),
                    label: (*label).to_owned(),
                },
            });
        }
        evaluate(catalogue, &profile)
    }

    fn explanation(result: &Recommendation) -> &Explanation {
        match &result.verdict {
            Verdict::Recommend(x) => x,
            Verdict::NothingEligible => panic!("recommends"),
        }
    }

    #[test]
    fn a_win_by_bonus_points_over_the_runner_up_is_said_plainly() {
        let result = with_bonuses(&[("fastify", 2.0, "An API")]);
        let x = explanation(&result);
        assert_eq!(
            counterfactual(Catalogue::builtin(), x),
            ["On the guide's ratings alone Next.js would lead by 1.5; the 2 points for “An API” put Fastify ahead."]
        );
    }

    #[test]
    fn a_win_by_bonus_points_over_a_framework_further_down_names_it() {
        // Laravel 34, Rails 33, Next.js 32.5: Laravel leads Rails on the ratings too,
        // but Next.js would come first without the points.
        let result = with_bonuses(&[("laravel", 3.0, "PHP"), ("rails", 5.0, "Ruby")]);
        let x = explanation(&result);
        assert_eq!(x.runner_up.as_ref().unwrap().framework.as_str(), "rails");
        assert_eq!(
            counterfactual(Catalogue::builtin(), x),
            ["On the guide's ratings alone Next.js would come first, 1.5 ahead of Laravel; the 3 points for “PHP” put Laravel ahead of it."]
        );
    }

    #[test]
    fn two_frameworks_ahead_on_the_ratings_overturned_by_the_same_answers_share_one_sentence() {
        // Rails 34, Laravel 33.5, Next.js 32.5: both lead Rails on the ratings, and
        // the same 6 points for Ruby overturn both.
        let result = with_bonuses(&[("rails", 6.0, "Ruby"), ("laravel", 2.5, "CRUD")]);
        let x = explanation(&result);
        assert_eq!(
            counterfactual(Catalogue::builtin(), x),
            ["On the guide's ratings alone Next.js would come first, 4.5 ahead of Ruby on Rails, and Laravel would lead it by 3; the 6 points for “Ruby” put Ruby on Rails ahead."]
        );
    }

    #[test]
    fn a_win_on_the_ratings_has_no_counterfactual() {
        let result = with_bonuses(&[("fastify", 1.0, "An API")]);
        assert!(counterfactual(Catalogue::builtin(), explanation(&result)).is_empty());
    }

    #[test]
    fn parts_compare_the_two_frameworks_instead_of_quoting_a_note() {
        let catalogue = Catalogue::builtin();
        let result = with_bonuses(&[("fastify", 2.0, "An API")]);
        let x = explanation(&result);
        let margin = x.margin.as_ref().unwrap();
        let lines: Vec<(String, String)> = margin
            .parts
            .iter()
            .map(|p| part(catalogue, &x.winner, margin, p))
            .collect();
        assert_eq!(
            lines[0],
            (
                "Your answer “An API” +2".to_owned(),
                "Fastify gets 2 points for it and Next.js gets nothing".to_owned()
            )
        );
        assert_eq!(
            lines[1],
            (
                "Security +0.5".to_owned(),
                "Fastify is rated 4, Next.js 3.5; weight ×1".to_owned()
            )
        );
        assert_eq!(
            other_parts(catalogue, margin).unwrap(),
            "Other differences: Community & ecosystem −2."
        );
        assert_eq!(
            margin_heading(catalogue, &x.winner, margin),
            "Fastify leads Next.js by 0.5"
        );
    }

    #[test]
    fn the_trade_off_compares_with_the_better_rated_alternative() {
        let catalogue = Catalogue::builtin();
        let result = with_bonuses(&[("fastify", 2.0, "An API")]);
        let x = explanation(&result);
        let line = trade_off(catalogue, x, x.trade_off.as_ref().unwrap());
        assert!(
            line.starts_with(
                "Community & ecosystem: Fastify is rated 3, Next.js 5, worth 2 points at weight ×1. Next.js: "
            ),
            "{line}"
        );
    }

    #[test]
    fn lists_read_naturally() {
        let items = |v: &[&str]| v.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(join_and(&items(&["a"])), "a");
        assert_eq!(join_and(&items(&["a", "b", "c"])), "a, b and c");
        assert_eq!(join_or(&items(&["a", "b"])), "a or b");
    }
}
