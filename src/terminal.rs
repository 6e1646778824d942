//! The terminal adapter, the embedded default: asks a question set on stdin/stdout
//! (numbered options; b = back, s = skip, q = quit) and prints the recommendation.

mod bars;
mod team;

use std::io::{self, BufRead, Write};

use crate::conversation::{Conflict, Conversation, View};
use crate::engine::{Recommendation, Verdict};
use crate::guide::Catalogue;
use crate::questionnaire::{Choice, Question, QuestionSet};
use crate::text;

pub use bars::{bars, Glyphs};
pub use team::render_team;

/// How an interactive session ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Ending {
    /// Every question answered; the result was printed.
    Finished(Box<Recommendation>),
    /// The person typed q.
    Cancelled,
    /// Input ended before the questionnaire was done.
    InputClosed,
}

/// Runs the questionnaire interactively on `input`/`output`.
pub fn run(
    set: &QuestionSet,
    catalogue: &Catalogue,
    mut input: impl BufRead,
    mut output: impl Write,
) -> io::Result<Ending> {
    writeln!(output, "{}\n{}\n", set.title, set.description)?;
    let mut conversation = Conversation::start(set);
    let mut line = String::new();
    loop {
        let view = conversation
            .view(set, catalogue)
            .map_err(io::Error::other)?;
        let waiting = match view {
            View::Finished(recommendation) => {
                write!(output, "\n{}", render(catalogue, &recommendation))?;
                let glyphs = Glyphs::from_env();
                write!(output, "\n{}", bars(catalogue, &recommendation, glyphs))?;
                return Ok(Ending::Finished(recommendation));
            }
            View::Cancelled => {
                writeln!(output, "Cancelled. Run it again any time.")?;
                return Ok(Ending::Cancelled);
            }
            View::Ask {
                question,
                progress,
                previous,
                ..
            } => {
                writeln!(
                    output,
                    "Question {} of {}: {}",
                    progress.number, progress.total, question.prompt
                )?;
                write_options(&mut output, question, previous.unwrap_or_default())?;
                Waiting::Question(question)
            }
            View::Contradiction(conflict) => {
                write_conflict(&mut output, catalogue, &conflict)?;
                Waiting::Conflict(conflict.resolutions().len())
            }
        };
        // Ask again until the reply is understood and accepted.
        loop {
            write!(output, "> ")?;
            output.flush()?;
            line.clear();
            if input.read_line(&mut line)? == 0 {
                writeln!(
                    output,
                    "\nInput ended before the questionnaire was finished."
                )?;
                return Ok(Ending::InputClosed);
            }
            let step = conversation
                .parse_typed(set, catalogue, &line)
                .and_then(|input| {
                    conversation
                        .apply(set, catalogue, input)
                        .map_err(|e| e.to_string())
                });
            match step {
                Ok(next) => {
                    conversation = next;
                    writeln!(output)?;
                    break;
                }
                Err(problem) => writeln!(output, "{}", hint(&waiting, &problem))?,
            }
        }
    }
}

/// What the terminal waits for.
enum Waiting<'s> {
    /// An answer to a question.
    Question(&'s Question),
    /// One of this many ways out of a contradiction.
    Conflict(usize),
}

/// A one-line hint saying what went wrong and what is accepted.
fn hint(waiting: &Waiting<'_>, problem: &str) -> String {
    match waiting {
        Waiting::Question(question) => {
            let count = question.options.len();
            let how = match question.choice {
                Choice::Single => format!("type a number from 1 to {count}"),
                Choice::Multi { .. } => {
                    format!("type numbers from 1 to {count}, separated by commas")
                }
            };
            let skip = if question.required { "" } else { ", s = skip" };
            format!("Sorry, {problem}: {how} (b = back{skip}, q = quit).")
        }
        Waiting::Conflict(count) => {
            format!("Sorry, {problem}: type a number from 1 to {count} (b = back, q = quit).")
        }
    }
}

/// A contradiction: what each answer rules out, and the numbered ways out.
fn write_conflict(
    output: &mut impl Write,
    catalogue: &Catalogue,
    conflict: &Conflict,
) -> io::Result<()> {
    let lines = text::conflict_lines(catalogue, conflict);
    if let Some((first, rest)) = lines.split_first() {
        writeln!(output, "{first}")?;
        for line in rest {
            writeln!(output, "  {line}")?;
        }
    }
    for (i, way) in conflict.resolutions().iter().enumerate() {
        writeln!(output, "  {}. {}", i + 1, text::resolution(conflict, way))?;
    }
    writeln!(output, "  Type a number, or b = back, q = quit.")
}

fn write_options(
    output: &mut impl Write,
    question: &Question,
    previous: &[crate::ids::OptionId],
) -> io::Result<()> {
    if let Some(help) = &question.help {
        writeln!(output, "  {help}")?;
    }
    for (i, option) in question.options.iter().enumerate() {
        let emoji = option
            .emoji
            .as_deref()
            .map(|e| format!("{e} "))
            .unwrap_or_default();
        let mark = if previous.contains(&option.id) {
            "  (your earlier answer)"
        } else {
            ""
        };
        write!(output, "  {}. {emoji}{}{mark}", i + 1, option.label)?;
        match &option.description {
            Some(description) => writeln!(output, " — {description}")?,
            None => writeln!(output)?,
        }
    }
    let mut keys = vec!["b = back"];
    if !question.required {
        keys.push("s = skip");
    }
    keys.push("q = quit");
    let pick = match question.choice {
        Choice::Single => "Type a number".to_owned(),
        Choice::Multi { min, max } if min == max => {
            format!("Type {min} numbers separated by commas")
        }
        Choice::Multi { min, max } => format!("Type {min} to {max} numbers separated by commas"),
    };
    writeln!(output, "  {pick}, or {}.", keys.join(", "))
}

