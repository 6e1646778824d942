//! Which question sets a server (or a DM) has: the built-in ones, those of
//! `questions_dir`, and the server's own stored versions, parsed once and cached.
//!
//! What a server has (its current stored sets and its chosen one) is read from the
//! database and then used for [`SERVER_SETS_FRESH`]: `/recommend` would otherwise read
//! it on every start. Changes made through this process ([`Sessions::add_set_version`],
//! [`Sessions::set_active`], a server's data deleted) are seen at once; changes made
//! through another process sharing the database (several workers on one PostgreSQL)
//! within [`SERVER_SETS_FRESH`]. Conversations keep the revision they started on either
//! way.

use std::collections::{BTreeMap, HashMap};
use std::hash::{DefaultHasher, Hash, Hasher};
use std::path::Path;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use anyhow::{Context as _, Result};
use tracing::{info, warn};

use super::Sessions;
use crate::guide::Catalogue;
use crate::ids::SetId;
use crate::questionnaire::{builtin_sets, QuestionSet, Source, BUILTIN_SETS};
use crate::store::StoredSet;

/// How many parsed server-set versions are kept in memory.
const PARSED_SETS_CACHED: usize = 256;

/// How long what a server has (its sets, its chosen set) is used once read.
pub const SERVER_SETS_FRESH: Duration = Duration::from_secs(2);

/// How many servers' sets are kept at most (when full, all are dropped).
const SERVERS_CACHED: usize = 4_096;

/// A parsed server set's place: server, set, revision.
type ParsedKey = (u64, SetId, u32);

/// What servers have, as read last, and how many changes this process has made: a
/// read that began before a change must not be kept after it.
#[derive(Default)]
struct Servers {
    by_guild: HashMap<u64, Arc<ServerSets>>,
    changes: u64,
}

/// What a server has, as read at `read_at`.
struct ServerSets {
    read_at: Instant,
    /// Its chosen set (`None`: the default).
    active: Option<SetId>,
    /// Its current stored sets, parsed (one that no longer loads is left out).
    sets: Vec<Resolved>,
}

/// The sets every server has, and a cache of parsed server sets.
pub struct Library {
    /// Sets every server has: the built-in ones and those of `questions_dir`.
    pub builtin: BTreeMap<SetId, Arc<QuestionSet>>,
    /// Their TOML, for `/questions export`.
    pub sources: BTreeMap<SetId, String>,
    /// Parsed server sets by (guild, set, revision), so a click doesn't re-parse TOML.
    /// Each with a hash of its source: a server's data deleted and a set uploaded again
    /// starts again at revision 1, and must not be taken for the one before.
    parsed: Mutex<HashMap<ParsedKey, (u64, Arc<QuestionSet>)>>,
    /// What each server has, as read last.
    servers: Mutex<Servers>,
    /// How long what a server has is used once read ([`SERVER_SETS_FRESH`]).
    pub server_sets_fresh: Duration,
}

impl Library {
    /// The built-in sets and those of `dir` (a broken file stops the start with its
    /// problems listed); a file's set replaces a built-in one with the same id.
    pub fn load(catalogue: &Catalogue, dir: Option<&Path>) -> Result<Library> {
        let mut builtin = BTreeMap::new();
        let mut sources = BTreeMap::new();
        for (set, (_, text)) in builtin_sets(catalogue)?.into_iter().zip(BUILTIN_SETS) {
            sources.insert(set.id.clone(), (*text).to_owned());
            builtin.insert(set.id.clone(), Arc::new(set));
        }
        if let Some(dir) = dir {
            let entries = std::fs::read_dir(dir)
                .with_context(|| format!("cannot read questions_dir {}", dir.display()))?;
            let mut paths: Vec<_> = entries
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.extension().is_some_and(|x| x == "toml"))
                .collect();
            paths.sort();
            for path in paths {
                let name = path.display().to_string();
                let text = std::fs::read_to_string(&path)
                    .with_context(|| format!("cannot read {name}"))?;
                let set = QuestionSet::from_toml(
                    Source {
                        name: &name,
                        text: &text,
                    },
                    catalogue,
                )?;
                sources.insert(set.id.clone(), text);
                if builtin.insert(set.id.clone(), Arc::new(set)).is_some() {
                    info!(file = %name, "question set replaces the built-in set with the same id");
                }
            }
        }
        Ok(Library {
            builtin,
            sources,
            parsed: Mutex::new(HashMap::new()),
            servers: Mutex::new(Servers::default()),
            server_sets_fresh: SERVER_SETS_FRESH,
        })
    }

    fn cached(&self, key: &ParsedKey) -> Option<Arc<QuestionSet>> {
        self.parsed
            .lock()
            .ok()
            .and_then(|p| p.get(key).map(|(_, set)| Arc::clone(set)))
    }

    /// What `guild` has, if read less than [`Library::server_sets_fresh`] ago.
    fn server(&self, guild: u64) -> Option<Arc<ServerSets>> {
        let servers = self.servers.lock().ok()?;
        let server = servers.by_guild.get(&guild)?;
        (server.read_at.elapsed() < self.server_sets_fresh).then(|| Arc::clone(server))
    }

    /// How many changes this process has made so far (see [`Library::keep_server`]).
    fn changes(&self) -> u64 {
        self.servers.lock().map_or(0, |s| s.changes)
    }

    /// Keeps what `guild` has, read after `changes` changes, unless another change was
    /// made since (what was read may be from before it).
    fn keep_server(&self, guild: u64, server: Arc<ServerSets>, changes: u64) {
        let Ok(mut servers) = self.servers.lock() else {
            return;
        };
        if servers.changes != changes {
            return;
        }
        if servers.by_guild.len() >= SERVERS_CACHED {
            let fresh = self.server_sets_fresh;
            servers.by_guild.retain(|_, s| s.read_at.elapsed() < fresh);
            if servers.by_guild.len() >= SERVERS_CACHED {
                servers.by_guild.clear();
            }
        }
        servers.by_guild.insert(guild, server);
    }

    /// Forgets what `guild` has (it changed): the next use reads it again.
    pub fn server_changed(&self, guild: u64) {
        if let Ok(mut servers) = self.servers.lock() {
            servers.changes += 1;
            servers.by_guild.remove(&guild);
        }
    }

    /// Forgets everything of `guild`, its parsed sets too (its data was deleted: a
    /// later upload starts again at revision 1).
    pub fn forget_guild(&self, guild: u64) {
        self.server_changed(guild);
        if let Ok(mut parsed) = self.parsed.lock() {
            parsed.retain(|(g, _, _), _| *g != guild);
        }
    }
}

