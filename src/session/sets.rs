//! Which question sets a server (or a DM) has: the built-in ones, those of
//! `questions_dir`, and the server's own stored versions, parsed once and cached.

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::{Arc, Mutex};

use anyhow::{Context as _, Result};
use tracing::{info, warn};

use super::Sessions;
use crate::guide::Catalogue;
use crate::ids::SetId;
use crate::questionnaire::{builtin_sets, QuestionSet, Source, BUILTIN_SETS};
use crate::store::StoredSet;

/// How many parsed server-set versions are kept in memory.
const PARSED_SETS_CACHED: usize = 256;

/// The sets every server has, and a cache of parsed server sets.
pub struct Library {
    /// Sets every server has: the built-in ones and those of `questions_dir`.
    pub builtin: BTreeMap<SetId, Arc<QuestionSet>>,
    /// Their TOML, for `/questions export`.
    pub sources: BTreeMap<SetId, String>,
    /// Parsed server sets by (guild, set, revision), so a click doesn't re-parse TOML.
    parsed: Mutex<HashMap<(u64, SetId, u32), Arc<QuestionSet>>>,
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
        })
    }

    fn cached(&self, key: &(u64, SetId, u32)) -> Option<Arc<QuestionSet>> {
        self.parsed.lock().ok().and_then(|p| p.get(key).cloned())
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
        if let Some(set) = self.library.cached(&key) {
            return Ok(set);
        }
        let source = stored
            .source
            .as_deref()
            .context("that version is a removal")?;
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
                // Two interactions may parse the same revision at once: keep the first.
                Ok(Arc::clone(parsed.entry(key).or_insert(set)))
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
            for stored in self.store.current_sets(guild).await? {
                // One unreadable stored set (e.g. checked against an older catalogue)
                // must not take the server's other sets down with it.
                match self.parse_stored(guild, &stored) {
                    Ok(set) => {
                        let revision = Some(stored.revision);
                        sets.insert(set.id.clone(), Resolved { set, revision });
                    }
                    Err(e) => {
                        warn!(set = %stored.set_id, revision = stored.revision, error = format!("{e:#}"), "skipping a stored set that no longer loads")
                    }
                }
            }
        }
        Ok(sets)
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
            if let Some(id) = self.store.settings(guild).await?.active_set {
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