/// The recommendation as plain text: verdict, reasons, trade-off, runner-up, flip
/// point and the full ranking.
pub fn render(catalogue: &Catalogue, recommendation: &Recommendation) -> String {
    let mut out = String::new();
    let name = |id| text::framework_name(catalogue, id);
    match &recommendation.verdict {
        Verdict::NothingEligible => {
            out.push_str(
                "No recommendation: your answers rule out every framework in the guide.\n",
            );
            for standing in &recommendation.ranking {
                let reasons: Vec<String> = standing
                    .excluded
                    .iter()
                    .map(|e| text::exclusion_reason(catalogue, e))
                    .collect();
                out.push_str(&format!(
                    "  - {}: {}\n",
                    name(&standing.framework),
                    text::join_and(&reasons)
                ));
            }
            out.push_str("Loosen one of those answers to get a recommendation.\n");
        }
        Verdict::Recommend(explanation) => {
            let winner = catalogue
                .framework(explanation.winner.as_str())
                .map(|(_, f)| f);
            out.push_str(&format!(
                "Recommendation: {} — {} points\n",
                name(&explanation.winner),
                text::points(explanation.score)
            ));
            if let Some(winner) = winner {
                out.push_str(&format!("{}\n", winner.summary));
            }
            if let Some(tie) = text::tie_line(catalogue, explanation) {
                out.push_str(&format!("{tie}\n"));
            }
            if let Some(margin) = &explanation.margin {
                out.push_str(&format!(
                    "\nWhat decided it ({}):\n",
                    text::margin_heading(catalogue, &explanation.winner, margin)
                ));
                for part in margin.deciding() {
                    let (head, detail) = text::part(catalogue, &explanation.winner, margin, part);
                    out.push_str(&format!("  • {head}: {detail}.\n"));
                }
                if let Some(others) = text::other_parts(catalogue, margin) {
                    out.push_str(&format!("  {others}\n"));
                }
            } else if let Some(only) = text::only_choice(catalogue, recommendation) {
                out.push_str(&format!("\nWhat decided it: {only}\n"));
            } else if !explanation.deciding.is_empty() {
                // A result stored before the margin was taken apart.
                out.push_str("\nWhat decided it:\n");
                for d in &explanation.deciding {
                    let against = text::advantage(catalogue, explanation, d);
                    out.push_str(&format!(
                        "  • {} (weight {}): {} → {against}.\n    {}\n",
                        text::criterion_name(catalogue, &d.criterion),
                        text::factor(d.weight),
                        text::weight_trace(&d.changes),
                        d.reasoning
                    ));
                }
            }
            for line in text::counterfactual(catalogue, explanation) {
                out.push_str(&format!("  {line}\n"));
            }
            if let Some(line) = text::own_language(catalogue, explanation) {
                out.push_str(&format!("  {line}\n"));
            }
            if !explanation.bonuses.is_empty() {
                let bonuses: Vec<String> = explanation
                    .bonuses
                    .iter()
                    .map(|b| text::bonus_line(catalogue, b))
                    .collect();
                out.push_str(&format!(
                    "\nPoints from your answers: {}.\n",
                    text::join_and(&bonuses)
                ));
            }
            if let Some(note) = text::affinity_note(catalogue, explanation) {
                out.push_str(&format!("{note}\n"));
            }
            if let Some(trade_off) = &explanation.trade_off {
                out.push_str(&format!(
                    "\nTrade-off: {}\n",
                    text::trade_off(catalogue, explanation, trade_off)
                ));
            }
            if let Some(runner_up) = &explanation.runner_up {
                out.push_str(&format!(
                    "\n{}\n",
                    text::runner_up_line(catalogue, runner_up)
                ));
            }
            if let Some(flip) = &explanation.flip {
                out.push_str(&format!("{}\n", text::flip_line(catalogue, flip)));
            }
        }
    }
    out.push_str("\nFull ranking:\n");
    for (i, standing) in recommendation.ranking.iter().enumerate() {
        let mut line = format!(
            "  {}. {} — {}",
            i + 1,
            name(&standing.framework),
            text::points(standing.score)
        );
        if !standing.excluded.is_empty() {
            let reasons: Vec<String> = standing
                .excluded
                .iter()
                .map(|e| text::exclusion_reason(catalogue, e))
                .collect();
            line.push_str(&format!(" ({})", text::join_and(&reasons)));
        }
        out.push_str(&line);
        out.push('\n');
    }
    out
}

/// The catalogue as a table: every rating and the guide's total.
pub fn frameworks_table(catalogue: &Catalogue) -> String {
    let mut out = format!(
        "{} ({}, {})\n\n",
        catalogue.guide.title, catalogue.guide.source, catalogue.guide.version
    );
    let mut header = format!("{:<15} {:<22}", "framework", "language");
    for criterion in &catalogue.criteria {
        header.push_str(&format!(" {:>6}", short(&criterion.name)));
    }
    header.push_str(&format!(" {:>6}\n", "total"));
    out.push_str(&header);
    for framework in &catalogue.frameworks {
        let language = catalogue
            .language(framework.language.as_str())
            .map_or(framework.language.as_str(), |l| l.name.as_str());
        let mut row = format!("{:<15} {:<22}", framework.name, language);
        for rated in &framework.ratings {
            row.push_str(&format!(" {:>6}", rated.rating.to_string()));
        }
        row.push_str(&format!(" {:>6}\n", text::points(framework.total())));
        out.push_str(&row);
    }
    out.push_str("\nA higher learning-curve rating means easier to learn.\n");
    out
}

/// A column heading of at most six characters.
fn short(name: &str) -> String {
    name.chars().take(6).collect()
}
