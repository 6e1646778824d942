//! Limits from Discord's docs that the OpenAPI description leaves loose or out.

use std::collections::HashSet;

use serde_json::Value;

/// Checks `body` of the operation `op_id`, pushing one reason per broken limit.
pub(super) fn check(op_id: &str, body: &Value, out: &mut Vec<String>) {
    match op_id {
        "create_message"
        | "update_message"
        | "execute_webhook"
        | "update_original_webhook_message"
        | "update_webhook_message" => message(body, out),
        "create_interaction_response" => callback(body, out),
        "bulk_set_application_commands" | "bulk_set_guild_application_commands" => {
            commands(body.as_array().map_or(&[], Vec::as_slice), out);
        }
        "create_application_command"
        | "create_guild_application_command"
        | "update_application_command"
        | "update_guild_application_command" => command(body, out),
        _ => {}
    }
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

/// `v[key]`, if a string, must have `min..=max` characters; a missing/null value counts as
/// length 0 when `min > 0`.
fn len(v: &Value, key: &str, what: &str, min: usize, max: usize, out: &mut Vec<String>) {
    let n = v[key].as_str().map(chars);
    match n {
        Some(n) if n < min || n > max => {
            out.push(format!(
                "{what} {key} has {n} characters (allowed {min}..={max})"
            ));
        }
        None if min > 0 => out.push(format!("{what} needs a {key}")),
        _ => {}
    }
}

fn at_most(list: &[Value], max: usize, what: &str, out: &mut Vec<String>) {
    if list.len() > max {
        out.push(format!("{} {what} (at most {max})", list.len()));
    }
}

fn array<'a>(v: &'a Value, key: &str) -> &'a [Value] {
    v[key].as_array().map_or(&[], Vec::as_slice)
}

fn message(m: &Value, out: &mut Vec<String>) {
    len(m, "content", "message", 0, 2000, out);
    embeds(array(m, "embeds"), out);
    // Components V2 (flag 1 << 15) lays out differently; serenity 0.12 cannot build it.
    if m["flags"].as_u64().unwrap_or_default() & (1 << 15) == 0 {
        rows(array(m, "components"), false, out);
    }
}

fn embeds(list: &[Value], out: &mut Vec<String>) {
    at_most(list, 10, "embeds", out);
    let mut total = 0;
    for (i, e) in list.iter().enumerate() {
        let what = format!("embed {i}");
        len(e, "title", &what, 0, 256, out);
        len(e, "description", &what, 0, 4096, out);
        len(
            &e["footer"],
            "text",
            &format!("{what} footer"),
            0,
            2048,
            out,
        );
        len(&e["author"], "name", &format!("{what} author"), 0, 256, out);
        let fields = array(e, "fields");
        at_most(fields, 25, &format!("fields in {what}"), out);
        for (j, f) in fields.iter().enumerate() {
            len(f, "name", &format!("{what} field {j}"), 1, 256, out);
            len(f, "value", &format!("{what} field {j}"), 1, 1024, out);
            total += [&f["name"], &f["value"]]
                .iter()
                .filter_map(|s| s.as_str())
                .map(chars)
                .sum::<usize>();
        }
        let texts = [
            &e["title"],
            &e["description"],
            &e["footer"]["text"],
            &e["author"]["name"],
        ];
        total += texts
            .iter()
            .filter_map(|s| s.as_str())
            .map(chars)
            .sum::<usize>();
    }
    if total > 6000 {
        out.push(format!(
            "embeds hold {total} characters in total (at most 6000)"
        ));
    }
}

/// Action rows of a message (`modal == false`) or a modal.
fn rows(list: &[Value], modal: bool, out: &mut Vec<String>) {
    at_most(list, 5, "action rows", out);
    if modal && list.is_empty() {
        out.push("a modal needs at least one action row".to_owned());
    }
    let mut ids = HashSet::new();
    for (i, row) in list.iter().enumerate() {
        if row["type"].as_u64() != Some(1) {
            out.push(format!("top-level component {i} is not an action row"));
            continue;
        }
        let kids = array(row, "components");
        let kinds: Vec<u64> = kids
            .iter()
            .map(|c| c["type"].as_u64().unwrap_or_default())
            .collect();
        let selects = kinds.iter().filter(|k| matches!(k, 3 | 5..=8)).count();
        let buttons = kinds.iter().filter(|&&k| k == 2).count();
        let inputs = kinds.iter().filter(|&&k| k == 4).count();
        if kids.is_empty() {
            out.push(format!("action row {i} is empty"));
        } else if modal && (inputs != 1 || kids.len() != 1) {
            out.push(format!("modal row {i} must hold exactly one text input"));
        } else if !modal && inputs > 0 {
            out.push(format!("action row {i}: text inputs only go in modals"));
        } else if selects > 0 && kids.len() != 1 {
            out.push(format!(
                "action row {i} holds a select menu next to other components"
            ));
        } else if buttons > 5 {
            out.push(format!(
                "action row {i} holds {buttons} buttons (at most 5)"
            ));
        }
        for (j, c) in kids.iter().enumerate() {
            component(c, &format!("component {i}.{j}"), &mut ids, out);
        }
    }
}

