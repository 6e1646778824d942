//! `/questions …`: server admins manage their question sets — list, show, upload,
//! use, preview, export, versions, rollback, remove, reset, panel, settings.
//!
//! Registered with Manage Server as the default permission AND checked on every
//! invocation from the member's resolved permissions, so a channel overwrite or an
//! outdated client can't let anyone else in. Every reply is ephemeral.

use std::collections::BTreeMap;
use std::sync::Arc;

use anyhow::{Context as _, Result};
use serenity::all::{
    ButtonStyle, ChannelId, ChannelType, CommandInteraction, CommandOptionType,
    ComponentInteraction, Context, CreateActionRow, CreateAttachment, CreateButton, CreateCommand,
    CreateCommandOption, CreateEmbed, CreateInteractionResponse, InteractionContext, Permissions,
    ResolvedOption, ResolvedValue,
};
use tracing::info;

use super::super::custom_id::{session_id, Other};
use super::super::render::{self, Reply};
use super::super::{flow, State};
use crate::guide::Catalogue;
use crate::ids::SetId;
use crate::questionnaire::{Question, QuestionSet, MAX_FILE_BYTES};
use crate::store::{GuildSettings, PendingUpload};
use crate::text;

/// The command's name.
pub const NAME: &str = "questions";
/// Questions per page of `/questions show` (the embed is cut to 6000 characters).
const PER_PAGE: usize = 4;

/// Registration: server-only, Manage Server by default.
pub fn register() -> CreateCommand {
    let set = |description: &str| {
        CreateCommandOption::new(CommandOptionType::String, "set", description)
            .required(true)
            .set_autocomplete(true)
    };
    let sub = |name: &str, description: &str| {
        CreateCommandOption::new(CommandOptionType::SubCommand, name, description)
    };
    CreateCommand::new(NAME)
        .description("Manage this server's question sets (Manage Server)")
        .default_member_permissions(Permissions::MANAGE_GUILD)
        .contexts(vec![InteractionContext::Guild])
        .add_option(sub(
            "list",
            "Built-in and server question sets; the active one marked",
        ))
        .add_option(
            sub("show", "A set's questions, options and effects")
                .add_sub_option(set("The set to show")),
        )
        .add_option(
            sub("upload", "Upload a question set (.toml, up to 64 KiB)")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Attachment,
                        "file",
                        "The .toml file",
                    )
                    .required(true),
                )
                .add_sub_option(CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    "activate",
                    "Make it the set /recommend uses here",
                )),
        )
        .add_option(
            sub("use", "Choose the set /recommend uses in this server")
                .add_sub_option(set("The set")),
        )
        .add_option(
            sub(
                "preview",
                "Answer a set yourself and see the weights it produces",
            )
            .add_sub_option(set("The set")),
        )
        .add_option(sub("export", "Download a set as a .toml file").add_sub_option(set("The set")))
        .add_option(
            sub("versions", "Every stored version of a server set").add_sub_option(set("The set")),
        )
        .add_option(
            sub("rollback", "Restore an earlier version of a server set")
                .add_sub_option(set("The set"))
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Integer,
                        "version",
                        "The version to restore",
                    )
                    .required(true)
                    .min_int_value(1),
                ),
        )
        .add_option(
            sub("remove", "Remove a server set (its versions are kept)")
                .add_sub_option(set("The set")),
        )
        .add_option(sub("reset", "Go back to the built-in default set"))
        .add_option(
            sub("panel", "Post a “Find my framework” button anyone can use")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Channel,
                        "channel",
                        "Where to post it (default: here)",
                    )
                    .channel_types(vec![ChannelType::Text]),
                )
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::String,
                        "set",
                        "A set for this panel (default: the server's active set)",
                    )
                    .set_autocomplete(true),
                ),
        )
        .add_option(
            sub("settings", "Result logging and visibility")
                .add_sub_option(
                    CreateCommandOption::new(
                        CommandOptionType::Channel,
                        "log_channel",
                        "Log completed recommendations here",
                    )
                    .channel_types(vec![ChannelType::Text]),
                )
                .add_sub_option(CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    "stop_logging",
                    "Stop logging results",
                ))
                .add_sub_option(CreateCommandOption::new(
                    CommandOptionType::Boolean,
                    "public_results",
                    "Post each finished result in the channel too",
                )),
        )
}

