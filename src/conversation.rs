//! The conversation state machine every adapter drives: one pure step function,
//! `state + input → new state`, and a view of what to show next.
//!
//! It is transport-agnostic and serializable, so a conversation can be stored and
//! resumed by another process.

mod reply;

use serde::{Deserialize, Serialize};

pub use reply::{parse_reply, ReplyError};

use crate::engine::{self, Recommendation};
use crate::guide::Catalogue;
use crate::ids::{OptionId, QuestionId, SetId};
use crate::questionnaire::{Answers, PickError, Question, QuestionSet};

/// Where the conversation stands.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "stage", content = "question", rename_all = "snake_case")]
pub enum Stage {
    /// Waiting for the answer to a question.
    Asking(QuestionId),
    /// Every shown question is answered; the recommendation is ready.
    Finished,
    /// The person gave up.
    Cancelled,
}

/// One person's progress through a question set.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Conversation {
    /// The set being answered.
    pub set: SetId,
    /// Its version when the conversation started.
    pub set_version: u32,
    /// Answers so far (skipped questions map to no options).
    pub answers: Answers,
    /// Where it stands.
    pub stage: Stage,
    /// Set while changing one answer from the result: the next answer returns to
    /// the result instead of walking through the following questions again.
    pub editing: bool,
}

/// What the person did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Input {
    /// Picked these options for the current question.
    Answer(Vec<OptionId>),
    /// Skipped the current question.
    Skip,
    /// Went back to the previous question.
    Back,
    /// Started again from the first question.
    Restart,
    /// Gave up.
    Cancel,
    /// Asked to change the answer to an earlier question.
    Change(QuestionId),
}

/// Why an input was refused; the conversation is unchanged.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StepError {
    /// The picks don't answer the current question.
    #[error("{0}")]
    Pick(#[from] PickError),
    /// Skip on a required question.
    #[error("this question can't be skipped")]
    NotSkippable,
    /// Back on the first question.
    #[error("this is the first question, there is nothing to go back to")]
    AtFirstQuestion,
    /// Answer, skip or back when no question is open.
    #[error("this conversation is {0}; start over to answer again")]
    NotAsking(&'static str),
    /// Change of a question that is not shown or not answered yet.
    #[error("that question hasn't been answered, so there is nothing to change")]
    NotAnswered,
    /// The set changed under a stored conversation (or lost the current question).
    #[error("the question set changed since this conversation started")]
    SetChanged,
}

/// "Question k of n", counting only the questions that will be shown.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Progress {
    /// 1-based position of the current question.
    pub number: usize,
    /// Questions shown given the answers so far.
    pub total: usize,
}

/// What to show next.
#[derive(Debug, Clone, PartialEq)]
pub enum View<'s> {
    /// Ask a question.
    Ask {
        /// The question.
        question: &'s Question,
        /// Where it is in the questionnaire.
        progress: Progress,
        /// The earlier answer, when going back or changing one.
        previous: Option<&'s [OptionId]>,
        /// Whether Back makes sense.
        can_go_back: bool,
    },
    /// The questionnaire is done.
    Finished(Box<Recommendation>),
    /// The person cancelled.
    Cancelled,
}

impl Conversation {
    /// Starts a conversation on the first question of `set`.
    pub fn start(set: &QuestionSet) -> Conversation {
        let answers = Answers::default();
        let stage = first_unanswered(set, &answers);
        Conversation {
            set: set.id.clone(),
            set_version: set.version,
            answers,
            stage,
            editing: false,
        }
    }

