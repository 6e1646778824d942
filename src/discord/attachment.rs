//! Downloading a file a user attached, with the bot's own HTTP client and its own
//! limits: a connect timeout, a timeout for the whole download, and a hard byte cap
//! applied while the body streams in, whatever the attachment's `size` or the
//! response's `Content-Length` claim (a missing or lying length can't make it read
//! more). The declared content type is not looked at: only the bytes decide.

use std::time::Duration;

use anyhow::{Context as _, Result};

use crate::config::AttachmentsConfig;

/// Why a download gave nothing usable; each says what happened in the user's terms.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum DownloadError {
    /// More bytes than `limit` (announced, or counted as they came).
    #[error("it is bigger than the {limit}-byte limit")]
    TooLarge {
        /// The cap.
        limit: usize,
    },
    /// The whole download took longer than the configured timeout.
    #[error("the download took longer than {} s", .0.as_secs())]
    TimedOut(Duration),
    /// The file's host answered with an error status.
    #[error("Discord answered with HTTP status {0}")]
    Status(u16),
    /// The connection failed.
    #[error("the connection failed")]
    Failed,
}

/// The HTTP client for attachments.
#[derive(Debug, Clone)]
pub struct Downloader {
    client: reqwest::Client,
    timeout: Duration,
}

impl Downloader {
    /// A client with `config`'s timeouts.
    pub fn new(config: &AttachmentsConfig) -> Result<Downloader> {
        let client = reqwest::Client::builder()
            .connect_timeout(config.connect_timeout)
            .timeout(config.timeout)
            // Discord's CDN answers directly; a few redirects at most.
            .redirect(reqwest::redirect::Policy::limited(3))
            .user_agent(concat!("stackpick/", env!("CARGO_PKG_VERSION")))
            .build()
            .context("cannot create the HTTP client for attachments")?;
        Ok(Downloader {
            client,
            timeout: config.timeout,
        })
    }

    /// The file at `url`, at most `cap` bytes: refused as soon as the response
    /// announces more, or as soon as more arrive.
    pub async fn fetch(&self, url: &str, cap: usize) -> Result<Vec<u8>, DownloadError> {
        // reqwest's timeout covers the body too; this one also bounds anything
        // between chunks, whatever the client does.
        match tokio::time::timeout(self.timeout, self.fetch_capped(url, cap)).await {
            Ok(outcome) => outcome,
            Err(_) => Err(DownloadError::TimedOut(self.timeout)),
        }
    }

    async fn fetch_capped(&self, url: &str, cap: usize) -> Result<Vec<u8>, DownloadError> {
        let failed = |e: reqwest::Error| {
            if e.is_timeout() {
                DownloadError::TimedOut(self.timeout)
            } else {
                tracing::warn!(error = %e.without_url(), "an attachment download failed");
                DownloadError::Failed
            }
        };
        let mut response = self.client.get(url).send().await.map_err(failed)?;
        let status = response.status();
        if !status.is_success() {
            return Err(DownloadError::Status(status.as_u16()));
        }
        let announced = response.content_length();
        if announced.is_some_and(|n| n > cap as u64) {
            return Err(DownloadError::TooLarge { limit: cap });
        }
        let mut body = Vec::with_capacity(
            announced
                .map_or(0, |n| usize::try_from(n).unwrap_or(cap))
                .min(cap),
        );
        while let Some(chunk) = response.chunk().await.map_err(failed)? {
            if body.len() + chunk.len() > cap {
                // Dropping the response closes the connection: the rest is never read.
                return Err(DownloadError::TooLarge { limit: cap });
            }
            body.extend_from_slice(&chunk);
        }
        Ok(body)
    }
}