/// Whether the member may manage sets: Manage Server or Administrator, as resolved
/// by Discord for this channel.
pub fn is_allowed(permissions: Option<Permissions>) -> bool {
    permissions.is_some_and(|p| p.manage_guild() || p.administrator())
}

/// Runs a subcommand after checking the member's permissions.
pub async fn run(ctx: &Context, state: &State, command: &CommandInteraction) -> Result<()> {
    let Some(guild) = command.guild_id.map(|g| g.get()) else {
        return super::respond(
            ctx,
            command,
            Reply::notice("Question sets are managed in a server."),
            true,
        )
        .await;
    };
    if !is_allowed(command.member.as_ref().and_then(|m| m.permissions)) {
        info!("refused /questions to a member without Manage Server");
        let text = "Only members with the **Manage Server** permission can manage question sets. Nothing was changed.";
        return super::respond(ctx, command, Reply::notice(text), true).await;
    }
    let options = command.data.options();
    let Some(ResolvedOption {
        name,
        value: ResolvedValue::SubCommand(args),
        ..
    }) = options.first()
    else {
        return super::respond(
            ctx,
            command,
            Reply::notice("Pick a subcommand, e.g. `/questions list`."),
            true,
        )
        .await;
    };
    let arg = |key: &str| args.iter().find(|o| o.name == key).map(|o| &o.value);
    let text_arg = |key: &str| match arg(key) {
        Some(ResolvedValue::String(s)) => Some(*s),
        _ => None,
    };
    let bool_arg = |key: &str| match arg(key) {
        Some(ResolvedValue::Boolean(b)) => Some(*b),
        _ => None,
    };
    let set_id = text_arg("set").map(SetId::from);
    let user = command.user.id.get();
    let reply = match *name {
        "list" => list(state, guild)?,
        "show" => show(state, guild, set_id.as_ref(), 0)?,
        "upload" => {
            let Some(ResolvedValue::Attachment(file)) = arg("file") else {
                return super::respond(
                    ctx,
                    command,
                    Reply::notice("Attach the .toml file to upload."),
                    true,
                )
                .await;
            };
            // Downloading can take a while: acknowledge first, then edit.
            command
                .defer_ephemeral(&ctx.http)
                .await
                .context("could not defer the upload")?;
            let upload_id = session_id(command.id.get());
            let activate = bool_arg("activate").unwrap_or(false);
            let reply = upload(state, (guild, user, upload_id), file, activate).await?;
            command
                .edit_response(&ctx.http, reply.into_edit())
                .await
                .context("could not answer the upload")?;
            return Ok(());
        }
        "use" => use_set(state, guild, set_id.as_ref())?,
        "preview" => return preview(ctx, state, command, guild, set_id.as_ref()).await,
        "export" => return export(ctx, state, command, guild, set_id.as_ref()).await,
        "versions" => versions(state, guild, set_id.as_ref())?,
        "rollback" => {
            let version = match arg("version") {
                Some(ResolvedValue::Integer(v)) => u32::try_from(*v).unwrap_or(0),
                _ => 0,
            };
            rollback(state, guild, user, set_id.as_ref(), version)?
        }
        "remove" => remove(state, guild, user, set_id.as_ref())?,
        "reset" => {
            state.store.set_active(guild, None)?;
            Reply::notice(
                "`/recommend` now uses the built-in default set again. Server sets are kept.",
            )
        }
        "panel" => {
            let channel = match arg("channel") {
                Some(ResolvedValue::Channel(c)) => c.id,
                _ => command.channel_id,
            };
            match set_id {
                Some(id) if find(state, guild, Some(&id))?.is_none() => {
                    unknown_set(state, guild, Some(&id))?
                }
                set => panel(ctx, channel, set).await?,
            }
        }
        "settings" => settings(
            state,
            guild,
            arg("log_channel"),
            bool_arg("stop_logging"),
            bool_arg("public_results"),
        )?,
        other => Reply::notice(format!("Unknown subcommand `{other}`.")),
    };
    super::respond(ctx, command, reply, true).await
}

