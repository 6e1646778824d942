//! A team lobby's public message: open (who has answered, the buttons), decided (the
//! team's result with where it agrees and disagrees) or cancelled. Members appear as
//! mentions, which show names but never ping (every [`Reply`] allows no mentions);
//! a member's answers, and their name beside whose answers decided it, appear only
//! if they chose to show them.

use std::time::Duration;

use serenity::all::{ButtonStyle, CreateActionRow, CreateButton};

use super::limits::{build_embed, clip, BUTTON_LABEL_MAX};
use super::result::result_parts;
use super::{Reply, NOTICE_COLOUR, QUESTION_COLOUR};
use crate::discord::custom_id::{Other, TeamAction};
use crate::engine::team::TeamResult;
use crate::guide::Catalogue;
use crate::questionnaire::{Answers, QuestionSet};
use crate::store::{Lobby, LobbyStatus};
use crate::text::team;

/// A lobby button.
fn button(lobby: &str, action: TeamAction, label: &str, style: ButtonStyle) -> CreateButton {
    CreateButton::new(Other::Team(lobby.to_owned(), action).to_string())
        .label(clip(label, BUTTON_LABEL_MAX))
        .style(style)
}

/// A mention: shows the member's name, pings nobody.
fn mention(user_id: u64) -> String {
    format!("<@{user_id}>")
}

/// The lobby message as it stands. `set` labels members' shown answers (option ids
/// when the set is gone).
pub fn lobby(
    catalogue: &Catalogue,
    lobby: &Lobby,
    set: Option<&QuestionSet>,
    lifetime: Duration,
) -> Reply {
    let title = format!("Team pick: {}", lobby.set_title);
    match &lobby.status {
        LobbyStatus::Open => open(lobby, &title, lifetime),
        LobbyStatus::Decided { result, by } => decided(catalogue, lobby, set, result, *by),
        LobbyStatus::Cancelled { by } => Reply {
            embeds: vec![build_embed(
                &title,
                &format!(
                    "Cancelled by {}. Nobody's answers were combined; run `/team` to start a new lobby.",
                    mention(*by)
                ),
                &[],
                &footer(lobby),
            )
            .colour(NOTICE_COLOUR)],
            ..Reply::default()
        },
    }
}

fn footer(lobby: &Lobby) -> String {
    format!("{} v{}", lobby.set_title, lobby.set_version)
}

fn open(lobby: &Lobby, title: &str, lifetime: Duration) -> Reply {
    let hours = lifetime.as_secs().div_ceil(3600);
    let description = format!(
        "Everyone answers the questions privately with **Answer** (nobody else sees your answers). \
         When the team is ready, {} or anyone with Manage Server combines them with **Decide now**: \
         each criterion weighs what the team weighs on average, and anyone's hard constraint applies to all.",
        mention(lobby.organiser_id)
    );
    let answered = if lobby.members.is_empty() {
        "Nobody yet.".to_owned()
    } else {
        let names: Vec<String> = lobby.members.iter().map(|m| mention(m.user_id)).collect();
        names.join(", ")
    };
    let fields = vec![(
        format!("Answered so far ({})", lobby.members.len()),
        answered,
    )];
    let footer = format!(
        "{} · open for {hours} hour{} after it started",
        footer(lobby),
        if hours == 1 { "" } else { "s" }
    );
    let buttons = vec![
        button(
            &lobby.id,
            TeamAction::Answer,
            "Answer",
            ButtonStyle::Primary,
        ),
        button(
            &lobby.id,
            TeamAction::Decide,
            "Decide now",
            ButtonStyle::Success,
        ),
        button(&lobby.id, TeamAction::Cancel, "Cancel", ButtonStyle::Danger),
    ];
    Reply {
        content: None,
        embeds: vec![build_embed(title, &description, &fields, &footer).colour(QUESTION_COLOUR)],
        components: vec![CreateActionRow::Buttons(buttons)],
        files: Vec::new(),
    }
}

