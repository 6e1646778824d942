//! Answers that contradict each other, caught at the answer that leaves no framework
//! eligible: which answers rule out what, and the ways out (change this answer, change
//! one of the others, or keep them all and get no recommendation).

use crate::engine::{Exclusion, ExclusionKind, Profile};
use crate::guide::Catalogue;
use crate::ids::{FrameworkId, LanguageId, QuestionId};
use crate::questionnaire::{Answers, QuestionSet};

/// Most other answers offered to change (with "this answer" and "keep them", the
/// choices fit one row of five Discord buttons).
pub const MAX_OTHERS: usize = 3;

/// One answer involved in a contradiction.
#[derive(Debug, Clone, PartialEq)]
pub struct Involved {
    /// The question.
    pub question: QuestionId,
    /// Its prompt.
    pub prompt: String,
    /// Whether it comes before the answer just given.
    pub earlier: bool,
    /// The labels of the options picked.
    pub labels: Vec<String>,
    /// What it rules out, grouped by why, in the order first met.
    pub rules_out: Vec<(ExclusionKind, Vec<FrameworkId>)>,
    /// Whether it is where the team's languages come from (and a rule keeps the team
    /// to them).
    pub names_team: bool,
}

/// Answers that together leave no framework eligible.
#[derive(Debug, Clone, PartialEq)]
pub struct Conflict {
    /// The answer just given.
    pub this: Involved,
    /// The other answers involved, in question order.
    pub others: Vec<Involved>,
    /// The team's languages, when a rule keeps the team to them.
    pub team: Option<Vec<LanguageId>>,
}

/// A way out of a contradiction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolution {
    /// Answer this question again.
    ChangeThis(QuestionId),
    /// Answer another involved question again.
    ChangeOther(QuestionId),
    /// Keep every answer: the result will say that nothing fits.
    Keep,
}

impl Resolution {
    /// The conversation input it stands for.
    pub fn input(&self) -> super::Input {
        match self {
            Resolution::ChangeThis(q) | Resolution::ChangeOther(q) => {
                super::Input::Change(q.clone())
            }
            Resolution::Keep => super::Input::KeepAnswers,
        }
    }
}

impl Conflict {
    /// The ways out, in the order they are offered: this answer, up to
    /// [`MAX_OTHERS`] others, keep them all.
    pub fn resolutions(&self) -> Vec<Resolution> {
        let mut out = vec![Resolution::ChangeThis(self.this.question.clone())];
        out.extend(
            self.others
                .iter()
                .take(MAX_OTHERS)
                .map(|o| Resolution::ChangeOther(o.question.clone())),
        );
        out.push(Resolution::Keep);
        out
    }

    /// The involved answer of a question.
    pub fn involved(&self, question: &QuestionId) -> Option<&Involved> {
        std::iter::once(&self.this)
            .chain(&self.others)
            .find(|i| &i.question == question)
    }
}

/// The exclusions that stand: a rule keeping the team to its languages counts only
/// once no question that could still name a team language is waiting for an answer.
fn standing(set: &QuestionSet, answers: &Answers, exclusion: &Exclusion) -> bool {
    !matches!(exclusion.kind, ExclusionKind::OnlyTeamLanguages { .. })
        || !team_pending(set, answers)
}

/// Whether a question that can name a team language is still to be answered.
fn team_pending(set: &QuestionSet, answers: &Answers) -> bool {
    set.questions.iter().any(|q| {
        let names = q
            .options
            .iter()
            .any(|o| o.effects.languages.iter().any(|(_, p)| *p > 0.0));
        let may_be_asked = set.is_shown(q, answers)
            || q.show_if
                .as_ref()
                .is_some_and(|c| answers.get(&c.question).is_none());
        names && answers.get(&q.id).is_none() && may_be_asked
    })
}

/// Whether the answers so far leave no framework eligible.
pub fn leaves_nothing(catalogue: &Catalogue, set: &QuestionSet, answers: &Answers) -> bool {
    let profile = Profile::from_answers(catalogue, set, answers);
    profile
        .exclusions
        .iter()
        .all(|e| e.iter().any(|x| standing(set, answers, x)))
}

