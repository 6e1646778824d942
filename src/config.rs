//! Configuration: `config.toml` (every key documented in `config.example.toml`) with
//! environment overrides for secrets. The token and the database password are never
//! printed, not even by `Debug`.
//!
//! The file's model and its loading are here; `database` holds where the data is
//! kept (SQLite or PostgreSQL), `secrets` the token and the interactions public key.

use std::net::SocketAddr;
use std::path::{Path, PathBuf};
use std::time::Duration;

use serde::Deserialize;

mod database;
mod secrets;

pub use database::{Database, PostgresUrl};
pub use secrets::{PublicKey, Token};

/// The environment variable that overrides the token in the file.
pub const TOKEN_ENV: &str = "DISCORD_TOKEN";
/// The environment variable that overrides `[http] public_key`.
pub const PUBLIC_KEY_ENV: &str = "DISCORD_PUBLIC_KEY";
/// The environment variable that overrides `database` in the file.
pub const DATABASE_ENV: &str = "DATABASE_URL";
/// The environment variable that overrides `retention_days` in the file.
pub const RETENTION_ENV: &str = "STACKPICK_RETENTION_DAYS";
/// Days completed recommendations are kept when `retention_days` is not set.
pub const DEFAULT_RETENTION_DAYS: u64 = 365;
/// The file read when `--config` is not given (optional).
pub const DEFAULT_PATH: &str = "config.toml";
/// The SQLite file used when `database` is not set.
pub const DEFAULT_DATABASE: &str = "stackpick.db";

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
    team_lobby_hours: Option<u64>,
    retention_days: Option<u64>,
    questions_dir: Option<PathBuf>,
    log_level: Option<String>,
    log_format: Option<LogFormat>,
    proxy_url: Option<String>,
    discord_timeout_ms: Option<u64>,
    database: Option<String>,
    #[serde(default)]
    gateway: FileGateway,
    http: Option<FileHttp>,
    #[serde(default)]
    metrics: FileMetrics,
    #[serde(default)]
    attachments: FileAttachments,
}

/// `[attachments]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileAttachments {
    connect_timeout_seconds: Option<u64>,
    timeout_seconds: Option<u64>,
}

/// `[gateway]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileGateway {
    enabled: Option<bool>,
    shards: Option<FileShards>,
    register_commands: Option<bool>,
}

/// `shards = "auto"` or `shards = { first = 0, count = 2, total = 4 }`.
#[derive(Debug, Deserialize)]
#[serde(untagged)]
enum FileShards {
    Word(String),
    Range { first: u32, count: u32, total: u32 },
}

/// `[http]` as written.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileHttp {
    listen: Option<String>,
    public_key: Option<String>,
}

/// `[metrics]` as written.
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
struct FileMetrics {
    listen: Option<String>,
}

/// Which gateway shards this process runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Shards {
    /// All of them, as many as Discord recommends (`GET /gateway/bot`).
    Auto,
    /// Shards `first .. first + count` of `total`; other processes run the rest.
    Range {
        /// The first shard id this process runs.
        first: u32,
        /// How many consecutive shards it runs.
        count: u32,
        /// How many shards the bot has in all.
        total: u32,
    },
}

impl Shards {
    /// Whether this process runs shard 0 (which receives DMs and registers commands).
    pub fn has_shard_zero(&self) -> bool {
        match self {
            Shards::Auto => true,
            Shards::Range { first, .. } => *first == 0,
        }
    }
}

/// `[gateway]`: the Discord gateway connection(s) of this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct GatewayConfig {
    /// `false` runs no gateway (an HTTP interactions worker).
    pub enabled: bool,
    /// The shards this process runs.
    pub shards: Shards,
    /// Whether this process may register the slash commands at start (only the one
    /// running shard 0 does, and only when they changed).
    pub register_commands: bool,
}

/// `[attachments]`: limits on downloading a file a user attached.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AttachmentsConfig {
    /// To connect to the file's host.
    pub connect_timeout: Duration,
    /// For the whole download, from connecting to the last byte.
    pub timeout: Duration,
}

impl Default for AttachmentsConfig {
    fn default() -> Self {
        AttachmentsConfig {
            connect_timeout: Duration::from_secs(5),
            timeout: Duration::from_secs(20),
        }
    }
}

/// `[http]`: Discord's HTTP interactions endpoint served by this process.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HttpConfig {
    /// Where to listen (`POST /interactions`, `GET /healthz`, `GET /metrics`).
    pub listen: SocketAddr,
    /// The application's public key, to verify every request's signature.
    pub public_key: PublicKey,
}

