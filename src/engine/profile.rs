//! Answers → a profile: criterion weights, affinity bonuses and exclusions, each
//! traced back to the answers that caused it.

use serde::{Deserialize, Serialize};

use crate::guide::Catalogue;
use crate::ids::{CriterionId, LanguageId, OptionId, QuestionId};
use crate::questionnaire::{Answers, QuestionSet};

/// The answer an effect came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Because {
    /// The question.
    pub question: QuestionId,
    /// The option picked.
    pub option: OptionId,
    /// The option's label, kept so a stored result reads the same later.
    pub label: String,
}

/// One change to a criterion's weight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct WeightChange {
    /// The multiplier applied.
    pub factor: f64,
    /// The answer that applied it.
    pub because: Because,
}

/// A criterion's final weight and how it got there.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CriterionWeight {
    /// The criterion.
    pub criterion: CriterionId,
    /// The product of all multipliers (1 when no answer touched it).
    pub weight: f64,
    /// The answers that changed it, in question order.
    pub changes: Vec<WeightChange>,
}

/// Guide points added to a framework by an answer.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Bonus {
    /// Points added (negative: taken away).
    pub points: f64,
    /// Set when the bonus came through the framework's language.
    pub language: Option<LanguageId>,
    /// The answer that gave it.
    pub because: Because,
}

/// Why a framework is ruled out.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ExclusionKind {
    /// The answer excludes it by name.
    Excluded,
    /// The answer allows only these languages.
    OnlyLanguages {
        /// The languages allowed.
        allowed: Vec<LanguageId>,
    },
    /// The answer allows only the team's languages.
    OnlyTeamLanguages {
        /// The languages the answers say the team knows.
        team: Vec<LanguageId>,
    },
}

/// An exclusion and the answer behind it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// What kind of constraint.
    pub kind: ExclusionKind,
    /// The answer that set it.
    pub because: Because,
}

/// What the answers ask for, ready to score.
#[derive(Debug, Clone, PartialEq)]
pub struct Profile {
    /// One entry per criterion, in catalogue order.
    pub weights: Vec<CriterionWeight>,
    /// Per framework (catalogue order): its bonuses.
    pub bonuses: Vec<Vec<Bonus>>,
    /// Per framework (catalogue order): why it is excluded; empty when eligible.
    pub exclusions: Vec<Vec<Exclusion>>,
    /// The languages the answers say the team writes (a positive `languages` bonus),
    /// in the order they were named.
    pub team_languages: Vec<LanguageId>,
}

impl Profile {
    /// Equal weights, no bonus, nothing excluded: the guide's own view.
    pub fn neutral(catalogue: &Catalogue) -> Profile {
        Profile {
            weights: catalogue
                .criteria
                .iter()
                .map(|c| CriterionWeight {
                    criterion: c.id.clone(),
                    weight: 1.0,
                    changes: Vec::new(),
                })
                .collect(),
            bonuses: vec![Vec::new(); catalogue.frameworks.len()],
            exclusions: vec![Vec::new(); catalogue.frameworks.len()],
            team_languages: Vec::new(),
        }
    }

