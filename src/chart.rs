//! The result as a picture: one horizontal bar per framework, split into what each of
//! the guide's criteria contributed under the answers' weights, the answers' bonus
//! points hatched, the winner marked and excluded frameworks greyed with the reason.
//!
//! An adapter-side module: it reads the core's [`Recommendation`] and never the other
//! way round. The Discord bot attaches [`png`] to results and share cards with
//! [`alt_text`] as the attachment's description; the terminal writes the same PNG with
//! `--chart` and prints [`bars`](crate::terminal) of its own.
//!
//! - [`bars_of`]: the numbers drawn (shared by the PNG, the alt text and the terminal);
//! - `draw`: the 800×450 PNG, rendered in-process with tiny-skia;
//! - `font`: the shipped DejaVu Sans (assets/fonts, Bitstream Vera licence) and text
//!   layout with ab_glyph;
//! - `alt`: the same facts in words.

mod alt;
mod draw;
mod font;

pub use alt::{alt_text, ALT_TEXT_MAX};
pub use draw::{HEIGHT, WIDTH};

use std::sync::Arc;

use crate::engine::Recommendation;
use crate::guide::Catalogue;
use crate::ids::FrameworkId;
use crate::text;

/// The colour of a criterion's segments and legend entry, as RGB.
pub fn criterion_colour(criterion: usize) -> [u8; 3] {
    let draw::Rgb(r, g, b) = draw::colour(criterion);
    [r, g, b]
}

/// The file name of the chart where it is attached (Discord's `attachment://` name).
pub const FILE_NAME: &str = "chart.png";

/// Why a chart could not be drawn (the text result goes out without it).
#[derive(Debug, thiserror::Error)]
pub enum ChartError {
    /// The shipped font could not be read.
    #[error("the chart font could not be loaded: {0}")]
    Font(String),
    /// The canvas or a shape could not be made.
    #[error("the chart could not be drawn: {0}")]
    Draw(&'static str),
    /// PNG encoding failed.
    #[error("the chart could not be encoded as PNG: {0}")]
    Encode(String),
    /// The renderer panicked (a bug): caught so the result still goes out.
    #[error("the chart renderer failed unexpectedly")]
    Panicked,
}

/// One criterion's share of a framework's score.
#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    /// The criterion's index in the catalogue (its colour and legend entry).
    pub criterion: usize,
    /// Guide points it contributed: 7 · w(c) · rating(f, c) / Σ w.
    pub points: f64,
}

/// One framework's bar.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    /// The framework.
    pub framework: FrameworkId,
    /// Its display name.
    pub name: String,
    /// What each criterion contributed, in criterion order (sums to `from_ratings`).
    pub segments: Vec<Segment>,
    /// The score from the guide's ratings.
    pub from_ratings: f64,
    /// Net bonus points from the answers (negative: taken away).
    pub bonus: f64,
    /// The score: ratings plus bonus.
    pub score: f64,
    /// The recommended framework.
    pub winner: bool,
    /// Why it is ruled out (empty when eligible), in our words.
    pub excluded: Vec<String>,
}

/// The bars of a result, in ranking order (eligible best first, then excluded).
pub fn bars_of(catalogue: &Catalogue, recommendation: &Recommendation) -> Vec<Bar> {
    let weights = effective_weights(catalogue, recommendation);
    let sum: f64 = weights.iter().sum();
    let criteria = catalogue.criteria.len() as f64;
    let winner = recommendation.winner();
    recommendation
        .ranking
        .iter()
        .map(|standing| {
            let framework = catalogue.framework(standing.framework.as_str());
            let mut segments: Vec<Segment> = match framework {
                Some((_, f)) if sum > 0.0 => f
                    .ratings
                    .iter()
                    .zip(&weights)
                    .enumerate()
                    .map(|(c, (r, w))| Segment {
                        criterion: c,
                        points: criteria * w * r.rating.points() / sum,
                    })
                    .collect(),
                _ => Vec::new(),
            };
            // A result stored under another edition of the ratings: keep the stored
            // score and split it in the same proportions.
            let drawn: f64 = segments.iter().map(|s| s.points).sum();
            if drawn > 0.0 && (drawn - standing.from_ratings).abs() > 1e-6 {
                let scale = standing.from_ratings / drawn;
                for s in &mut segments {
                    s.points *= scale;
                }
            }
            Bar {
                framework: standing.framework.clone(),
                name: text::framework_name(catalogue, &standing.framework).to_owned(),
                segments,
                from_ratings: standing.from_ratings,
                bonus: standing.bonuses.iter().map(|b| b.points).sum(),
                score: standing.score,
                winner: winner == Some(&standing.framework),
                excluded: standing
                    .excluded
                    .iter()
                    .map(|e| text::exclusion_reason(catalogue, e))
                    .collect(),
            }
        })
        .collect()
}

