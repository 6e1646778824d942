//! The guide's catalogue: its criteria, languages and frameworks, with the ratings
//! copied exactly from the guide and our own notes on why each rating was given.
//!
//! The catalogue is data (`guide/catalogue.toml`, compiled in); another file can
//! replace it with [`Catalogue::from_toml`]. Loading validates it: every framework is
//! rated on every criterion, each rating is between 1 and 5 in half points.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use serde::{Deserialize, Serialize};

use crate::ids::{CriterionId, FrameworkId, LanguageId};

/// The catalogue shipped with the bot.
pub const BUILTIN_CATALOGUE: &str = include_str!("guide/catalogue.toml");

/// A rating on the guide's 1–5 scale, kept in half points so that 3.5 is exact.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Rating(u8);

impl Rating {
    /// Builds a rating from the guide's figure; `None` unless it is a whole or half
    /// point between 1 and 5.
    pub fn from_points(points: f64) -> Option<Self> {
        let halves = points * 2.0;
        let valid = halves.fract() == 0.0 && (2.0..=10.0).contains(&halves);
        // The range check above makes the cast lossless.
        valid.then_some(Self(halves as u8))
    }

    /// The rating as the guide prints it, e.g. `3.5`.
    pub fn points(self) -> f64 {
        f64::from(self.0) / 2.0
    }
}

impl fmt::Display for Rating {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.0 % 2 == 0 {
            write!(f, "{}", self.0 / 2)
        } else {
            write!(f, "{}.5", self.0 / 2)
        }
    }
}

impl Serialize for Rating {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_f64(self.points())
    }
}

/// Which edition of the guide the ratings come from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct GuideInfo {
    /// The guide's title.
    pub title: String,
    /// Where it was published.
    pub source: String,
    /// Its publication date, used as the catalogue version.
    pub version: String,
}

/// One of the guide's criteria.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Criterion {
    /// Stable id used in question sets.
    pub id: CriterionId,
    /// Display name.
    pub name: String,
    /// What the criterion measures, in our words.
    pub meaning: String,
}

/// A programming language frameworks are written in.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Language {
    /// Stable id used in question sets.
    pub id: LanguageId,
    /// Display name.
    pub name: String,
}

/// A framework's rating on one criterion and why it got it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RatedCriterion {
    /// The guide's figure.
    pub rating: Rating,
    /// Why, in our words from the guide's facts.
    pub why: String,
}

/// One of the guide's frameworks.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Framework {
    /// Stable id used in question sets.
    pub id: FrameworkId,
    /// Display name.
    pub name: String,
    /// The language it is written in.
    pub language: LanguageId,
    /// A sentence or two on what it is.
    pub summary: String,
    /// One entry per criterion, in the catalogue's criterion order.
    pub ratings: Vec<RatedCriterion>,
}

impl Framework {
    /// The guide's total: the sum of all ratings.
    pub fn total(&self) -> f64 {
        self.ratings.iter().map(|r| r.rating.points()).sum()
    }
}

/// The validated catalogue. Criteria and frameworks keep the guide's order, which is
/// also the documented tie-break order of the engine.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Catalogue {
    /// Which guide this is.
    pub guide: GuideInfo,
    /// The criteria, in the guide's order.
    pub criteria: Vec<Criterion>,
    /// The languages frameworks are written in.
    pub languages: Vec<Language>,
    /// The frameworks, in the guide's order.
    pub frameworks: Vec<Framework>,
}