/// How a member is named in the result: by name if they show their answers.
fn member_name(lobby: &Lobby, index: usize) -> String {
    match lobby.members.get(index) {
        Some(member) if member.show_answers => mention(member.user_id),
        _ => "one member".to_owned(),
    }
}

/// A member's answers in one line: the labels picked, question by question.
fn answers_line(set: Option<&QuestionSet>, answers: &Answers) -> String {
    let picked: Vec<String> = match set {
        Some(set) => set
            .questions
            .iter()
            .filter_map(|q| {
                let options = answers.get(&q.id)?;
                let labels: Vec<&str> = options
                    .iter()
                    .map(|o| {
                        q.option(o.as_str())
                            .map_or(o.as_str(), |o| o.label.as_str())
                    })
                    .collect();
                (!labels.is_empty()).then(|| labels.join(" + "))
            })
            .collect(),
        None => answers
            .iter()
            .filter(|(_, o)| !o.is_empty())
            .map(|(q, o)| {
                let ids: Vec<&str> = o.iter().map(|o| o.as_str()).collect();
                format!("{q}: {}", ids.join(" + "))
            })
            .collect(),
    };
    if picked.is_empty() {
        "skipped everything".to_owned()
    } else {
        picked.join("; ")
    }
}

fn decided(
    catalogue: &Catalogue,
    lobby: &Lobby,
    set: Option<&QuestionSet>,
    result: &TeamResult,
    by: u64,
) -> Reply {
    let recommendation = &result.recommendation;
    let mut parts = result_parts(
        catalogue,
        (&lobby.set_title, lobby.set_version),
        recommendation,
        false,
    );
    let count = result.members;
    let members = if count == 1 {
        "1 member's answers".to_owned()
    } else {
        format!("{count} members' answers")
    };
    let description = format!(
        "Combined from {members}, decided by {}.\n\n{}",
        mention(by),
        parts.description
    );
    let mut team_fields: Vec<(String, String)> = Vec::new();
    let mut agreement: Vec<String> = Vec::new();
    if let Some(agreed) = team::agreed_line(catalogue, result) {
        agreement.push(agreed);
    }
    let split = team::split_lines(catalogue, result);
    if !split.is_empty() {
        agreement.push("Split on:".to_owned());
        agreement.extend(split.into_iter().map(|l| format!("• {l}")));
    }
    if count > 1 && !agreement.is_empty() {
        team_fields.push((
            "Where the team agrees and disagrees".to_owned(),
            agreement.join("\n"),
        ));
    }
    if !result.constraints.is_empty() {
        let lines: Vec<String> = result
            .constraints
            .iter()
            .map(|c| format!("• {}", team::constraint_line(catalogue, c)))
            .collect();
        team_fields.push((
            "Hard constraints (they bind the whole team)".to_owned(),
            lines.join("\n"),
        ));
    }
    if count > 1 {
        let lines: Vec<String> = if result.pivotal.is_empty() {
            vec![team::NO_PIVOTAL.to_owned()]
        } else {
            result
                .pivotal
                .iter()
                .map(|p| team::pivotal_line(catalogue, p, &member_name(lobby, p.member)))
                .collect()
        };
        team_fields.push(("Whose answers decide it".to_owned(), lines.join("\n")));
    }
    let shown: Vec<String> = lobby
        .members
        .iter()
        .filter(|m| m.show_answers)
        .map(|m| format!("{}: {}", mention(m.user_id), answers_line(set, &m.answers)))
        .collect();
    if !shown.is_empty() {
        team_fields.push((
            "Answers their members chose to show".to_owned(),
            shown.join("\n"),
        ));
    }
    // The team's fields go before the full ranking (the last field).
    let ranking = parts.fields.pop();
    parts.fields.extend(team_fields);
    parts.fields.extend(ranking);
    let reply = Reply {
        content: None,
        embeds: vec![build_embed(
            &format!("Team pick: {}", parts.title),
            &description,
            &parts.fields,
            &parts.footer,
        )
        .colour(parts.colour)],
        components: Vec::new(),
        files: Vec::new(),
    };
    // The team's result gets its chart too.
    super::with_chart(reply, catalogue, recommendation)
}

