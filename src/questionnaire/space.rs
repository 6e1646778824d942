//! The answer combinations of a question set, walked without listing them: how many
//! there are, the best or worst total of a per-option value over all of them (for
//! bounds), every one of them in turn, or a uniform random sample.
//!
//! A combination gives every shown question an answer (one option, a permitted
//! number of options, or a skip when the question is optional); a follow-up is shown
//! only when its `show_if` holds. What a question's answer changes for later
//! questions is which of their conditions it satisfies, so the walk carries one bit
//! per question ("its condition holds") and memoises on it: sets of 25 questions with
//! 10^30 combinations are counted in microseconds.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

use super::{Choice, Question};

/// A quick hasher for the walk's small integer keys (multiply-rotate, as in rustc's
/// FxHash); SipHash made sampling large sets several times slower.
#[derive(Default)]
struct Mix(u64);

impl Hasher for Mix {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }

    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }

    fn write_usize(&mut self, n: usize) {
        self.write_u64(n as u64);
    }
}

type Map<K, V> = HashMap<K, V, BuildHasherDefault<Mix>>;

/// Most questions the walk handles (one bit each); validated sets have at most 25.
pub const MAX_SPACE_QUESTIONS: usize = 64;

/// One answer of a combination: the picked option indices, or `None` when the
/// question is hidden or skipped.
pub type Picks = Vec<Option<Vec<usize>>>;

/// How subtree values combine: `add` over alternatives, `mul` along a combination.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fold {
    /// Counting: `+` over alternatives, `×` along (option values are factors).
    Count,
    /// The largest total: `max` over alternatives, `+` along.
    Max,
    /// The smallest total: `min` over alternatives, `+` along.
    Min,
}

impl Fold {
    fn zero(self) -> f64 {
        match self {
            Fold::Count => 0.0,
            Fold::Max => f64::NEG_INFINITY,
            Fold::Min => f64::INFINITY,
        }
    }

    fn one(self) -> f64 {
        match self {
            Fold::Count => 1.0,
            Fold::Max | Fold::Min => 0.0,
        }
    }

    fn add(self, a: f64, b: f64) -> f64 {
        match self {
            Fold::Count => a + b,
            Fold::Max => a.max(b),
            Fold::Min => a.min(b),
        }
    }

    fn mul(self, a: f64, b: f64) -> f64 {
        match self {
            Fold::Count => a * b,
            // -inf + +inf never happens: Max items are never +inf, Min items never -inf.
            Fold::Max | Fold::Min => a + b,
        }
    }
}

/// The shape of a set's combinations, with answers optionally fixed.
#[derive(Debug, Clone)]
pub struct AnswerSpace {
    /// Per question: the index of the question its `show_if` refers to.
    condition: Vec<Option<usize>>,
    /// Per question, per option: the questions whose condition picking it satisfies.
    triggers: Vec<Vec<u64>>,
    /// Per question: fewest and most picks, and whether it may be skipped.
    picks: Vec<(usize, usize, bool)>,
    /// Per question: a fixed answer (option indices) used whenever it is shown.
    fixed: Vec<Option<Vec<usize>>>,
}

/// One decision of a walk: the alternatives' subtree totals, to choose between.
type Chooser<'a> = dyn FnMut(&[f64]) -> usize + 'a;

