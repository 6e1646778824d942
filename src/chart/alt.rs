//! The chart in words, for screen readers: Discord reads an attachment's description
//! as its alt text (at most 1,024 characters).

use super::{bars_of, Bar};
use crate::engine::Recommendation;
use crate::guide::Catalogue;
use crate::text;

/// Discord's limit on an attachment's description.
pub const ALT_TEXT_MAX: usize = 1024;

/// What the chart shows, within [`ALT_TEXT_MAX`] characters: the winner, then every
/// framework's score with its largest criterion, bonus points and why it is ruled out.
pub fn alt_text(catalogue: &Catalogue, recommendation: &Recommendation) -> String {
    of_bars(catalogue, &bars_of(catalogue, recommendation))
}

/// [`alt_text`] of bars already made.
pub(super) fn of_bars(catalogue: &Catalogue, bars: &[Bar]) -> String {
    let mut out = String::from("Bar chart of each framework's score: ");
    match bars.iter().find(|b| b.winner) {
        Some(winner) => out.push_str(&format!(
            "{} is recommended with {} points. ",
            winner.name,
            text::points(winner.score)
        )),
        None => out.push_str("every framework is ruled out. "),
    }
    let lines: Vec<String> = bars
        .iter()
        .enumerate()
        .map(|(i, bar)| line(catalogue, i + 1, bar))
        .collect();
    out.push_str(&lines.join(" "));
    clip(&out, ALT_TEXT_MAX)
}

/// "2. Laravel: 31 points, most from Security (5.3), bonus +2, ruled out: …."
fn line(catalogue: &Catalogue, place: usize, bar: &Bar) -> String {
    let mut line = format!("{place}. {}: {} points", bar.name, text::points(bar.score));
    let largest = bar
        .segments
        .iter()
        .max_by(|a, b| a.points.total_cmp(&b.points));
    if let Some(segment) = largest {
        if let Some(criterion) = catalogue.criteria.get(segment.criterion) {
            line.push_str(&format!(
                ", most from {} ({})",
                criterion.name,
                text::points(segment.points)
            ));
        }
    }
    if bar.bonus > 0.0 {
        line.push_str(&format!(", bonus +{}", text::points(bar.bonus)));
    } else if bar.bonus < 0.0 {
        line.push_str(&format!(", {} taken away", text::points(-bar.bonus)));
    }
    if !bar.excluded.is_empty() {
        line.push_str(&format!(", {}", bar.excluded.join("; ")));
    }
    line.push('.');
    line
}

/// `text` cut to `max` characters with "…".
fn clip(text: &str, max: usize) -> String {
    if text.chars().count() <= max {
        return text.to_owned();
    }
    let mut cut: String = text.chars().take(max - 1).collect();
    cut.push('…');
    cut
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{evaluate, Profile};

    #[test]
    fn the_alt_text_names_the_winner_and_every_framework_with_its_score() {
        let catalogue = Catalogue::builtin();
        let result = evaluate(catalogue, &Profile::neutral(catalogue));
        let alt = alt_text(catalogue, &result);
        assert!(
            alt.starts_with(
                "Bar chart of each framework's score: Next.js is recommended with 32.5 points."
            ),
            "{alt}"
        );
        for framework in &catalogue.frameworks {
            let expected = format!(
                "{}: {} points",
                framework.name,
                text::points(framework.total())
            );
            assert!(alt.contains(&expected), "{expected} in {alt}");
        }
        assert!(alt.chars().count() <= ALT_TEXT_MAX);
    }

    #[test]
    fn a_long_alt_text_is_clipped_to_discords_limit() {
        let long = "word ".repeat(400);
        let clipped = clip(&long, ALT_TEXT_MAX);
        assert_eq!(clipped.chars().count(), ALT_TEXT_MAX);
        assert!(clipped.ends_with('…'));
    }
}