/// Suggests sets for the `set` options.
pub fn autocomplete(
    state: &State,
    guild: Option<u64>,
    typed: &str,
) -> Result<Vec<serenity::all::AutocompleteChoice>> {
    super::recommend::autocomplete(state, guild, typed)
}

fn list(state: &State, guild: u64) -> Result<Reply> {
    let active = state.active_set(Some(guild))?;
    let server: Vec<SetId> = state
        .store
        .current_sets(guild)?
        .into_iter()
        .map(|s| s.set_id)
        .collect();
    let lines: Vec<String> = state
        .sets_for(Some(guild))?
        .values()
        .map(|s| {
            let origin = if server.contains(&s.id) {
                "server"
            } else {
                "built-in"
            };
            let mark = if s.id == active.id {
                " ✅ **active**"
            } else {
                ""
            };
            format!(
                "`{}` — {} (v{}, {origin}, {} questions){mark}",
                s.id,
                s.title,
                s.version,
                s.questions.len()
            )
        })
        .collect();
    Ok(Reply::embed(render::build_embed(
        "Question sets",
        &lines.join("\n"),
        &[],
        "Upload with /questions upload, choose with /questions use",
    )))
}

/// One option's effects in words.
fn effects_line(catalogue: &Catalogue, option: &crate::questionnaire::AnswerOption) -> String {
    let e = &option.effects;
    let mut parts = Vec::new();
    for (criterion, factor) in &e.weights {
        parts.push(format!(
            "{} {}",
            text::criterion_name(catalogue, criterion),
            text::factor(*factor)
        ));
    }
    for (framework, points) in &e.frameworks {
        parts.push(format!(
            "{} {:+}",
            text::framework_name(catalogue, framework),
            points
        ));
    }
    for (language, points) in &e.languages {
        parts.push(format!(
            "{} {:+}",
            text::language_name(catalogue, language),
            points
        ));
    }
    if !e.exclude.is_empty() {
        let names: Vec<String> = e
            .exclude
            .iter()
            .map(|f| text::framework_name(catalogue, f).to_owned())
            .collect();
        parts.push(format!("excludes {}", names.join(", ")));
    }
    if !e.only_languages.is_empty() {
        let names: Vec<String> = e
            .only_languages
            .iter()
            .map(|l| text::language_name(catalogue, l).to_owned())
            .collect();
        parts.push(format!("only {}", names.join(", ")));
    }
    if e.only_team_languages {
        parts.push("only the team's languages".to_owned());
    }
    if parts.is_empty() {
        format!("• {}", option.label)
    } else {
        format!("• {} — {}", option.label, parts.join(", "))
    }
}

fn question_field(
    catalogue: &Catalogue,
    set: &QuestionSet,
    question: &Question,
) -> (String, String) {
    let mut lines: Vec<String> = Vec::new();
    let mut tags = vec![match question.choice {
        crate::questionnaire::Choice::Single => "single choice".to_owned(),
        crate::questionnaire::Choice::Multi { min, max } => format!("pick {min}–{max}"),
    }];
    if !question.required {
        tags.push("skippable".to_owned());
    }
    if let Some(condition) = &question.show_if {
        let ids: Vec<&str> = condition.any_of.iter().map(|o| o.as_str()).collect();
        tags.push(format!(
            "only if `{}` is {}",
            condition.question,
            ids.join("/")
        ));
    }
    lines.push(format!("`{}` · {}", question.id, tags.join(" · ")));
    lines.extend(question.options.iter().map(|o| effects_line(catalogue, o)));
    let number = set.position(&question.id).map_or(0, |p| p + 1);
    (
        render::clip(&format!("{number}. {}", question.prompt), 256),
        render::clip(&lines.join("\n"), 1024),
    )
}

