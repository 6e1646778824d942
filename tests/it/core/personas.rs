//! Personas answering the default set, each with the winner the guide's facts argue
//! for. Answers are given for every question; `[]` skips an optional one.

use stackpick::engine::{recommend, Recommendation, Verdict};
use stackpick::guide::Catalogue;

use super::{answers, builtin};

fn run(pairs: &[(&str, &[&str])]) -> Recommendation {
    let set = builtin("default");
    let answers = answers(pairs);
    answers
        .check(&set)
        .expect("persona answers fit the default set");
    recommend(Catalogue::builtin(), &set, &answers)
}

fn winner(pairs: &[(&str, &[&str])]) -> String {
    run(pairs)
        .winner()
        .expect("something is recommended")
        .to_string()
}

#[test]
fn an_elixir_team_building_large_real_time_chat_gets_phoenix() {
    // The guide: BEAM processes hold huge numbers of concurrent connections, WebSockets
    // and LiveView are built in, and it scales horizontally: performance and
    // scalability both 5, and the team already writes Elixir.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["elixir"]),
        ("stick_to_languages", &["prefer"]),
        ("experience", &["senior"]),
        ("app_type", &["realtime_app"]),
        ("scale", &["large"]),
        ("realtime", &["critical"]),
        ("deadline", &["months"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &["servers"]),
        ("ruled_out", &[]),
    ];
    assert_eq!(winner(pairs), "phoenix");
}

#[test]
fn a_rust_team_chasing_raw_throughput_gets_actix_and_an_honest_note() {
    // The guide: Actix is among the fastest frameworks (performance and scalability
    // 5) thanks to Rust; the team only wants Rust, so the language rule decides, and
    // the explanation admits Next.js is rated at least as high everywhere.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["rust"]),
        ("stick_to_languages", &["must"]),
        ("experience", &["senior"]),
        ("app_type", &["api"]),
        ("scale", &["massive"]),
        ("realtime", &["some"]),
        ("deadline", &["no_rush"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &["servers"]),
        ("ruled_out", &[]),
    ];
    let result = run(pairs);
    let Verdict::Recommend(explanation) = &result.verdict else {
        panic!("Actix stays eligible");
    };
    assert_eq!(explanation.winner.as_str(), "actix");
    assert!(explanation
        .rated_higher_by_guide
        .iter()
        .any(|f| f.as_str() == "nextjs"));
}

#[test]
fn a_php_team_shipping_a_crud_app_fast_gets_laravel() {
    // The guide: routing, ORM and auth built in, gentle learning curve (4.5), large
    // community (5), strong security (4.5); the team writes PHP.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["php"]),
        ("stick_to_languages", &["prefer"]),
        ("experience", &["mixed"]),
        ("app_type", &["crud"]),
        ("scale", &["growing"]),
        ("realtime", &["none"]),
        ("deadline", &["weeks"]),
        ("security", &["sensitive"]),
        ("maintenance", &["years"]),
        ("hosting", &["paas"]),
        ("ruled_out", &[]),
    ];
    assert_eq!(winner(pairs), "laravel");
}

#[test]
fn a_ruby_team_building_an_e_commerce_mvp_gets_rails() {
    // The guide: convention over configuration and a huge gem ecosystem make Rails
    // quick for CRUD products such as shops, with built-in protection against SQL
    // injection, XSS and CSRF (security 4.5); the team writes Ruby.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["ruby"]),
        ("stick_to_languages", &["prefer"]),
        ("experience", &["mixed"]),
        ("app_type", &["crud"]),
        ("scale", &["small"]),
        ("realtime", &["none"]),
        ("deadline", &["weeks"]),
        ("security", &["sensitive"]),
        ("maintenance", &["prototype"]),
        ("hosting", &["paas"]),
        ("ruled_out", &[]),
    ];
    assert_eq!(winner(pairs), "rails");
}

#[test]
fn a_react_team_needing_server_rendering_for_seo_gets_nextjs() {
    // The guide: Next.js is React's full-stack framework with SSR, SSG and edge
    // support, and turns API routes into serverless functions.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["javascript"]),
        ("stick_to_languages", &["prefer"]),
        ("experience", &["mixed"]),
        ("app_type", &["fullstack"]),
        ("frontend", &["react"]),
        ("scale", &["large"]),
        ("realtime", &["some"]),
        ("deadline", &["months"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &["serverless"]),
        ("ruled_out", &[]),
    ];
    assert_eq!(winner(pairs), "nextjs");
}

#[test]
fn a_node_team_building_a_high_throughput_json_api_gets_fastify() {
    // The guide: Fastify is a low-overhead Node.js framework for APIs and
    // microservices with schema-based validation; it matches Next.js on performance
    // and scalability and beats it on security (4 vs 3.5).
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["javascript"]),
        ("stick_to_languages", &["must"]),
        ("experience", &["senior"]),
        ("app_type", &["api"]),
        ("scale", &["massive"]),
        ("realtime", &["none"]),
        ("deadline", &["months"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &["servers"]),
        ("ruled_out", &[]),
    ];
    assert_eq!(winner(pairs), "fastify");
}

