//! How a question set covers the guide: over every answer combination (a seeded
//! uniform sample past a limit, said so), how often each framework wins, the smallest
//! winning margin, how often a team writing one language gets that language's
//! framework, and warnings for what a set author would want to fix: a framework that
//! never wins, an option that changes no result, a team language whose own framework
//! wins less than half the time, combinations that leave nothing eligible.
//!
//! Combinations are scored with [`engine::podium`], the ranking rule of
//! [`engine::evaluate`] without the explanation, from effects compiled once per option.

use std::collections::HashSet;

use crate::engine::{self, Podium};
use crate::guide::Catalogue;
use crate::ids::{FrameworkId, LanguageId, OptionId, QuestionId, SetId};
use crate::questionnaire::space::{AnswerSpace, Picks};
use crate::questionnaire::{Answers, QuestionSet};
use crate::text;

/// How much to look at.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Options {
    /// Every combination is scored when there are at most this many.
    pub enumerate_limit: u64,
    /// Otherwise this many, drawn uniformly at random.
    pub samples: usize,
    /// The sample's seed: the same seed gives the same report.
    pub seed: u64,
}

impl Options {
    /// `stackpick check --coverage`.
    pub const FULL: Options = Options {
        enumerate_limit: 50_000,
        samples: 20_000,
        seed: 2024,
    };
    /// Discord's upload summary and preview: quick enough to answer in time.
    pub const COMPACT: Options = Options {
        enumerate_limit: 5_000,
        samples: 2_000,
        seed: 2024,
    };
}

/// Up to this many language options each get the whole sample; more share it.
const SHARED_LANGUAGE_RUNS: usize = 8;
/// The least sample a language option gets.
const MIN_LANGUAGE_SAMPLES: usize = 100;

/// Why a set's coverage can't be computed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CoverageError {
    /// More questions than the walk handles.
    #[error(
        "the set has more than {} questions",
        crate::questionnaire::space::MAX_SPACE_QUESTIONS
    )]
    TooManyQuestions,
}

/// The combinations looked at: all of them or a sample.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Looked {
    /// How many combinations there are (a float: it can pass 10^30).
    pub combinations: f64,
    /// How many were scored.
    pub examined: usize,
    /// Whether they were a random sample rather than all of them.
    pub sampled: bool,
}

/// The closest call among the combinations looked at.
#[derive(Debug, Clone, PartialEq)]
pub struct Closest {
    /// The winner's lead over the runner-up (0: a tie).
    pub margin: f64,
    /// The winner.
    pub winner: FrameworkId,
    /// The runner-up.
    pub runner_up: FrameworkId,
    /// The answers.
    pub answers: Answers,
}

/// A team writing one language option only (and preferring to stay in it, where the
/// set asks): how often that language's framework wins.
#[derive(Debug, Clone, PartialEq)]
pub struct TeamLanguage {
    /// The question and option naming the language.
    pub question: QuestionId,
    /// The option.
    pub option: OptionId,
    /// Its label.
    pub label: String,
    /// The languages it marks as the team's.
    pub languages: Vec<LanguageId>,
    /// The frameworks in those languages.
    pub own: Vec<FrameworkId>,
    /// The "prefer to stay in our language" answer fixed with it, if the set asks.
    pub staying: Option<(QuestionId, OptionId, String)>,
    /// The combinations of the other answers looked at.
    pub looked: Looked,
    /// How many of them leave a framework in the team's languages eligible: the
    /// others rule the team's own language out, which a team that prefers to stay in
    /// it would not answer, so they are left out of the rate.
    pub consistent: usize,
    /// How many of those a framework in the team's language wins.
    pub own_wins: usize,
}

impl TeamLanguage {
    /// The share of the consistent combinations its own framework wins (0 to 1).
    pub fn rate(&self) -> f64 {
        ratio(self.own_wins, self.consistent)
    }
}

