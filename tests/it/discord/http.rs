//! Discord's HTTP interactions endpoint: HTTP-only workers (`[gateway] enabled =
//! false`) take signed POSTs from the fake Discord and answer commands and clicks
//! inline, in the HTTP response. Several workers over one database are one bot, even
//! when one is killed with SIGKILL; bad requests get a 4xx before any database work.

use std::path::Path;

use serde_json::{json, Value};
use stackpick::config::Database;
use stackpick::discord::custom_id::session_id;
use stackpick::ids::FrameworkId;

use super::{
    answer_in, answer_payload, callback_data, callback_type, components, deferred_answer,
    description, footer, get, guild_user, http_worker_toml, is_ephemeral, post_inline, quick, sent,
    server_admin, session_of, settled, title, HttpWorker, Process, Transport, T, TO_PHOENIX,
};
use crate::store::{contract, Backend, Db};
use crate::support::fake_discord::payloads::{self, dm_channel_id};
use crate::support::fake_discord::{Call, FakeDiscord};

/// The session and step the components of a shown question carry.
fn shown(message: &Value) -> (String, u32) {
    let first = components(message)
        .into_iter()
        .find_map(|c| c["custom_id"].as_str().map(str::to_owned))
        .unwrap_or_else(|| panic!("no components in {message}"));
    session_of(&first)
}

#[tokio::test]
async fn recommend_over_http_only_is_answered_inline_and_its_result_stored() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let worker = HttpWorker::start(&fake, db.open().await).await;
    let me = guild_user("hattie");

    let (call, token) = worker.command("recommend", quick(), &me).await;
    assert_eq!(callback_type(&call), 4, "a new message");
    assert!(is_ephemeral(&call), "private in a server");
    let mut message = worker.message(&token);
    assert!(
        footer(&message).starts_with("Question 1 of 4"),
        "{}",
        footer(&message)
    );
    let (session, _) = shown(&message);
    for (i, (question, option)) in TO_PHOENIX.into_iter().enumerate() {
        let (call, token) = answer_in(&worker, "quick", &message, &me, question, &[option]).await;
        // The result carries its chart: acknowledged, then edited in over REST.
        let last = i + 1 == TO_PHOENIX.len();
        let expected = if last { 6 } else { 7 };
        assert_eq!(
            callback_type(&call),
            expected,
            "each click updates the message"
        );
        callback_data(&call);
        message = settled(&worker, &call, &token).await;
    }
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );

    // The result is stored, and the session points at it.
    let stored = worker.store.get(&session).await.unwrap().unwrap();
    let results = worker.store.recent_results(me.user_id(), 5).await.unwrap();
    assert_eq!(results.len(), 1, "one result");
    assert_eq!(stored.result_id, Some(results[0].id));
    assert_eq!(results[0].set_id.as_str(), "quick");
    assert_eq!(results[0].answers, stored.conversation.answers);
    assert_eq!(
        results[0].recommendation.winner(),
        Some(&FrameworkId::from("phoenix"))
    );

    // Every response rode in an HTTP answer, but for the result's chart: files go
    // over REST, as the edit of the acknowledged click.
    let calls = fake.calls();
    assert_eq!(calls.len(), 1 + TO_PHOENIX.len() + 1, "{calls:#?}");
    let (rest, inline): (Vec<&Call>, Vec<&Call>) = calls.iter().partition(|c| !c.inline);
    for call in &inline {
        assert!(
            call.is("POST", "/interactions/*/*/callback") && call.status == 204,
            "only inline answers, accepted: {call:?}"
        );
    }
    assert!(
        rest.len() == 1
            && rest[0].is("PATCH", "/webhooks/*/*/messages/@original")
            && rest[0].files.len() == 1,
        "{rest:#?}"
    );
    fake.assert_no_violations();
}

contract!(
    two_workers_alternate_the_clicks_of_one_conversation,
    a_double_click_racing_on_two_workers_records_one_answer,
    a_worker_killed_after_an_acknowledged_answer_loses_nothing,
);