/// Why a catalogue file was refused.
#[derive(Debug, thiserror::Error)]
pub enum CatalogueError {
    /// The file is not valid TOML or lacks a required field.
    #[error("the catalogue is not valid TOML: {0}")]
    Syntax(#[from] toml::de::Error),
    /// The file parsed but its content is inconsistent; every problem is listed.
    #[error("the catalogue is inconsistent:\n  - {}", .0.join("\n  - "))]
    Invalid(Vec<String>),
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCatalogue {
    guide: GuideInfo,
    criteria: Vec<RawCriterion>,
    languages: Vec<RawLanguage>,
    frameworks: Vec<RawFramework>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawCriterion {
    id: String,
    name: String,
    meaning: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLanguage {
    id: String,
    name: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFramework {
    id: String,
    name: String,
    language: String,
    summary: String,
    ratings: BTreeMap<String, RawRating>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRating {
    rating: f64,
    why: String,
}

impl Catalogue {
    /// The catalogue compiled into the binary.
    pub fn builtin() -> &'static Catalogue {
        static BUILTIN: std::sync::OnceLock<Catalogue> = std::sync::OnceLock::new();
        BUILTIN.get_or_init(|| {
            #[allow(clippy::expect_used)] // the shipped file is checked by unit tests
            Catalogue::from_toml(BUILTIN_CATALOGUE).expect("the built-in catalogue is valid")
        })
    }

    /// Parses and validates a catalogue file, reporting every problem at once.
    pub fn from_toml(text: &str) -> Result<Catalogue, CatalogueError> {
        let raw: RawCatalogue = toml::from_str(text)?;
        Catalogue::try_from(raw)
    }

    /// The criterion with this id.
    pub fn criterion(&self, id: &str) -> Option<(usize, &Criterion)> {
        self.criteria
            .iter()
            .enumerate()
            .find(|(_, c)| c.id.as_str() == id)
    }

    /// The framework with this id.
    pub fn framework(&self, id: &str) -> Option<(usize, &Framework)> {
        self.frameworks
            .iter()
            .enumerate()
            .find(|(_, f)| f.id.as_str() == id)
    }

    /// The language with this id.
    pub fn language(&self, id: &str) -> Option<&Language> {
        self.languages.iter().find(|l| l.id.as_str() == id)
    }

    /// Finds a framework by id or by a loosely typed name ("nextjs", "Next.js",
    /// "ruby on rails", "rails").
    pub fn find_framework(&self, query: &str) -> Option<(usize, &Framework)> {
        let wanted = normalise(query);
        self.frameworks.iter().enumerate().find(|(_, f)| {
            normalise(f.id.as_str()) == wanted
                || normalise(&f.name) == wanted
                || normalise(&f.name).ends_with(&wanted) && wanted.len() >= 4
        })
    }
}

/// Lowercase, alphanumerics only: "Next.js" and "nextjs" compare equal.
pub(crate) fn normalise(text: &str) -> String {
    text.chars()
        .filter(|c| c.is_alphanumeric())
        .flat_map(char::to_lowercase)
        .collect()
}

impl TryFrom<RawCatalogue> for Catalogue {
    type Error = CatalogueError;

    fn try_from(raw: RawCatalogue) -> Result<Self, Self::Error> {
        let mut problems = Vec::new();
        let mut seen = HashSet::new();
        for id in raw.criteria.iter().map(|c| &c.id) {
            if !seen.insert(id.as_str()) {
                problems.push(format!("criterion `{id}` is listed twice"));
            }
        }
        if raw.criteria.is_empty() {
            problems.push("there are no criteria".to_owned());
        }
        let languages: Vec<Language> = raw
            .languages
            .into_iter()
            .map(|l| Language {
                id: LanguageId::new(l.id),
                name: l.name,
            })
            .collect();
        let mut framework_ids = HashSet::new();
        let mut frameworks = Vec::with_capacity(raw.frameworks.len());
        for f in raw.frameworks {
            if !framework_ids.insert(f.id.clone()) {
                problems.push(format!("framework `{}` is listed twice", f.id));
            }
            if !languages.iter().any(|l| l.id.as_str() == f.language) {
                problems.push(format!(
                    "framework `{}` uses language `{}`, which is not in [[languages]]",
                    f.id, f.language
                ));
            }
            for rated in f.ratings.keys() {
                if !raw.criteria.iter().any(|c| &c.id == rated) {
                    problems.push(format!(
                        "framework `{}` rates unknown criterion `{rated}`",
                        f.id
                    ));
                }
            }
            let mut ratings = Vec::with_capacity(raw.criteria.len());
            for criterion in &raw.criteria {
                match f.ratings.get(&criterion.id) {
                    None => problems.push(format!(
                        "framework `{}` has no rating for `{}`",
                        f.id, criterion.id
                    )),
                    Some(r) => match Rating::from_points(r.rating) {
                        Some(rating) => ratings.push(RatedCriterion {
                            rating,
                            why: r.why.clone(),
                        }),
                        None => problems.push(format!(
                            "framework `{}` has rating {} for `{}`: ratings are 1 to 5 in half points",
                            f.id, r.rating, criterion.id
                        )),
                    },
                }
            }
            frameworks.push(Framework {
                id: FrameworkId::new(f.id),
                name: f.name,
                language: LanguageId::new(f.language),
                summary: f.summary,
                ratings,
            });
        }
        if frameworks.is_empty() {
            problems.push("there are no frameworks".to_owned());
        }
        if !problems.is_empty() {
            return Err(CatalogueError::Invalid(problems));
        }
        Ok(Catalogue {
            guide: raw.guide,
            criteria: raw
                .criteria
                .into_iter()
                .map(|c| Criterion {
                    id: CriterionId::new(c.id),
                    name: c.name,
                    meaning: c.meaning,
                })
                .collect(),
            languages,
            frameworks,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_builtin_catalogue_carries_the_guides_totals() {
        let catalogue = Catalogue::from_toml(BUILTIN_CATALOGUE).unwrap();
        let totals: Vec<(&str, f64)> = catalogue
            .frameworks
            .iter()
            .map(|f| (f.id.as_str(), f.total()))
            .collect();
        assert_eq!(
            totals,
            [
                ("nextjs", 32.5),
                ("fastify", 31.0),
                ("sveltekit", 29.5),
                ("rails", 28.0),
                ("laravel", 31.0),
                ("phoenix", 30.5),
                ("actix", 25.5)
            ]
        );
        assert_eq!(catalogue.criteria.len(), 7);
    }

    #[test]
    fn a_half_point_rating_prints_like_the_guide() {
        assert_eq!(Rating::from_points(3.5).unwrap().to_string(), "3.5");
        assert_eq!(Rating::from_points(5.0).unwrap().to_string(), "5");
        assert!(Rating::from_points(0.5).is_none());
        assert!(Rating::from_points(5.5).is_none());
        assert!(Rating::from_points(3.25).is_none());
        assert!(Rating::from_points(f64::NAN).is_none());
    }

    #[test]
    fn a_missing_or_out_of_range_rating_is_refused_with_every_problem_listed() {
        let text = BUILTIN_CATALOGUE
            .replacen("rating = 2.5", "rating = 7", 1)
            .replacen(
                "[frameworks.ratings.security]",
                "[frameworks.ratings.safety]",
                1,
            );
        let err = Catalogue::from_toml(&text).unwrap_err().to_string();
        assert!(err.contains("ratings are 1 to 5"), "{err}");
        assert!(err.contains("no rating for `security`"), "{err}");
        assert!(err.contains("unknown criterion `safety`"), "{err}");
    }

    #[test]
    fn frameworks_are_found_by_loose_names() {
        let catalogue = Catalogue::builtin();
        assert_eq!(
            catalogue.find_framework("Next.js").unwrap().1.name,
            "Next.js"
        );
        assert_eq!(
            catalogue.find_framework("rails").unwrap().1.id.as_str(),
            "rails"
        );
        assert!(catalogue.find_framework("django").is_none());
    }
}