/// Something a set's author would want to know.
#[derive(Debug, Clone, PartialEq)]
pub enum Warning {
    /// A framework no combination looked at recommends, with the frameworks the
    /// guide rates at least as high on every criterion (when there are such).
    NeverWins(FrameworkId, Vec<FrameworkId>),
    /// An option whose effects never change the winner.
    ChangesNothing(QuestionId, OptionId, String),
    /// A team language (index into [`Coverage::languages`]) whose framework wins
    /// less than half the time.
    OwnLanguageLoses(usize),
    /// How many combinations leave nothing eligible, and one of them.
    NothingEligible(usize, Answers),
}

/// A set's coverage report.
#[derive(Debug, Clone, PartialEq)]
pub struct Coverage {
    /// The set.
    pub set: SetId,
    /// The combinations looked at.
    pub looked: Looked,
    /// The sample's seed.
    pub seed: u64,
    /// Wins per framework, in catalogue order.
    pub wins: Vec<(FrameworkId, usize)>,
    /// Combinations that leave nothing eligible.
    pub nothing_eligible: usize,
    /// The closest call.
    pub closest: Option<Closest>,
    /// One entry per option that names a team language.
    pub languages: Vec<TeamLanguage>,
    /// What to fix, most important first.
    pub warnings: Vec<Warning>,
}

/// One option's effects, resolved to catalogue indices.
#[derive(Debug, Clone, Default)]
struct Compiled {
    weights: Vec<(usize, f64)>,
    /// Bonus points per framework, in the order the engine adds them.
    bonuses: Vec<(usize, f64)>,
    /// Languages (indices into `Scorer::languages`) marked as the team's.
    marks: Vec<usize>,
    excludes: Vec<usize>,
    /// Frameworks an `only_languages` leaves eligible.
    only: Option<Vec<bool>>,
    only_team: bool,
    team_bonus: f64,
    has_effects: bool,
}

/// Scores combinations of one set quickly.
struct Scorer<'c> {
    catalogue: &'c Catalogue,
    /// Per question, per option.
    options: Vec<Vec<Compiled>>,
    /// Per framework: its language's index.
    framework_language: Vec<usize>,
}