/// Values from the environment that override the file.
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    /// `DISCORD_TOKEN`.
    pub token: Option<String>,
    /// `DISCORD_PUBLIC_KEY`.
    pub public_key: Option<String>,
    /// `STACKPICK_RETENTION_DAYS`.
    pub retention_days: Option<String>,
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
    /// How long a team lobby stays open after it is created (then it is purged).
    pub team_lobby_lifetime: Duration,
    /// How long completed recommendations and finished conversations are kept.
    pub retention: Duration,
    /// How attachments (uploaded question sets) are downloaded.
    pub attachments: AttachmentsConfig,
    /// Extra question sets loaded at start (`*.toml`), next to the built-in ones.
    pub questions_dir: Option<PathBuf>,
    /// A tracing filter such as `info` or `stackpick=debug,serenity=warn`.
    pub log_level: String,
    /// Log line format.
    pub log_format: LogFormat,
    /// A base URL replacing `https://discord.com` for every REST call (a proxy such
    /// as twilight-http-proxy, which then also does the rate limiting).
    pub proxy_url: Option<String>,
    /// How long one REST call to Discord may take before it is given up (and, when
    /// that is safe, sent again).
    pub discord_timeout: Duration,
    /// The database: a SQLite file (default `stackpick.db`) or a PostgreSQL URL.
    pub database: Database,
    /// The gateway connection(s).
    pub gateway: GatewayConfig,
    /// The HTTP interactions endpoint, when configured.
    pub http: Option<HttpConfig>,
    /// Where a process without `[http]` serves `/metrics` and `/healthz`.
    pub metrics_listen: Option<SocketAddr>,
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
    /// The file is not valid TOML or has an unknown key. Only the parser's message and
    /// the position are kept: its usual report quotes the line, which may hold a secret.
    #[error("{path}{at} is not a valid config file: {message}")]
    Parse {
        /// The file.
        path: PathBuf,
        /// `:line:column`, when known.
        at: String,
        /// What the TOML parser said, without the quoted line.
        message: String,
    },
    /// An environment variable has a value that can't be used.
    #[error("the {name} environment variable: {message}")]
    Environment {
        /// The variable.
        name: &'static str,
        /// What is wrong and how to fix it.
        message: String,
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
        let overrides = Overrides {
            token: std::env::var(TOKEN_ENV).ok(),
            public_key: std::env::var(PUBLIC_KEY_ENV).ok(),
            retention_days: std::env::var(RETENTION_ENV).ok(),
        };
        Config::from_overrides(&path, &text, overrides)?
            .with_database_env(std::env::var(DATABASE_ENV).ok())
    }

    /// Applies the `DATABASE_URL` override: a non-empty value replaces `database`.
    pub fn with_database_env(mut self, value: Option<String>) -> Result<Config, ConfigError> {
        if let Some(value) = value.filter(|v| !v.trim().is_empty()) {
            self.database =
                Database::parse(&value).map_err(|message| ConfigError::Environment {
                    name: DATABASE_ENV,
                    message,
                })?;
        }
        Ok(self)
    }

    /// Builds the configuration from a file's text and the token variable.
    pub fn from_parts(
        path: &Path,
        text: &str,
        env_token: Option<String>,
    ) -> Result<Config, ConfigError> {
        let overrides = Overrides {
            token: env_token,
            ..Overrides::default()
        };
        Config::from_overrides(path, text, overrides)
    }

    /// Builds the configuration from a file's text and the environment's overrides.
    pub fn from_overrides(
        path: &Path,
        text: &str,
        overrides: Overrides,
    ) -> Result<Config, ConfigError> {
        let env_token = overrides.token;
        let file: FileConfig = toml::from_str(text).map_err(|e| ConfigError::Parse {
            path: path.to_owned(),
            at: e.span().map_or_else(String::new, |span| {
                let before = text.get(..span.start).unwrap_or_default();
                let line = before.matches('\n').count() + 1;
                let column = before.chars().rev().take_while(|&c| c != '\n').count() + 1;
                format!(":{line}:{column}")
            }),
            message: e.message().to_owned(),
        })?;
        let idle_minutes = file.idle_timeout_minutes.unwrap_or(30);
        if idle_minutes == 0 {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: "idle_timeout_minutes must be at least 1".to_owned(),
            });
        }
        let lobby_hours = file.team_lobby_hours.unwrap_or(24);
        if lobby_hours == 0 {
            return Err(ConfigError::Invalid {
                path: path.to_owned(),
                message: "team_lobby_hours must be at least 1".to_owned(),
            });
        }
        let retention_days = retention_days(path, file.retention_days, overrides.retention_days)?;
        let attachments = attachments(path, &file.attachments)?;
        if let Some(url) = &file.proxy_url {
            if !(url.starts_with("http://") || url.starts_with("https://")) {
                return Err(ConfigError::Invalid {
                    path: path.to_owned(),
                    message: format!("proxy_url `{url}` must start with http:// or https://"),
                });
            }
        }
        let discord_timeout_ms = file.discord_timeout_ms.unwrap_or(10_000);
        if discord_timeout_ms < 100 {
            return Err(invalid(
                path,
                "discord_timeout_ms must be at least 100".to_owned(),
            ));
        }
        let gateway = gateway(path, file.gateway)?;
        let http = file
            .http
            .map(|h| http(path, h, overrides.public_key))
            .transpose()?;
        let metrics_listen = file
            .metrics
            .listen
            .map(|a| listen_address(path, "[metrics] listen", &a))
            .transpose()?;
        if !gateway.enabled && http.is_none() {
            return Err(invalid(
                path,
                "[gateway] enabled = false needs [http] listen and public_key: a process must take interactions somehow".to_owned(),
            ));
        }
        let database = match &file.database {
            Some(value) => Database::parse(value).map_err(|message| ConfigError::Invalid {
                path: path.to_owned(),
                message: format!("database: {message}"),
            })?,
            None => Database::default(),
        };
        let token = env_token
            .filter(|t| !t.trim().is_empty())
            .or(file.token.filter(|t| !t.trim().is_empty()))
            .map(|t| Token(t.trim().to_owned()));
        Ok(Config {
            token,
            application_id: file.application_id,
            dev_guild_ids: file.dev_guild_ids,
            idle_timeout: Duration::from_secs(idle_minutes * 60),
            team_lobby_lifetime: Duration::from_secs(lobby_hours.saturating_mul(3600)),
            retention: Duration::from_secs(retention_days.saturating_mul(24 * 60 * 60)),
            attachments,
            questions_dir: file.questions_dir,
            log_level: file.log_level.unwrap_or_else(|| "info".to_owned()),
            log_format: file.log_format.unwrap_or_default(),
            proxy_url: file.proxy_url.map(|u| u.trim_end_matches('/').to_owned()),
            discord_timeout: Duration::from_millis(discord_timeout_ms),
            database,
            gateway,
            http,
            metrics_listen,
        })
    }
}

