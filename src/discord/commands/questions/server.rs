//! `panel` and `settings`: what the server shows and logs.

use anyhow::{Context as _, Result};
use serenity::all::{
    ButtonStyle, ChannelId, CreateActionRow, CreateButton, CreateEmbed, ResolvedValue,
};

use crate::discord::custom_id::Other;
use crate::discord::render::Reply;
use crate::discord::Ctx;
use crate::discord::State;
use crate::ids::SetId;
use crate::store::SettingsChange;

/// Posts the persistent "Find my framework" panel in `channel`.
pub(super) async fn panel(ctx: &Ctx, channel: ChannelId, set: Option<SetId>) -> Result<Reply> {
    let embed = CreateEmbed::new()
        .title("Which backend framework fits your project?")
        .description("Answer a few questions about your team and project; I'll recommend one of the guide's seven frameworks and explain why. Only you will see your answers.");
    let button = CreateButton::new(Other::Panel(set.map(|s| s.to_string())).to_string())
        .label("Find my framework")
        .style(ButtonStyle::Primary);
    let mut reply = Reply::embed(embed);
    reply.components = vec![CreateActionRow::Buttons(vec![button])];
    super::super::super::send(ctx, channel, reply)
        .await
        .context("could not post the panel (does the bot have Send Messages there?)")?;
    Ok(Reply::notice(format!(
        "Posted the panel in <#{channel}>. Its button keeps working after restarts."
    )))
}

/// Updates and shows result logging and visibility.
pub(super) async fn settings(
    state: &State,
    guild: u64,
    log_channel: Option<&ResolvedValue<'_>>,
    stop_logging: Option<bool>,
    public_results: Option<bool>,
) -> Result<Reply> {
    let log_channel_id = match (log_channel, stop_logging) {
        (_, Some(true)) => Some(None),
        (Some(ResolvedValue::Channel(channel)), _) => Some(Some(channel.id.get())),
        _ => None,
    };
    let change = SettingsChange {
        log_channel_id,
        results_public: public_results,
    };
    state.sessions.store.update_settings(guild, &change).await?;
    let settings = state.sessions.store.settings(guild).await?;
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
