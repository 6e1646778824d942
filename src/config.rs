//! Configuration: `config.toml` (every key documented in `config.example.toml`) with
//! environment overrides for secrets. The token is never printed, not even by `Debug`.

use std::fmt;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

/// The environment variable that overrides the token in the file.
pub const TOKEN_ENV: &str = "DISCORD_TOKEN";
/// The file read when `--config` is not given (optional).
pub const DEFAULT_PATH: &str = "config.toml";

/// A Discord bot token. `Debug` and `Display` never show it.
#[derive(Clone, PartialEq, Eq)]
pub struct Token(String);

impl Token {
    /// The secret itself, only for handing to the HTTP client.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Token {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Token([redacted])")
    }
}

/// How logs are written.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum LogFormat {
    /// Human-readable lines.
    #[default]
    Pretty,
    /// One JSON object per line, for log collectors.
    Json,
}

/// The file as written; every key optional.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileConfig {
    token: Option<String>,
    application_id: Option<u64>,
    #[serde(default)]
    dev_guild_ids: Vec<u64>,
    idle_timeout_minutes: Option<u64>,
    questions_dir: Option<PathBuf>,
    log_level: Option<String>,
    log_format: Option<LogFormat>,
    proxy_url: Option<String>,
    database: Option<PathBuf>,
}

/// The resolved configuration.
#[derive(Debug, Clone, PartialEq)]
pub struct Config {
    /// The bot token, from `DISCORD_TOKEN` or the file.
    pub token: Option<Token>,
    /// The application id; learned from Discord at start when absent.
    pub application_id: Option<u64>,
    /// Register commands in these guilds only (instant updates while developing);
    /// empty means global commands.
    pub dev_guild_ids: Vec<u64>,
    /// How long an untouched conversation stays open.
    pub idle_timeout: Duration,
    /// Extra question sets loaded at start (`*.toml`), next to the built-in ones.
    pub questions_dir: Option<PathBuf>,
    /// A tracing filter such as `info` or `stackpick=debug,serenity=warn`.
    pub log_level: String,
    /// Log line format.
    pub log_format: LogFormat,
    /// A base URL replacing `https://discord.com` for every REST call (a proxy such
    /// as twilight-http-proxy, which then also does the rate limiting).
    pub proxy_url: Option<String>,
    /// The SQLite database file.
    pub database: PathBuf,
}

/// Why the configuration could not be read.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    /// The file named with `--config` can't be read.
    #[error("cannot read the config file {path}: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// Why.
        source: std::io::Error,
    },
    /// The file is not valid TOML or has an unknown key.
    #[error("{path} is not a valid config file: {source}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// What the TOML parser said.
        source: toml::de::Error,
    },
    /// A value is out of range.
    #[error("{path}: {message}")]
    Invalid {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
}

impl Config {
    /// Reads `path` (or `config.toml` if it exists) and applies environment overrides.
    pub fn load(path: Option<&Path>) -> Result<Config, ConfigError> {
        let (path, text) = match path {
            Some(path) => {
                let text = std::fs::read_to_string(path).map_err(|source| ConfigError::Read {
                    path: path.to_owned(),
                    source,
                })?;
                (path.to_owned(), text)
            }
            None => match std::fs::read_to_string(DEFAULT_PATH) {
                Ok(text) => (PathBuf::from(DEFAULT_PATH), text),
                Err(_) => (PathBuf::from(DEFAULT_PATH), String::new()),
            },
        };
        let env_token = std::env::var(TOKEN_ENV).ok();
        Config::from_parts(&path, &text, env_token)
    }

    /// Builds the configuration from a file's text and the token variable.
    pub fn from_parts(
        path: &Path,
        text: &str,
        env_token: Option<String>,
    ) -> Result<Config, ConfigError> {
        let file: FileConfig = toml::from_str(text).map_err(|source| ConfigError::Parse {
            path: path.to_owned(),
            source,
        })?;
        let idle_minutes = file.idle_timeout_minutes.unwrap_or(30);
        if idle_minutes == 0 {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: "idle_timeout_minutes must be at least 1".to_owned(),
            });
        }
        if let Some(url) = &file.proxy_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    message: format!("proxy_url `{url}` must start with http:// or https://"),
                });
            }
        }
        let token = env_token
            .filter(|t| !t.trim().is_empty())
            .or(file.token.filter(|t| !t.trim().is_empty()))
            .map(|t| Token(t.trim().to_owned()));
        Ok(Config {
            token,
            application_id: file.application_id,
            dev_guild_ids: file.dev_guild_ids,
            idle_timeout: Duration::from_secs(idle_minutes * 60),
            questions_dir: file.questions_dir,
            log_level: file.log_level.unwrap_or_else(|| "info".to_owned()),
            log_format: file.log_format.unwrap_or_default(),
            proxy_url: file.proxy_url.map(|u| u.trim_end_matches('/').to_owned()),
            database: file
                .database
                .unwrap_or_else(|| PathBuf::from("stackpick.db")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_environment_token_wins_and_is_never_printed() {
        let config = Config::from_parts(
            Path::new("c.toml"),
            "token = \"from-file\"\nidle_timeout_minutes = 5",
            Some("from-env".to_owned()),
        )
        .unwrap();
        assert_eq!(config.token.as_ref().unwrap().expose(), "from-env");
        assert_eq!(config.idle_timeout, Duration::from_secs(300));
        let debug = format!("{config:?}");
        assert!(
            !debug.contains("from-env") && debug.contains("[redacted]"),
            "{debug}"
        );
    }

    #[test]
    fn an_empty_file_gives_defaults_and_no_token() {
        let config = Config::from_parts(Path::new("c.toml"), "", None).unwrap();
        assert_eq!(config.token, None);
        assert_eq!(config.idle_timeout, Duration::from_secs(30 * 60));
        assert_eq!(config.log_format, LogFormat::Pretty);
    }

    #[test]
    fn unknown_keys_and_bad_values_are_refused_with_the_file_name() {
        let err = Config::from_parts(Path::new("c.toml"), "tokn = \"x\"", None).unwrap_err();
        assert!(
            err.to_string().contains("c.toml") && err.to_string().contains("tokn"),
            "{err}"
        );
        let err =
            Config::from_parts(Path::new("c.toml"), "proxy_url = \"127.0.0.1\"", None).unwrap_err();
        assert!(err.to_string().contains("http://"), "{err}");
    }
}