impl<'c> Scorer<'c> {
    fn new(catalogue: &'c Catalogue, set: &QuestionSet) -> Scorer<'c> {
        let mut languages: Vec<&LanguageId> = Vec::new();
        for framework in &catalogue.frameworks {
            if !languages.contains(&&framework.language) {
                languages.push(&framework.language);
            }
        }
        let framework_language = catalogue
            .frameworks
            .iter()
            .map(|f| {
                languages
                    .iter()
                    .position(|l| *l == &f.language)
                    .unwrap_or(0)
            })
            .collect();
        let in_language = |language: &LanguageId| -> Vec<usize> {
            catalogue
                .frameworks
                .iter()
                .enumerate()
                .filter(|(_, f)| &f.language == language)
                .map(|(i, _)| i)
                .collect()
        };
        let options = set
            .questions
            .iter()
            .map(|q| {
                q.options
                    .iter()
                    .map(|o| {
                        let e = &o.effects;
                        let mut c = Compiled {
                            only_team: e.only_team_languages,
                            team_bonus: e.team_languages,
                            ..Compiled::default()
                        };
                        for (criterion, factor) in &e.weights {
                            if let Some((i, _)) = catalogue.criterion(criterion.as_str()) {
                                c.weights.push((i, *factor));
                            }
                        }
                        for (framework, points) in &e.frameworks {
                            if let Some((i, _)) = catalogue.framework(framework.as_str()) {
                                c.bonuses.push((i, *points));
                            }
                        }
                        for (language, points) in &e.languages {
                            if *points > 0.0 {
                                if let Some(l) = languages.iter().position(|x| *x == language) {
                                    c.marks.push(l);
                                }
                            }
                            c.bonuses
                                .extend(in_language(language).into_iter().map(|f| (f, *points)));
                        }
                        for framework in &e.exclude {
                            if let Some((i, _)) = catalogue.framework(framework.as_str()) {
                                c.excludes.push(i);
                            }
                        }
                        if !e.only_languages.is_empty() {
                            c.only = Some(
                                catalogue
                                    .frameworks
                                    .iter()
                                    .map(|f| e.only_languages.contains(&f.language))
                                    .collect(),
                            );
                        }
                        c.has_effects = !c.weights.is_empty()
                            || !e.frameworks.is_empty()
                            || !e.languages.is_empty()
                            || !e.exclude.is_empty()
                            || c.only.is_some()
                            || c.only_team
                            || c.team_bonus != 0.0;
                        c
                    })
                    .collect()
            })
            .collect();
        Scorer {
            catalogue,
            options,
            framework_language,
        }
    }

    /// Who wins a combination; `ignore` drops one option's effects (not its answer).
    fn podium(&self, picks: &Picks, ignore: Option<(usize, usize)>) -> Podium {
        self.score(picks, ignore).0
    }

    /// [`Scorer::podium`] and which frameworks are eligible.
    fn score(&self, picks: &Picks, ignore: Option<(usize, usize)>) -> (Podium, Vec<bool>) {
        let frameworks = self.catalogue.frameworks.len();
        let mut weights = vec![1.0; self.catalogue.criteria.len()];
        let mut bonuses = vec![0.0; frameworks];
        let mut eligible = vec![true; frameworks];
        let mut team: Vec<usize> = Vec::new();
        let (mut only_team, mut team_bonus) = (false, Vec::new());
        for (q, options) in picks.iter().enumerate() {
            for &o in options.iter().flatten() {
                if ignore == Some((q, o)) {
                    continue;
                }
                let Some(c) = self.options.get(q).and_then(|x| x.get(o)) else {
                    continue;
                };
                for &(i, factor) in &c.weights {
                    weights[i] *= factor;
                }
                for &(f, points) in &c.bonuses {
                    bonuses[f] += points;
                }
                for &l in &c.marks {
                    if !team.contains(&l) {
                        team.push(l);
                    }
                }
                for &f in &c.excludes {
                    eligible[f] = false;
                }
                if let Some(only) = &c.only {
                    for (e, allowed) in eligible.iter_mut().zip(only) {
                        *e &= allowed;
                    }
                }
                if c.team_bonus != 0.0 {
                    team_bonus.push(c.team_bonus);
                }
                only_team |= c.only_team;
            }
        }
        for points in team_bonus {
            for (f, bonus) in bonuses.iter_mut().enumerate() {
                if team.contains(&self.framework_language[f]) {
                    *bonus += points;
                }
            }
        }
        if only_team {
            for (f, e) in eligible.iter_mut().enumerate() {
                *e &= team.contains(&self.framework_language[f]);
            }
        }
        let podium = engine::podium(self.catalogue, &weights, &bonuses, &eligible);
        (podium, eligible)
    }
}

/// Deterministic uniform numbers in [0, 1) (SplitMix64).
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^= z >> 31;
        (z >> 11) as f64 / (1u64 << 53) as f64
    }
}

/// Visits every combination of `space`, or a seeded sample of them past the limit.
fn look(
    space: &AnswerSpace,
    options: &Options,
    seed: u64,
    visit: &mut dyn FnMut(&Picks),
) -> Looked {
    let combinations = space.count();
    if combinations <= options.enumerate_limit as f64 {
        let mut examined = 0;
        space.for_each(&mut |picks| {
            examined += 1;
            visit(picks);
            true
        });
        return Looked {
            combinations,
            examined,
            sampled: false,
        };
    }
    let mut rng = Rng(seed);
    let mut sampler = space.sampler();
    for _ in 0..options.samples {
        let picks = sampler.sample(&mut || rng.next());
        visit(&picks);
    }
    Looked {
        combinations,
        examined: options.samples,
        sampled: true,
    }
}

