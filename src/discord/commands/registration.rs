//! Registering the slash commands only when they changed: the definitions are
//! compared with what Discord returns for `GET`, field by field after filling in
//! Discord's defaults, so a restart or a reconnect doesn't re-register anything.

use anyhow::{Context as _, Result};
use serde_json::{json, Map, Value};
use serenity::all::{Command, CreateCommand, GuildId, Http};
use tracing::{info, warn};

/// What a registration did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Registered {
    /// Discord already had these definitions.
    Unchanged,
    /// They were (re)written.
    Updated,
}

/// Makes sure the application id is known (needed before READY, e.g. by an HTTP
/// worker or `stackpick register`).
pub async fn ensure_application_id(http: &Http) -> Result<()> {
    if http.application_id().is_none() {
        let application = http
            .get_current_application_info()
            .await
            .context("could not learn the application id from Discord")?;
        http.set_application_id(application.id);
    }
    Ok(())
}

/// Registers `wanted` globally, or in each of `guilds` when given, where it differs
/// from what Discord has.
pub async fn sync(http: &Http, guilds: &[u64], wanted: Vec<CreateCommand>) -> Result<Registered> {
    ensure_application_id(http).await?;
    let mut outcome = Registered::Unchanged;
    if guilds.is_empty() {
        let current = Command::get_global_commands(http).await;
        if needs_update(
            &wanted,
            current.as_deref().map_err(|e| e.to_string()),
            Scope::Global,
        ) {
            let commands = Command::set_global_commands(http, wanted.clone())
                .await
                .context("global command registration was refused")?;
            info!(count = commands.len(), "registered global commands");
            outcome = Registered::Updated;
        } else {
            info!("global commands are up to date");
        }
    }
    for &guild in guilds {
        let guild_id = GuildId::new(guild);
        let current = guild_id.get_commands(http).await;
        if needs_update(
            &wanted,
            current.as_deref().map_err(|e| e.to_string()),
            Scope::Guild,
        ) {
            let commands = guild_id
                .set_commands(http, wanted.clone())
                .await
                .with_context(|| format!("command registration in guild {guild} was refused"))?;
            info!(count = commands.len(), guild, "registered guild commands");
            outcome = Registered::Updated;
        } else {
            info!(guild, "guild commands are up to date");
        }
    }
    Ok(outcome)
}

/// Where commands are registered: some fields only exist for global commands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Scope {
    Global,
    Guild,
}

fn needs_update(
    wanted: &[CreateCommand],
    current: Result<&[Command], String>,
    scope: Scope,
) -> bool {
    let current = match current {
        Ok(current) => current,
        Err(e) => {
            warn!(error = %e, "could not read the registered commands; registering them");
            return true;
        }
    };
    let wanted: Vec<Value> = wanted
        .iter()
        .filter_map(|c| serde_json::to_value(c).ok())
        .collect();
    let current: Vec<Value> = current
        .iter()
        .filter_map(|c| serde_json::to_value(c).ok())
        .collect();
    canonical_set(&wanted, scope) != canonical_set(&current, scope)
}

/// Commands in a comparable form, sorted by name. Localisations are not compared (we
/// set none). `contexts` and `integration_types` only apply to global commands, so
/// Discord's echo of guild commands isn't held to them.
fn canonical_set(commands: &[Value], scope: Scope) -> Vec<Value> {
    let mut all: Vec<Value> = commands
        .iter()
        .map(|command| {
            let mut canonical = canonical_command(command);
            if scope == Scope::Guild {
                canonical["contexts"] = Value::Null;
                canonical["integration_types"] = Value::Null;
            }
            canonical
        })
        .collect();
    all.sort_by(|a, b| a["name"].as_str().cmp(&b["name"].as_str()));
    all
}

fn sorted_numbers(value: &Value) -> Value {
    match value.as_array() {
        Some(items) => {
            let mut numbers: Vec<i64> = items.iter().filter_map(Value::as_i64).collect();
            numbers.sort_unstable();
            json!(numbers)
        }
        None => Value::Null,
    }
}

/// Permissions arrive as a string from Discord and may be a string or number from us.
fn permissions(value: &Value) -> Value {
    match value {
        Value::String(s) => json!(s),
        Value::Number(n) => json!(n.to_string()),
        _ => Value::Null,
    }
}

