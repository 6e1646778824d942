//! The information commands: autocomplete of names, `/framework`, `/compare`,
//! `/frameworks`, `/criteria` and `/help`.

use serde_json::{json, Value};

use super::{
    callback_data, callback_type, components, description, guild_user, is_ephemeral, title, Bot,
};
use crate::support::fake_discord::payloads::{self, Origin};
use crate::support::fake_discord::Call;

/// The guide's seven criteria, in the catalogue's order.
const CRITERIA: [&str; 7] = [
    "Performance",
    "Scalability",
    "Flexibility",
    "Community & ecosystem",
    "Learning curve",
    "Security",
    "Future-proofing",
];

/// Autocomplete for `command` with `option` focused on `typed`; returns the choices.
async fn choices(bot: &Bot, command: &str, options: Value, origin: &Origin) -> Vec<Value> {
    let call = bot
        .interact(payloads::autocomplete(command, options, origin))
        .await;
    assert_eq!(callback_type(&call), 8, "{call:?}");
    callback_data(&call)["choices"].as_array().unwrap().clone()
}

/// A command's embed reply, checked to be one embed with no components, ephemeral in a
/// server.
fn embed_reply(call: &Call, in_guild: bool) -> Value {
    assert_eq!(callback_type(call), 4, "{call:?}");
    assert_eq!(is_ephemeral(call), in_guild, "private in a server only");
    let data = callback_data(call);
    assert_eq!(data["embeds"].as_array().unwrap().len(), 1, "{data}");
    assert!(components(&data).is_empty(), "{data}");
    data
}

fn field_names(message: &Value) -> Vec<String> {
    message["embeds"][0]["fields"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| f["name"].as_str().unwrap().to_owned())
        .collect()
}

#[tokio::test]
async fn autocomplete_offers_matching_frameworks_and_sets() {
    let bot = Bot::start().await;
    let me = guild_user("auto");
    let typed = |name: &str, value: &str| json!([{ "name": name, "type": 3, "value": value, "focused": true }]);

    let found = choices(&bot, "framework", typed("name", "pho"), &me).await;
    assert_eq!(found, [json!({ "name": "Phoenix", "value": "phoenix" })]);
    let everything = choices(&bot, "framework", typed("name", ""), &me).await;
    assert_eq!(
        everything.len(),
        7,
        "an empty prefix lists all: {everything:?}"
    );
    let second = json!([
        { "name": "a", "type": 3, "value": "nextjs" },
        { "name": "b", "type": 3, "value": "lar", "focused": true },
    ]);
    let found = choices(&bot, "compare", second, &me).await;
    assert_eq!(found, [json!({ "name": "Laravel", "value": "laravel" })]);
    let sets = choices(
        &bot,
        "recommend",
        typed("set", "qui"),
        &Origin::dm(payloads::user("dm")),
    )
    .await;
    assert_eq!(sets.len(), 1, "{sets:?}");
    assert_eq!(sets[0]["value"], "quick");
    assert!(choices(&bot, "framework", typed("name", "django"), &me)
        .await
        .is_empty());
    bot.fake.assert_no_violations();
}

#[tokio::test]
async fn framework_compare_frameworks_criteria_and_help_answer_with_embeds() {
    let bot = Bot::start().await;
    let me = guild_user("info");
    let name = |value: &str| json!([{ "name": "name", "type": 3, "value": value }]);

    let (call, _) = bot.command("framework", name("phoenix"), &me).await;
    let phoenix = embed_reply(&call, true);
    assert_eq!(title(&phoenix), "Phoenix");
    let fields = field_names(&phoenix);
    assert_eq!(fields.len(), 7, "{fields:?}");
    for (field, criterion) in fields.iter().zip(CRITERIA) {
        assert!(
            field.starts_with(&format!("{criterion} — ")) && field.ends_with("/5"),
            "{field}"
        );
    }
    assert!(
        description(&phoenix).contains("Elixir"),
        "{}",
        description(&phoenix)
    );
    // Names are matched loosely; unknown ones get the list of known ones.
    let (call, _) = bot.command("framework", name("Next.JS"), &me).await;
    assert_eq!(title(&embed_reply(&call, true)), "Next.js");
    let (call, _) = bot.command("framework", name("django"), &me).await;
    let unknown = description(&embed_reply(&call, true));
    assert!(
        unknown.contains("I don't know “django”") && unknown.contains("Phoenix"),
        "{unknown}"
    );

    let pair = |a: &str, b: &str| {
        json!([
            { "name": "a", "type": 3, "value": a },
            { "name": "b", "type": 3, "value": b },
        ])
    };
    let (call, _) = bot.command("compare", pair("nextjs", "laravel"), &me).await;
    let compared = embed_reply(&call, true);
    assert_eq!(title(&compared), "Next.js vs Laravel");
    let fields = field_names(&compared);
    assert_eq!(fields.len(), 7, "{fields:?}");
    for (field, criterion) in fields.iter().zip(CRITERIA) {
        assert!(
            field.starts_with(&format!("{criterion}: Next.js ")) && field.contains(" · Laravel "),
            "{field}"
        );
    }
    assert!(
        description(&compared).contains("Guide totals: Next.js 32.5 · Laravel 31"),
        "{}",
        description(&compared)
    );
    let (call, _) = bot.command("compare", pair("nextjs", "Next.js"), &me).await;
    assert!(description(&embed_reply(&call, true)).contains("two different"));

    let (call, _) = bot.command("frameworks", json!([]), &me).await;
    let overview = embed_reply(&call, true);
    assert_eq!(title(&overview), "Top 7 Backend Frameworks to Use in 2024");
    let fields = field_names(&overview);
    assert_eq!(fields.len(), 7, "{fields:?}");
    assert!(
        fields[0].starts_with("Next.js — 32.5 / 35"),
        "highest total first: {fields:?}"
    );

    let (call, _) = bot.command("criteria", json!([]), &me).await;
    let criteria = embed_reply(&call, true);
    assert_eq!(title(&criteria), "The guide's seven criteria");
    assert_eq!(field_names(&criteria), CRITERIA);

    let (call, _) = bot.command("help", json!([]), &me).await;
    let help = embed_reply(&call, true);
    assert_eq!(title(&help), "stackpick");
    for command in [
        "/recommend",
        "/frameworks",
        "/framework",
        "/compare",
        "/criteria",
    ] {
        assert!(description(&help).contains(command), "{command}");
    }
    // In a DM with the bot, the same answer is an ordinary message.
    let (call, _) = bot
        .command("help", json!([]), &Origin::dm(payloads::user("dm")))
        .await;
    assert_eq!(title(&embed_reply(&call, false)), "stackpick");
    bot.fake.assert_no_violations();
}