/// The row under a team member's own result: show or hide their answers in the
/// team's result.
pub fn member_row(lobby: &str) -> CreateActionRow {
    CreateActionRow::Buttons(vec![
        button(
            lobby,
            TeamAction::Show,
            "Show my answers to the team",
            ButtonStyle::Secondary,
        ),
        button(
            lobby,
            TeamAction::Hide,
            "Keep my answers private",
            ButtonStyle::Secondary,
        ),
    ])
}

/// What a team member reads above their own result.
pub const MEMBER_NOTE: &str =
    "Your answers are in the team lobby; this result of your own is only for you. \
     Your answers stay private unless you choose to show them.";

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::fixtures::shipped_sets;
    use super::super::limits::check::broken_limits;
    use super::*;
    use crate::engine::team::recommend_team;
    use crate::store::LobbyMember;

    fn lobby_of(set: &QuestionSet, members: Vec<LobbyMember>) -> Lobby {
        Lobby {
            id: crate::discord::custom_id::session_id(u64::MAX),
            guild_id: 1,
            channel_id: 2,
            message_id: None,
            organiser_id: 3,
            set_id: set.id.clone(),
            set_version: set.version,
            set_revision: None,
            set_title: set.title.clone(),
            members,
            status: LobbyStatus::Open,
            version: 0,
            created_at_ms: 0,
        }
    }

    #[test]
    fn every_lobby_state_fits_discords_limits_and_shows_only_opted_in_answers() {
        let catalogue = Catalogue::builtin();
        let set = &shipped_sets()[0];
        let mut a = Answers::default();
        a.set("languages".into(), vec!["ruby".into()]);
        a.set("stick_to_languages".into(), vec!["prefer".into()]);
        let mut b = Answers::default();
        b.set("ruled_out".into(), vec!["no_rust".into()]);
        let members: Vec<LobbyMember> = (0..30u64)
            .map(|i| LobbyMember {
                user_id: u64::MAX - i,
                answers: if i == 0 { a.clone() } else { b.clone() },
                show_answers: i == 1,
            })
            .collect();
        let mut lobby = lobby_of(set, members);
        let open = super::lobby(catalogue, &lobby, Some(set), Duration::from_secs(3600));
        assert!(
            broken_limits(&open).is_empty(),
            "{:?}",
            broken_limits(&open)
        );
        let body = json!(open.embeds[0]).to_string();
        assert!(
            body.contains("Answered so far (30)") && body.contains("<@3>"),
            "{body}"
        );

        let answers: Vec<Answers> = lobby.members.iter().map(|m| m.answers.clone()).collect();
        let result = recommend_team(catalogue, set, &answers).unwrap();
        lobby.status = LobbyStatus::Decided {
            result: Box::new(result),
            by: 3,
        };
        let decided = super::lobby(catalogue, &lobby, Some(set), Duration::from_secs(3600));
        assert!(
            broken_limits(&decided).is_empty(),
            "{:?}",
            broken_limits(&decided)
        );
        assert!(decided.components.is_empty());
        let body = json!(decided.embeds[0]).to_string();
        assert!(
            body.contains("Answers their members chose to show"),
            "{body}"
        );
        // Member 1 opted in (their answer's label is shown); member 0 did not.
        assert!(
            body.contains(&format!("<@{}>: No Rust", u64::MAX - 1)),
            "{body}"
        );
        assert!(!body.contains(&format!("<@{}>", u64::MAX)), "{body}");
        assert!(body.contains("“No Rust” rules out Actix"), "{body}");

        lobby.status = LobbyStatus::Cancelled { by: 3 };
        let cancelled = super::lobby(catalogue, &lobby, Some(set), Duration::from_secs(3600));
        assert!(broken_limits(&cancelled).is_empty());
        assert!(cancelled.components.is_empty());
    }
}