impl AnswerSpace {
    /// The space of `questions` (a validated set's); `None` past
    /// [`MAX_SPACE_QUESTIONS`] questions or with a `show_if` that does not point to an
    /// earlier question's options.
    pub fn new(questions: &[Question]) -> Option<AnswerSpace> {
        if questions.len() > MAX_SPACE_QUESTIONS {
            return None;
        }
        let mut condition = Vec::with_capacity(questions.len());
        let mut triggers: Vec<Vec<u64>> =
            questions.iter().map(|q| vec![0; q.options.len()]).collect();
        for (j, question) in questions.iter().enumerate() {
            let Some(show_if) = &question.show_if else {
                condition.push(None);
                continue;
            };
            let k = questions[..j]
                .iter()
                .position(|q| q.id == show_if.question)?;
            for option in &show_if.any_of {
                let o = questions[k].options.iter().position(|x| &x.id == option)?;
                triggers[k][o] |= 1 << j;
            }
            condition.push(Some(k));
        }
        let picks = questions
            .iter()
            .map(|q| match q.choice {
                Choice::Single => (1, 1, !q.required),
                Choice::Multi { min, max } => (min, max.min(q.options.len()), !q.required),
            })
            .collect();
        Some(AnswerSpace {
            condition,
            triggers,
            picks,
            fixed: vec![None; questions.len()],
        })
    }

    /// The same space with question `question` always answered `options` when shown.
    pub fn with_fixed(mut self, question: usize, options: Vec<usize>) -> AnswerSpace {
        if let Some(slot) = self.fixed.get_mut(question) {
            *slot = Some(options);
        }
        self
    }

    /// How many questions.
    fn len(&self) -> usize {
        self.condition.len()
    }

    fn shown(&self, i: usize, bits: u64) -> bool {
        self.condition[i].is_none() || bits & (1 << i) != 0
    }

    fn union(&self, i: usize, options: &[usize]) -> u64 {
        options
            .iter()
            .filter_map(|&o| self.triggers[i].get(o))
            .fold(0, |a, b| a | b)
    }

    /// How many combinations (a float: it can pass 10^30).
    pub fn count(&self) -> f64 {
        Totals::new(self, Fold::Count, &|_, _| 1.0).total(0, 0)
    }

    /// The best (`Fold::Max`) or worst (`Fold::Min`) total of `value(question,
    /// option)` over the options of any combination, with one combination reaching
    /// it; `None` when no combination has a finite total (e.g. every one is forbidden
    /// with an infinite value).
    pub fn extreme(&self, fold: Fold, value: &dyn Fn(usize, usize) -> f64) -> Option<(f64, Picks)> {
        let mut totals = Totals::new(self, fold, value);
        let best = totals.total(0, 0);
        if !best.is_finite() {
            return None;
        }
        let mut choose = |alternatives: &[f64]| {
            let best = best_of(fold, alternatives);
            alternatives.iter().position(|&a| a == best).unwrap_or(0)
        };
        Some((best, totals.walk(&mut choose)))
    }

    /// A quick bound on [`AnswerSpace::extreme`]: as if every question could be shown
    /// at once (a follow-up may also add nothing, being hidden), so at least the best
    /// (`Fold::Max`) or at most the worst (`Fold::Min`) total. `Fold::Count` counts.
    pub fn loose_extreme(&self, fold: Fold, value: &dyn Fn(usize, usize) -> f64) -> f64 {
        if fold == Fold::Count {
            return self.count();
        }
        let better = |a: f64, b: f64| if fold == Fold::Max { a > b } else { a < b };
        let mut total = 0.0;
        for i in 0..self.len() {
            let answer = match &self.fixed[i] {
                Some(fixed) => fixed.iter().map(|&o| value(i, o)).sum(),
                None => {
                    let mut values: Vec<f64> =
                        (0..self.triggers[i].len()).map(|o| value(i, o)).collect();
                    values.sort_by(|a, b| {
                        if fold == Fold::Max {
                            b.total_cmp(a)
                        } else {
                            a.total_cmp(b)
                        }
                    });
                    let (lo, hi, _) = self.picks[i];
                    let mut sum = 0.0;
                    let mut taken = 0;
                    for v in values {
                        if taken < lo.max(1) || (taken < hi && better(v, 0.0)) {
                            sum += v;
                            taken += 1;
                        }
                    }
                    if taken < lo.max(1) {
                        fold.zero()
                    } else {
                        sum
                    }
                }
            };
            let (_, _, optional) = self.picks[i];
            let may_add_nothing =
                self.condition[i].is_some() || (optional && self.fixed[i].is_none());
            total += if may_add_nothing {
                fold.add(answer, 0.0)
            } else {
                answer
            };
        }
        total
    }