/// Started on worker A, continued on B, finished on A: the conversation lives in the
/// shared database, and every step is where the other worker left it.
async fn two_workers_alternate_the_clicks_of_one_conversation(db: &Db) {
    let fake = FakeDiscord::start().await.unwrap();
    let a = HttpWorker::start(&fake, db.open().await).await;
    let b = HttpWorker::start(&fake, db.open().await).await;
    let me = guild_user("alternating");

    let (_, token) = a.command("recommend", quick(), &me).await;
    let mut message = a.message(&token);
    let (session, mut step) = shown(&message);
    let workers = [&b, &a, &b, &a];
    for (i, ((question, option), worker)) in TO_PHOENIX.into_iter().zip(workers).enumerate() {
        let (call, token) = answer_in(worker, "quick", &message, &me, question, &[option]).await;
        let expected = if i + 1 == TO_PHOENIX.len() { 6 } else { 7 };
        assert_eq!(
            callback_type(&call),
            expected,
            "answered on the other worker"
        );
        message = settled(worker, &call, &token).await;
        // The other worker's store sees the step this one just stored.
        let other = if std::ptr::eq(worker, &a) { &b } else { &a };
        let stored = other.store.get(&session).await.unwrap().unwrap();
        assert_eq!(stored.step, step + 1, "one step per answer");
        assert_eq!(stored.conversation.answers.iter().count(), i + 1);
        step = stored.step;
        if i + 1 < TO_PHOENIX.len() {
            assert_eq!(shown(&message), (session.clone(), step), "shows that step");
        }
    }
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );
    let results = b.store.recent_results(me.user_id(), 5).await.unwrap();
    assert_eq!(results.len(), 1, "stored once");
    let rest: Vec<Call> = fake.calls().into_iter().filter(|c| !c.inline).collect();
    assert!(
        rest.len() == 1 && rest[0].is("PATCH", "/webhooks/*/*/messages/@original"),
        "only the result's chart went over REST: {rest:#?}"
    );
    fake.assert_no_violations();
}

/// At every question, the same click is sent to both workers at once: one answer is
/// recorded, and both clicks show the conversation's next step.
async fn a_double_click_racing_on_two_workers_records_one_answer(db: &Db) {
    let fake = FakeDiscord::start().await.unwrap();
    let a = HttpWorker::start(&fake, db.open().await).await;
    let b = HttpWorker::start(&fake, db.open().await).await;
    let me = guild_user("double");
    let quick = crate::core::builtin("quick");

    let (_, token) = a.command("recommend", self::quick(), &me).await;
    let mut message = a.message(&token);
    for (i, (question, option)) in TO_PHOENIX.into_iter().enumerate() {
        let (session, step) = shown(&message);
        let first = answer_payload(&quick, &message, &me, question, &[option]);
        let second = answer_payload(&quick, &message, &me, question, &[option]);
        let tokens = [&first, &second].map(|c| c["token"].as_str().unwrap().to_owned());
        let (on_a, on_b) = tokio::join!(a.interact(first), b.interact(second));
        // The click that lost the race finds its step outdated: it shows the stored
        // conversation, which the winner moved on, so both show the same next step (6
        // at the result, whose chart is edited in over REST).
        let types = (callback_type(&on_a), callback_type(&on_b));
        assert!(
            matches!(types, (6, 6) | (7, 7)),
            "both update the message at question {}: {types:?}",
            i + 1
        );
        if types.0 == 7 {
            assert_eq!(
                callback_data(&on_a),
                callback_data(&on_b),
                "the same next step at question {}",
                i + 1
            );
        }
        let (winner, token) = (on_a, &tokens[0]);
        let stored = a.store.get(&session).await.unwrap().unwrap();
        assert_eq!(stored.step, step + 1, "exactly one answer recorded");
        assert_eq!(stored.conversation.answers.iter().count(), i + 1);
        message = settled(&a, &winner, token).await;
    }
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );
    let results = b.store.recent_results(me.user_id(), 5).await.unwrap();
    assert_eq!(results.len(), 1, "one result, not two");
    fake.assert_no_violations();
}

/// A real `stackpick serve` HTTP worker process on `config` in `dir`.
struct HttpProcess<'f> {
    fake: &'f FakeDiscord,
    base: String,
    process: Process,
}