#[test]
fn a_team_that_writes_svelte_gets_sveltekit() {
    // The guide: SvelteKit is Svelte's full-stack framework, compiled ahead of time
    // with SSR and SSG; on ratings alone Next.js is at least as good everywhere, so
    // only the team's Svelte preference can put it first.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["javascript"]),
        ("stick_to_languages", &["prefer"]),
        ("experience", &["mixed"]),
        ("app_type", &["fullstack"]),
        ("frontend", &["svelte"]),
        ("scale", &["growing"]),
        ("realtime", &["none"]),
        ("deadline", &["months"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &["serverless"]),
        ("ruled_out", &[]),
    ];
    assert_eq!(winner(pairs), "sveltekit");
}

#[test]
fn a_regulated_fintech_open_to_any_language_gets_laravel() {
    // The guide: Laravel pairs strong built-in security (4.5: SQL injection, XSS,
    // CSRF) with a large community and backward compatibility for a long life.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["other"]),
        ("stick_to_languages", &["open"]),
        ("experience", &["mixed"]),
        ("app_type", &["crud"]),
        ("scale", &["growing"]),
        ("realtime", &["none"]),
        ("deadline", &["months"]),
        ("security", &["regulated"]),
        ("maintenance", &["decade"]),
        ("hosting", &[]),
        ("ruled_out", &[]),
    ];
    let result = run(pairs);
    assert_eq!(result.winner().unwrap().as_str(), "laravel");
    let Verdict::Recommend(explanation) = &result.verdict else {
        unreachable!()
    };
    // Security was tripled by the "regulated" answer and is one of the reasons.
    let security = explanation
        .deciding
        .iter()
        .find(|d| d.criterion.as_str() == "security")
        .expect("security decided it");
    assert_eq!(security.weight, 3.0);
    assert_eq!(security.changes[0].because.option.as_str(), "regulated");
}

#[test]
fn a_beginner_javascript_team_in_a_hurry_gets_nextjs() {
    // The guide: Next.js has the largest community (5) and a smooth path for React
    // developers (learning curve 4); it is the guide's own top pick.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["javascript"]),
        ("stick_to_languages", &["must"]),
        ("experience", &["new"]),
        ("app_type", &["crud"]),
        ("scale", &["small"]),
        ("realtime", &["none"]),
        ("deadline", &["weeks"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &[]),
        ("ruled_out", &[]),
    ];
    assert_eq!(winner(pairs), "nextjs");
}

#[test]
fn an_excluded_framework_never_wins_whatever_its_score() {
    // Everything points at Next.js, but the team rules JavaScript out.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["javascript"]),
        ("stick_to_languages", &["prefer"]),
        ("experience", &["mixed"]),
        ("app_type", &["fullstack"]),
        ("frontend", &["react"]),
        ("scale", &["large"]),
        ("realtime", &["none"]),
        ("deadline", &["months"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &["serverless"]),
        ("ruled_out", &["no_javascript"]),
    ];
    let result = run(pairs);
    let best_score = result
        .ranking
        .iter()
        .max_by(|a, b| a.score.total_cmp(&b.score))
        .unwrap();
    assert_eq!(best_score.framework.as_str(), "nextjs");
    assert!(!best_score.is_eligible());
    let winner = result.winner().unwrap();
    assert!(!["nextjs", "fastify", "sveltekit"].contains(&winner.as_str()));
}

#[test]
fn answers_that_exclude_everything_say_so_instead_of_recommending() {
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["rust"]),
        ("stick_to_languages", &["must"]),
        ("experience", &["senior"]),
        ("app_type", &["api"]),
        ("scale", &["massive"]),
        ("realtime", &["none"]),
        ("deadline", &["months"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &[]),
        ("ruled_out", &["no_rust"]),
    ];
    let result = run(pairs);
    assert_eq!(result.verdict, Verdict::NothingEligible);
    assert!(result.ranking.iter().all(|s| !s.excluded.is_empty()));
    let actix = result.standing(&"actix".into()).unwrap();
    assert_eq!(actix.excluded[0].because.option.as_str(), "no_rust");
    let text = stackpick::terminal::render(Catalogue::builtin(), &result);
    assert!(text.contains("rule out every framework"), "{text}");
}

#[test]
fn a_python_only_team_that_must_keep_its_language_is_told_nothing_fits() {
    // None of the guide's seven frameworks is in Python: the "only languages we
    // know" rule rules them all out, and the result says so instead of ignoring it.
    let pairs: &[(&str, &[&str])] = &[
        ("languages", &["other"]),
        ("stick_to_languages", &["must"]),
        ("experience", &["senior"]),
        ("app_type", &["api"]),
        ("scale", &["growing"]),
        ("realtime", &["none"]),
        ("deadline", &["months"]),
        ("security", &["standard"]),
        ("maintenance", &["years"]),
        ("hosting", &[]),
        ("ruled_out", &[]),
    ];
    let result = run(pairs);
    assert_eq!(result.verdict, Verdict::NothingEligible);
    let text = stackpick::terminal::render(Catalogue::builtin(), &result);
    assert!(
        text.contains("none of your team's languages is one of the guide's"),
        "{text}"
    );
}
