//! Request-body validation against Discord's OpenAPI 3.1 description (`openapi.json` next to
//! this file, vendored from discord/discord-api-spec, MIT, see `LICENSE-openapi`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock, PoisonError};

use jsonschema::Validator;
use serde_json::{json, Value};

const SPEC_PATH: &str = concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/tests/it/support/fake_discord/openapi.json"
);

/// An operation of the spec (method + path template).
pub(super) struct Operation {
    /// `operationId`, e.g. `create_message`.
    pub(super) id: String,
    method: String,
    segments: Vec<String>,
    /// The `application/json` request schema, if the operation takes a body.
    body: Option<Value>,
}

struct Spec {
    doc: Value,
    ops: Vec<Operation>,
}

fn spec() -> Result<&'static Spec, String> {
    static SPEC: OnceLock<Result<Spec, String>> = OnceLock::new();
    SPEC.get_or_init(load).as_ref().map_err(Clone::clone)
}

fn load() -> Result<Spec, String> {
    let text = std::fs::read_to_string(SPEC_PATH).map_err(|e| format!("{SPEC_PATH}: {e}"))?;
    let doc: Value = serde_json::from_str(&text).map_err(|e| format!("{SPEC_PATH}: {e}"))?;
    let mut ops = Vec::new();
    for (template, item) in doc["paths"].as_object().into_iter().flatten() {
        for (method, op) in item.as_object().into_iter().flatten() {
            let Some(id) = op["operationId"].as_str() else {
                continue;
            }; // e.g. "parameters"
            let body = &op["requestBody"]["content"]["application/json"]["schema"];
            ops.push(Operation {
                id: id.to_owned(),
                method: method.to_ascii_uppercase(),
                segments: template
                    .trim_start_matches('/')
                    .split('/')
                    .map(str::to_owned)
                    .collect(),
                body: body.is_object().then(|| body.clone()),
            });
        }
    }
    Ok(Spec { doc, ops })
}

/// The operation for `method` + `path` (without `/api/v10`); literal segments beat
/// `{params}`, so `/messages/@original` wins over `/messages/{message_id}`.
pub(super) fn operation(method: &str, path: &str) -> Result<Option<&'static Operation>, String> {
    let segs: Vec<&str> = path.trim_start_matches('/').split('/').collect();
    let best = spec()?
        .ops
        .iter()
        .filter(|op| op.method == method && op.segments.len() == segs.len())
        .filter_map(|op| {
            let mut literal = 0;
            for (t, s) in op.segments.iter().zip(&segs) {
                if t.starts_with('{') && !s.is_empty() {
                    continue;
                }
                if t != s {
                    return None;
                }
                literal += 1;
            }
            Some((literal, op))
        })
        .max_by_key(|(literal, _)| *literal)
        .map(|(_, op)| op);
    Ok(best)
}

/// Schema errors of `body` for `op` (empty when valid or when the operation has no body).
pub(super) fn check(op: &Operation, body: &Value) -> Result<Vec<String>, String> {
    let Some(schema) = &op.body else {
        return Ok(Vec::new());
    };
    let spec = spec()?;
    // For `anyOf` unions told apart by `type` (interaction callbacks), validate against the
    // matching branch: "not valid under any of the schemas" would not say what is wrong.
    let (key, schema) = match pick_branch(&spec.doc, schema, body) {
        Some(branch) => (branch["$ref"].as_str().unwrap_or(&op.id).to_owned(), branch),
        None => (op.id.clone(), schema),
    };
    let validator = validator(&key, schema)?;
    let body = normalize(&op.id, body);
    if validator.is_valid(&body) {
        return Ok(Vec::new());
    }
    let mut reasons = match validator.apply(&body).basic() {
        jsonschema::BasicOutput::Invalid(units) => explain(
            units
                .iter()
                .map(|u| {
                    (
                        u.keyword_location().to_string(),
                        u.instance_location().to_string(),
                        u.error_description().to_string(),
                    )
                })
                .collect(),
        ),
        jsonschema::BasicOutput::Valid(_) => Vec::new(),
    };
    if reasons.is_empty() {
        reasons = validator
            .iter_errors(&body)
            .map(|e| (e.instance_path.to_string(), e.to_string()))
            .collect();
    }
    Ok(reasons
        .into_iter()
        .take(3)
        .map(|(at, mut msg)| {
            if msg.len() > 200 {
                let cut = (0..=200)
                    .rev()
                    .find(|&i| msg.is_char_boundary(i))
                    .unwrap_or(0);
                msg.truncate(cut);
                msg.push('…');
            }
            format!("schema: {msg} (at {at:?})")
        })
        .collect())
}