fn invalid(path: &Path, message: String) -> ConfigError {
    ConfigError::Invalid {
        path: path.to_owned(),
        message,
    }
}

fn listen_address(path: &Path, key: &str, text: &str) -> Result<SocketAddr, ConfigError> {
    text.trim().parse().map_err(|_| {
        invalid(
            path,
            format!("{key} `{text}` must be an address and port, e.g. \"127.0.0.1:8080\""),
        )
    })
}

/// Most days `retention_days` may be (a century: longer is keeping forever).
const MAX_RETENTION_DAYS: u64 = 36_500;

/// `retention_days`: the environment's value wins over the file's; 1 to 36 500.
fn retention_days(path: &Path, file: Option<u64>, env: Option<String>) -> Result<u64, ConfigError> {
    let days = match env.filter(|v| !v.trim().is_empty()) {
        Some(value) => match value.trim().parse::<u64>() {
            Ok(days) if (1..=MAX_RETENTION_DAYS).contains(&days) => days,
            _ => {
                return Err(ConfigError::Environment {
                    name: RETENTION_ENV,
                    message: format!(
                        "`{}` is not a number of days from 1 to {MAX_RETENTION_DAYS}",
                        value.chars().take(40).collect::<String>()
                    ),
                })
            }
        },
        None => file.unwrap_or(DEFAULT_RETENTION_DAYS),
    };
    if !(1..=MAX_RETENTION_DAYS).contains(&days) {
        return Err(invalid(
            path,
            format!("retention_days must be from 1 to {MAX_RETENTION_DAYS} (it is {days})"),
        ));
    }
    Ok(days)
}