/// The weights the engine scored with, in catalogue criterion order: all 0 means equal.
fn effective_weights(catalogue: &Catalogue, recommendation: &Recommendation) -> Vec<f64> {
    let weights: Vec<f64> = catalogue
        .criteria
        .iter()
        .map(|c| {
            recommendation
                .weights
                .iter()
                .find(|w| w.criterion == c.id)
                .map_or(1.0, |w| w.weight)
        })
        .map(|w| if w.is_finite() && w > 0.0 { w } else { 0.0 })
        .collect();
    if weights.iter().sum::<f64>() > 0.0 {
        weights
    } else {
        vec![1.0; weights.len()]
    }
}

/// A result's chart as it goes on a message: the PNG and the same facts in words.
#[derive(Debug, Clone)]
pub struct Chart {
    /// The PNG (≈ 800×450).
    pub png: Arc<[u8]>,
    /// Its alt text ([`alt_text`]).
    pub alt: Arc<str>,
}

/// The chart of a result with its alt text. The same result always gives the same
/// bytes.
///
/// Drawing takes milliseconds and many people get the same picture (a set has only so
/// many outcomes), so the charts drawn last are kept, found again by everything drawn.
pub fn chart(catalogue: &Catalogue, recommendation: &Recommendation) -> Result<Chart, ChartError> {
    let bars = bars_of(catalogue, recommendation);
    let title = title(catalogue, recommendation);
    if let Some(chart) = drawn::get(&title, &bars) {
        return Ok(chart);
    }
    let chart = Chart {
        png: Arc::from(draw_bars(catalogue, &title, &bars)?),
        alt: Arc::from(alt::of_bars(catalogue, &bars)),
    };
    drawn::keep(title, bars, chart.clone());
    Ok(chart)
}

/// The chart as PNG bytes (≈ 800×450), as [`chart`] gives it.
pub fn png(catalogue: &Catalogue, recommendation: &Recommendation) -> Result<Vec<u8>, ChartError> {
    Ok(chart(catalogue, recommendation)?.png.to_vec())
}

/// The chart drawn now, not taken from the ones kept (what [`png`] costs when it
/// draws; the benchmark measures this).
pub fn draw_png(
    catalogue: &Catalogue,
    recommendation: &Recommendation,
) -> Result<Vec<u8>, ChartError> {
    let bars = bars_of(catalogue, recommendation);
    draw_bars(catalogue, &title(catalogue, recommendation), &bars)
}

fn draw_bars(catalogue: &Catalogue, title: &str, bars: &[Bar]) -> Result<Vec<u8>, ChartError> {
    // Never let a renderer bug take the text result down with it.
    std::panic::catch_unwind(|| draw::render(catalogue, title, bars))
        .unwrap_or(Err(ChartError::Panicked))
}

/// The charts drawn last, by what they show: found by a hash of the title and bars,
/// then compared in full (a hash collision can't show someone another result's chart).
mod drawn {
    use std::collections::HashMap;
    use std::hash::{DefaultHasher, Hash, Hasher};
    use std::sync::Mutex;

    use super::{Bar, Chart};

    /// Charts kept at most (about 15 KB each); when full, all are dropped.
    const KEPT: usize = 64;

    struct Kept {
        title: String,
        bars: Vec<Bar>,
        chart: Chart,
    }

    static DRAWN: Mutex<Option<HashMap<u64, Vec<Kept>>>> = Mutex::new(None);

