//! The information screens: `/frameworks`, `/framework`, `/compare`, `/criteria` and
//! `/help`.

use serenity::all::CreateEmbed;

use super::limits::{build_embed, clip, EMBED_DESCRIPTION_MAX};
use super::{Reply, QUESTION_COLOUR};
use crate::guide::{Catalogue, Framework};
use crate::questionnaire::QuestionSet;
use crate::text;

/// `/frameworks`: every framework with its total and ratings.
pub fn frameworks_overview(catalogue: &Catalogue) -> Reply {
    let mut ranked: Vec<&Framework> = catalogue.frameworks.iter().collect();
    ranked.sort_by(|a, b| b.total().total_cmp(&a.total()));
    let fields: Vec<(String, String)> = ranked
        .iter()
        .map(|f| {
            let ratings: Vec<String> = catalogue
                .criteria
                .iter()
                .zip(&f.ratings)
                .map(|(c, r)| format!("{} {}", c.name, r.rating))
                .collect();
            (
                format!("{} — {} / 35", f.name, text::points(f.total())),
                format!("{}\n{}", language(catalogue, f), ratings.join(" · ")),
            )
        })
        .collect();
    let embed = build_embed(
        &catalogue.guide.title,
        "The guide rates each framework from 1 to 5 on seven criteria (a higher learning-curve rating means easier to learn). Use `/framework` for the reasoning behind each rating.",
        &fields,
        &format!("{}, {}", catalogue.guide.source, catalogue.guide.version),
    );
    Reply::embed(embed.colour(QUESTION_COLOUR))
}

fn language(catalogue: &Catalogue, framework: &Framework) -> String {
    text::language_name(catalogue, &framework.language).to_owned()
}

/// `/framework`: one framework's ratings with our reasoning.
pub fn framework_detail(catalogue: &Catalogue, framework: &Framework) -> Reply {
    let fields: Vec<(String, String)> = catalogue
        .criteria
        .iter()
        .zip(&framework.ratings)
        .map(|(c, r)| (format!("{} — {}/5", c.name, r.rating), r.why.clone()))
        .collect();
    let description = format!(
        "{}\n\nLanguage: {} · guide total: {} / 35",
        framework.summary,
        language(catalogue, framework),
        text::points(framework.total())
    );
    Reply::embed(
        build_embed(
            &framework.name,
            &description,
            &fields,
            &catalogue.guide.title,
        )
        .colour(QUESTION_COLOUR),
    )
}

/// `/compare`: two frameworks side by side, criterion by criterion.
pub fn compare(catalogue: &Catalogue, a: &Framework, b: &Framework) -> Reply {
    let mut a_wins = Vec::new();
    let mut b_wins = Vec::new();
    let fields: Vec<(String, String)> = catalogue
        .criteria
        .iter()
        .zip(a.ratings.iter().zip(&b.ratings))
        .map(|(c, (ra, rb))| {
            let verdict = match ra.rating.cmp(&rb.rating) {
                std::cmp::Ordering::Greater => {
                    a_wins.push(c.name.clone());
                    format!("{} ahead", a.name)
                }
                std::cmp::Ordering::Less => {
                    b_wins.push(c.name.clone());
                    format!("{} ahead", b.name)
                }
                std::cmp::Ordering::Equal => "level".to_owned(),
            };
            (
                format!(
                    "{}: {} {} · {} {} ({verdict})",
                    c.name, a.name, ra.rating, b.name, rb.rating
                ),
                format!("**{}**: {}\n**{}**: {}", a.name, ra.why, b.name, rb.why),
            )
        })
        .collect();
    let summary = |name: &str, wins: &[String]| {
        if wins.is_empty() {
            format!("{name} is ahead on no criterion.")
        } else {
            format!("{name} is ahead on {}.", text::join_and(wins))
        }
    };
    let description = format!(
        "Guide totals: {} {} · {} {}\n{} {}",
        a.name,
        text::points(a.total()),
        b.name,
        text::points(b.total()),
        summary(&a.name, &a_wins),
        summary(&b.name, &b_wins)
    );
    Reply::embed(
        build_embed(
            &format!("{} vs {}", a.name, b.name),
            &description,
            &fields,
            &catalogue.guide.title,
        )
        .colour(QUESTION_COLOUR),
    )
}

/// `/criteria`: what each criterion means and which questions of a set move it.
pub fn criteria(catalogue: &Catalogue, set: &QuestionSet) -> Reply {
    let fields: Vec<(String, String)> = catalogue
        .criteria
        .iter()
        .map(|c| {
            let movers: Vec<String> = set
                .questions
                .iter()
                .filter(|q| {
                    q.options
                        .iter()
                        .any(|o| o.effects.weights.iter().any(|(id, _)| id == &c.id))
                })
                .map(|q| format!("“{}”", q.prompt))
                .collect();
            let moved = if movers.is_empty() {
                "No question of this set changes its weight.".to_owned()
            } else {
                format!("Moved by: {}", movers.join(", "))
            };
            (c.name.clone(), format!("{}\n{moved}", c.meaning))
        })
        .collect();
    Reply::embed(
        build_embed(
            "The guide's seven criteria",
            &format!("Each answer can make a criterion matter more or less. Questions listed are from the “{}” set.", set.title),
            &fields,
            &catalogue.guide.title,
        )
        .colour(QUESTION_COLOUR),
    )
}