/// `[attachments]`: timeouts of 1 to 300 seconds, the connect one no longer than the
/// whole.
fn attachments(path: &Path, file: &FileAttachments) -> Result<AttachmentsConfig, ConfigError> {
    let default = AttachmentsConfig::default();
    let seconds = |value: Option<u64>, fallback: Duration, key: &str| match value {
        None => Ok(fallback),
        Some(s @ 1..=300) => Ok(Duration::from_secs(s)),
        Some(s) => Err(invalid(
            path,
            format!("[attachments] {key} must be from 1 to 300 seconds (it is {s})"),
        )),
    };
    let timeout = seconds(file.timeout_seconds, default.timeout, "timeout_seconds")?;
    let connect_timeout = seconds(
        file.connect_timeout_seconds,
        default.connect_timeout.min(timeout),
        "connect_timeout_seconds",
    )?;
    if connect_timeout > timeout {
        return Err(invalid(
            path,
            "[attachments] connect_timeout_seconds can't be longer than timeout_seconds".to_owned(),
        ));
    }
    Ok(AttachmentsConfig {
        connect_timeout,
        timeout,
    })
}

fn gateway(path: &Path, file: FileGateway) -> Result<GatewayConfig, ConfigError> {
    let shards = match file.shards {
        None => Shards::Auto,
        Some(FileShards::Word(word)) if word == "auto" => Shards::Auto,
        Some(FileShards::Word(word)) => {
            return Err(invalid(
                path,
                format!("[gateway] shards = \"{word}\": use \"auto\" or {{ first = 0, count = 1, total = 1 }}"),
            ))
        }
        Some(FileShards::Range {
            first,
            count,
            total,
        }) => {
            if count == 0 || total == 0 || u64::from(first) + u64::from(count) > u64::from(total) {
                return Err(invalid(
                    path,
                    format!("[gateway] shards = {{ first = {first}, count = {count}, total = {total} }}: count and total must be at least 1 and first + count at most total"),
                ));
            }
            Shards::Range {
                first,
                count,
                total,
            }
        }
    };
    Ok(GatewayConfig {
        enabled: file.enabled.unwrap_or(true),
        shards,
        register_commands: file.register_commands.unwrap_or(true),
    })
}