/// A question set as found for a server: the set, and for a server's own set the
/// stored revision it is (conversations keep running on that revision).
#[derive(Clone)]
pub struct Resolved {
    /// The set.
    pub set: Arc<QuestionSet>,
    /// `Some` for a server's stored set; `None` for a built-in one.
    pub revision: Option<u32>,
}

impl std::ops::Deref for Resolved {
    type Target = QuestionSet;

    fn deref(&self) -> &QuestionSet {
        &self.set
    }
}

impl Sessions {
    /// A server set's stored version as a question set. Its `version` becomes the
    /// stored revision, so every upload is a new, comparable version.
    pub fn parse_stored(&self, guild_id: u64, stored: &StoredSet) -> Result<Arc<QuestionSet>> {
        let key = (guild_id, stored.set_id.clone(), stored.revision);
        let source = stored
            .source
            .as_deref()
            .context("that version is a removal")?;
        let hash = {
            let mut h = DefaultHasher::new();
            source.hash(&mut h);
            h.finish()
        };
        if let Ok(parsed) = self.library.parsed.lock() {
            if let Some((_, set)) = parsed.get(&key).filter(|(h, _)| *h == hash) {
                return Ok(Arc::clone(set));
            }
        }
        let name = format!("{} (version {})", stored.set_id, stored.revision);
        let mut set = QuestionSet::from_toml(
            Source {
                name: &name,
                text: source,
            },
            &self.catalogue,
        )?;
        set.version = stored.revision;
        let set = Arc::new(set);
        match self.library.parsed.lock() {
            Ok(mut parsed) => {
                // A cache, not a record: when it grows past its bound it starts over.
                if parsed.len() >= PARSED_SETS_CACHED {
                    parsed.clear();
                }
                // Two interactions may parse the same revision at once: keep the first
                // (unless it is another source under the same revision).
                let kept = parsed.entry(key).or_insert((hash, Arc::clone(&set)));
                if kept.0 != hash {
                    *kept = (hash, set);
                }
                Ok(Arc::clone(&kept.1))
            }
            Err(_) => Ok(set),
        }
    }

    /// Any stored revision of a server set (conversations keep theirs).
    pub async fn stored_set(
        &self,
        guild_id: u64,
        id: &SetId,
        revision: u32,
    ) -> Result<Option<Arc<QuestionSet>>> {
        let key = (guild_id, id.clone(), revision);
        if let Some(set) = self.library.cached(&key) {
            return Ok(Some(set));
        }
        let stored = self
            .store
            .set_versions(guild_id, id)
            .await?
            .into_iter()
            .find(|v| v.revision == revision);
        match stored {
            Some(stored) if stored.source.is_some() => {
                Ok(Some(self.parse_stored(guild_id, &stored)?))
            }
            _ => Ok(None),
        }
    }