    /// The pure step: the conversation after `input`, or why the input was refused
    /// (the conversation itself never changes).
    pub fn apply(&self, set: &QuestionSet, input: Input) -> Result<Conversation, StepError> {
        if set.id != self.set {
            return Err(StepError::SetChanged);
        }
        let mut next = self.clone();
        match input {
            Input::Restart => return Ok(Conversation::start(set)),
            Input::Cancel => {
                next.stage = Stage::Cancelled;
                next.editing = false;
            }
            Input::Answer(picked) => {
                let question = self.current(set)?;
                question.check_picks(&picked)?;
                next.answers.set(question.id.clone(), picked);
                next.advance_from(set, question);
            }
            Input::Skip => {
                let question = self.current(set)?;
                if question.required {
                    return Err(StepError::NotSkippable);
                }
                next.answers.set(question.id.clone(), Vec::new());
                next.advance_from(set, question);
            }
            Input::Back => {
                let shown: Vec<&Question> = set.shown(&self.answers).collect();
                let target = match &self.stage {
                    Stage::Cancelled => return Err(StepError::NotAsking("cancelled")),
                    Stage::Finished => shown.last().copied(),
                    Stage::Asking(id) => {
                        let position = shown.iter().position(|q| &q.id == id);
                        position.and_then(|p| p.checked_sub(1)).map(|p| shown[p])
                    }
                };
                let target = target.ok_or(StepError::AtFirstQuestion)?;
                next.stage = Stage::Asking(target.id.clone());
                next.editing = false;
            }
            Input::Change(id) => {
                if self.stage == Stage::Cancelled {
                    return Err(StepError::NotAsking("cancelled"));
                }
                let question = set.question(&id).ok_or(StepError::NotAnswered)?;
                if !set.is_shown(question, &self.answers) || self.answers.get(&id).is_none() {
                    return Err(StepError::NotAnswered);
                }
                next.stage = Stage::Asking(id);
                next.editing = true;
            }
        }
        Ok(next)
    }

    /// What to show now. Computes the recommendation when finished.
    pub fn view<'s>(
        &'s self,
        set: &'s QuestionSet,
        catalogue: &Catalogue,
    ) -> Result<View<'s>, StepError> {
        match &self.stage {
            Stage::Cancelled => Ok(View::Cancelled),
            Stage::Finished => Ok(View::Finished(Box::new(engine::recommend(
                catalogue,
                set,
                &self.answers,
            )))),
            Stage::Asking(_) => {
                let question = self.current(set)?;
                Ok(View::Ask {
                    question,
                    progress: self.progress(set).ok_or(StepError::SetChanged)?,
                    previous: self.answers.get(&question.id),
                    can_go_back: self.progress(set).is_some_and(|p| p.number > 1),
                })
            }
        }
    }

    /// "Question k of n" for the current question.
    pub fn progress(&self, set: &QuestionSet) -> Option<Progress> {
        let Stage::Asking(id) = &self.stage else {
            return None;
        };
        let shown: Vec<&Question> = set.shown(&self.answers).collect();
        let number = shown.iter().position(|q| &q.id == id)? + 1;
        Some(Progress {
            number,
            total: shown.len(),
        })
    }

    /// The question being asked.
    pub fn current<'s>(&self, set: &'s QuestionSet) -> Result<&'s Question, StepError> {
        match &self.stage {
            Stage::Asking(id) => set.question(id).ok_or(StepError::SetChanged),
            Stage::Finished => Err(StepError::NotAsking("finished")),
            Stage::Cancelled => Err(StepError::NotAsking("cancelled")),
        }
    }

    /// The questions shown and answered so far (for "change an answer").
    pub fn answered<'s>(&'s self, set: &'s QuestionSet) -> impl Iterator<Item = &'s Question> + 's {
        set.shown(&self.answers)
            .filter(|q| self.answers.get(&q.id).is_some())
    }

    /// Moves past `answered`: to the result when editing and nothing new is needed,
    /// otherwise to the next shown question.
    fn advance_from(&mut self, set: &QuestionSet, answered: &Question) {
        // Answers of questions that are no longer shown would silently count again if
        // the condition came back; forget them.
        let hidden: Vec<QuestionId> = set
            .questions
            .iter()
            .filter(|q| !set.is_shown(q, &self.answers))
            .map(|q| q.id.clone())
            .collect();
        for id in &hidden {
            self.answers.remove(id);
        }
        if self.editing {
            // A changed answer may bring up a new follow-up: ask it, then return.
            self.stage = first_unanswered(set, &self.answers);
            self.editing = self.stage != Stage::Finished;
            return;
        }
        let after = set.position(&answered.id).map_or(0, |p| p + 1);
        self.stage = set.questions[after..]
            .iter()
            .find(|q| set.is_shown(q, &self.answers))
            .map_or(Stage::Finished, |q| Stage::Asking(q.id.clone()));
        if self.stage == Stage::Finished {
            // Going back and forth may have left an earlier question open.
            self.stage = first_unanswered(set, &self.answers);
        }
    }
}

