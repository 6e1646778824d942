//! The `stackpick` command: the terminal questionnaire by default, plus tools to
//! check question sets and score answers non-interactively.

use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{bail, Context, Result};
use clap::{Parser, Subcommand};

use stackpick::config::{Config, TOKEN_ENV};
use stackpick::guide::Catalogue;
use stackpick::questionnaire::{builtin_sets, Answers, QuestionSet, Source};
use stackpick::store;
use stackpick::terminal::{self, Ending};
use stackpick::{discord, engine, telemetry};

/// Recommends a backend framework from the ratings of "Top 7 Backend Frameworks to
/// Use in 2024", explaining why. With no command, asks the questions in the terminal.
#[derive(Parser)]
#[command(version, about)]
struct Cli {
    /// Use another catalogue file instead of the built-in one.
    #[arg(long, global = true, value_name = "FILE")]
    catalogue: Option<PathBuf>,
    /// The config file (default: ./config.toml when it exists).
    #[arg(long, global = true, value_name = "FILE")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Ask a question set in the terminal (numbered options; b = back, s = skip, q = quit).
    Ask {
        /// A question-set file, or the id of a built-in set (default, quick, realtime).
        #[arg(long, value_name = "FILE|ID", default_value = "default")]
        questions: String,
        /// Also write the result's chart (an 800×450 PNG) to this file.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
    /// Score answers from a file without asking (TOML: question id = option id or list).
    Recommend {
        /// The answers file.
        #[arg(long, value_name = "FILE")]
        answers: PathBuf,
        /// A question-set file, or the id of a built-in set.
        #[arg(long, value_name = "FILE|ID", default_value = "default")]
        questions: String,
        /// Print the full result as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the result's chart (an 800×450 PNG) to this file.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
    /// Score several members' answers as one team (same answers-file format as
    /// `recommend`): geometric-mean weights, bonuses per member, everyone's hard
    /// constraints, where the team agrees and whose answers decide it.
    Team {
        /// One answers file per member (named by the file's name).
        #[arg(long, value_name = "FILE", required = true, num_args = 1..)]
        answers: Vec<PathBuf>,
        /// A question-set file, or the id of a built-in set.
        #[arg(long, value_name = "FILE|ID", default_value = "default")]
        questions: String,
        /// Print the full result as JSON.
        #[arg(long)]
        json: bool,
        /// Also write the team's chart (an 800×450 PNG) to this file.
        #[arg(long, value_name = "FILE")]
        chart: Option<PathBuf>,
    },
    /// Validate question-set files; lists every problem and exits non-zero on any.
    Check {
        /// The files to check (or, with --coverage, ids of built-in sets).
        #[arg(required = true, value_name = "FILE|ID")]
        files: Vec<String>,
        /// Also report how each set covers the guide over every answer combination
        /// (a seeded sample past 50,000): who wins how often, the smallest margin, how
        /// often a one-language team gets its own framework, and warnings.
        #[arg(long)]
        coverage: bool,
    },
    /// Show the guide's catalogue: every rating and each framework's total.
    Frameworks,
    /// Run the Discord bot (needs a token: DISCORD_TOKEN or `token` in config.toml):
    /// the gateway shards and/or the HTTP interactions endpoint the config asks for.
    Serve,
    /// Register the slash commands with Discord (only if they changed) and exit.
    Register,
}

/// mimalloc instead of the system allocator: faster for the many small allocations of
/// an interaction (see the README's benchmarks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Exit code when the bot can't start for want of configuration.
const EXIT_CONFIG: u8 = 2;

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let catalogue = load_catalogue(cli.catalogue.as_deref())?;
    let config = Config::load(cli.config.as_deref())?;
    // With no command: the bot when a token is configured, else the terminal.
    let command = cli.command.unwrap_or(if config.token.is_some() {
        Command::Serve
    } else {
        Command::Ask {
            questions: "default".to_owned(),
            chart: None,
        }
    });
    match command {
        Command::Serve => serve(config, catalogue),
        Command::Register => register(config),
        Command::Ask { questions, chart } => {
            let set = resolve_set(&questions, &catalogue)?;
            let stdin = std::io::stdin().lock();
            let ending = terminal::run(&set, &catalogue, stdin, std::io::stdout().lock())
                .context("the terminal questionnaire failed")?;
            Ok(match ending {
                Ending::Finished(recommendation) => {
                    if let Some(path) = &chart {
                        write_chart(&catalogue, &recommendation, path)?;
                    }
                    ExitCode::SUCCESS
                }
                Ending::Cancelled => ExitCode::SUCCESS,
                Ending::InputClosed => ExitCode::FAILURE,
            })
        }
        Command::Recommend {
            answers,
            questions,
            json,
            chart,
        } => {
            let set = resolve_set(&questions, &catalogue)?;
            let answers = checked_answers(&answers, &set)?;
            let recommendation = engine::recommend(&catalogue, &set, &answers);
            if json {
                println!("{}", serde_json::to_string_pretty(&recommendation)?);
            } else {
                print!("{}", terminal::render(&catalogue, &recommendation));
                let glyphs = terminal::Glyphs::from_env();
                print!("\n{}", terminal::bars(&catalogue, &recommendation, glyphs));
            }
            if let Some(path) = &chart {
                write_chart(&catalogue, &recommendation, path)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Team {
            answers,
            questions,
            json,
            chart,
        } => {
            let set = resolve_set(&questions, &catalogue)?;
            let members = answers
                .iter()
                .map(|path| checked_answers(path, &set))
                .collect::<Result<Vec<_>>>()?;
            let names: Vec<String> = answers.iter().map(|p| member_name(p)).collect();
            let result = engine::team::recommend_team(&catalogue, &set, &members)
                .context("no answers files were given")?;
            if json {
                let mut value = serde_json::to_value(&result)?;
                value["member_names"] = serde_json::json!(names);
                println!("{}", serde_json::to_string_pretty(&value)?);
            } else {
                print!("{}", terminal::render_team(&catalogue, &result, &names));
                let glyphs = terminal::Glyphs::from_env();
                print!(
                    "\n{}",
                    terminal::bars(&catalogue, &result.recommendation, glyphs)
                );
            }
            if let Some(path) = &chart {
                write_chart(&catalogue, &result.recommendation, path)?;
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { files, coverage } => {
            let mut failed = false;
            for file in &files {
                let set = if coverage && !Path::new(file).exists() {
                    // A built-in set by id.
                    resolve_set(file, &catalogue).map_err(|e| e.to_string())
                } else {
                    let bytes =
                        std::fs::read(file).with_context(|| format!("cannot read {file}"))?;
                    QuestionSet::from_bytes(file, &bytes, &catalogue).map_err(|e| e.to_string())
                };
                let set = match set {
                    Ok(set) => set,
                    Err(error) => {
                        eprintln!("{error}");
                        failed = true;
                        continue;
                    }
                };
                println!(
                    "{file}: ok — set `{}` version {}, {} questions",
                    set.id,
                    set.version,
                    set.questions.len()
                );
                if coverage {
                    let report = stackpick::coverage::coverage(
                        &catalogue,
                        &set,
                        &stackpick::coverage::Options::FULL,
                    )?;
                    print!("{}", report.report(&catalogue, &set));
                }
            }
            Ok(if failed {
                ExitCode::FAILURE
            } else {
                ExitCode::SUCCESS
            })
        }
        Command::Frameworks => {
            print!("{}", terminal::frameworks_table(&catalogue));
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn serve(config: Config, catalogue: Catalogue) -> Result<ExitCode> {
    if config.token.is_none() {
        eprintln!(
            "error: no Discord token. Set the {TOKEN_ENV} environment variable or `token` in config.toml (see config.example.toml)."
        );
        return Ok(ExitCode::from(EXIT_CONFIG));
    }
    telemetry::init(&config.log_level, config.log_format);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    // Inside the runtime: PostgreSQL connections live on it.
    let store = runtime.block_on(store::open(&config.database))?;
    tracing::info!(backend = store.backend(), database = %config.database, "storage ready");
    let state = Arc::new(discord::State::new(&config, catalogue, store)?);
    runtime.block_on(async {
        let app = discord::app::start(&config, state).await?;
        app.run_until_signal().await
    })?;
    Ok(ExitCode::SUCCESS)
}

fn register(config: Config) -> Result<ExitCode> {
    if config.token.is_none() {
        eprintln!("error: no Discord token. Set the {TOKEN_ENV} environment variable or `token` in config.toml.");
        return Ok(ExitCode::from(EXIT_CONFIG));
    }
    telemetry::init(&config.log_level, config.log_format);
    let runtime = tokio::runtime::Runtime::new().context("cannot start the async runtime")?;
    // No database: registering only needs the token and the commands.
    let outcome = runtime.block_on(async {
        let http = discord::gateway::http_client(&config)?;
        discord::register(&http, &config.dev_guild_ids).await
    })?;
    println!("{outcome}");
    Ok(ExitCode::SUCCESS)
}

/// Writes the result's chart; the text result is already out, whatever happens here.
fn write_chart(
    catalogue: &Catalogue,
    recommendation: &engine::Recommendation,
    path: &Path,
) -> Result<()> {
    let png = stackpick::chart::png(catalogue, recommendation)?;
    std::fs::write(path, png)
        .with_context(|| format!("cannot write the chart to {}", path.display()))
}

fn load_catalogue(path: Option<&Path>) -> Result<Catalogue> {
    match path {
        None => Ok(Catalogue::builtin().clone()),
        Some(path) => {
            let text = std::fs::read_to_string(path)
                .with_context(|| format!("cannot read the catalogue {}", path.display()))?;
            Catalogue::from_toml(&text).with_context(|| format!("in {}", path.display()))
        }
    }
}

/// A question-set file, or a built-in set by id.
fn resolve_set(file_or_id: &str, catalogue: &Catalogue) -> Result<QuestionSet> {
    let path = Path::new(file_or_id);
    if path.is_file() {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read {file_or_id}"))?;
        return Ok(QuestionSet::from_toml(
            Source {
                name: file_or_id,
                text: &text,
            },
            catalogue,
        )?);
    }
    let sets = builtin_sets(catalogue)?;
    let ids: Vec<String> = sets.iter().map(|s| s.id.to_string()).collect();
    sets.into_iter()
        .find(|s| s.id.as_str() == file_or_id)
        .with_context(|| {
            format!(
                "`{file_or_id}` is neither a file nor a built-in set ({})",
                ids.join(", ")
            )
        })
}

/// A member's name in a team: the answers file's name without its extension.
fn member_name(path: &Path) -> String {
    path.file_stem().map_or_else(
        || path.display().to_string(),
        |s| s.to_string_lossy().into_owned(),
    )
}

/// An answers file, checked against the set (every problem listed).
fn checked_answers(path: &Path, set: &QuestionSet) -> Result<Answers> {
    let answers = read_answers(path)?;
    if let Err(problems) = answers.check(set) {
        bail!(
            "the answers in {} don't fit set `{}`:\n  - {}",
            path.display(),
            set.id,
            problems.join("\n  - ")
        );
    }
    Ok(answers)
}

/// Answers as TOML: `question = "option"` or `question = ["a", "b"]`; `[]` skips.
fn read_answers(path: &Path) -> Result<Answers> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("cannot read {}", path.display()))?;
    Answers::from_toml(&text).map_err(|e| anyhow::anyhow!("in {}: {e}", path.display()))
}