    /// The sets available in a server (or a DM): built-in ones, then the server's,
    /// a server set replacing a built-in one with the same id; each with where it
    /// comes from.
    pub async fn resolve_sets(&self, guild_id: Option<u64>) -> Result<BTreeMap<SetId, Resolved>> {
        let mut sets: BTreeMap<SetId, Resolved> = self
            .library
            .builtin
            .iter()
            .map(|(id, set)| {
                (
                    id.clone(),
                    Resolved {
                        set: Arc::clone(set),
                        revision: None,
                    },
                )
            })
            .collect();
        if let Some(guild) = guild_id {
            for resolved in &self.server_sets(guild).await?.sets {
                sets.insert(resolved.id.clone(), resolved.clone());
            }
        }
        Ok(sets)
    }

    /// What a server has: as read less than [`Library::server_sets_fresh`] ago, else
    /// read now.
    async fn server_sets(&self, guild: u64) -> Result<Arc<ServerSets>> {
        if let Some(server) = self.library.server(guild) {
            return Ok(server);
        }
        let changes = self.library.changes();
        let read_at = Instant::now();
        let active = self.store.settings(guild).await?.active_set;
        let mut sets = Vec::new();
        for stored in self.store.current_sets(guild).await? {
            // One unreadable stored set (e.g. checked against an older catalogue)
            // must not take the server's other sets down with it.
            match self.parse_stored(guild, &stored) {
                Ok(set) => {
                    let revision = Some(stored.revision);
                    sets.push(Resolved { set, revision });
                }
                Err(e) => {
                    warn!(set = %stored.set_id, revision = stored.revision, error = format!("{e:#}"), "skipping a stored set that no longer loads")
                }
            }
        }
        let server = Arc::new(ServerSets {
            read_at,
            active,
            sets,
        });
        self.library
            .keep_server(guild, Arc::clone(&server), changes);
        Ok(server)
    }

    /// Stores a new version of a server's set ([`GuildStore::add_set_version`]); this
    /// process sees the change at once.
    ///
    /// [`GuildStore::add_set_version`]: crate::store::GuildStore::add_set_version
    pub async fn add_set_version(
        &self,
        guild_id: u64,
        set_id: &SetId,
        source: Option<&str>,
        by: u64,
        activate: bool,
    ) -> Result<u32> {
        let revision = self
            .store
            .add_set_version(guild_id, set_id, source, by, activate)
            .await;
        self.library.server_changed(guild_id);
        revision
    }

    /// Chooses a server's set (`None`: the default); this process sees it at once.
    pub async fn set_active(&self, guild_id: u64, set_id: Option<&SetId>) -> Result<()> {
        let outcome = self.store.set_active(guild_id, set_id).await;
        self.library.server_changed(guild_id);
        outcome
    }

    /// The sets available in a server (or a DM), for listing.
    pub async fn sets_for(
        &self,
        guild_id: Option<u64>,
    ) -> Result<BTreeMap<SetId, Arc<QuestionSet>>> {
        Ok(self
            .resolve_sets(guild_id)
            .await?
            .into_iter()
            .map(|(id, resolved)| (id, resolved.set))
            .collect())
    }

    /// The set with this id in a server (or a DM).
    pub async fn find_set(&self, guild_id: Option<u64>, id: &SetId) -> Result<Option<Resolved>> {
        Ok(self.resolve_sets(guild_id).await?.remove(id))
    }

    /// The set `/recommend` uses when none is named: the server's chosen one, else
    /// the default (the server's own `default` if it has one).
    pub async fn active_set(&self, guild_id: Option<u64>) -> Result<Resolved> {
        if let Some(guild) = guild_id {
            if let Some(id) = self.server_sets(guild).await?.active.clone() {
                if let Some(set) = self.find_set(Some(guild), &id).await? {
                    return Ok(set);
                }
                warn!(set = %id, "the server's chosen set is gone; using the default");
            }
        }
        let mut sets = self.resolve_sets(guild_id).await?;
        match sets.remove(&SetId::from("default")) {
            Some(set) => Ok(set),
            None => sets
                .into_values()
                .next()
                .context("no question set is loaded"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(sets: Vec<Resolved>) -> Arc<ServerSets> {
        Arc::new(ServerSets {
            read_at: Instant::now(),
            active: None,
            sets,
        })
    }

    #[test]
    fn a_read_that_began_before_a_change_is_not_kept() {
        let library = Library::load(Catalogue::builtin(), None).unwrap();
        let before = library.changes();
        // The read is under way when this process changes the server's sets.
        library.server_changed(1);
        library.keep_server(1, read(Vec::new()), before);
        assert!(library.server(1).is_none(), "stale read dropped");
        // A read that began after it is kept, and only for its server.
        library.keep_server(1, read(Vec::new()), library.changes());
        assert!(library.server(1).is_some());
        assert!(library.server(2).is_none());
    }

    #[test]
    fn what_a_server_has_is_used_only_while_fresh() {
        let mut library = Library::load(Catalogue::builtin(), None).unwrap();
        library.server_sets_fresh = Duration::ZERO;
        library.keep_server(1, read(Vec::new()), library.changes());
        assert!(library.server(1).is_none());
    }
}