/// `/help`.
pub fn help(sets: &[&QuestionSet]) -> Reply {
    let set_list: Vec<String> = sets
        .iter()
        .map(|s| format!("`{}` — {}", s.id, s.title))
        .collect();
    let description = format!(
        "I recommend a backend framework for your project from the ratings of “Top 7 Backend Frameworks to Use in 2024” (roadmap.sh), and explain why.\n\n\
         **/recommend** `[set]` — answer a few questions (only you see them in a server)\n\
         **/team** `[set]` — team mode: a lobby in the channel where each member answers privately, then the team decides together\n\
         **/frameworks** — the guide's ratings and totals\n\
         **/framework** `name` — one framework, criterion by criterion\n\
         **/compare** `a` `b` — two frameworks side by side\n\
         **/criteria** — what the criteria mean and which questions move them\n\
         **/history** — your recent recommendations\n\
         **/forget** — delete everything I store about you (asks first)\n\
         **/questions** — server admins (Manage Server): this server's question sets\n\n\
         You can also DM me: send any message to start, then reply with a number or an option's name, or `back`, `skip`, `cancel`, `restart`.\n\n\
         **Question sets:** {}",
        set_list.join(" · ")
    );
    Reply::embed(
        CreateEmbed::new()
            .title("stackpick")
            .description(clip(&description, EMBED_DESCRIPTION_MAX))
            .colour(QUESTION_COLOUR),
    )
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::super::fixtures::{largest_set, shipped_sets};
    use super::super::limits::check::broken_limits;
    use super::*;

    #[test]
    fn help_lists_team_mode() {
        let sets = shipped_sets();
        let sets: Vec<&QuestionSet> = sets.iter().collect();
        let help = json!(help(&sets).embeds[0]).to_string();
        assert!(help.contains("**/team** `[set]` — team mode"), "{help}");
    }

    #[test]
    fn every_information_screen_fits_discords_limits() {
        let catalogue = Catalogue::builtin();
        let mut sets = shipped_sets();
        sets.push(largest_set());
        let mut screens = vec![
            ("frameworks".to_owned(), frameworks_overview(catalogue)),
            ("help".to_owned(), help(&sets.iter().collect::<Vec<_>>())),
        ];
        for a in &catalogue.frameworks {
            screens.push((
                format!("framework {}", a.id),
                framework_detail(catalogue, a),
            ));
            for b in &catalogue.frameworks {
                screens.push((
                    format!("compare {} {}", a.id, b.id),
                    compare(catalogue, a, b),
                ));
            }
        }
        for set in &sets {
            screens.push((format!("criteria {}", set.id), criteria(catalogue, set)));
        }
        for (what, reply) in screens {
            let broken = broken_limits(&reply);
            assert!(broken.is_empty(), "{what}: {broken:?}");
        }
    }

    #[test]
    fn the_overview_ranks_frameworks_by_their_guide_total() {
        let catalogue = Catalogue::builtin();
        let embed = json!(frameworks_overview(catalogue).embeds[0]);
        let totals: Vec<f64> = embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| {
                let name = f["name"].as_str().unwrap();
                let (_, total) = name.rsplit_once(" — ").unwrap();
                total.trim_end_matches(" / 35").parse().unwrap()
            })
            .collect();
        assert_eq!(totals.len(), catalogue.frameworks.len());
        assert!(totals.windows(2).all(|w| w[0] >= w[1]), "{totals:?}");
    }

    #[test]
    fn a_comparison_says_who_is_ahead_on_each_criterion() {
        let catalogue = Catalogue::builtin();
        let (a, b) = (&catalogue.frameworks[0], &catalogue.frameworks[1]);
        let embed = json!(compare(catalogue, a, b).embeds[0]);
        assert_eq!(embed["title"], format!("{} vs {}", a.name, b.name));
        let fields = embed["fields"].as_array().unwrap();
        assert_eq!(fields.len(), catalogue.criteria.len());
        for ((field, criterion), (ra, rb)) in fields
            .iter()
            .zip(&catalogue.criteria)
            .zip(a.ratings.iter().zip(&b.ratings))
        {
            let name = field["name"].as_str().unwrap();
            let verdict = match ra.rating.cmp(&rb.rating) {
                std::cmp::Ordering::Greater => format!("({} ahead)", a.name),
                std::cmp::Ordering::Less => format!("({} ahead)", b.name),
                std::cmp::Ordering::Equal => "(level)".to_owned(),
            };
            assert!(
                name.starts_with(&criterion.name) && name.ends_with(&verdict),
                "{name}"
            );
        }
    }

    #[test]
    fn the_criteria_screen_lists_the_questions_that_move_each_weight() {
        let catalogue = Catalogue::builtin();
        let set = &shipped_sets()[0];
        let embed = json!(criteria(catalogue, set).embeds[0]);
        for (field, criterion) in embed["fields"]
            .as_array()
            .unwrap()
            .iter()
            .zip(&catalogue.criteria)
        {
            let value = field["value"].as_str().unwrap();
            let moved_by_some = set.questions.iter().any(|q| {
                q.options
                    .iter()
                    .any(|o| o.effects.weights.iter().any(|(id, _)| id == &criterion.id))
            });
            assert_eq!(value.contains("Moved by: “"), moved_by_some, "{value}");
            assert!(value.starts_with(&criterion.meaning), "{value}");
        }
    }
}
