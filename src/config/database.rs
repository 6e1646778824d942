//! Where the bot keeps its data: a SQLite file or a PostgreSQL URL, whose password is
//! never printed.

use std::fmt;
use std::path::PathBuf;

use super::DEFAULT_DATABASE;

/// Where the bot keeps its data: `database` in the file, or `DATABASE_URL`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Database {
    /// A SQLite file, created if needed: the default, for one process.
    Sqlite(PathBuf),
    /// A PostgreSQL server (`postgres://` or `postgresql://`), which several processes
    /// can share.
    Postgres(PostgresUrl),
}

impl Database {
    /// A `postgres://`/`postgresql://` URL, or else a SQLite file path. Another URL
    /// scheme is refused. The message of an error never contains the value (it may
    /// hold a password).
    pub fn parse(value: &str) -> Result<Database, String> {
        let value = value.trim();
        if value.is_empty() {
            return Err(
                "the database must be a SQLite file path or a postgres:// URL, not empty"
                    .to_owned(),
            );
        }
        if value.starts_with("postgres://") || value.starts_with("postgresql://") {
            return PostgresUrl::parse(value).map(Database::Postgres);
        }
        if let Some((scheme, _)) = value.split_once("://") {
            if !scheme.is_empty()
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
            {
                return Err(format!(
                    "`{scheme}://` databases are not supported: use a SQLite file path or a postgres:// URL"
                ));
            }
        }
        Ok(Database::Sqlite(PathBuf::from(value)))
    }
}

impl Default for Database {
    fn default() -> Database {
        Database::Sqlite(PathBuf::from(DEFAULT_DATABASE))
    }
}

impl fmt::Display for Database {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Database::Sqlite(path) => write!(f, "{}", path.display()),
            Database::Postgres(url) => write!(f, "{url}"),
        }
    }
}

/// A PostgreSQL connection URL. `Debug` and `Display` show the user, hosts and
/// database but never the password (nor the query string, which may carry one).
#[derive(Clone, PartialEq, Eq)]
pub struct PostgresUrl {
    url: String,
    shown: String,
}

impl PostgresUrl {
    /// Checks the URL (as the driver reads it). The error never contains the URL.
    pub fn parse(url: &str) -> Result<PostgresUrl, String> {
        let config: tokio_postgres::Config = url
            .parse()
            .map_err(|e| format!("the PostgreSQL URL is not valid: {e}"))?;
        let mut shown = String::from("postgres://");
        if let Some(user) = config.get_user() {
            shown.push_str(user);
            if config.get_password().is_some() {
                shown.push_str(":[redacted]");
            }
            shown.push('@');
        } else if config.get_password().is_some() {
            shown.push_str(":[redacted]@");
        }
        let ports = config.get_ports();
        let hosts: Vec<String> = config
            .get_hosts()
            .iter()
            .enumerate()
            .map(|(i, host)| {
                let mut host = match host {
                    tokio_postgres::config::Host::Tcp(name) if name.contains(':') => {
                        format!("[{name}]")
                    }
                    tokio_postgres::config::Host::Tcp(name) => name.clone(),
                    tokio_postgres::config::Host::Unix(path) => path.display().to_string(),
                };
                if let Some(port) = ports.get(i).or(ports.first()) {
                    host.push_str(&format!(":{port}"));
                }
                host
            })
            .collect();
        shown.push_str(&hosts.join(","));
        if let Some(dbname) = config.get_dbname() {
            shown.push('/');
            shown.push_str(dbname);
        }
        Ok(PostgresUrl {
            url: url.to_owned(),
            shown,
        })
    }

    /// The URL itself, password included, only for connecting.
    pub fn expose(&self) -> &str {
        &self.url
    }
}

impl fmt::Display for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.shown)
    }
}

impl fmt::Debug for PostgresUrl {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "PostgresUrl({:?})", self.shown)
    }
}