/// A page of a set's questions with Previous/Next buttons.
pub fn show(state: &State, guild: u64, set_id: Option<&SetId>, page: usize) -> Result<Reply> {
    let Some(set) = find(state, guild, set_id)? else {
        return unknown_set(state, guild, set_id);
    };
    let pages = set.questions.len().div_ceil(PER_PAGE).max(1);
    let page = page.min(pages - 1);
    let fields: Vec<(String, String)> = set
        .questions
        .iter()
        .skip(page * PER_PAGE)
        .take(PER_PAGE)
        .map(|question| question_field(&state.catalogue, &set, question))
        .collect();
    let mut reply = Reply::embed(render::build_embed(
        &format!("{} (`{}` v{})", set.title, set.id, set.version),
        &set.description,
        &fields,
        &format!("Page {} of {pages}", page + 1),
    ));
    if pages > 1 {
        let nav = |label: &str, target: usize, disabled: bool| {
            CreateButton::new(Other::Page(set.id.to_string(), target).to_string())
                .label(label)
                .style(ButtonStyle::Secondary)
                .disabled(disabled)
        };
        reply.components = vec![CreateActionRow::Buttons(vec![
            nav("Previous", page.saturating_sub(1), page == 0),
            nav("Next", page + 1, page + 1 >= pages),
        ])];
    }
    Ok(reply)
}

fn find(state: &State, guild: u64, set_id: Option<&SetId>) -> Result<Option<Arc<QuestionSet>>> {
    match set_id {
        Some(id) => Ok(state.find_set(Some(guild), id)?.map(|r| r.set)),
        None => Ok(None),
    }
}

fn unknown_set(state: &State, guild: u64, set_id: Option<&SetId>) -> Result<Reply> {
    let known: Vec<String> = state
        .sets_for(Some(guild))?
        .keys()
        .map(|k| format!("`{k}`"))
        .collect();
    let name = set_id.map_or("(none)".to_owned(), |s| render::clip(s.as_str(), 40));
    Ok(Reply::notice(format!(
        "There is no set `{name}` here. Available: {}.",
        known.join(", ")
    )))
}

/// What changed between two versions of a set, in a few lines.
pub fn diff(old: &QuestionSet, new: &QuestionSet) -> Vec<String> {
    let mut lines = Vec::new();
    if old.title != new.title {
        lines.push(format!("title: “{}” → “{}”", old.title, new.title));
    }
    let old_ids: BTreeMap<_, _> = old.questions.iter().map(|q| (&q.id, q)).collect();
    let new_ids: BTreeMap<_, _> = new.questions.iter().map(|q| (&q.id, q)).collect();
    for (id, q) in &new_ids {
        match old_ids.get(id) {
            None => lines.push(format!("➕ added `{id}`: {}", q.prompt)),
            Some(before) if before != q => lines.push(format!("✏️ changed `{id}`")),
            Some(_) => {}
        }
    }
    for id in old_ids.keys().filter(|id| !new_ids.contains_key(*id)) {
        lines.push(format!("➖ removed `{id}`"));
    }
    if lines.is_empty() {
        lines.push("no change to the questions".to_owned());
    }
    lines
}