/// A combination as answers: skipped questions answer nothing, hidden ones are absent.
pub fn answers_of(set: &QuestionSet, picks: &Picks) -> Answers {
    let mut answers = Answers::default();
    for (question, pick) in set.questions.iter().zip(picks) {
        match pick {
            Some(options) => answers.set(
                question.id.clone(),
                options
                    .iter()
                    .filter_map(|&o| question.options.get(o).map(|x| x.id.clone()))
                    .collect(),
            ),
            None if set.is_shown(question, &answers) => {
                answers.set(question.id.clone(), Vec::new())
            }
            None => {}
        }
    }
    answers
}

/// The coverage report of a set.
pub fn coverage(
    catalogue: &Catalogue,
    set: &QuestionSet,
    options: &Options,
) -> Result<Coverage, CoverageError> {
    let space = AnswerSpace::new(&set.questions).ok_or(CoverageError::TooManyQuestions)?;
    let scorer = Scorer::new(catalogue, set);
    let frameworks = catalogue.frameworks.len();

    let mut wins = vec![0usize; frameworks];
    let mut nothing = 0usize;
    let mut nothing_example: Option<Picks> = None;
    let mut closest: Option<(f64, usize, usize, Picks)> = None;
    // Per option: picked at least once, and changed a winner at least once.
    let mut picked: Vec<Vec<bool>> = set
        .questions
        .iter()
        .map(|q| vec![false; q.options.len()])
        .collect();
    let mut matters = picked.clone();
    let looked = look(&space, options, options.seed, &mut |picks| {
        let podium = scorer.podium(picks, None);
        match podium.winner {
            Some(w) => wins[w] += 1,
            None => {
                nothing += 1;
                if nothing_example.is_none() {
                    nothing_example = Some(picks.clone());
                }
            }
        }
        if let (Some(w), Some(r), Some(margin)) = (podium.winner, podium.runner_up, podium.margin) {
            if closest.as_ref().is_none_or(|c| margin < c.0) {
                closest = Some((margin, w, r, picks.clone()));
            }
        }
        for (q, options) in picks.iter().enumerate() {
            for &o in options.iter().flatten() {
                let has_effects = scorer.options[q].get(o).is_some_and(|c| c.has_effects);
                if !has_effects || matters[q][o] {
                    continue;
                }
                picked[q][o] = true;
                if scorer.podium(picks, Some((q, o))).winner != podium.winner {
                    matters[q][o] = true;
                }
            }
        }
    });

    let languages = team_languages(catalogue, set, &space, &scorer, options);

    let mut warnings = Vec::new();
    for (f, framework) in catalogue.frameworks.iter().enumerate() {
        if wins[f] == 0 {
            let higher = catalogue
                .frameworks
                .iter()
                .filter(|other| other.id != framework.id)
                .filter(|other| {
                    let pairs = || other.ratings.iter().zip(&framework.ratings);
                    pairs().all(|(o, m)| o.rating >= m.rating)
                        && pairs().any(|(o, m)| o.rating > m.rating)
                })
                .map(|other| other.id.clone())
                .collect();
            warnings.push(Warning::NeverWins(framework.id.clone(), higher));
        }
    }
    for (q, question) in set.questions.iter().enumerate() {
        for (o, option) in question.options.iter().enumerate() {
            if picked[q][o] && !matters[q][o] {
                warnings.push(Warning::ChangesNothing(
                    question.id.clone(),
                    option.id.clone(),
                    option.label.clone(),
                ));
            }
        }
    }
    for (i, language) in languages.iter().enumerate() {
        if language.rate() < 0.5 {
            warnings.push(Warning::OwnLanguageLoses(i));
        }
    }
    if let Some(example) = &nothing_example {
        warnings.push(Warning::NothingEligible(nothing, answers_of(set, example)));
    }

    Ok(Coverage {
        set: set.id.clone(),
        looked,
        seed: options.seed,
        wins: catalogue
            .frameworks
            .iter()
            .zip(wins)
            .map(|(f, n)| (f.id.clone(), n))
            .collect(),
        nothing_eligible: nothing,
        closest: closest.map(|(margin, w, r, picks)| Closest {
            margin,
            winner: catalogue.frameworks[w].id.clone(),
            runner_up: catalogue.frameworks[r].id.clone(),
            answers: answers_of(set, &picks),
        }),
        languages,
        warnings,
    })
}