fn http(path: &Path, file: FileHttp, env_key: Option<String>) -> Result<HttpConfig, ConfigError> {
    let listen = listen_address(
        path,
        "[http] listen",
        file.listen.as_deref().unwrap_or("127.0.0.1:8080"),
    )?;
    let key = env_key.filter(|k| !k.trim().is_empty()).or(file.public_key);
    let public_key = key.as_deref().and_then(PublicKey::parse).ok_or_else(|| {
        invalid(
            path,
            format!("[http] needs public_key (or {PUBLIC_KEY_ENV}): the 64 hex digits of the application's public key (developer portal → General Information)"),
        )
    })?;
    Ok(HttpConfig { listen, public_key })
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
        assert_eq!(config.team_lobby_lifetime, Duration::from_secs(24 * 3600));
        assert_eq!(config.log_format, LogFormat::Pretty);
    }

    #[test]
    fn team_lobbies_last_the_configured_hours_and_at_least_one() {
        let config = Config::from_parts(Path::new("c.toml"), "team_lobby_hours = 2", None).unwrap();
        assert_eq!(config.team_lobby_lifetime, Duration::from_secs(7200));
        let err = Config::from_parts(Path::new("c.toml"), "team_lobby_hours = 0", None)
            .unwrap_err()
            .to_string();
        assert!(err.contains("team_lobby_hours must be at least 1"), "{err}");
    }

    #[test]
    fn discord_calls_time_out_after_10_s_unless_configured_and_never_below_100_ms() {
        let default = Config::from_parts(Path::new("c.toml"), "", None).unwrap();
        assert_eq!(default.discord_timeout, Duration::from_secs(10));
        let text = "discord_timeout_ms = 2500";
        let set = Config::from_parts(Path::new("c.toml"), text, None).unwrap();
        assert_eq!(set.discord_timeout, Duration::from_millis(2500));
        let text = "discord_timeout_ms = 50";
        let err = Config::from_parts(Path::new("c.toml"), text, None).unwrap_err();
        assert!(err.to_string().contains("at least 100"), "{err}");
    }

    #[test]
    fn a_syntax_error_names_the_place_without_quoting_the_line() {
        let err = Config::from_parts(
            Path::new("c.toml"),
            "log_level = \"info\"\ntoken = \"secret-abc",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(err.starts_with("c.toml:2:"), "{err}");
        assert!(!err.contains("secret-abc"), "{err}");
    }

    #[test]
    fn the_documented_example_config_is_valid() {
        let text = include_str!("../config.example.toml");
        let config = Config::from_parts(Path::new("config.example.toml"), text, None).unwrap();
        assert_eq!(config.gateway.shards, Shards::Auto);
        assert!(config.http.is_none());
    }

    #[test]
    fn shards_are_auto_by_default_or_a_range_within_the_total() {
        let config = Config::from_parts(Path::new("c.toml"), "", None).unwrap();
        assert_eq!(config.gateway.shards, Shards::Auto);
        assert!(config.gateway.enabled && config.gateway.register_commands);
        let text = "[gateway]\nshards = { first = 2, count = 2, total = 4 }";
        let config = Config::from_parts(Path::new("c.toml"), text, None).unwrap();
        assert_eq!(
            config.gateway.shards,
            Shards::Range {
                first: 2,
                count: 2,
                total: 4
            }
        );
        assert!(!config.gateway.shards.has_shard_zero());
        for bad in [
            "shards = { first = 3, count = 2, total = 4 }",
            "shards = { first = 0, count = 0, total = 4 }",
            "shards = \"all\"",
        ] {
            let err = Config::from_parts(Path::new("c.toml"), &format!("[gateway]\n{bad}"), None)
                .unwrap_err();
            assert!(err.to_string().contains("shards"), "{bad}: {err}");
        }
    }

    #[test]
    fn retention_defaults_to_a_year_the_environment_wins_and_nonsense_is_refused() {
        let day = Duration::from_secs(24 * 60 * 60);
        let config = Config::from_parts(Path::new("c.toml"), "", None).unwrap();
        assert_eq!(config.retention, day * 365);
        let config = Config::from_parts(Path::new("c.toml"), "retention_days = 30", None).unwrap();
        assert_eq!(config.retention, day * 30);
        let overrides = Overrides {
            retention_days: Some(" 7 ".to_owned()),
            ..Overrides::default()
        };
        let config =
            Config::from_overrides(Path::new("c.toml"), "retention_days = 30", overrides).unwrap();
        assert_eq!(config.retention, day * 7);
        for bad in ["retention_days = 0", "retention_days = 36501"] {
            let err = Config::from_parts(Path::new("c.toml"), bad, None).unwrap_err();
            assert!(
                err.to_string().contains("retention_days must be from 1"),
                "{err}"
            );
        }
        for bad in ["0", "a year", "-3"] {
            let overrides = Overrides {
                retention_days: Some(bad.to_owned()),
                ..Overrides::default()
            };
            let err = Config::from_overrides(Path::new("c.toml"), "", overrides).unwrap_err();
            assert!(err.to_string().contains(RETENTION_ENV), "{err}");
        }
    }

    #[test]
    fn attachment_timeouts_have_defaults_and_bounds() {
        let config = Config::from_parts(Path::new("c.toml"), "", None).unwrap();
        assert_eq!(config.attachments, AttachmentsConfig::default());
        let config = Config::from_parts(
            Path::new("c.toml"),
            "[attachments]\ntimeout_seconds = 2",
            None,
        )
        .unwrap();
        assert_eq!(
            config.attachments,
            AttachmentsConfig {
                connect_timeout: Duration::from_secs(2),
                timeout: Duration::from_secs(2)
            }
        );
        for bad in [
            "timeout_seconds = 0",
            "timeout_seconds = 301",
            "timeout_seconds = 3\nconnect_timeout_seconds = 4",
        ] {
            let text = format!("[attachments]\n{bad}");
            let err = Config::from_parts(Path::new("c.toml"), &text, None).unwrap_err();
            assert!(err.to_string().contains("[attachments]"), "{bad}: {err}");
        }
    }

    #[test]
    fn the_http_endpoint_needs_a_valid_public_key_and_the_environment_one_wins() {
        let key = "ab".repeat(32);
        let text = format!("[http]\nlisten = \"127.0.0.1:9000\"\npublic_key = \"{key}\"");
        let config = Config::from_parts(Path::new("c.toml"), &text, None).unwrap();
        let http = config.http.unwrap();
        assert_eq!(http.listen.port(), 9000);
        assert_eq!(http.public_key.0, [0xab; 32]);
        let overrides = Overrides {
            public_key: Some("cd".repeat(32)),
            ..Overrides::default()
        };
        let config = Config::from_overrides(Path::new("c.toml"), &text, overrides).unwrap();
        assert_eq!(config.http.unwrap().public_key.0, [0xcd; 32]);

        let err = Config::from_parts(Path::new("c.toml"), "[http]\npublic_key = \"xyz\"", None)
            .unwrap_err();
        assert!(err.to_string().contains("public_key"), "{err}");
        let err = Config::from_parts(Path::new("c.toml"), "[gateway]\nenabled = false", None)
            .unwrap_err();
        assert!(err.to_string().contains("[http]"), "{err}");
        let err = Config::from_parts(
            Path::new("c.toml"),
            &format!("[http]\nlisten = \"nowhere\"\npublic_key = \"{key}\""),
            None,
        )
        .unwrap_err();
        assert!(err.to_string().contains("listen"), "{err}");
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

    #[test]
    fn the_database_is_a_sqlite_path_by_default_or_a_postgres_url() {
        let config = Config::from_parts(Path::new("c.toml"), "", None).unwrap();
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("stackpick.db"))
        );
        let config =
            Config::from_parts(Path::new("c.toml"), "database = \"data/bot.db\"", None).unwrap();
        assert_eq!(
            config.database,
            Database::Sqlite(PathBuf::from("data/bot.db"))
        );
        for url in [
            "postgres://bot@127.0.0.1:5432/stackpick",
            "postgresql://bot@db.internal/stackpick",
        ] {
            let config =
                Config::from_parts(Path::new("c.toml"), &format!("database = \"{url}\""), None)
                    .unwrap();
            match &config.database {
                Database::Postgres(parsed) => assert_eq!(parsed.expose(), url),
                other => panic!("{url} read as {other:?}"),
            }
        }
        let err = Config::from_parts(
            Path::new("c.toml"),
            "database = \"mysql://u:hunter2@h/db\"",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("c.toml") && err.contains("mysql://") && !err.contains("hunter2"),
            "{err}"
        );
        let err = Config::from_parts(
            Path::new("c.toml"),
            "database = \"postgres://u:hunter2@h:notaport/db\"",
            None,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("not valid") && !err.contains("hunter2"),
            "{err}"
        );
    }

    #[test]
    fn database_url_overrides_the_file_and_an_empty_one_does_not() {
        let file = Config::from_parts(Path::new("c.toml"), "database = \"file.db\"", None).unwrap();
        let config = file
            .clone()
            .with_database_env(Some("postgres://u@h/db".to_owned()))
            .unwrap();
        assert!(matches!(config.database, Database::Postgres(_)));
        let config = file
            .clone()
            .with_database_env(Some("other.db".to_owned()))
            .unwrap();
        assert_eq!(config.database, Database::Sqlite(PathBuf::from("other.db")));
        let config = file
            .clone()
            .with_database_env(Some("  ".to_owned()))
            .unwrap();
        assert_eq!(config.database, Database::Sqlite(PathBuf::from("file.db")));
        let config = file.clone().with_database_env(None).unwrap();
        assert_eq!(config.database, Database::Sqlite(PathBuf::from("file.db")));
        let err = file
            .with_database_env(Some("redis://x".to_owned()))
            .unwrap_err()
            .to_string();
        assert!(err.contains("DATABASE_URL"), "{err}");
    }

    #[test]
    fn a_database_password_is_never_printed() {
        let secret = "s3cr3t-pa55";
        let url = format!("postgres://stackpick:{secret}@db.example.com:5433/bot");
        let config = Config::from_parts(Path::new("c.toml"), "", None)
            .unwrap()
            .with_database_env(Some(url.clone()))
            .unwrap();
        let Database::Postgres(parsed) = &config.database else {
            panic!("{:?}", config.database)
        };
        assert_eq!(parsed.expose(), url, "the driver still gets the password");
        for shown in [
            format!("{config:?}"),
            format!("{config:#?}"),
            format!("{:?}", config.database),
            config.database.to_string(),
            parsed.to_string(),
        ] {
            assert!(!shown.contains(secret), "{shown}");
        }
        assert_eq!(
            config.database.to_string(),
            "postgres://stackpick:[redacted]@db.example.com:5433/bot"
        );
        // In the query string too, and for several hosts.
        let parsed = PostgresUrl::parse(&format!(
            "postgresql://u@a:1,b:2/db?password={secret}&application_name=x"
        ))
        .unwrap();
        assert_eq!(parsed.to_string(), "postgres://u:[redacted]@a:1,b:2/db");
        assert!(!format!("{parsed:?}").contains(secret));
        // A password with characters that end the user part elsewhere.
        let parsed = PostgresUrl::parse("postgres://u:p%40ss%2Fw0rd@h/db").unwrap();
        assert!(!parsed.to_string().contains("w0rd"), "{parsed}");
    }
}