/// Validates and stores an upload, or keeps it pending when it replaces a set.
/// `(guild, user, upload_id)`: where, by whom, and the id its confirmation carries.
async fn upload(
    state: &State,
    (guild, user, upload_id): (u64, u64, String),
    file: &serenity::all::Attachment,
    activate: bool,
) -> Result<Reply> {
    if !file.filename.to_lowercase().ends_with(".toml") {
        return Ok(Reply::notice(format!(
            "`{}` is not a .toml file. Question sets are TOML text files; see the format guide (questions/README.md).",
            render::clip(&file.filename, 100)
        )));
    }
    if file.size as usize > MAX_FILE_BYTES {
        return Ok(Reply::notice(format!(
            "`{}` is {} bytes, over the 64 KiB limit. Split it into smaller sets. Nothing was stored.",
            render::clip(&file.filename, 100),
            file.size
        )));
    }
    if file.size == 0 {
        return Ok(Reply::notice("The file is empty. Nothing was stored."));
    }
    let bytes = file
        .download()
        .await
        .context("could not download the attachment")?;
    let set = match QuestionSet::from_bytes(&file.filename, &bytes, &state.catalogue) {
        Ok(set) => set,
        Err(error) => {
            let text = format!(
                "**The set was not stored.** Every problem found:\n```\n{}\n```",
                render::clip(&error.to_string(), 3900)
            );
            return Ok(Reply::notice(text));
        }
    };
    let source = String::from_utf8_lossy(&bytes).into_owned();
    let current = state.find_set(Some(guild), &set.id)?;
    let is_server_set = state
        .store
        .current_sets(guild)?
        .iter()
        .any(|s| s.set_id == set.id);
    if let Some(old) = &current {
        // Replacing a set, the server's own or a built-in one, needs a confirmation.
        let pending = PendingUpload {
            id: upload_id,
            guild_id: guild,
            user_id: user,
            set_id: set.id.clone(),
            source,
            activate,
        };
        state.store.put_pending(&pending)?;
        let existing = if is_server_set {
            "this server's"
        } else {
            "the built-in"
        };
        let mut reply = Reply::notice(format!(
            "This replaces {existing} `{}` here (v{}). Replace it with this upload ({} questions)?\n\n**Changes:**\n{}",
            set.id,
            old.version,
            set.questions.len(),
            diff(old, &set).join("\n")
        ));
        reply.components = vec![CreateActionRow::Buttons(vec![
            CreateButton::new(Other::ConfirmUpload(pending.id.clone()).to_string())
                .label("Replace")
                .style(ButtonStyle::Danger),
            CreateButton::new(Other::KeepCurrent(pending.id).to_string())
                .label("Keep the current one")
                .style(ButtonStyle::Secondary),
        ])];
        return Ok(reply);
    }
    let revision = state
        .store
        .add_set_version(guild, &set.id, Some(&source), user, activate)?;
    let mut text = format!(
        "Stored `{}` — {} — as version {revision} ({} questions).",
        set.id,
        set.title,
        set.questions.len()
    );
    text.push_str(if activate {
        "\n`/recommend` now uses it."
    } else {
        "\nUse `/questions use` to make `/recommend` use it, or `/questions preview` to try it."
    });
    Ok(Reply::notice(text))
}

/// The confirmation buttons of an upload that replaces a set.
pub async fn confirm(
    ctx: &Context,
    state: &State,
    click: &ComponentInteraction,
    other: &Other,
) -> Result<()> {
    let (id, replace) = match other {
        Other::ConfirmUpload(id) => (id, true),
        Other::KeepCurrent(id) => (id, false),
        _ => return Ok(()),
    };
    if !is_allowed(click.member.as_ref().and_then(|m| m.permissions)) {
        return super::super::flow::ephemeral(
            ctx,
            click,
            "Only members with Manage Server can do that.",
        )
        .await;
    }
    let Some(pending) = state.store.take_pending(id)? else {
        return update(
            ctx,
            click,
            Reply::notice("This upload was already confirmed or dropped."),
        )
        .await;
    };
    if pending.user_id != click.user.id.get()
        || Some(pending.guild_id) != click.guild_id.map(|g| g.get())
    {
        // Not theirs to decide: put it back untouched.
        state.store.put_pending(&pending)?;
        return super::super::flow::ephemeral(
            ctx,
            click,
            "Only the admin who uploaded this file can confirm it.",
        )
        .await;
    }
    let reply = if replace {
        let revision = state.store.add_set_version(
            pending.guild_id,
            &pending.set_id,
            Some(&pending.source),
            click.user.id.get(),
            pending.activate,
        )?;
        Reply::notice(format!(
            "Replaced `{}`: it is now version {revision}.",
            pending.set_id
        ))
    } else {
        Reply::notice(format!(
            "Kept the current `{}`. The upload was dropped.",
            pending.set_id
        ))
    };
    update(ctx, click, reply).await
}