    /// Everything drawn, hashed (numbers by their bits).
    fn key(title: &str, bars: &[Bar]) -> u64 {
        let mut h = DefaultHasher::new();
        title.hash(&mut h);
        for bar in bars {
            bar.framework.as_str().hash(&mut h);
            bar.name.hash(&mut h);
            for s in &bar.segments {
                s.criterion.hash(&mut h);
                s.points.to_bits().hash(&mut h);
            }
            bar.from_ratings.to_bits().hash(&mut h);
            bar.bonus.to_bits().hash(&mut h);
            bar.score.to_bits().hash(&mut h);
            bar.winner.hash(&mut h);
            bar.excluded.hash(&mut h);
        }
        h.finish()
    }

    pub(super) fn get(title: &str, bars: &[Bar]) -> Option<Chart> {
        let drawn = DRAWN.lock().ok()?;
        drawn
            .as_ref()?
            .get(&key(title, bars))?
            .iter()
            .find(|k| k.title == title && k.bars == bars)
            .map(|k| k.chart.clone())
    }

    pub(super) fn keep(title: String, bars: Vec<Bar>, chart: Chart) {
        let Ok(mut drawn) = DRAWN.lock() else {
            return;
        };
        let drawn = drawn.get_or_insert_with(HashMap::new);
        if drawn.values().map(Vec::len).sum::<usize>() >= KEPT {
            drawn.clear();
        }
        let key = key(&title, &bars);
        let same = drawn.entry(key).or_default();
        // Two interactions may draw the same chart at once: keep one.
        if !same.iter().any(|k| k.title == title && k.bars == bars) {
            same.push(Kept { title, bars, chart });
        }
    }

    #[cfg(test)]
    pub(super) fn contains(title_start: &str) -> bool {
        DRAWN
            .lock()
            .ok()
            .and_then(|d| {
                d.as_ref().map(|d| {
                    d.values()
                        .flatten()
                        .any(|k| k.title.starts_with(title_start))
                })
            })
            .unwrap_or(false)
    }
}

/// The chart's heading: the winner and its score, or that nothing fits.
fn title(catalogue: &Catalogue, recommendation: &Recommendation) -> String {
    match recommendation.winner() {
        Some(winner) => {
            let score = recommendation.standing(winner).map_or(0.0, |s| s.score);
            format!(
                "Recommended: {} — {} points",
                text::framework_name(catalogue, winner),
                text::points(score)
            )
        }
        None => "No framework fits these answers".to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{evaluate, Profile};

    #[test]
    fn a_chart_drawn_again_is_served_from_what_was_kept_and_is_the_same() {
        let catalogue = Catalogue::builtin();
        let mut profile = Profile::neutral(catalogue);
        profile.weights[1].weight = 5.0;
        profile.weights[4].weight = 0.25;
        let result = evaluate(catalogue, &profile);
        let first = png(catalogue, &result).unwrap();
        assert!(drawn::contains(&title(catalogue, &result)), "kept");
        assert_eq!(png(catalogue, &result).unwrap(), first);
        assert_eq!(
            draw_png(catalogue, &result).unwrap(),
            first,
            "as if drawn now"
        );
        // Another result is another picture.
        profile.weights[1].weight = 1.0;
        let other = evaluate(catalogue, &profile);
        assert_ne!(png(catalogue, &other).unwrap(), first);
    }

    #[test]
    fn each_bar_splits_its_ratings_score_by_criterion() {
        let catalogue = Catalogue::builtin();
        let mut profile = Profile::neutral(catalogue);
        profile.weights[0].weight = 3.0;
        profile.weights[2].weight = 0.0;
        let result = evaluate(catalogue, &profile);
        let bars = bars_of(catalogue, &result);
        assert_eq!(bars.len(), catalogue.frameworks.len());
        for (bar, standing) in bars.iter().zip(&result.ranking) {
            let sum: f64 = bar.segments.iter().map(|s| s.points).sum();
            assert!((sum - standing.from_ratings).abs() < 1e-9, "{}", bar.name);
            assert_eq!(bar.segments[2].points, 0.0);
            assert_eq!(bar.winner, result.winner() == Some(&bar.framework));
        }
        assert!(bars[0].winner && bars.iter().filter(|b| b.winner).count() == 1);
    }
}