    /// Every combination in turn (depth first, options in order), until `visit`
    /// returns `false`.
    pub fn for_each(&self, visit: &mut dyn FnMut(&Picks) -> bool) {
        let mut picks: Picks = vec![None; self.len()];
        self.enumerate(0, 0, &mut picks, visit);
    }

    fn enumerate(
        &self,
        i: usize,
        bits: u64,
        picks: &mut Picks,
        visit: &mut dyn FnMut(&Picks) -> bool,
    ) -> bool {
        if i == self.len() {
            return visit(picks);
        }
        picks[i] = None;
        if !self.shown(i, bits) {
            return self.enumerate(i + 1, bits, picks, visit);
        }
        if let Some(fixed) = &self.fixed[i] {
            picks[i] = Some(fixed.clone());
            let more = self.enumerate(i + 1, bits | self.union(i, fixed), picks, visit);
            picks[i] = None;
            return more;
        }
        let (lo, hi, optional) = self.picks[i];
        if optional && !self.enumerate(i + 1, bits, picks, visit) {
            return false;
        }
        let n = self.triggers[i].len();
        for size in lo.max(1)..=hi.min(n) {
            let mut chosen: Vec<usize> = (0..size).collect();
            loop {
                picks[i] = Some(chosen.clone());
                if !self.enumerate(i + 1, bits | self.union(i, &chosen), picks, visit) {
                    return false;
                }
                // The next `size`-subset in lexicographic order.
                let Some(k) = (0..size).rev().find(|&k| chosen[k] < n - size + k) else {
                    break;
                };
                chosen[k] += 1;
                for m in k + 1..size {
                    chosen[m] = chosen[m - 1] + 1;
                }
            }
        }
        picks[i] = None;
        true
    }

    /// A sampler drawing combinations uniformly at random.
    pub fn sampler(&self) -> Sampler<'_> {
        Sampler {
            totals: Totals::new(self, Fold::Count, &|_, _| 1.0),
        }
    }
}

fn best_of(fold: Fold, values: &[f64]) -> f64 {
    values.iter().fold(fold.zero(), |a, &b| fold.add(a, b))
}

/// Draws combinations uniformly at random from an [`AnswerSpace`].
pub struct Sampler<'s> {
    totals: Totals<'s>,
}

impl Sampler<'_> {
    /// One combination; `rng` yields uniform numbers in `[0, 1)`.
    pub fn sample(&mut self, rng: &mut dyn FnMut() -> f64) -> Picks {
        let mut choose = |alternatives: &[f64]| {
            let sum: f64 = alternatives.iter().sum();
            let mut target = rng() * sum;
            for (i, &a) in alternatives.iter().enumerate() {
                if target < a {
                    return i;
                }
                target -= a;
            }
            alternatives.iter().rposition(|&a| a > 0.0).unwrap_or(0)
        };
        self.totals.walk(&mut choose)
    }
}

/// Memoised subtree totals of one fold over an answer space.
struct Totals<'s> {
    space: &'s AnswerSpace,
    fold: Fold,
    value: &'s dyn Fn(usize, usize) -> f64,
    /// (question, condition bits from it on) → the total from that question on.
    memo: Map<(usize, u64), f64>,
    /// (question, bits, option, picks so far, triggered) → the total of its answers.
    tables: Map<(usize, u64, usize, usize, u64), f64>,
}

impl<'s> Totals<'s> {
    fn new(space: &'s AnswerSpace, fold: Fold, value: &'s dyn Fn(usize, usize) -> f64) -> Self {
        Totals {
            space,
            fold,
            value,
            memo: Map::default(),
            tables: Map::default(),
        }
    }