/// Previous/Next of `/questions show`.
pub async fn page(
    ctx: &Context,
    state: &State,
    click: &ComponentInteraction,
    set: &str,
    page: usize,
) -> Result<()> {
    let Some(guild) = click.guild_id.map(|g| g.get()) else {
        return Ok(());
    };
    let reply = show(state, guild, Some(&SetId::from(set)), page)?;
    update(ctx, click, reply).await
}

async fn update(ctx: &Context, click: &ComponentInteraction, reply: Reply) -> Result<()> {
    click
        .create_response(
            &ctx.http,
            CreateInteractionResponse::UpdateMessage(reply.into_interaction()),
        )
        .await
        .context("could not update the message")
}

fn use_set(state: &State, guild: u64, set_id: Option<&SetId>) -> Result<Reply> {
    let Some(set) = find(state, guild, set_id)? else {
        return unknown_set(state, guild, set_id);
    };
    state.store.set_active(guild, Some(&set.id))?;
    Ok(Reply::notice(format!(
        "`/recommend` now uses `{}` — {} (v{}).",
        set.id, set.title, set.version
    )))
}

async fn preview(
    ctx: &Context,
    state: &State,
    command: &CommandInteraction,
    guild: u64,
    set_id: Option<&SetId>,
) -> Result<()> {
    let resolved = match set_id {
        Some(id) => state.find_set(Some(guild), id)?,
        None => None,
    };
    let Some(set) = resolved else {
        return super::respond(ctx, command, unknown_set(state, guild, set_id)?, true).await;
    };
    let mut session = flow::new_session(
        &set,
        session_id(command.id.get()),
        command.user.id.get(),
        Some(guild),
        None,
    );
    session.preview = true;
    state
        .store
        .put(&session)
        .context("could not store the preview")?;
    let mut reply = flow::view(state, &set, &session)?;
    reply.content = Some(format!("Previewing `{}`: answer as a user would; the result shows the weights it produces. Nothing is recorded.", set.id));
    super::respond(ctx, command, reply, true).await
}

async fn export(
    ctx: &Context,
    state: &State,
    command: &CommandInteraction,
    guild: u64,
    set_id: Option<&SetId>,
) -> Result<()> {
    let Some(id) = set_id else {
        return super::respond(ctx, command, unknown_set(state, guild, None)?, true).await;
    };
    let stored = state
        .store
        .current_sets(guild)?
        .into_iter()
        .find(|s| &s.set_id == id)
        .and_then(|s| s.source);
    let Some(source) = stored.or_else(|| state.sources.get(id).cloned()) else {
        return super::respond(ctx, command, unknown_set(state, guild, set_id)?, true).await;
    };
    let reply = Reply::notice(format!(
        "`{id}` as TOML: edit it and upload it again with `/questions upload`."
    ));
    let message = reply
        .into_interaction()
        .ephemeral(true)
        .add_file(CreateAttachment::bytes(
            source.into_bytes(),
            format!("{id}.toml"),
        ));
    command
        .create_response(&ctx.http, CreateInteractionResponse::Message(message))
        .await
        .context("could not send the export")
}

fn versions(state: &State, guild: u64, set_id: Option<&SetId>) -> Result<Reply> {
    let Some(id) = set_id else {
        return unknown_set(state, guild, None);
    };
    let versions = state.store.set_versions(guild, id)?;
    if versions.is_empty() {
        return Ok(Reply::notice(format!(
            "`{id}` has no stored versions in this server (built-in sets aren't versioned here)."
        )));
    }
    let current = versions.last().map(|v| v.revision);
    let lines: Vec<String> = versions
        .iter()
        .rev()
        .take(25)
        .map(|v| {
            let what = if v.source.is_some() {
                "upload"
            } else {
                "removal"
            };
            let mark = if Some(v.revision) == current && v.source.is_some() {
                " ← current"
            } else {
                ""
            };
            format!(
                "**v{}** — {what} by <@{}> <t:{}:R>{mark}",
                v.revision,
                v.changed_by,
                v.changed_at_ms / 1000
            )
        })
        .collect();
    Ok(Reply::notice(format!(
        "Versions of `{id}` (newest first):\n{}\n\nRestore one with `/questions rollback`.",
        lines.join("\n")
    )))
}

