//! Bounds on what answers can do: whatever the combination of answers (following
//! `show_if`), a criterion's weight ends at 0 (ignored) or within [`WEIGHT_BOUNDS`],
//! and a framework's bonus points within ±[`MAX_TOTAL_BONUS`]. A quick bound that
//! ignores `show_if` is tried first; the exact walk of [`AnswerSpace`] only when it
//! could be out.

use std::ops::Range;

use toml::{Spanned, Value};

use super::raw::{RawOption, RawQuestion};
use super::space::{AnswerSpace, Fold, Picks};
use super::{Question, MAX_TOTAL_BONUS, WEIGHT_BOUNDS};
use crate::guide::Catalogue;

/// A problem found, for the validator to report.
pub(super) struct Found {
    /// Where, in the file's text.
    pub span: Option<Range<usize>>,
    /// The question and option.
    pub context: String,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub fix: String,
}

impl Found {
    fn new(span: Option<Range<usize>>, context: &str, message: String, fix: &str) -> Found {
        Found {
            span,
            context: context.to_owned(),
            message,
            fix: fix.to_owned(),
        }
    }
}

/// Refuses effects that some combination of answers pushes out of bounds: a criterion
/// weight outside [`WEIGHT_BOUNDS`] (0, "ignore it", is fine) or a framework's bonus
/// points past ±[`MAX_TOTAL_BONUS`]. Each problem is reported at the option that does
/// most, naming the other answers of a combination that gets there.
pub(super) fn problems(
    catalogue: &Catalogue,
    raw: &[Spanned<RawQuestion>],
    questions: &[Question],
) -> Vec<Found> {
    let mut found = Vec::new();
    let Some(space) = AnswerSpace::new(questions) else {
        return found;
    };
    let option = |q: usize, o: usize| &questions[q].options[o];
    for criterion in &catalogue.criteria {
        let factor = |q: usize, o: usize| -> f64 {
            option(q, o)
                .effects
                .weights
                .iter()
                .filter(|(id, _)| id == &criterion.id)
                .map(|(_, f)| *f)
                .product()
        };
        // In logarithms; a 0 factor (the weight ends at 0: ignored) is left out.
        let up = |q: usize, o: usize| match factor(q, o) {
            f if f > 0.0 => f.ln(),
            _ => f64::NEG_INFINITY,
        };
        let down = |q: usize, o: usize| match factor(q, o) {
            f if f > 0.0 => f.ln(),
            _ => f64::INFINITY,
        };
        let name = criterion.id.as_str();
        for (fold, value, limit) in [
            (
                Fold::Max,
                &up as &dyn Fn(usize, usize) -> f64,
                *WEIGHT_BOUNDS.end(),
            ),
            (Fold::Min, &down, *WEIGHT_BOUNDS.start()),
        ] {
            // The quick bound first: the exact walk only when it may be out.
            let loose = space.loose_extreme(fold, value);
            if (fold == Fold::Max && loose <= limit.ln() + 1e-9)
                || (fold == Fold::Min && loose >= limit.ln() - 1e-9)
            {
                continue;
            }
            let Some((total, picks)) = space.extreme(fold, value) else {
                continue;
            };
            let over = fold == Fold::Max && total > limit.ln() + 1e-9;
            let under = fold == Fold::Min && total < limit.ln() - 1e-9;
            if !(over || under) {
                continue;
            }
            let path = contributions(questions, &picks, &|q, o| factor(q, o), 1.0);
            let Some(&(q, o, _)) = path.iter().max_by(|a, b| {
                let strength = |f: f64| if over { f } else { 1.0 / f };
                strength(a.2).total_cmp(&strength(b.2))
            }) else {
                continue;
            };
            let listed: Vec<String> = path
                .iter()
                .map(|(q, o, f)| format!("{} ×{}", answer_name(questions, *q, *o), number(*f)))
                .collect();
            let (direction, bound) = if over {
                ("multiply", format!("over the limit of ×{}", number(limit)))
            } else {
                (
                    "shrink",
                    format!("under the limit of ×{} (1/1000)", number(limit)),
                )
            };
            found.push(Found::new(
                raw_field(raw, q, o, |r| r.weights.as_ref()),
                &option_context(questions, q, o),
                format!(
                    "answers can {direction} the weight of `{name}` to ×{}: {}, {bound}",
                    magnitude(total),
                    list(&listed)
                ),
                &if over {
                    format!(
                        "lower `weights.{name}` here or in the other answers listed, so that no \
                         combination of answers multiplies it past ×1000"
                    )
                } else {
                    format!(
                        "raise `weights.{name}` here or in the other answers listed, so that no \
                         combination of answers shrinks it under ×0.001 (a 0, which ignores the \
                         criterion, is fine)"
                    )
                },
            ));
        }
    }
    for framework in &catalogue.frameworks {
        // A team-language bonus can only reach frameworks in a language some answer
        // marks as the team's.
        let markable = questions.iter().flat_map(|q| &q.options).any(|o| {
            o.effects
                .languages
                .iter()
                .any(|(l, p)| *p > 0.0 && l == &framework.language)
        });
        let bonus = |q: usize, o: usize| -> f64 {
            let e = &option(q, o).effects;
            let named: f64 = e
                .frameworks
                .iter()
                .filter(|(id, _)| id == &framework.id)
                .map(|(_, p)| *p)
                .sum();
            let language: f64 = e
                .languages
                .iter()
                .filter(|(id, _)| id == &framework.language)
                .map(|(_, p)| *p)
                .sum();
            let team = if markable { e.team_languages } else { 0.0 };
            named + language + team
        };
        for fold in [Fold::Max, Fold::Min] {
            let loose = space.loose_extreme(fold, &bonus);
            if (fold == Fold::Max && loose <= MAX_TOTAL_BONUS + 1e-9)
                || (fold == Fold::Min && loose >= -MAX_TOTAL_BONUS - 1e-9)
            {
                continue;
            }
            let Some((total, picks)) = space.extreme(fold, &bonus) else {
                continue;
            };
            let over = fold == Fold::Max && total > MAX_TOTAL_BONUS + 1e-9;
            let under = fold == Fold::Min && total < -MAX_TOTAL_BONUS - 1e-9;
            if !(over || under) {
                continue;
            }
            let path = contributions(questions, &picks, &bonus, 0.0);
            let Some(&(q, o, _)) = path.iter().max_by(|a, b| {
                let strength = |p: f64| if over { p } else { -p };
                strength(a.2).total_cmp(&strength(b.2))
            }) else {
                continue;
            };
            let listed: Vec<String> = path
                .iter()
                .map(|(q, o, p)| format!("{} {:+}", answer_name(questions, *q, *o), p))
                .collect();
            let e = &option(q, o).effects;
            let span = if e.frameworks.iter().any(|(id, _)| id == &framework.id) {
                raw_field(raw, q, o, |r| r.frameworks.as_ref())
            } else if e.languages.iter().any(|(id, _)| id == &framework.language) {
                raw_field(raw, q, o, |r| r.languages.as_ref())
            } else {
                raw_field(raw, q, o, |r| r.team_languages.as_ref())
            };
            let verb = if over { "give" } else { "take from" };
            found.push(Found::new(
                span,
                &option_context(questions, q, o),
                format!(
                    "answers can {verb} {} {} points: {}, more than the {MAX_TOTAL_BONUS} a \
                     framework may get or lose",
                    framework.name,
                    number(total.abs()),
                    list(&listed)
                ),
                "lower the bonuses here or in the other answers listed, so that no combination \
                 of answers moves a framework by more than 35 points (the guide's whole scale)",
            ));
        }
    }
    found
}