fn canonical_command(command: &Value) -> Value {
    json!({
        "name": command["name"],
        "description": command["description"],
        "type": command.get("type").and_then(Value::as_u64).unwrap_or(1),
        "default_member_permissions": permissions(&command["default_member_permissions"]),
        "contexts": sorted_numbers(&command["contexts"]),
        "integration_types": sorted_numbers(&command["integration_types"]),
        "nsfw": command["nsfw"].as_bool().unwrap_or(false),
        "options": canonical_options(&command["options"]),
    })
}

fn canonical_options(options: &Value) -> Value {
    let Some(options) = options.as_array() else {
        return json!([]);
    };
    Value::Array(options.iter().map(canonical_option).collect())
}

fn canonical_option(option: &Value) -> Value {
    let mut out = Map::new();
    for key in ["type", "name", "description"] {
        out.insert(key.to_owned(), option[key].clone());
    }
    for key in ["required", "autocomplete"] {
        out.insert(
            key.to_owned(),
            json!(option[key].as_bool().unwrap_or(false)),
        );
    }
    for key in ["min_value", "max_value", "min_length", "max_length"] {
        if let Some(value) = option.get(key).filter(|v| !v.is_null()) {
            // 1 and 1.0 are the same bound.
            out.insert(key.to_owned(), json!(value.as_f64()));
        }
    }
    let choices = option["choices"]
        .as_array()
        .map_or_else(Vec::new, |choices| {
            choices
                .iter()
                .map(|c| json!({ "name": c["name"], "value": c["value"] }))
                .collect()
        });
    out.insert("choices".to_owned(), json!(choices));
    out.insert(
        "channel_types".to_owned(),
        sorted_numbers(&option["channel_types"]),
    );
    out.insert("options".to_owned(), canonical_options(&option["options"]));
    Value::Object(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn discord_defaults_and_order_do_not_count_as_a_change() {
        let ours = json!({
            "name": "recommend", "description": "Pick", "contexts": [1, 0],
            "integration_types": [0],
            "options": [{"type": 3, "name": "set", "description": "Which", "autocomplete": true}]
        });
        let discords = json!({
            "id": "1", "application_id": "2", "version": "3", "type": 1,
            "name": "recommend", "description": "Pick", "contexts": [0, 1],
            "integration_types": [0], "nsfw": false, "default_member_permissions": null,
            "dm_permission": true,
            "options": [{"type": 3, "name": "set", "description": "Which",
                         "required": false, "autocomplete": true}]
        });
        assert_eq!(
            canonical_set(std::slice::from_ref(&ours), Scope::Global),
            canonical_set(&[discords], Scope::Global)
        );
        let mut changed = ours;
        changed["options"][0]["description"] = json!("Which set");
        let discords_again = json!({"name": "recommend", "description": "Pick",
            "contexts": [0, 1], "integration_types": [0],
            "options": [{"type": 3, "name": "set", "description": "Which", "autocomplete": true}]});
        assert_ne!(
            canonical_set(&[changed], Scope::Global),
            canonical_set(&[discords_again], Scope::Global)
        );
    }

    #[test]
    fn guild_commands_are_not_held_to_global_only_fields() {
        let ours =
            json!({"name": "a", "description": "A", "contexts": [0, 1], "integration_types": [0]});
        let echoed =
            json!({"name": "a", "description": "A", "contexts": null, "integration_types": [0]});
        assert_eq!(
            canonical_set(std::slice::from_ref(&ours), Scope::Guild),
            canonical_set(std::slice::from_ref(&echoed), Scope::Guild)
        );
        assert_ne!(
            canonical_set(&[ours], Scope::Global),
            canonical_set(&[echoed], Scope::Global)
        );
    }

    #[test]
    fn a_missing_or_extra_command_is_a_change() {
        let a = json!({"name": "a", "description": "A"});
        let b = json!({"name": "b", "description": "B"});
        assert_ne!(
            canonical_set(&[a.clone(), b.clone()], Scope::Global),
            canonical_set(std::slice::from_ref(&a), Scope::Global)
        );
        assert_eq!(
            canonical_set(&[a.clone(), b.clone()], Scope::Global),
            canonical_set(&[b, a], Scope::Global)
        );
    }

    #[test]
    fn our_definitions_match_themselves_once_registered() {
        let ours: Vec<Value> = super::super::all()
            .iter()
            .map(|c| serde_json::to_value(c).unwrap())
            .collect();
        assert!(ours.len() >= 8);
        assert_eq!(
            canonical_set(&ours, Scope::Global),
            canonical_set(&ours, Scope::Global)
        );
    }
}