/// The first shown question without an answer, or Finished.
fn first_unanswered(set: &QuestionSet, answers: &Answers) -> Stage {
    set.shown(answers)
        .find(|q| answers.get(&q.id).is_none())
        .map_or(Stage::Finished, |q| Stage::Asking(q.id.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::questionnaire::builtin_sets;

    fn set(id: &str) -> QuestionSet {
        builtin_sets(Catalogue::builtin())
            .unwrap()
            .into_iter()
            .find(|s| s.id.as_str() == id)
            .unwrap()
    }

    fn pick(ids: &[&str]) -> Input {
        Input::Answer(ids.iter().map(|i| OptionId::from(*i)).collect())
    }

    fn asking(c: &Conversation) -> &str {
        match &c.stage {
            Stage::Asking(q) => q.as_str(),
            other => panic!("not asking: {other:?}"),
        }
    }

    #[test]
    fn a_follow_up_appears_only_when_its_condition_holds_and_progress_counts_it() {
        let set = set("realtime");
        let c = Conversation::start(&set);
        // live_updates, language and throughput: follow-ups are not counted yet.
        assert_eq!(
            c.progress(&set),
            Some(Progress {
                number: 1,
                total: 3
            })
        );
        let c = c.apply(&set, pick(&["yes"])).unwrap();
        assert_eq!(asking(&c), "connections");
        assert_eq!(
            c.progress(&set),
            Some(Progress {
                number: 2,
                total: 4
            })
        );
        let c = c.apply(&set, pick(&["hundreds"])).unwrap();
        // fault_tolerance needs thousands or more: skipped over.
        assert_eq!(asking(&c), "language");
        let no = Conversation::start(&set)
            .apply(&set, pick(&["no"]))
            .unwrap();
        assert_eq!(asking(&no), "language");
    }

    #[test]
    fn bad_input_is_refused_and_changes_nothing() {
        let set = set("default");
        let c = Conversation::start(&set);
        assert_eq!(
            c.apply(&set, pick(&["cobol"])),
            Err(StepError::Pick(PickError::UnknownOption("cobol".into())))
        );
        assert_eq!(c.apply(&set, Input::Skip), Err(StepError::NotSkippable));
        assert_eq!(c.apply(&set, Input::Back), Err(StepError::AtFirstQuestion));
        assert_eq!(
            c.apply(&set, pick(&[])),
            Err(StepError::Pick(PickError::Required))
        );
        let after = c.apply(&set, pick(&["ruby"])).unwrap();
        assert_eq!(
            after.apply(&set, pick(&["must", "prefer"])),
            Err(StepError::Pick(PickError::NotOne))
        );
        assert_eq!(asking(&c), "languages");
    }

    #[test]
    fn back_restart_cancel_and_skip_move_as_expected() {
        let set = set("quick");
        let c = Conversation::start(&set)
            .apply(&set, pick(&["rust"]))
            .unwrap()
            .apply(&set, pick(&["api"]))
            .unwrap();
        assert_eq!(asking(&c), "scale");
        let back = c.apply(&set, Input::Back).unwrap();
        assert_eq!(asking(&back), "app_type");
        // The earlier answer is kept and shown.
        match back.view(&set, Catalogue::builtin()).unwrap() {
            View::Ask {
                previous,
                can_go_back,
                ..
            } => {
                assert_eq!(previous, Some(&[OptionId::from("api")][..]));
                assert!(can_go_back);
            }
            other => panic!("{other:?}"),
        }
        let restarted = c.apply(&set, Input::Restart).unwrap();
        assert_eq!(restarted, Conversation::start(&set));
        let cancelled = c.apply(&set, Input::Cancel).unwrap();
        assert_eq!(
            cancelled.view(&set, Catalogue::builtin()).unwrap(),
            View::Cancelled
        );
        assert_eq!(
            cancelled.apply(&set, pick(&["small"])),
            Err(StepError::NotAsking("cancelled"))
        );

        let default = self::set("default");
        let mut c = Conversation::start(&default);
        for answer in [
            "javascript",
            "prefer",
            "mixed",
            "api",
            "large",
            "none",
            "months",
            "standard",
            "years",
        ] {
            c = c.apply(&default, pick(&[answer])).unwrap();
        }
        assert_eq!(asking(&c), "hosting");
        c = c.apply(&default, Input::Skip).unwrap();
        c = c.apply(&default, Input::Skip).unwrap();
        assert_eq!(c.stage, Stage::Finished);
        assert!(matches!(
            c.view(&default, Catalogue::builtin()).unwrap(),
            View::Finished(_)
        ));
    }

    #[test]
    fn changing_an_answer_returns_to_the_result_or_asks_a_new_follow_up() {
        let set = set("default");
        let mut c = Conversation::start(&set);
        for answer in [
            "javascript",
            "prefer",
            "mixed",
            "api",
            "large",
            "none",
            "months",
            "standard",
            "years",
            "servers",
            "no_rust",
        ] {
            c = c.apply(&set, pick(&[answer])).unwrap();
        }
        assert_eq!(c.stage, Stage::Finished);
        let answered: Vec<&str> = c.answered(&set).map(|q| q.id.as_str()).collect();
        assert_eq!(answered.len(), 11);

        let editing = c.apply(&set, Input::Change("scale".into())).unwrap();
        assert_eq!(asking(&editing), "scale");
        let done = editing.apply(&set, pick(&["massive"])).unwrap();
        assert_eq!(done.stage, Stage::Finished);

        // Switching to a full-stack app brings up the front-end follow-up first.
        let follow_up = c
            .apply(&set, Input::Change("app_type".into()))
            .unwrap()
            .apply(&set, pick(&["fullstack"]))
            .unwrap();
        assert_eq!(asking(&follow_up), "frontend");
        let done = follow_up.apply(&set, pick(&["react"])).unwrap();
        assert_eq!(done.stage, Stage::Finished);
        // And switching back forgets the follow-up's answer.
        let back = done
            .apply(&set, Input::Change("app_type".into()))
            .unwrap()
            .apply(&set, pick(&["api"]))
            .unwrap();
        assert_eq!(back.answers.get(&"frontend".into()), None);
        assert_eq!(
            c.apply(&set, Input::Change("frontend".into())),
            Err(StepError::NotAnswered)
        );
    }

    #[test]
    fn a_conversation_survives_a_serde_round_trip() {
        let set = set("quick");
        let c = Conversation::start(&set)
            .apply(&set, pick(&["elixir"]))
            .unwrap();
        let json = serde_json::to_string(&c).unwrap();
        let back: Conversation = serde_json::from_str(&json).unwrap();
        assert_eq!(back, c);
        assert_eq!(asking(&back), "app_type");
    }

    #[test]
    fn a_conversation_from_another_set_is_refused() {
        let quick = set("quick");
        let c = Conversation::start(&set("default"));
        assert_eq!(c.apply(&quick, pick(&["rust"])), Err(StepError::SetChanged));
    }
}
