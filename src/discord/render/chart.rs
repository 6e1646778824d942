//! The result's chart on a message: the PNG attached as `chart.png`, shown inside the
//! first embed (`attachment://chart.png`), its alt text in the attachment's
//! description (what Discord's clients read out; an embed image has no alt text).
//! A chart that fails to render is logged and left out: the text result goes as is.

use serenity::all::CreateAttachment;
use tracing::warn;

use super::Reply;
use crate::chart::{self, Chart, ChartError};
use crate::engine::Recommendation;
use crate::guide::Catalogue;

/// `reply` with the result's chart in its first embed.
pub fn with_chart(reply: Reply, catalogue: &Catalogue, recommendation: &Recommendation) -> Reply {
    attach(reply, chart::chart(catalogue, recommendation))
}

/// `reply` with `png` attached and shown in its first embed; unchanged (and the error
/// logged) when there is no PNG or no embed to show it in.
pub fn attach(mut reply: Reply, chart: Result<Chart, ChartError>) -> Reply {
    let chart = match chart {
        Ok(chart) => chart,
        Err(error) => {
            warn!(error = %error, "the result goes out without its chart");
            return reply;
        }
    };
    let Some(embed) = reply.embeds.first_mut() else {
        return reply;
    };
    *embed = std::mem::take(embed).image(format!("attachment://{}", chart::FILE_NAME));
    reply.files.push(
        CreateAttachment::bytes(chart.png.to_vec(), chart::FILE_NAME).description(&*chart.alt),
    );
    reply
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;
    use crate::engine::{evaluate, Profile};

    #[test]
    fn the_chart_is_attached_and_shown_in_the_embed_with_its_alt_text() {
        let catalogue = Catalogue::builtin();
        let result = evaluate(catalogue, &Profile::neutral(catalogue));
        let reply = with_chart(Reply::notice("result"), catalogue, &result);
        assert_eq!(
            json!(reply.embeds[0])["image"]["url"],
            "attachment://chart.png"
        );
        assert_eq!(reply.files.len(), 1);
        let file = &reply.files[0];
        assert_eq!(file.filename, "chart.png");
        assert!(file.data.starts_with(b"\x89PNG"));
        let alt = file.description.as_deref().unwrap();
        assert!(
            alt.contains("Next.js is recommended with 32.5 points"),
            "{alt}"
        );
    }

    #[test]
    fn a_chart_that_fails_to_render_leaves_the_text_result_as_it_was() {
        let reply = attach(Reply::notice("result"), Err(ChartError::Draw("test")));
        assert!(reply.files.is_empty());
        assert_eq!(json!(reply.embeds[0])["image"], serde_json::Value::Null);
        assert_eq!(json!(reply.embeds[0])["description"], "result");
    }
}