impl<'f> HttpProcess<'f> {
    /// Starts it listening on `listen` and waits until `/healthz` answers 200.
    async fn start(
        fake: &'f FakeDiscord,
        dir: &Path,
        database: &Database,
        listen: &str,
    ) -> HttpProcess<'f> {
        let database = match database {
            Database::Sqlite(path) => path.display().to_string(),
            Database::Postgres(url) => url.expose().to_owned(),
        };
        let mut process = Process::spawn(fake, dir, &database, &http_worker_toml(fake, listen));
        let base = format!("http://{listen}");
        let client = reqwest::Client::builder().no_proxy().build().unwrap();
        let deadline = tokio::time::Instant::now() + T;
        loop {
            let health = client.get(format!("{base}/healthz")).send().await;
            if health.is_ok_and(|r| r.status() == 200) {
                break;
            }
            if let Some(status) = process.exited() {
                panic!("the worker process exited at start: {status}");
            }
            assert!(
                tokio::time::Instant::now() < deadline,
                "the worker did not get healthy within {T:?}"
            );
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        HttpProcess {
            fake,
            base,
            process,
        }
    }
}

impl Transport for HttpProcess<'_> {
    fn fake(&self) -> &FakeDiscord {
        self.fake
    }

    async fn send(&self, interaction: Value) {
        post_inline(
            self.fake,
            &format!("{}/interactions", self.base),
            interaction,
        )
        .await;
    }
}

/// A loopback address with a port that was free a moment ago.
fn free_address() -> String {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().to_string()
}

/// SIGKILL right after an answer was acknowledged (its HTTP answer received), then a
/// new process on the same database and address: the conversation goes on from there.
async fn a_worker_killed_after_an_acknowledged_answer_loses_nothing(db: &Db) {
    let fake = FakeDiscord::start().await.unwrap();
    let dir = tempfile::tempdir().unwrap();
    let database = db.as_setting().await;
    let listen = free_address();
    let me = guild_user("killed");
    let worker = HttpProcess::start(&fake, dir.path(), &database, &listen).await;

    let (_, token) = worker.command("recommend", quick(), &me).await;
    let message = worker.message(&token);
    let (question, option) = TO_PHOENIX[0];
    let (acknowledged, token) =
        answer_in(&worker, "quick", &message, &me, question, &[option]).await;
    assert_eq!(callback_type(&acknowledged), 7);
    let message = worker.message(&token);
    assert!(footer(&message).starts_with("Question 2 of 4"));
    let (session, step) = shown(&message);

    worker.process.kill();
    let store = db.open().await;
    let stored = store.get(&session).await.unwrap().expect("kept");
    assert_eq!(stored.step, step, "the acknowledged answer is stored");
    assert_eq!(stored.conversation.answers.iter().count(), 1);

    // The message shown before the crash goes on, on a new process.
    let worker = HttpProcess::start(&fake, dir.path(), &database, &listen).await;
    let mut message = message;
    for (question, option) in &TO_PHOENIX[1..] {
        let (call, token) = answer_in(&worker, "quick", &message, &me, question, &[option]).await;
        let expected = if *question == "deadline" { 6 } else { 7 };
        assert_eq!(callback_type(&call), expected);
        message = settled(&worker, &call, &token).await;
    }
    assert!(
        title(&message).starts_with("Phoenix"),
        "{}",
        title(&message)
    );
    let results = store.recent_results(me.user_id(), 5).await.unwrap();
    assert_eq!(results.len(), 1);
    assert_eq!(results[0].answers.iter().count(), TO_PHOENIX.len());
    fake.assert_no_violations();
}

/// A request the endpoint must refuse, and the status it gets.
struct Bad<'a> {
    what: &'a str,
    method: &'a str,
    path: &'a str,
    body: Vec<u8>,
    headers: Vec<(&'a str, &'a str)>,
    status: u16,
}

impl<'a> Bad<'a> {
    /// `body` POSTed to `/interactions`, signed.
    fn post(what: &'a str, body: Vec<u8>, status: u16) -> Self {
        Bad {
            what,
            method: "POST",
            path: "/interactions",
            body,
            headers: Vec::new(),
            status,
        }
    }

