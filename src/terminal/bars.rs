//! The result's compact chart in the terminal: a bar per framework in Unicode block
//! characters, or plain ASCII where the terminal may not show them (a locale that isn't
//! UTF-8) or where the user asked for plain output (`NO_COLOR`).

use crate::chart::{bars_of, Bar};
use crate::engine::Recommendation;
use crate::guide::Catalogue;
use crate::text;

/// The longest bar, in characters.
const BAR_WIDTH: usize = 30;
/// Names are cut to this many characters.
const NAME_WIDTH: usize = 16;

/// The characters bars are drawn with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Glyphs {
    /// Block characters (█ ░ ─ ★).
    Unicode,
    /// Plain ASCII (# + - *).
    Ascii,
}

impl Glyphs {
    /// From the process environment (see [`Glyphs::detect`]).
    pub fn from_env() -> Glyphs {
        Glyphs::detect(|name| std::env::var(name).ok())
    }

    /// Unicode when the locale is UTF-8 (the first set of `LC_ALL`, `LC_CTYPE`,
    /// `LANG`, as POSIX orders them) and `NO_COLOR` is unset or empty; ASCII otherwise.
    pub fn detect(var: impl Fn(&str) -> Option<String>) -> Glyphs {
        if var("NO_COLOR").is_some_and(|v| !v.is_empty()) {
            return Glyphs::Ascii;
        }
        let locale = ["LC_ALL", "LC_CTYPE", "LANG"]
            .iter()
            .find_map(|name| var(name).filter(|v| !v.is_empty()))
            .unwrap_or_default()
            .to_ascii_lowercase();
        if locale.contains("utf-8") || locale.contains("utf8") {
            Glyphs::Unicode
        } else {
            Glyphs::Ascii
        }
    }

    /// (ratings, bonus, taken away, ruled out, winner mark, ellipsis)
    fn set(
        self,
    ) -> (
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
        &'static str,
    ) {
        match self {
            Glyphs::Unicode => ("█", "░", "×", "─", "★", "…"),
            Glyphs::Ascii => ("#", "+", "x", "-", "*", "..."),
        }
    }
}

/// A bar per framework, best first, with the key on the first line.
pub fn bars(catalogue: &Catalogue, recommendation: &Recommendation, glyphs: Glyphs) -> String {
    let bars = bars_of(catalogue, recommendation);
    let (full, bonus, penalty, out, star, _) = glyphs.set();
    let max = bars
        .iter()
        .flat_map(|b| [b.from_ratings, b.score])
        .filter(|v| v.is_finite())
        .fold(35.0, f64::max);
    let cells = |points: f64| -> usize {
        let share = (points.max(0.0) / max).clamp(0.0, 1.0);
        (share * BAR_WIDTH as f64).round() as usize
    };
    let mut key = Vec::new();
    if bars.iter().any(|b| b.excluded.is_empty()) {
        key.push(format!("{full} guide ratings under your weights"));
    }
    if bars.iter().any(|b| b.bonus > 0.0 && b.excluded.is_empty()) {
        key.push(format!("{bonus} bonus points"));
    }
    if bars.iter().any(|b| b.bonus < 0.0 && b.excluded.is_empty()) {
        key.push(format!("{penalty} points taken away"));
    }
    if bars.iter().any(|b| !b.excluded.is_empty()) {
        key.push(format!("{out} ruled out"));
    }
    let mut text = format!("Chart ({}):\n", key.join(", "));
    for bar in &bars {
        let mark = if bar.winner { star } else { " " };
        let name = fit(&bar.name, glyphs);
        let line = bar_cells(bar, &cells, glyphs);
        let mut row = format!(
            "{mark} {name:<NAME_WIDTH$} {line} {}",
            text::points(bar.score)
        );
        if !bar.excluded.is_empty() {
            row.push_str(" (ruled out)");
        }
        text.push_str(row.trim_end());
        text.push('\n');
    }
    text
}

/// The cells of one bar.
fn bar_cells(bar: &Bar, cells: &dyn Fn(f64) -> usize, glyphs: Glyphs) -> String {
    let (full, bonus, penalty, out, _, _) = glyphs.set();
    if !bar.excluded.is_empty() {
        return out.repeat(cells(bar.score).max(1));
    }
    let ratings = cells(bar.from_ratings.min(bar.score));
    let mut line = full.repeat(ratings);
    if bar.bonus > 0.0 {
        line.push_str(&bonus.repeat(cells(bar.score).saturating_sub(ratings).max(1)));
    } else if bar.bonus < 0.0 {
        line.push_str(&penalty.repeat(cells(bar.from_ratings).saturating_sub(ratings).max(1)));
    }
    line
}

/// A name cut to [`NAME_WIDTH`] characters.
fn fit(name: &str, glyphs: Glyphs) -> String {
    let (.., ellipsis) = glyphs.set();
    if name.chars().count() <= NAME_WIDTH {
        return name.to_owned();
    }
    let keep = NAME_WIDTH - ellipsis.chars().count();
    let cut: String = name.chars().take(keep).collect();
    format!("{}{ellipsis}", cut.trim_end())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::{evaluate, Profile};

    fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
        move |name| {
            vars.iter()
                .find(|(n, _)| *n == name)
                .map(|(_, v)| (*v).to_owned())
        }
    }

    #[test]
    fn unicode_only_in_a_utf8_locale_without_no_color() {
        assert_eq!(
            Glyphs::detect(env(&[("LANG", "en_GB.UTF-8")])),
            Glyphs::Unicode
        );
        assert_eq!(
            Glyphs::detect(env(&[("LC_ALL", "C.utf8")])),
            Glyphs::Unicode
        );
        // LC_ALL wins over LANG.
        let c = [("LC_ALL", "C"), ("LANG", "en_GB.UTF-8")];
        assert_eq!(Glyphs::detect(env(&c)), Glyphs::Ascii);
        assert_eq!(Glyphs::detect(env(&[])), Glyphs::Ascii);
        let no_color = [("LANG", "en_GB.UTF-8"), ("NO_COLOR", "1")];
        assert_eq!(Glyphs::detect(env(&no_color)), Glyphs::Ascii);
        let empty = [("LANG", "en_GB.UTF-8"), ("NO_COLOR", "")];
        assert_eq!(Glyphs::detect(env(&empty)), Glyphs::Unicode);
    }

    #[test]
    fn ascii_bars_are_plain_ascii_and_mark_the_winner() {
        let catalogue = Catalogue::builtin();
        let result = evaluate(catalogue, &Profile::neutral(catalogue));
        let ascii = bars(catalogue, &result, Glyphs::Ascii);
        assert!(ascii.is_ascii(), "{ascii}");
        let lines: Vec<&str> = ascii.lines().collect();
        assert_eq!(lines.len(), 1 + catalogue.frameworks.len());
        assert!(lines[1].starts_with("* Next.js"), "{ascii}");
        // Next.js's 32.5 of 35 points: 28 of 30 cells.
        assert_eq!(lines[1].matches('#').count(), 28, "{ascii}");
        let unicode = bars(catalogue, &result, Glyphs::Unicode);
        assert!(
            unicode.lines().nth(1).unwrap().starts_with("★ Next.js"),
            "{unicode}"
        );
    }
}