/// Picks the errors worth reading out of jsonschema's "basic" output `(keyword location,
/// instance location, message)`: unions (`oneOf`) report every branch, so drop branches
/// ruled out by a wrong `type` discriminator or by not being `null`.
fn explain(units: Vec<(String, String, String)>) -> Vec<(String, String)> {
    let ruled_out: Vec<String> = units
        .iter()
        .filter_map(|(keyword, _, msg)| {
            let branch = match keyword.strip_suffix("/properties/type/enum") {
                Some(branch) => branch.trim_end_matches("/$ref"),
                None if msg.ends_with("is not of type \"null\"") => {
                    keyword.strip_suffix("/type")?
                }
                None => return None,
            };
            Some(format!("{branch}/"))
        })
        .collect();
    let mut out: Vec<(String, String)> = Vec::new();
    for (keyword, at, msg) in units {
        let pair = (at, msg);
        if !ruled_out.iter().any(|b| keyword.starts_with(b)) && !out.contains(&pair) {
            out.push(pair);
        }
    }
    out
}

fn pick_branch<'a>(doc: &'a Value, schema: &'a Value, body: &Value) -> Option<&'a Value> {
    let ty = body["type"].as_u64()?;
    schema["anyOf"].as_array()?.iter().find(|branch| {
        let target = branch["$ref"]
            .as_str()
            .and_then(|r| r.strip_prefix('#'))
            .unwrap_or("");
        let allowed = &doc.pointer(target).unwrap_or(&Value::Null)["properties"]["type"]["enum"];
        allowed
            .as_array()
            .is_some_and(|e| e.iter().any(|v| v.as_u64() == Some(ty)))
    })
}

/// Compiles (once per process) a validator whose root is the whole document, so every
/// `#/components/...` reference resolves, and whose `$ref` is the route's schema.
fn validator(key: &str, schema: &Value) -> Result<Arc<Validator>, String> {
    static CACHE: OnceLock<Mutex<HashMap<String, Arc<Validator>>>> = OnceLock::new();
    let cache = CACHE.get_or_init(Mutex::default);
    if let Some(v) = cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .get(key)
    {
        return Ok(Arc::clone(v));
    }
    let mut root = spec()?.doc.clone();
    root["$schema"] = json!("https://json-schema.org/draft/2020-12/schema");
    root["$defs"] = json!({ "route": schema });
    root["$ref"] = json!("#/$defs/route");
    let compiled = Arc::new(
        jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .build(&root)
            .map_err(|e| format!("compiling the schema for {key}: {e}"))?,
    );
    cache
        .lock()
        .unwrap_or_else(PoisonError::into_inner)
        .insert(key.to_owned(), compiled.clone());
    Ok(compiled)
}

/// Smooths over places where the spec is stricter than Discord (and than its own docs).
fn normalize(op_id: &str, body: &Value) -> Value {
    let mut body = body.clone();
    if op_id.contains("application_command") {
        // Docs: `default_member_permissions` is "?string"; the spec says integer, and
        // serenity (rightly) sends a string.
        let commands = match &mut body {
            Value::Array(list) => list.iter_mut().collect(),
            other => vec![other],
        };
        for c in commands {
            let perms = c
                .as_object_mut()
                .and_then(|c| c.get_mut("default_member_permissions"));
            if let Some(perms) = perms {
                if let Some(n) = perms.as_str().and_then(|s| s.parse::<u64>().ok()) {
                    *perms = json!(n);
                }
            }
        }
    }
    // Docs (uploading files): a new attachment's `id` is the integer index of its
    // `files[n]` part; the spec types every attachment id as a snowflake string.
    let data = if body.get("data").is_some() {
        &mut body["data"]
    } else {
        &mut body
    };
    if let Some(attachments) = data.get_mut("attachments").and_then(Value::as_array_mut) {
        for attachment in attachments {
            if let Some(index) = attachment.get("id").and_then(Value::as_u64) {
                attachment["id"] = json!(index.to_string());
            }
        }
    }
    body
}