/// The contradiction the answer to `question` completes, from the answers as they
/// are now.
pub fn conflict(
    catalogue: &Catalogue,
    set: &QuestionSet,
    answers: &Answers,
    question: &QuestionId,
) -> Conflict {
    let profile = Profile::from_answers(catalogue, set, answers);
    let position = |q: &QuestionId| set.position(q).unwrap_or(usize::MAX);
    let here = position(question);
    let involved = |q: &QuestionId| -> Involved {
        let found = set.question(q);
        let labels = found
            .zip(answers.get(q))
            .map(|(question, picked)| {
                picked
                    .iter()
                    .filter_map(|o| question.option(o.as_str()).map(|x| x.label.clone()))
                    .collect()
            })
            .unwrap_or_default();
        Involved {
            question: q.clone(),
            prompt: found.map(|x| x.prompt.clone()).unwrap_or_default(),
            earlier: position(q) < here,
            labels,
            rules_out: Vec::new(),
            names_team: false,
        }
    };
    let mut all: Vec<Involved> = vec![involved(question)];
    let mut team = None;
    for (f, exclusions) in profile.exclusions.iter().enumerate() {
        for exclusion in exclusions.iter().filter(|x| standing(set, answers, x)) {
            if let ExclusionKind::OnlyTeamLanguages { team: languages } = &exclusion.kind {
                team = Some(languages.clone());
            }
            let q = &exclusion.because.question;
            let index = match all.iter().position(|i| &i.question == q) {
                Some(i) => i,
                None => {
                    all.push(involved(q));
                    all.len() - 1
                }
            };
            let groups = &mut all[index].rules_out;
            let framework = catalogue.frameworks[f].id.clone();
            match groups.iter_mut().find(|(kind, _)| kind == &exclusion.kind) {
                Some((_, list)) if !list.contains(&framework) => list.push(framework),
                Some(_) => {}
                None => groups.push((exclusion.kind.clone(), vec![framework])),
            }
        }
    }
    if team.is_some() {
        // The answers the team's languages come from (or that named none of the
        // guide's): the questions that can name one, as answered.
        for q in set.questions.iter().filter(|q| {
            answers.get(&q.id).is_some_and(|p| !p.is_empty())
                && set.is_shown(q, answers)
                && q.options
                    .iter()
                    .any(|o| o.effects.languages.iter().any(|(_, p)| *p > 0.0))
        }) {
            match all.iter_mut().find(|i| i.question == q.id) {
                Some(i) => i.names_team = true,
                None => {
                    let mut i = involved(&q.id);
                    i.names_team = true;
                    all.push(i);
                }
            }
        }
    }
    let this = all.remove(0);
    all.sort_by_key(|i| position(&i.question));
    Conflict {
        this,
        others: all,
        team,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::builtin_sets;

    fn default() -> QuestionSet {
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

    #[test]
    fn only_our_languages_and_ruling_them_out_name_every_answer_involved() {
        let set = default();
        let given = answers(&[
            ("languages", &["javascript"]),
            ("stick_to_languages", &["must"]),
            ("ruled_out", &["no_javascript"]),
        ]);
        assert!(leaves_nothing(Catalogue::builtin(), &set, &given));
        let c = conflict(Catalogue::builtin(), &set, &given, &"ruled_out".into());
        assert_eq!(c.this.labels, ["No JavaScript on the server"]);
        assert_eq!(c.this.rules_out.len(), 1);
        let others: Vec<&str> = c.others.iter().map(|o| o.question.as_str()).collect();
        assert_eq!(others, ["languages", "stick_to_languages"]);
        assert!(c.others[0].names_team && c.others[0].rules_out.is_empty());
        let (kind, ruled) = &c.others[1].rules_out[0];
        assert!(matches!(kind, ExclusionKind::OnlyTeamLanguages { .. }));
        assert_eq!(ruled.len(), 4);
        assert_eq!(c.team, Some(vec!["javascript".into()]));
        assert_eq!(
            c.resolutions(),
            [
                Resolution::ChangeThis("ruled_out".into()),
                Resolution::ChangeOther("languages".into()),
                Resolution::ChangeOther("stick_to_languages".into()),
                Resolution::Keep
            ]
        );
    }

    #[test]
    fn a_rule_to_stay_in_the_team_languages_waits_for_the_languages() {
        // A set asking "only our languages?" before the languages: nothing is
        // contradicted until the languages are known.
        let text = r#"
id = "order"
title = "Order"
version = 1
[[questions]]
id = "stick"
prompt = "Only our languages?"
  [[questions.options]]
  id = "yes"
  label = "Yes"
  only_team_languages = true
  [[questions.options]]
  id = "no"
  label = "No"
[[questions]]
id = "lang"
prompt = "Which language?"
  [[questions.options]]
  id = "rust"
  label = "Rust"
  languages = { rust = 4 }
  [[questions.options]]
  id = "python"
  label = "Python"
"#;
        let set = QuestionSet::from_toml(
            crate::questionnaire::Source {
                name: "order.toml",
                text,
            },
            Catalogue::builtin(),
        )
        .unwrap();
        let catalogue = Catalogue::builtin();
        assert!(!leaves_nothing(
            catalogue,
            &set,
            &answers(&[("stick", &["yes"])])
        ));
        let both = answers(&[("stick", &["yes"]), ("lang", &["python"])]);
        assert!(leaves_nothing(catalogue, &set, &both));
        let c = conflict(catalogue, &set, &both, &"lang".into());
        assert!(c.this.names_team && c.this.rules_out.is_empty());
        assert_eq!(c.others[0].question.as_str(), "stick");
        assert!(c.others[0].earlier);
        assert_eq!(c.team, Some(vec![]));
    }
}