    /// With this header replaced (removed when `value` is empty).
    fn header(mut self, name: &'a str, value: &'a str) -> Self {
        self.headers.push((name, value));
        self
    }

    /// Sent with another method or to another path.
    fn to(mut self, method: &'a str, path: &'a str) -> Self {
        self.method = method;
        self.path = path;
        self
    }
}

/// JSON padded with spaces (still the same JSON) to `len` bytes.
fn padded(mut json: Vec<u8>, len: usize) -> Vec<u8> {
    json.resize(len, b' ');
    json
}

#[tokio::test]
async fn bad_requests_get_a_4xx_and_no_database_work_and_a_ping_gets_a_pong() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let worker = HttpWorker::start(&fake, db.open().await).await;
    let me = guild_user("mallory");
    let url = worker.url();
    // Each bad request carries a `/recommend` that would start a conversation if it
    // were handled.
    let mut commands = Vec::new();
    let mut command = || {
        let command = payloads::slash_command("recommend", quick(), &me);
        commands.push(payloads::id_of(&command).unwrap());
        command
    };
    let bytes = |v: &Value| serde_json::to_vec(v).unwrap();
    let (signature, timestamp) = ("X-Signature-Ed25519", "X-Signature-Timestamp");
    let another_key = "ab".repeat(64);
    let mut unknown = command();
    unknown["type"] = json!(99);
    let mut modal = command();
    modal["type"] = json!(5);
    modal["data"] = json!({ "custom_id": "m", "components": [] });

    let cases = [
        Bad::post("no signature", bytes(&command()), 401).header(signature, ""),
        Bad::post("no timestamp", bytes(&command()), 401).header(timestamp, ""),
        Bad::post("a signature by another key", bytes(&command()), 401)
            .header(signature, &another_key),
        Bad::post("a signature that is not hex", bytes(&command()), 401)
            .header(signature, "not a signature"),
        Bad::post("a signature of another timestamp", bytes(&command()), 401)
            .header(timestamp, "1"),
        Bad::post(
            "a body over 1 MiB",
            padded(bytes(&command()), (1 << 20) + 1),
            413,
        ),
        Bad::post("not JSON", b"type=2&name=recommend".to_vec(), 400),
        Bad::post("an unknown interaction type", bytes(&unknown), 400),
        Bad::post(
            "a modal submission (a type this bot never asks for)",
            bytes(&modal),
            400,
        ),
        Bad::post("the wrong method", bytes(&command()), 405).to("GET", "/interactions"),
        Bad::post("the wrong path", bytes(&command()), 404).to("POST", "/interaction"),
    ];
    for bad in cases {
        let url = format!("{}{}", worker.base, bad.path);
        let answer = fake
            .post_signed_raw(&url, bad.method, bad.body, &bad.headers)
            .await
            .unwrap();
        assert_eq!(answer.status, bad.status, "{}: {answer:?}", bad.what);
    }
    // And a body that fits exactly is read (and, being a valid command, answered).
    let fits = padded(bytes(&command()), 1 << 20);
    let answer = fake.post_signed_raw(&url, "POST", fits, &[]).await.unwrap();
    assert_eq!(answer.status, 200, "1 MiB is allowed: {answer:?}");
    let fitted = commands.pop().unwrap();

    // None of them reached the database; no request went to Discord either.
    for id in &commands {
        assert_eq!(worker.store.get(&session_id(*id)).await.unwrap(), None);
    }
    assert!(worker
        .store
        .get(&session_id(fitted))
        .await
        .unwrap()
        .is_some());
    assert_eq!(
        worker.store.count_open().await.unwrap(),
        1,
        "only the one that fits"
    );
    assert!(fake.calls().is_empty(), "{:#?}", fake.calls());

    // Discord checks the URL with a PING.
    let pong = fake.post_interaction(&url, payloads::ping()).await.unwrap();
    assert_eq!(pong.status, 200);
    assert_eq!(pong.body, Some(json!({ "type": 1 })));
    assert!(
        pong.content_type
            .as_deref()
            .is_some_and(|t| t.starts_with("application/json")),
        "{pong:?}"
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn recommend_with_dm_over_http_is_deferred_inline_then_finished_over_rest() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let worker = HttpWorker::start(&fake, db.open().await).await;
    let me = guild_user("dmhttp");
    let options = json!([
        { "name": "set", "type": 3, "value": "quick" },
        { "name": "dm", "type": 5, "value": true },
    ]);
    let (call, token) = worker.command("recommend", options, &me).await;
    assert!(call.inline, "deferred in the HTTP answer");
    assert_eq!(callback_type(&call), 5);
    assert!(is_ephemeral(&call));
    let answered = deferred_answer(&worker, &token).await;
    let notice = description(answered.body.as_ref().unwrap());
    assert!(notice.contains("I've sent you a DM"), "{notice}");

    let calls = fake.calls();
    let open = find(&calls, "POST", "/users/@me/channels");
    assert_eq!(open.body_str("recipient_id"), me.user_id().to_string());
    let path = format!("/channels/{}/messages", dm_channel_id(me.user_id()));
    let dm = find(&calls, "POST", &path);
    assert!(call.index < open.index && dm.index < answered.index);
    let first = sent(dm);
    assert!(footer(&first).starts_with("Question 1 of 4"), "{first}");
    assert!(description(&first).contains("reply with a number"));
    fake.assert_no_violations();
}