/// For every option that marks team languages: a team writing only it (and choosing
/// the set's "prefer to stay in our language" answer, if it has one).
fn team_languages(
    catalogue: &Catalogue,
    set: &QuestionSet,
    space: &AnswerSpace,
    scorer: &Scorer<'_>,
    options: &Options,
) -> Vec<TeamLanguage> {
    let staying = staying_answer(set);
    // Past a few language options (a set giving every option a language), each gets
    // a share of the sample, so a large set stays quick.
    let count = set
        .questions
        .iter()
        .flat_map(|q| &q.options)
        .filter(|o| o.effects.languages.iter().any(|(_, p)| *p > 0.0))
        .count();
    let options = &Options {
        samples: (options.samples * SHARED_LANGUAGE_RUNS / count.max(SHARED_LANGUAGE_RUNS))
            .max(options.samples.min(MIN_LANGUAGE_SAMPLES)),
        enumerate_limit: options.enumerate_limit * SHARED_LANGUAGE_RUNS as u64
            / count.max(SHARED_LANGUAGE_RUNS) as u64,
        ..*options
    };
    let mut out = Vec::new();
    for (q, question) in set.questions.iter().enumerate() {
        for (o, option) in question.options.iter().enumerate() {
            let languages: Vec<LanguageId> = option
                .effects
                .languages
                .iter()
                .filter(|(_, p)| *p > 0.0)
                .map(|(l, _)| l.clone())
                .collect();
            if languages.is_empty() {
                continue;
            }
            let own: Vec<usize> = catalogue
                .frameworks
                .iter()
                .enumerate()
                .filter(|(_, f)| languages.contains(&f.language))
                .map(|(i, _)| i)
                .collect();
            let mut narrowed = space.clone().with_fixed(q, vec![o]);
            let stay = staying.filter(|(sq, _)| *sq != q);
            if let Some((sq, so)) = stay {
                narrowed = narrowed.with_fixed(sq, vec![so]);
            }
            let (mut own_wins, mut consistent) = (0, 0);
            let seed = options.seed ^ (((q as u64) << 32) | o as u64).wrapping_add(1);
            let looked = look(&narrowed, options, seed, &mut |picks| {
                let (podium, eligible) = scorer.score(picks, None);
                if !own.iter().any(|&f| eligible[f]) {
                    return;
                }
                consistent += 1;
                if podium.winner.is_some_and(|w| own.contains(&w)) {
                    own_wins += 1;
                }
            });
            out.push(TeamLanguage {
                question: question.id.clone(),
                option: option.id.clone(),
                label: option.label.clone(),
                languages,
                own: own
                    .iter()
                    .map(|&f| catalogue.frameworks[f].id.clone())
                    .collect(),
                staying: stay.map(|(sq, so)| {
                    let o = &set.questions[sq].options[so];
                    (set.questions[sq].id.clone(), o.id.clone(), o.label.clone())
                }),
                looked,
                consistent,
                own_wins,
            });
        }
    }
    out
}

/// The answer that means "we'd prefer to stay in our languages": in the question that
/// can keep the team to its languages (`only_team_languages`), the option that rules
/// nothing out and gives the team's languages the most points (the first such).
fn staying_answer(set: &QuestionSet) -> Option<(usize, usize)> {
    let (q, question) = set.questions.iter().enumerate().find(|(_, q)| {
        q.options
            .iter()
            .any(|o| o.effects.only_team_languages || o.effects.team_languages > 0.0)
    })?;
    let open = |e: &crate::questionnaire::Effects| {
        !e.only_team_languages && e.exclude.is_empty() && e.only_languages.is_empty()
    };
    let mut best: Option<(usize, f64)> = None;
    for (o, option) in question.options.iter().enumerate() {
        let e = &option.effects;
        if open(e) && best.is_none_or(|(_, b)| e.team_languages > b) {
            best = Some((o, e.team_languages));
        }
    }
    best.map(|(o, _)| (q, o))
}