    /// Applies the effects of every picked option of the questions that are shown.
    /// Ids were checked against the catalogue when the set was loaded; an id that
    /// still does not resolve (a set checked against another catalogue) is ignored.
    pub fn from_answers(catalogue: &Catalogue, set: &QuestionSet, answers: &Answers) -> Profile {
        let mut profile = Profile::neutral(catalogue);
        let mut team_languages: Vec<LanguageId> = Vec::new();
        let mut team_rules: Vec<Because> = Vec::new();
        let mut team_bonuses: Vec<(f64, Because)> = Vec::new();

        for question in set.shown(answers) {
            let Some(picked) = answers.get(&question.id) else {
                continue;
            };
            for option in picked.iter().filter_map(|id| question.option(id.as_str())) {
                let because = Because {
                    question: question.id.clone(),
                    option: option.id.clone(),
                    label: option.label.clone(),
                };
                let effects = &option.effects;
                for (criterion, factor) in &effects.weights {
                    if let Some((c, _)) = catalogue.criterion(criterion.as_str()) {
                        profile.weights[c].weight *= factor;
                        profile.weights[c].changes.push(WeightChange {
                            factor: *factor,
                            because: because.clone(),
                        });
                    }
                }
                for (framework, points) in &effects.frameworks {
                    if let Some((f, _)) = catalogue.framework(framework.as_str()) {
                        profile.bonuses[f].push(Bonus {
                            points: *points,
                            language: None,
                            because: because.clone(),
                        });
                    }
                }
                for (language, points) in &effects.languages {
                    if *points > 0.0 && !team_languages.contains(language) {
                        team_languages.push(language.clone());
                    }
                    for (f, framework) in catalogue.frameworks.iter().enumerate() {
                        if &framework.language == language {
                            profile.bonuses[f].push(Bonus {
                                points: *points,
                                language: Some(language.clone()),
                                because: because.clone(),
                            });
                        }
                    }
                }
                for framework in &effects.exclude {
                    if let Some((f, _)) = catalogue.framework(framework.as_str()) {
                        profile.exclusions[f].push(Exclusion {
                            kind: ExclusionKind::Excluded,
                            because: because.clone(),
                        });
                    }
                }
                if !effects.only_languages.is_empty() {
                    for (f, framework) in catalogue.frameworks.iter().enumerate() {
                        if !effects.only_languages.contains(&framework.language) {
                            profile.exclusions[f].push(Exclusion {
                                kind: ExclusionKind::OnlyLanguages {
                                    allowed: effects.only_languages.clone(),
                                },
                                because: because.clone(),
                            });
                        }
                    }
                }
                if effects.team_languages != 0.0 {
                    team_bonuses.push((effects.team_languages, because.clone()));
                }
                if effects.only_team_languages {
                    team_rules.push(because);
                }
            }
        }

        // Applied last, once every answer naming a team language is known: points for
        // staying in the team's languages, and the rule to stay in them. A team
        // whose languages are none of the guide's (e.g. "Python") is left with no
        // framework, and the result says so rather than quietly ignoring the rule.
        for (points, because) in team_bonuses {
            for (f, framework) in catalogue.frameworks.iter().enumerate() {
                if team_languages.contains(&framework.language) {
                    profile.bonuses[f].push(Bonus {
                        points,
                        language: Some(framework.language.clone()),
                        because: because.clone(),
                    });
                }
            }
        }
        for because in team_rules {
            for (f, framework) in catalogue.frameworks.iter().enumerate() {
                if !team_languages.contains(&framework.language) {
                    profile.exclusions[f].push(Exclusion {
                        kind: ExclusionKind::OnlyTeamLanguages {
                            team: team_languages.clone(),
                        },
                        because: because.clone(),
                    });
                }
            }
        }
        profile.team_languages = team_languages;
        profile
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::builtin_sets;

    fn default_set() -> QuestionSet {
        builtin_sets(Catalogue::builtin())
            .unwrap()
            .into_iter()
            .find(|s| s.id.as_str() == "default")
            .unwrap()
    }

    fn answers(pairs: &[(&str, &[&str])]) -> Answers {
        let mut answers = Answers::default();
        for (q, options) in pairs {
            answers.set((*q).into(), options.iter().map(|o| (*o).into()).collect());
        }
        answers
    }

    fn weight<'p>(profile: &'p Profile, criterion: &str) -> &'p CriterionWeight {
        profile
            .weights
            .iter()
            .find(|w| w.criterion.as_str() == criterion)
            .unwrap()
    }

    #[test]
    fn answers_multiply_the_weights_they_name_and_are_recorded_as_the_reason() {
        let catalogue = Catalogue::builtin();
        let profile = Profile::from_answers(
            catalogue,
            &default_set(),
            &answers(&[("experience", &["new"]), ("deadline", &["weeks"])]),
        );
        let learning = weight(&profile, "learning_curve");
        assert_eq!(learning.weight, 3.0);
        let options: Vec<&str> = learning
            .changes
            .iter()
            .map(|c| c.because.option.as_str())
            .collect();
        assert_eq!(options, ["new", "weeks"]);
        assert_eq!(weight(&profile, "performance").weight, 1.0);
        assert!(weight(&profile, "performance").changes.is_empty());
    }

    #[test]
    fn a_language_answer_gives_points_to_every_framework_in_that_language() {
        let catalogue = Catalogue::builtin();
        let profile = Profile::from_answers(
            catalogue,
            &default_set(),
            &answers(&[("languages", &["javascript"])]),
        );
        for (f, framework) in catalogue.frameworks.iter().enumerate() {
            let points: f64 = profile.bonuses[f].iter().map(|b| b.points).sum();
            let js = framework.language.as_str() == "javascript";
            assert_eq!(points, if js { 4.0 } else { 0.0 }, "{}", framework.id);
            if js {
                assert_eq!(
                    profile.bonuses[f][0].language.as_ref().unwrap().as_str(),
                    "javascript"
                );
            }
        }
    }

    #[test]
    fn only_the_teams_languages_rules_out_the_rest_whatever_the_answer_order() {
        let catalogue = Catalogue::builtin();
        let profile = Profile::from_answers(
            catalogue,
            &default_set(),
            &answers(&[
                ("languages", &["ruby", "elixir"]),
                ("stick_to_languages", &["must"]),
            ]),
        );
        let eligible: Vec<&str> = catalogue
            .frameworks
            .iter()
            .zip(&profile.exclusions)
            .filter(|(_, e)| e.is_empty())
            .map(|(f, _)| f.id.as_str())
            .collect();
        assert_eq!(eligible, ["rails", "phoenix"]);
    }

    #[test]
    fn preferring_the_teams_languages_gives_their_frameworks_points_and_no_others() {
        let catalogue = Catalogue::builtin();
        let profile = Profile::from_answers(
            catalogue,
            &default_set(),
            &answers(&[
                ("languages", &["ruby", "rust"]),
                ("stick_to_languages", &["prefer"]),
            ]),
        );
        assert_eq!(
            profile.team_languages,
            [LanguageId::from("ruby"), LanguageId::from("rust")]
        );
        for (f, framework) in catalogue.frameworks.iter().enumerate() {
            let staying: Vec<&Bonus> = profile.bonuses[f]
                .iter()
                .filter(|b| b.because.option.as_str() == "prefer")
                .collect();
            let team = ["rails", "actix"].contains(&framework.id.as_str());
            assert_eq!(staying.len(), usize::from(team), "{}", framework.id);
            if let Some(bonus) = staying.first() {
                assert_eq!(bonus.points, 4.0);
                assert_eq!(bonus.language.as_ref(), Some(&framework.language));
            }
            assert!(profile.exclusions[f].is_empty());
        }
        // Without a team language, "prefer" gives nothing.
        let none = Profile::from_answers(
            catalogue,
            &default_set(),
            &answers(&[
                ("languages", &["other"]),
                ("stick_to_languages", &["prefer"]),
            ]),
        );
        assert!(none.bonuses.iter().all(Vec::is_empty));
        assert!(none.team_languages.is_empty());
    }

    #[test]
    fn an_exclusion_by_name_and_an_only_languages_list_are_traced_to_their_answer() {
        let catalogue = Catalogue::builtin();
        let profile = Profile::from_answers(
            catalogue,
            &default_set(),
            &answers(&[("ruled_out", &["no_php", "no_rust"])]),
        );
        let (laravel, _) = catalogue.framework("laravel").unwrap();
        let (actix, _) = catalogue.framework("actix").unwrap();
        assert_eq!(profile.exclusions[laravel][0].kind, ExclusionKind::Excluded);
        assert_eq!(
            profile.exclusions[laravel][0].because.option.as_str(),
            "no_php"
        );
        assert_eq!(
            profile.exclusions[actix][0].because.option.as_str(),
            "no_rust"
        );
        let eligible = profile.exclusions.iter().filter(|e| e.is_empty()).count();
        assert_eq!(eligible, 5);
    }

    #[test]
    fn answers_to_questions_that_are_not_shown_have_no_effect() {
        // "frontend" is shown only for full-stack apps: picking React for an API
        // gives Next.js nothing.
        let catalogue = Catalogue::builtin();
        let profile = Profile::from_answers(
            catalogue,
            &default_set(),
            &answers(&[("app_type", &["api"]), ("frontend", &["react"])]),
        );
        let (next, _) = catalogue.framework("nextjs").unwrap();
        assert!(profile.bonuses[next].is_empty());
    }
}