    /// Only the bits of questions from `i` on matter from `i` on.
    fn key(i: usize, bits: u64) -> (usize, u64) {
        let keep = if i >= 64 { 0 } else { u64::MAX << i };
        (i, bits & keep)
    }

    fn total(&mut self, i: usize, bits: u64) -> f64 {
        if i >= self.space.len() {
            return self.fold.one();
        }
        let key = Self::key(i, bits);
        if let Some(&known) = self.memo.get(&key) {
            return known;
        }
        let fold = self.fold;
        let result = if !self.space.shown(i, bits) {
            self.total(i + 1, bits)
        } else if let Some(fixed) = self.space.fixed[i].clone() {
            let items = fixed
                .iter()
                .fold(fold.one(), |a, &o| fold.mul(a, (self.value)(i, o)));
            let rest = self.total(i + 1, bits | self.space.union(i, &fixed));
            fold.mul(items, rest)
        } else {
            let (_, _, optional) = self.space.picks[i];
            let skip = if optional {
                self.total(i + 1, bits)
            } else {
                fold.zero()
            };
            fold.add(skip, self.answers(i, bits, 0, 0, 0))
        };
        self.memo.insert(key, result);
        result
    }

    /// The total over the answers to question `i` that decide options `p..` having
    /// picked `size` options with triggers `union` so far.
    fn answers(&mut self, i: usize, bits: u64, p: usize, size: usize, union: u64) -> f64 {
        let (_, masked) = Self::key(i, bits);
        let table_key = (i, masked, p, size, union);
        if let Some(&known) = self.tables.get(&table_key) {
            return known;
        }
        let fold = self.fold;
        let (lo, hi, _) = self.space.picks[i];
        let n = self.space.triggers[i].len();
        let result = if size > hi {
            fold.zero()
        } else if p == n {
            if size >= lo.max(1) {
                self.total(i + 1, bits | union)
            } else {
                fold.zero()
            }
        } else {
            let without = self.answers(i, bits, p + 1, size, union);
            let item = (self.value)(i, p);
            let with = if item == fold.zero() {
                fold.zero()
            } else {
                let union = union | self.space.triggers[i][p];
                fold.mul(item, self.answers(i, bits, p + 1, size + 1, union))
            };
            fold.add(without, with)
        };
        self.tables.insert(table_key, result);
        result
    }