fn ratio(part: usize, whole: usize) -> f64 {
    if whole == 0 {
        0.0
    } else {
        part as f64 / whole as f64
    }
}

/// `21.3%`, `100%`, `0%`.
fn percent(share: f64) -> String {
    let text = format!("{:.1}", share * 100.0);
    let text = text.trim_end_matches('0').trim_end_matches('.');
    format!("{text}%")
}

/// `141,087,744`, or `about 1.2e30` past what a float counts exactly.
pub fn count(value: f64) -> String {
    if !(0.0..1e15).contains(&value) {
        return format!("about {value:.2e}");
    }
    exact(value)
}

/// `the 141,087,744`, or `about 1.2e30`.
fn the_count(value: f64) -> String {
    if (0.0..1e15).contains(&value) {
        format!("the {}", exact(value))
    } else {
        count(value)
    }
}

fn exact(value: f64) -> String {
    let digits = format!("{value:.0}");
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `language = php, stick_to_languages = prefer, hosting skipped`.
fn describe(set: &QuestionSet, answers: &Answers) -> String {
    set.questions
        .iter()
        .filter_map(|q| {
            let picked = answers.get(&q.id)?;
            Some(if picked.is_empty() {
                format!("{} skipped", q.id)
            } else {
                let ids: Vec<&str> = picked.iter().map(OptionId::as_str).collect();
                format!("{} = {}", q.id, ids.join("+"))
            })
        })
        .collect::<Vec<_>>()
        .join(", ")
}

impl Looked {
    /// `every one of the 216 answer combinations`, or `a random sample of 20,000 of
    /// the 141,087,744 answer combinations`.
    pub fn phrase(&self) -> String {
        if self.sampled {
            format!(
                "a random sample of {} of {} answer combinations",
                count(self.examined as f64),
                the_count(self.combinations)
            )
        } else if self.examined == 1 {
            "the only answer combination".to_owned()
        } else {
            format!(
                "every one of the {} answer combinations",
                count(self.combinations)
            )
        }
    }
}

impl Coverage {
    /// Whether a framework is recommended in at least one combination looked at.
    pub fn wins(&self, framework: &str) -> usize {
        self.wins
            .iter()
            .find(|(f, _)| f.as_str() == framework)
            .map_or(0, |(_, n)| *n)
    }

    /// The share of the combinations looked at a framework wins (0 to 1).
    pub fn share(&self, framework: &str) -> f64 {
        ratio(self.wins(framework), self.looked.examined)
    }

    /// The team language of an option, by option id.
    pub fn language(&self, option: &str) -> Option<&TeamLanguage> {
        self.languages.iter().find(|l| l.option.as_str() == option)
    }

    fn shares(&self, catalogue: &Catalogue) -> String {
        self.wins
            .iter()
            .map(|(f, n)| {
                format!(
                    "{} {}",
                    text::framework_name(catalogue, f),
                    percent(ratio(*n, self.looked.examined))
                )
            })
            .collect::<Vec<_>>()
            .join(" · ")
    }

    fn team_line(&self, catalogue: &Catalogue, language: &TeamLanguage) -> String {
        let own: Vec<String> = language
            .own
            .iter()
            .map(|f| text::framework_name(catalogue, f).to_owned())
            .collect();
        let staying = language
            .staying
            .as_ref()
            .map(|(_, _, label)| format!(", “{label}”"))
            .unwrap_or_default();
        let looked = &language.looked;
        let mut of = if looked.sampled {
            format!(
                "of {} sampled from {}",
                count(looked.examined as f64),
                count(looked.combinations)
            )
        } else {
            format!("of {}", count(looked.combinations))
        };
        if language.consistent < looked.examined {
            of = format!(
                "of the {} {of} that leave it eligible",
                count(language.consistent as f64)
            );
        }
        format!(
            "“{}”{staying} → {}: {} {of}",
            language.label,
            text::join_or(&own),
            percent(language.rate())
        )
    }

    /// One warning in words.
    pub fn warning(&self, catalogue: &Catalogue, warning: &Warning) -> String {
        let scope = if self.looked.sampled {
            " in the sample"
        } else {
            ""
        };
        match warning {
            Warning::NeverWins(framework, higher) => {
                let name = text::framework_name(catalogue, framework);
                let mut line = format!("{name} never wins{scope}.");
                if !higher.is_empty() {
                    let names: Vec<String> = higher
                        .iter()
                        .map(|f| text::framework_name(catalogue, f).to_owned())
                        .collect();
                    line.push_str(&format!(
                        " The guide rates {} at least as high on every criterion, so only \
                         points for the team's language or needs, or ruling {} out, can put \
                         {name} first.",
                        text::join_and(&names),
                        if names.len() == 1 { "it" } else { "them" }
                    ));
                }
                line
            }
            Warning::ChangesNothing(question, option, label) => format!(
                "`{question}.{option}` (“{label}”) changes no result{scope}: every winner is the \
                 same without its effects."
            ),
            Warning::OwnLanguageLoses(i) => match self.languages.get(*i) {
                Some(language) => format!(
                    "A team writing only “{}” gets its own framework in {} of the combinations \
                     of the other answers, under half.",
                    language.label,
                    percent(language.rate())
                ),
                None => String::new(),
            },
            Warning::NothingEligible(n, _) => format!(
                "{} of the combinations{scope} ({}) leave no framework eligible.",
                count(*n as f64),
                percent(ratio(*n, self.looked.examined))
            ),
        }
    }

    /// The full report, for the terminal.
    pub fn report(&self, catalogue: &Catalogue, set: &QuestionSet) -> String {
        let mut out = format!("coverage of `{}`: {}", self.set, self.looked.phrase());
        if self.looked.sampled {
            out.push_str(&format!(" (seed {}; shares are estimates)", self.seed));
        }
        out.push_str(&format!("\n  wins: {}\n", self.shares(catalogue)));
        if self.nothing_eligible > 0 {
            out.push_str(&format!(
                "  nothing eligible: {}\n",
                percent(ratio(self.nothing_eligible, self.looked.examined))
            ));
        }
        if let Some(c) = &self.closest {
            out.push_str(&format!(
                "  smallest winning margin: {}, {} over {} ({})\n",
                text::points(c.margin),
                text::framework_name(catalogue, &c.winner),
                text::framework_name(catalogue, &c.runner_up),
                describe(set, &c.answers)
            ));
        }
        if !self.languages.is_empty() {
            out.push_str("  a team writing only one language, and its own framework:\n");
            for language in &self.languages {
                out.push_str(&format!("    {}\n", self.team_line(catalogue, language)));
            }
        }
        if self.warnings.is_empty() {
            out.push_str("  warnings: none\n");
        } else {
            out.push_str("  warnings:\n");
            for warning in &self.warnings {
                out.push_str(&format!("    - {}\n", self.warning(catalogue, warning)));
                if let Warning::NothingEligible(_, example) = warning {
                    out.push_str(&format!("      e.g. {}\n", describe(set, example)));
                }
            }
        }
        out
    }

    /// A few short lines, for Discord: shares, own-language rates, smallest margin
    /// and the warnings (the first few, then how many more).
    pub fn compact(&self, catalogue: &Catalogue) -> Vec<String> {
        const WARNINGS: usize = 4;
        let mut lines = vec![
            format!("Over {}:", self.looked.phrase()),
            format!("Wins: {}", self.shares(catalogue)),
        ];
        if !self.languages.is_empty() {
            let rates: Vec<String> = self
                .languages
                .iter()
                .map(|l| format!("{} {}", l.label, percent(l.rate())))
                .collect();
            lines.push(format!(
                "Own framework for a one-language team: {}",
                rates.join(" · ")
            ));
        }
        if let Some(c) = &self.closest {
            lines.push(format!(
                "Smallest winning margin: {}",
                text::points(c.margin)
            ));
        }
        let mut seen = HashSet::new();
        for warning in self.warnings.iter().take(WARNINGS) {
            let line = self.warning(catalogue, warning);
            if seen.insert(line.clone()) {
                lines.push(format!("⚠️ {line}"));
            }
        }
        if self.warnings.len() > WARNINGS {
            lines.push(format!(
                "…and {} more warnings: run `stackpick check --coverage` for all.",
                self.warnings.len() - WARNINGS
            ));
        }
        if self.warnings.is_empty() {
            lines.push("No warnings.".to_owned());
        }
        lines
    }
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

    #[test]
    fn the_fast_scorer_agrees_with_the_engine_on_every_combination() {
        let catalogue = Catalogue::builtin();
        for id in ["quick", "realtime"] {
            let set = set(id);
            let scorer = Scorer::new(catalogue, &set);
            let space = AnswerSpace::new(&set.questions).unwrap();
            space.for_each(&mut |picks| {
                let answers = answers_of(&set, picks);
                answers.check(&set).unwrap();
                let full = engine::recommend(catalogue, &set, &answers);
                let fast = scorer.podium(picks, None);
                let winner = fast.winner.map(|w| catalogue.frameworks[w].id.clone());
                assert_eq!(winner.as_ref(), full.winner(), "{answers:?}");
                if let crate::engine::Verdict::Recommend(x) = &full.verdict {
                    let runner = fast.runner_up.map(|r| catalogue.frameworks[r].id.clone());
                    assert_eq!(runner, x.runner_up.as_ref().map(|r| r.framework.clone()));
                    if let (Some(m), Some(r)) = (fast.margin, &x.runner_up) {
                        assert_eq!(m, r.margin);
                    }
                }
                true
            });
        }
    }

    #[test]
    fn a_small_set_is_enumerated_and_a_large_one_sampled_and_said_so() {
        let catalogue = Catalogue::builtin();
        let quick = coverage(catalogue, &set("quick"), &Options::FULL).unwrap();
        assert!(!quick.looked.sampled);
        assert_eq!(quick.looked.examined, 216);
        let total: usize =
            quick.wins.iter().map(|(_, n)| n).sum::<usize>() + quick.nothing_eligible;
        assert_eq!(total, 216);
        let options = Options {
            samples: 500,
            ..Options::COMPACT
        };
        let default = coverage(catalogue, &set("default"), &options).unwrap();
        assert!(default.looked.sampled);
        assert_eq!(default.looked.examined, 500);
        assert!(default.looked.combinations > 1e8);
        assert!(default
            .report(catalogue, &set("default"))
            .contains("a random sample of 500"));
        // The same seed gives the same report.
        assert_eq!(
            default,
            coverage(catalogue, &set("default"), &options).unwrap()
        );
    }

    #[test]
    fn the_staying_answer_is_the_open_one_that_favours_the_team() {
        let default = set("default");
        let (q, o) = staying_answer(&default).unwrap();
        assert_eq!(default.questions[q].id.as_str(), "stick_to_languages");
        assert_eq!(default.questions[q].options[o].id.as_str(), "prefer");
        assert_eq!(staying_answer(&set("quick")), None);
    }

    #[test]
    fn counts_read_naturally() {
        assert_eq!(count(141_087_744.0), "141,087,744");
        assert_eq!(count(216.0), "216");
        assert_eq!(count(1e30), "about 1.00e30");
        assert_eq!(percent(0.2134), "21.3%");
        assert_eq!(percent(1.0), "100%");
    }
}