fn component<'a>(c: &'a Value, what: &str, ids: &mut HashSet<&'a str>, out: &mut Vec<String>) {
    let kind = c["type"].as_u64().unwrap_or_default();
    // Link (5) and premium (6) buttons carry no custom_id; everything else needs one.
    let style = c["style"].as_u64().unwrap_or_default();
    let needs_id = !(kind == 2 && matches!(style, 5 | 6));
    if needs_id {
        len(c, "custom_id", what, 1, 100, out);
        if let Some(id) = c["custom_id"].as_str() {
            if !ids.insert(id) {
                out.push(format!(
                    "{what}: custom_id {id:?} is used twice in one message"
                ));
            }
        }
    } else if !c["custom_id"].is_null() {
        out.push(format!("{what}: link/premium buttons take no custom_id"));
    }
    match kind {
        2 => {
            len(c, "label", what, 0, 80, out);
            if style == 5 && c["url"].as_str().is_none() {
                out.push(format!("{what}: a link button needs a url"));
            }
        }
        3 | 5..=8 => {
            len(c, "placeholder", what, 0, 150, out);
            let options = array(c, "options");
            if kind == 3 {
                if options.is_empty() {
                    out.push(format!("{what}: a string select needs options"));
                }
                at_most(options, 25, &format!("options in {what}"), out);
            }
            for (k, o) in options.iter().enumerate() {
                let what = format!("{what} option {k}");
                len(o, "label", &what, 1, 100, out);
                len(o, "value", &what, 1, 100, out);
                len(o, "description", &what, 0, 100, out);
            }
            let min = c["min_values"].as_u64().unwrap_or(1);
            let max = c["max_values"].as_u64().unwrap_or(1);
            if min > 25 || !(1..=25).contains(&max) || min > max {
                out.push(format!(
                    "{what}: min_values {min} / max_values {max} out of range"
                ));
            }
            if kind == 3 && !options.is_empty() && max as usize > options.len() {
                out.push(format!(
                    "{what}: max_values {max} exceeds {} options",
                    options.len()
                ));
            }
        }
        4 => {
            len(c, "label", what, 1, 45, out);
            len(c, "value", what, 0, 4000, out);
            len(c, "placeholder", what, 0, 100, out);
        }
        _ => {}
    }
}

fn callback(b: &Value, out: &mut Vec<String>) {
    let data = &b["data"];
    match b["type"].as_u64() {
        Some(4 | 7) if data.is_object() => message(data, out),
        Some(8) => {
            let choices = array(data, "choices");
            at_most(choices, 25, "autocomplete choices", out);
            for (i, c) in choices.iter().enumerate() {
                len(c, "name", &format!("choice {i}"), 1, 100, out);
                len(c, "value", &format!("choice {i}"), 0, 100, out);
            }
        }
        Some(9) => {
            len(data, "title", "modal", 1, 45, out);
            len(data, "custom_id", "modal", 1, 100, out);
            rows(array(data, "components"), true, out);
        }
        _ => {}
    }
}

fn commands(list: &[Value], out: &mut Vec<String>) {
    at_most(list, 100, "commands", out);
    let mut names = HashSet::new();
    for c in list {
        let key = (
            c["type"].as_u64().unwrap_or(1),
            c["name"].as_str().unwrap_or_default(),
        );
        if !names.insert(key) {
            out.push(format!("command {:?} is registered twice", key.1));
        }
        command(c, out);
    }
}

fn command(c: &Value, out: &mut Vec<String>) {
    let name = c["name"].as_str().unwrap_or_default();
    let what = format!("command {name:?}");
    if c["type"].as_u64().unwrap_or(1) == 1 {
        named(c, &what, out);
        options(array(c, "options"), &what, out);
    } else {
        // User and message commands: any name up to 32 characters, empty description.
        len(c, "name", &what, 1, 32, out);
        if c["description"].as_str().is_some_and(|d| !d.is_empty()) {
            out.push(format!(
                "{what}: user/message commands take an empty description"
            ));
        }
    }
}

/// Name (1–32, lower case, letters/digits/`-`/`_`) and description (1–100) of a chat-input
/// command or option.
fn named(v: &Value, what: &str, out: &mut Vec<String>) {
    len(v, "name", what, 1, 32, out);
    len(v, "description", what, 1, 100, out);
    let name = v["name"].as_str().unwrap_or_default();
    if name
        .chars()
        .any(|ch| !(ch.is_alphanumeric() || ch == '-' || ch == '_') || ch.is_uppercase())
    {
        out.push(format!(
            "{what}: name {name:?} must be lower case letters, digits, - or _"
        ));
    }
}

fn options(list: &[Value], parent: &str, out: &mut Vec<String>) {
    at_most(list, 25, &format!("options in {parent}"), out);
    let mut names = HashSet::new();
    let mut seen_optional = false;
    for o in list {
        let name = o["name"].as_str().unwrap_or_default();
        let what = format!("{parent} option {name:?}");
        named(o, &what, out);
        if !names.insert(name) {
            out.push(format!("{what} appears twice"));
        }
        let required = o["required"].as_bool().unwrap_or(false);
        if required && seen_optional {
            out.push(format!(
                "{what}: required options must come before optional ones"
            ));
        }
        seen_optional |= !required;
        let choices = array(o, "choices");
        at_most(choices, 25, &format!("choices in {what}"), out);
        for (i, ch) in choices.iter().enumerate() {
            len(ch, "name", &format!("{what} choice {i}"), 1, 100, out);
            len(ch, "value", &format!("{what} choice {i}"), 0, 100, out);
        }
        if o["autocomplete"].as_bool() == Some(true) && !choices.is_empty() {
            out.push(format!(
                "{what}: autocomplete and choices exclude each other"
            ));
        }
        // Sub-commands (1) and groups (2) nest options.
        if matches!(o["type"].as_u64(), Some(1 | 2)) {
            options(array(o, "options"), &what, out);
        }
    }
}