fn rollback(
    state: &State,
    guild: u64,
    user: u64,
    set_id: Option<&SetId>,
    version: u32,
) -> Result<Reply> {
    let Some(id) = set_id else {
        return unknown_set(state, guild, None);
    };
    let versions = state.store.set_versions(guild, id)?;
    let Some(target) = versions.iter().find(|v| v.revision == version) else {
        let known: Vec<String> = versions
            .iter()
            .map(|v| format!("v{}", v.revision))
            .collect();
        return Ok(Reply::notice(format!(
            "`{id}` has no version {version}. Stored: {}.",
            if known.is_empty() {
                "none".to_owned()
            } else {
                known.join(", ")
            }
        )));
    };
    let Some(source) = &target.source else {
        return Ok(Reply::notice(format!(
            "Version {version} of `{id}` is a removal; pick an upload to restore."
        )));
    };
    let revision = state
        .store
        .add_set_version(guild, id, Some(source), user, false)?;
    Ok(Reply::notice(format!(
        "Restored version {version} of `{id}`: it is now the current version ({revision})."
    )))
}

fn remove(state: &State, guild: u64, user: u64, set_id: Option<&SetId>) -> Result<Reply> {
    let Some(id) = set_id else {
        return unknown_set(state, guild, None);
    };
    if !state
        .store
        .current_sets(guild)?
        .iter()
        .any(|s| &s.set_id == id)
    {
        return Ok(Reply::notice(format!(
            "`{id}` is not a server set, so there is nothing to remove (built-in sets stay)."
        )));
    }
    // Also resets the server to the default if this was its set, in the same write.
    let revision = state.store.add_set_version(guild, id, None, user, false)?;
    Ok(Reply::notice(format!(
        "Removed `{id}`. Its versions are kept (`/questions versions`); roll back to restore it. (Recorded as version {revision}.)"
    )))
}

async fn panel(ctx: &Context, channel: ChannelId, set: Option<SetId>) -> Result<Reply> {
    let embed = CreateEmbed::new()
        .title("Which backend framework fits your project?")
        .description("Answer a few questions about your team and project; I'll recommend one of the guide's seven frameworks and explain why. Only you will see your answers.");
    let button = CreateButton::new(Other::Panel(set.map(|s| s.to_string())).to_string())
        .label("Find my framework")
        .style(ButtonStyle::Primary);
    let mut reply = Reply::embed(embed);
    reply.components = vec![CreateActionRow::Buttons(vec![button])];
    channel
        .send_message(&ctx.http, reply.into_message())
        .await
        .context("could not post the panel (does the bot have Send Messages there?)")?;
    Ok(Reply::notice(format!(
        "Posted the panel in <#{channel}>. Its button keeps working after restarts."
    )))
}

fn settings(
    state: &State,
    guild: u64,
    log_channel: Option<&ResolvedValue<'_>>,
    stop_logging: Option<bool>,
    public_results: Option<bool>,
) -> Result<Reply> {
    let mut settings: GuildSettings = state.store.settings(guild)?;
    if let Some(ResolvedValue::Channel(channel)) = log_channel {
        settings.log_channel_id = Some(channel.id.get());
    }
    if stop_logging == Some(true) {
        settings.log_channel_id = None;
    }
    if let Some(public) = public_results {
        settings.results_public = public;
    }
    state.store.put_settings(guild, &settings)?;
    let logging = settings
        .log_channel_id
        .map_or("off".to_owned(), |c| format!("in <#{c}>"));
    let visibility = if settings.results_public {
        "public (posted in the channel)"
    } else {
        "private (only the user sees them)"
    };
    Ok(Reply::notice(format!(
        "**Settings**\nResult logging: {logging}\nResults: {visibility}"
    )))
}