    /// One combination, choosing at every decision with `choose` (given the
    /// alternatives' totals, returns the index of the one taken).
    fn walk(&mut self, choose: &mut Chooser<'_>) -> Picks {
        let mut picks: Picks = vec![None; self.space.len()];
        let mut bits = 0;
        for (i, pick) in picks.iter_mut().enumerate() {
            if !self.space.shown(i, bits) {
                continue;
            }
            if let Some(fixed) = &self.space.fixed[i] {
                bits |= self.space.union(i, fixed);
                *pick = Some(fixed.clone());
                continue;
            }
            let (_, _, optional) = self.space.picks[i];
            let skip = if optional {
                self.total(i + 1, bits)
            } else {
                self.fold.zero()
            };
            let answer = self.answers(i, bits, 0, 0, 0);
            if optional && choose(&[skip, answer]) == 0 {
                continue;
            }
            let (mut size, mut union) = (0, 0);
            let mut chosen = Vec::new();
            for p in 0..self.space.triggers[i].len() {
                let without = self.answers(i, bits, p + 1, size, union);
                let item = (self.value)(i, p);
                let with = if item == self.fold.zero() {
                    self.fold.zero()
                } else {
                    let union = union | self.space.triggers[i][p];
                    self.fold
                        .mul(item, self.answers(i, bits, p + 1, size + 1, union))
                };
                if choose(&[without, with]) == 1 {
                    chosen.push(p);
                    size += 1;
                    union |= self.space.triggers[i][p];
                }
            }
            bits |= union;
            *pick = Some(chosen);
        }
        picks
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::guide::Catalogue;
    use crate::questionnaire::builtin_sets;

    fn space(id: &str) -> (crate::questionnaire::QuestionSet, AnswerSpace) {
        let set = builtin_sets(Catalogue::builtin())
            .unwrap()
            .into_iter()
            .find(|s| s.id.as_str() == id)
            .unwrap();
        let space = AnswerSpace::new(&set.questions).unwrap();
        (set, space)
    }

    fn listed(space: &AnswerSpace) -> Vec<Picks> {
        let mut all = Vec::new();
        space.for_each(&mut |p| {
            all.push(p.clone());
            true
        });
        all
    }

    #[test]
    fn counting_agrees_with_listing_and_follows_show_if() {
        let (_, quick) = space("quick");
        assert_eq!(quick.count(), 6.0 * 4.0 * 3.0 * 3.0);
        assert_eq!(listed(&quick).len(), 216);
        let (set, realtime) = space("realtime");
        let all = listed(&realtime);
        assert_eq!(realtime.count(), all.len() as f64);
        // Every listed combination is a valid set of answers, and they are distinct.
        for picks in &all {
            let mut answers = crate::questionnaire::Answers::default();
            for (q, pick) in set.questions.iter().zip(picks) {
                if let Some(options) = pick {
                    answers.set(
                        q.id.clone(),
                        options.iter().map(|&o| q.options[o].id.clone()).collect(),
                    );
                } else if set.is_shown(q, &answers) {
                    answers.set(q.id.clone(), Vec::new());
                }
            }
            answers.check(&set).unwrap();
        }
        let mut unique = all.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), all.len());
    }

    #[test]
    fn a_fixed_answer_narrows_the_space() {
        let (_, quick) = space("quick");
        assert_eq!(quick.with_fixed(0, vec![4]).count(), 36.0);
        let (_, default) = space("default");
        // languages: 63 subsets of 6; with it fixed, 63 times fewer.
        let all = default.count();
        let fixed = default.clone().with_fixed(0, vec![0]).count();
        assert!((all / fixed - 63.0).abs() < 1e-9, "{all} / {fixed}");
    }

    #[test]
    fn extremes_find_the_best_combination() {
        // The most points any combination of `quick` gives option values q*10+o.
        let (set, quick) = space("quick");
        let value = |q: usize, o: usize| (q * 10 + o) as f64;
        let (best, picks) = quick.extreme(Fold::Max, &value).unwrap();
        let expected: usize = set
            .questions
            .iter()
            .enumerate()
            .map(|(q, question)| q * 10 + question.options.len() - 1)
            .sum();
        assert_eq!(best, expected as f64);
        let total: usize = picks
            .iter()
            .enumerate()
            .filter_map(|(q, p)| {
                p.as_ref()
                    .map(|p| p.iter().map(|o| q * 10 + o).sum::<usize>())
            })
            .sum();
        assert_eq!(total, expected);
        let (worst, _) = quick.extreme(Fold::Min, &value).unwrap();
        assert_eq!(worst, (10 + 20 + 30) as f64);
    }

    #[test]
    fn samples_are_valid_and_cover_the_space() {
        let (_, realtime) = space("realtime");
        let all = listed(&realtime);
        let mut sampler = realtime.sampler();
        let mut state = 7u64;
        let mut rng = || {
            state = state.wrapping_mul(6364136223846793005).wrapping_add(1);
            (state >> 11) as f64 / (1u64 << 53) as f64
        };
        let mut seen = std::collections::HashSet::new();
        for _ in 0..4000 {
            let picks = sampler.sample(&mut rng);
            assert!(all.contains(&picks), "{picks:?}");
            seen.insert(picks);
        }
        // 264 combinations, 4000 uniform draws: all but a handful are seen.
        assert!(
            seen.len() > all.len() * 9 / 10,
            "{} of {}",
            seen.len(),
            all.len()
        );
    }
}