/// The options of a combination whose value differs from `neutral`, in order.
fn contributions(
    questions: &[Question],
    picks: &Picks,
    value: &dyn Fn(usize, usize) -> f64,
    neutral: f64,
) -> Vec<(usize, usize, f64)> {
    picks
        .iter()
        .enumerate()
        .take(questions.len())
        .flat_map(|(q, options)| options.iter().flatten().map(move |&o| (q, o, value(q, o))))
        .filter(|(_, _, v)| *v != neutral)
        .collect()
}

fn answer_name(questions: &[Question], q: usize, o: usize) -> String {
    format!("`{}.{}`", questions[q].id, questions[q].options[o].id)
}

fn option_context(questions: &[Question], q: usize, o: usize) -> String {
    format!(
        "question `{}`, option `{}`",
        questions[q].id, questions[q].options[o].id
    )
}

/// The span of one field of an option as written, or of the option itself.
fn raw_field(
    raw: &[Spanned<RawQuestion>],
    q: usize,
    o: usize,
    field: impl Fn(&RawOption) -> Option<&Spanned<Value>>,
) -> Option<Range<usize>> {
    let option = raw.get(q)?.get_ref().options.as_deref()?.get(o)?;
    Some(field(option.get_ref()).map_or_else(|| option.span(), Spanned::span))
}

/// Up to eight items, then how many more.
fn list(items: &[String]) -> String {
    const SHOWN: usize = 8;
    let mut text = items
        .iter()
        .take(SHOWN)
        .cloned()
        .collect::<Vec<_>>()
        .join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

/// A product given by its logarithm: `1500`, or `10^40` when it is huge or tiny.
fn magnitude(ln: f64) -> String {
    if ln.abs() < 30.0 {
        number(ln.exp())
    } else {
        format!("10^{}", (ln / std::f64::consts::LN_10).round())
    }
}

/// A number without trailing zeros: `1500`, `1.5`, `0.0004`.
fn number(value: f64) -> String {
    let digits = if value.abs() >= 1.0 { 2 } else { 6 };
    let text = format!("{value:.digits$}");
    let text = text.trim_end_matches('0').trim_end_matches('.');
    if text.is_empty() || text == "-0" {
        "0".to_owned()
    } else {
        text.to_owned()
    }
}
