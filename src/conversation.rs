//! The conversation state machine every adapter drives: one pure step function,
//! `state + input → new state`, and a view of what to show next.
//!
//! It is transport-agnostic and serializable, so a conversation can be stored and
//! resumed by another process.

mod conflict;
mod reply;

use serde::{Deserialize, Serialize};

pub use conflict::{conflict, leaves_nothing, Conflict, Involved, Resolution, MAX_OTHERS};
pub use reply::{parse_reply, parse_resolution, ReplyError};

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
    /// The answer to this question left no framework eligible, contradicting other
    /// answers: waiting for which one to change, or to keep them all.
    Contradiction(QuestionId),
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
    /// Kept answers that contradict each other (the result will say nothing fits).
    KeepAnswers,
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
    /// An answer while two answers contradict each other.
    #[error("first change one of the answers that contradict each other, or keep them")]
    Contradiction,
    /// Keep when no answers contradict each other.
    #[error("no answers contradict each other here")]
    NothingToKeep,
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
    /// The last answer left no framework eligible: say why, and offer the ways out.
    Contradiction(Box<Conflict>),
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
    /// (the conversation itself never changes). An answer that leaves no framework of
    /// `catalogue` eligible, where there was one before, stops at
    /// [`Stage::Contradiction`] instead of moving on.
    pub fn apply(
        &self,
        set: &QuestionSet,
        catalogue: &Catalogue,
        input: Input,
    ) -> Result<Conversation, StepError> {
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
                next.catch_contradiction(set, catalogue, self, question);
            }
            Input::Skip => {
                let question = self.current(set)?;
                if question.required {
                    return Err(StepError::NotSkippable);
                }
                next.answers.set(question.id.clone(), Vec::new());
                next.advance_from(set, question);
                next.catch_contradiction(set, catalogue, self, question);
            }
            Input::KeepAnswers => {
                let Stage::Contradiction(id) = &self.stage else {
                    return Err(StepError::NothingToKeep);
                };
                let question = set.question(id).ok_or(StepError::SetChanged)?;
                next.advance_from(set, question);
            }
            Input::Back => {
                let shown: Vec<&Question> = set.shown(&self.answers).collect();
                let target = match &self.stage {
                    Stage::Cancelled => return Err(StepError::NotAsking("cancelled")),
                    Stage::Finished => shown.last().copied(),
                    // Back from a contradiction: the answer just given, again.
                    Stage::Contradiction(id) => set.question(id),
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
            Stage::Contradiction(id) => {
                set.question(id).ok_or(StepError::SetChanged)?;
                Ok(View::Contradiction(Box::new(conflict(
                    catalogue,
                    set,
                    &self.answers,
                    id,
                ))))
            }
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
            Stage::Contradiction(_) => Err(StepError::Contradiction),
        }
    }

    /// Whether it waits for input: a question, or a way out of a contradiction.
    pub fn is_waiting(&self) -> bool {
        matches!(self.stage, Stage::Asking(_) | Stage::Contradiction(_))
    }

    /// Reads a typed reply (a terminal line, a DM) as the input it stands for: an
    /// answer to the current question, or a way out of a contradiction.
    pub fn parse_typed(
        &self,
        set: &QuestionSet,
        catalogue: &Catalogue,
        text: &str,
    ) -> Result<Input, String> {
        match &self.stage {
            Stage::Contradiction(id) => {
                let conflict = conflict(catalogue, set, &self.answers, id);
                parse_resolution(&conflict, text).map_err(|e| e.to_string())
            }
            _ => {
                let question = self.current(set).map_err(|e| e.to_string())?;
                parse_reply(question, text).map_err(|e| e.to_string())
            }
        }
    }

    /// After an answer to `question` (the conversation before it: `before`): stops at
    /// a contradiction when this answer leaves nothing eligible and the answers before
    /// it did not.
    fn catch_contradiction(
        &mut self,
        set: &QuestionSet,
        catalogue: &Catalogue,
        before: &Conversation,
        question: &Question,
    ) {
        if leaves_nothing(catalogue, set, &self.answers)
            && !leaves_nothing(catalogue, set, &before.answers)
        {
            self.stage = Stage::Contradiction(question.id.clone());
            // Keeping the answers later moves on as this answer would have.
            self.editing = before.editing;
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
        let c = c.apply(&set, Catalogue::builtin(), pick(&["yes"])).unwrap();
        assert_eq!(asking(&c), "connections");
        assert_eq!(
            c.progress(&set),
            Some(Progress {
                number: 2,
                total: 4
            })
        );
        let c = c
            .apply(&set, Catalogue::builtin(), pick(&["hundreds"]))
            .unwrap();
        // fault_tolerance needs thousands or more: skipped over.
        assert_eq!(asking(&c), "language");
        let no = Conversation::start(&set)
            .apply(&set, Catalogue::builtin(), pick(&["no"]))
            .unwrap();
        assert_eq!(asking(&no), "language");
    }

    #[test]
    fn bad_input_is_refused_and_changes_nothing() {
        let set = set("default");
        let c = Conversation::start(&set);
        assert_eq!(
            c.apply(&set, Catalogue::builtin(), pick(&["cobol"])),
            Err(StepError::Pick(PickError::UnknownOption("cobol".into())))
        );
        assert_eq!(
            c.apply(&set, Catalogue::builtin(), Input::Skip),
            Err(StepError::NotSkippable)
        );
        assert_eq!(
            c.apply(&set, Catalogue::builtin(), Input::Back),
            Err(StepError::AtFirstQuestion)
        );
        assert_eq!(
            c.apply(&set, Catalogue::builtin(), pick(&[])),
            Err(StepError::Pick(PickError::Required))
        );
        let after = c
            .apply(&set, Catalogue::builtin(), pick(&["ruby"]))
            .unwrap();
        assert_eq!(
            after.apply(&set, Catalogue::builtin(), pick(&["must", "prefer"])),
            Err(StepError::Pick(PickError::NotOne))
        );
        assert_eq!(asking(&c), "languages");
    }

    #[test]
    fn back_restart_cancel_and_skip_move_as_expected() {
        let set = set("quick");
        let c = Conversation::start(&set)
            .apply(&set, Catalogue::builtin(), pick(&["rust"]))
            .unwrap()
            .apply(&set, Catalogue::builtin(), pick(&["api"]))
            .unwrap();
        assert_eq!(asking(&c), "scale");
        let back = c.apply(&set, Catalogue::builtin(), Input::Back).unwrap();
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
        let restarted = c.apply(&set, Catalogue::builtin(), Input::Restart).unwrap();
        assert_eq!(restarted, Conversation::start(&set));
        let cancelled = c.apply(&set, Catalogue::builtin(), Input::Cancel).unwrap();
        assert_eq!(
            cancelled.view(&set, Catalogue::builtin()).unwrap(),
            View::Cancelled
        );
        assert_eq!(
            cancelled.apply(&set, Catalogue::builtin(), pick(&["small"])),
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
            c = c
                .apply(&default, Catalogue::builtin(), pick(&[answer]))
                .unwrap();
        }
        assert_eq!(asking(&c), "hosting");
        c = c
            .apply(&default, Catalogue::builtin(), Input::Skip)
            .unwrap();
        c = c
            .apply(&default, Catalogue::builtin(), Input::Skip)
            .unwrap();
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
            c = c
                .apply(&set, Catalogue::builtin(), pick(&[answer]))
                .unwrap();
        }
        assert_eq!(c.stage, Stage::Finished);
        let answered: Vec<&str> = c.answered(&set).map(|q| q.id.as_str()).collect();
        assert_eq!(answered.len(), 11);

        let editing = c
            .apply(&set, Catalogue::builtin(), Input::Change("scale".into()))
            .unwrap();
        assert_eq!(asking(&editing), "scale");
        let done = editing
            .apply(&set, Catalogue::builtin(), pick(&["massive"]))
            .unwrap();
        assert_eq!(done.stage, Stage::Finished);

        // Switching to a full-stack app brings up the front-end follow-up first.
        let follow_up = c
            .apply(&set, Catalogue::builtin(), Input::Change("app_type".into()))
            .unwrap()
            .apply(&set, Catalogue::builtin(), pick(&["fullstack"]))
            .unwrap();
        assert_eq!(asking(&follow_up), "frontend");
        let done = follow_up
            .apply(&set, Catalogue::builtin(), pick(&["react"]))
            .unwrap();
        assert_eq!(done.stage, Stage::Finished);
        // And switching back forgets the follow-up's answer.
        let back = done
            .apply(&set, Catalogue::builtin(), Input::Change("app_type".into()))
            .unwrap()
            .apply(&set, Catalogue::builtin(), pick(&["api"]))
            .unwrap();
        assert_eq!(back.answers.get(&"frontend".into()), None);
        assert_eq!(
            c.apply(&set, Catalogue::builtin(), Input::Change("frontend".into())),
            Err(StepError::NotAnswered)
        );
    }

    /// The default set answered up to `ruled_out` with these first two answers.
    fn before_ruling_out(languages: &str, stick: &str) -> (QuestionSet, Conversation) {
        let set = set("default");
        let mut c = Conversation::start(&set);
        for answer in [
            languages, stick, "mixed", "api", "large", "none", "months", "standard", "years",
            "servers",
        ] {
            c = c
                .apply(&set, Catalogue::builtin(), pick(&[answer]))
                .unwrap();
        }
        assert_eq!(asking(&c), "ruled_out");
        (set, c)
    }

    #[test]
    fn an_answer_that_leaves_nothing_stops_at_the_contradiction_and_offers_the_ways_out() {
        let catalogue = Catalogue::builtin();
        let (set, c) = before_ruling_out("javascript", "must");
        let stuck = c.apply(&set, catalogue, pick(&["no_javascript"])).unwrap();
        assert_eq!(stuck.stage, Stage::Contradiction("ruled_out".into()));
        assert!(stuck.is_waiting());
        let View::Contradiction(conflict) = stuck.view(&set, catalogue).unwrap() else {
            panic!("a contradiction");
        };
        assert_eq!(conflict.this.labels, ["No JavaScript on the server"]);
        // Answers are refused until one of the ways out is taken.
        assert_eq!(
            stuck.apply(&set, catalogue, pick(&["no_rust"])),
            Err(StepError::Contradiction)
        );
        assert_eq!(
            stuck.apply(&set, catalogue, Input::Skip),
            Err(StepError::Contradiction)
        );

        // Keep them: the all-excluded result, as a last resort.
        let kept = stuck.apply(&set, catalogue, Input::KeepAnswers).unwrap();
        assert_eq!(kept.stage, Stage::Finished);
        let View::Finished(result) = kept.view(&set, catalogue).unwrap() else {
            panic!("finished");
        };
        assert_eq!(result.verdict, crate::engine::Verdict::NothingEligible);

        // Change the earlier answer: asked again, then straight to the result.
        let changing = stuck
            .apply(&set, catalogue, Input::Change("stick_to_languages".into()))
            .unwrap();
        assert_eq!(asking(&changing), "stick_to_languages");
        let done = changing.apply(&set, catalogue, pick(&["open"])).unwrap();
        assert_eq!(done.stage, Stage::Finished);
        assert!(done.answers.get(&"ruled_out".into()).is_some());

        // Change this answer, or go back to it.
        for input in [Input::Change("ruled_out".into()), Input::Back] {
            let again = stuck.apply(&set, catalogue, input).unwrap();
            assert_eq!(asking(&again), "ruled_out");
            let fixed = again.apply(&set, catalogue, pick(&["no_rust"])).unwrap();
            assert_eq!(fixed.stage, Stage::Finished);
        }
        assert_eq!(
            c.apply(&set, catalogue, Input::KeepAnswers),
            Err(StepError::NothingToKeep)
        );
    }

    #[test]
    fn only_a_change_from_something_to_nothing_is_a_contradiction() {
        let catalogue = Catalogue::builtin();
        // A Python team that must keep its language: nothing fits from the second
        // answer on, and that answer is the one flagged.
        let set = set("default");
        let c = Conversation::start(&set)
            .apply(&set, catalogue, pick(&["other"]))
            .unwrap()
            .apply(&set, catalogue, pick(&["must"]))
            .unwrap();
        assert_eq!(c.stage, Stage::Contradiction("stick_to_languages".into()));
        let kept = c.apply(&set, catalogue, Input::KeepAnswers).unwrap();
        assert_eq!(asking(&kept), "experience");
        // Already nothing eligible: later answers are not flagged again.
        let later = kept.apply(&set, catalogue, pick(&["new"])).unwrap();
        assert_eq!(asking(&later), "app_type");
        // Ruling out another language leaves something: no contradiction.
        let (set, c) = before_ruling_out("ruby", "must");
        let fine = c
            .apply(&set, catalogue, pick(&["no_javascript", "no_php"]))
            .unwrap();
        assert_eq!(fine.stage, Stage::Finished);
    }

    #[test]
    fn typed_replies_choose_a_way_out_by_number_or_word() {
        let catalogue = Catalogue::builtin();
        let (set, c) = before_ruling_out("javascript", "must");
        let stuck = c.apply(&set, catalogue, pick(&["no_javascript"])).unwrap();
        assert_eq!(
            stuck.parse_typed(&set, catalogue, "2"),
            Ok(Input::Change("languages".into()))
        );
        assert_eq!(
            stuck.parse_typed(&set, catalogue, "keep"),
            Ok(Input::KeepAnswers)
        );
        assert_eq!(
            stuck.parse_typed(&set, catalogue, "4"),
            Ok(Input::KeepAnswers)
        );
        assert!(stuck.parse_typed(&set, catalogue, "9").is_err());
        assert_eq!(stuck.parse_typed(&set, catalogue, "back"), Ok(Input::Back));
        // At a question, the same words are answers.
        assert_eq!(
            c.parse_typed(&set, catalogue, "No Rust"),
            Ok(Input::Answer(vec!["no_rust".into()]))
        );
    }

    #[test]
    fn a_conversation_survives_a_serde_round_trip() {
        let set = set("quick");
        let c = Conversation::start(&set)
            .apply(&set, Catalogue::builtin(), pick(&["elixir"]))
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
        assert_eq!(
            c.apply(&quick, Catalogue::builtin(), pick(&["rust"])),
            Err(StepError::SetChanged)
        );
    }
}