#[tokio::test]
async fn questions_export_over_http_is_deferred_inline_then_edited_with_the_file() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let worker = HttpWorker::start(&fake, db.open().await).await;
    let admin = server_admin(7_100);
    let export = super::questions(
        "export",
        json!([{ "name": "set", "type": 3, "value": "quick" }]),
        &admin,
    );
    let token = export["token"].as_str().unwrap().to_owned();
    let call = worker.interact(export).await;
    assert!(call.inline);
    assert_eq!(callback_type(&call), 5, "files can't ride inline: deferred");
    assert!(is_ephemeral(&call));
    let edit = deferred_answer(&worker, &token).await;
    assert_eq!(edit.status, 200, "{edit:?}");
    assert_eq!(edit.files.len(), 1, "{edit:?}");
    assert_eq!(edit.files[0].filename.as_deref(), Some("quick.toml"));
    let source = String::from_utf8(edit.files[0].bytes.clone()).unwrap();
    assert_eq!(source, include_str!("../../../questions/quick.toml"));
    assert!(description(edit.body.as_ref().unwrap()).contains("`quick` as TOML"));
    let shown = worker.message(&token);
    assert_eq!(
        shown["attachments"].as_array().map(Vec::len),
        Some(1),
        "{shown}"
    );
    fake.assert_no_violations();
}

#[tokio::test]
async fn healthz_and_metrics_are_served_beside_the_endpoint() {
    let fake = FakeDiscord::start().await.unwrap();
    let db = Db::new(Backend::Sqlite).await.unwrap();
    let worker = HttpWorker::start(&fake, db.open().await).await;
    let (status, body) = get(&format!("{}/healthz", worker.base)).await;
    assert_eq!(status, 200, "{body}");

    // Other tests in this process count too (one recorder per process): compare.
    let commands = |text: &str| -> u64 {
        text.lines()
            .filter(|l| {
                l.starts_with("stackpick_interactions_total{")
                    && l.contains("kind=\"command\"")
                    && l.contains("outcome=\"ok\"")
            })
            .filter_map(|l| l.rsplit(' ').next()?.parse::<u64>().ok())
            .sum()
    };
    let metrics = format!("{}/metrics", worker.base);
    let (_, before) = get(&metrics).await;
    worker
        .command("help", json!([]), &guild_user("metered"))
        .await;
    let (status, after) = get(&metrics).await;
    assert_eq!(status, 200);
    assert!(
        commands(&after) > commands(&before),
        "a command is counted:\n{after}"
    );
    assert!(
        after.contains("# TYPE stackpick_interactions_total counter"),
        "{after}"
    );
    fake.assert_no_violations();
}

/// The one call matching `method` and `pattern`.
fn find<'c>(calls: &'c [Call], method: &str, pattern: &str) -> &'c Call {
    calls
        .iter()
        .find(|c| c.is(method, pattern))
        .unwrap_or_else(|| panic!("no {method} {pattern} in {calls:#?}"))
}
