//! Following edits of the configuration file while running, the same for `tokenwatch run`
//! and the app: [`ConfigWatch`] notices a changed file and validates it, and
//! [`crate::Engine::apply`] applies it and answers with the [`ConfigChanges`] it made. A file
//! that does not validate is reported and the running configuration stays.

use std::fmt;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::{Duration, SystemTime};

use serde::Serialize;
use ts_rs::TS;

use crate::config::{ConfigProblem, Keychain};
use crate::model::TargetSpec;
use crate::model::{ListenerSpec, NetworkSpec};
use crate::Config;

/// How often the file is looked at.
pub const POLL: Duration = Duration::from_secs(1);

/// The configuration file as last seen.
pub struct ConfigWatch {
    path: PathBuf,
    seen: Option<(SystemTime, u64)>,
    keychain: Arc<dyn Keychain + Send + Sync>,
}

impl ConfigWatch {
    /// Starts from the file as it is now; `*_keychain` secrets come from `keychain`.
    pub fn new(path: PathBuf, keychain: Arc<dyn Keychain + Send + Sync>) -> Self {
        let seen = stamp(&path);
        Self {
            path,
            seen,
            keychain,
        }
    }

    /// Takes the file as it is now as seen (the host has just written and applied it).
    pub fn mark_seen(&mut self) {
        self.seen = stamp(&self.path);
    }

    /// When the file changed since last looked at: the configuration it now holds, or its
    /// problems (both logged). Blocking: it reads the file and the keychain.
    pub fn changed(&mut self) -> Option<Result<Config, Vec<ConfigProblem>>> {
        let now = stamp(&self.path);
        if now.is_none() || now == self.seen {
            return None;
        }
        self.seen = now;
        let loaded = Config::load_with(&self.path, self.keychain.as_ref());
        match &loaded {
            Ok(config) => {
                for w in &config.warnings {
                    tracing::warn!("{w}");
                }
                tracing::info!(config = %self.path.display(), "configuration changed; applying it");
            }
            Err(problems) => {
                for p in problems {
                    tracing::error!("{p}");
                }
                tracing::error!(config = %self.path.display(), "the changed configuration has problems; still running the previous one");
            }
        }
        Some(loaded)
    }
}

/// Modification time and size: a change of either counts.
fn stamp(path: &Path) -> Option<(SystemTime, u64)> {
    let m = std::fs::metadata(path).ok()?;
    Some((m.modified().ok()?, m.len()))
}

/// What applying a configuration changed, by name.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct ConfigChanges {
    pub networks: NameChanges,
    pub listeners: NameChanges,
    /// Delivery targets, as `webhook:ops` / `rabbitmq:bus`.
    pub targets: NameChanges,
}

#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, TS)]
#[ts(export)]
pub struct NameChanges {
    pub added: Vec<String>,
    pub changed: Vec<String>,
    pub removed: Vec<String>,
}

impl NameChanges {
    /// Compares two lists of `(name, definition)`.
    fn between<'a, T: PartialEq + 'a>(
        old: impl IntoIterator<Item = (String, &'a T)>,
        new: impl IntoIterator<Item = (String, &'a T)>,
    ) -> NameChanges {
        let old: Vec<(String, &T)> = old.into_iter().collect();
        let new: Vec<(String, &T)> = new.into_iter().collect();
        let mut out = NameChanges::default();
        for (name, def) in &new {
            match old.iter().find(|(n, _)| n == name) {
                None => out.added.push(name.clone()),
                Some((_, before)) if before != def => out.changed.push(name.clone()),
                Some(_) => {}
            }
        }
        for (name, _) in &old {
            if !new.iter().any(|(n, _)| n == name) {
                out.removed.push(name.clone());
            }
        }
        out
    }

    fn is_empty(&self) -> bool {
        self.added.is_empty() && self.changed.is_empty() && self.removed.is_empty()
    }
}

/// What applying `config` changes, compared with the networks (and their listeners) and
/// the targets that run.
pub(crate) fn changes<'a>(
    running: impl Iterator<Item = (&'a NetworkSpec, &'a [ListenerSpec])> + Clone,
    targets: &[TargetSpec],
    config: &Config,
) -> ConfigChanges {
    ConfigChanges {
        networks: NameChanges::between(
            running.clone().map(|(n, _)| (n.name.clone(), n)),
            config.networks.iter().map(|n| (n.name.clone(), n)),
        ),
        listeners: NameChanges::between(
            running.flat_map(|(_, ls)| ls).map(|l| (l.name.clone(), l)),
            config.listeners.iter().map(|l| (l.name.clone(), l)),
        ),
        targets: NameChanges::between(
            targets.iter().map(|t| (t.key.to_string(), t)),
            config.targets.iter().map(|t| (t.key.to_string(), t)),
        ),
    }
}

impl ConfigChanges {
    pub fn is_empty(&self) -> bool {
        self.networks.is_empty() && self.listeners.is_empty() && self.targets.is_empty()
    }
}

/// `1 target added (webhook:ops), 1 listener changed (transfers)`, or `nothing changed`.
impl fmt::Display for ConfigChanges {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut parts = Vec::new();
        let kinds = [
            ("network", &self.networks),
            ("listener", &self.listeners),
            ("target", &self.targets),
        ];
        for (noun, c) in kinds {
            for (verb, names) in [
                ("added", &c.added),
                ("changed", &c.changed),
                ("removed", &c.removed),
            ] {
                if !names.is_empty() {
                    let s = if names.len() == 1 { "" } else { "s" };
                    parts.push(format!(
                        "{} {noun}{s} {verb} ({})",
                        names.len(),
                        names.join(", ")
                    ));
                }
            }
        }
        if parts.is_empty() {
            return write!(f, "nothing changed");
        }
        write!(f, "{}", parts.join(", "))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn changes_are_counted_and_named() {
        let old = [("a".to_string(), &1), ("b".to_string(), &2)];
        let new = [("b".to_string(), &3), ("c".to_string(), &4)];
        let listeners = NameChanges::between(old, new);
        assert_eq!(listeners.added, ["c"]);
        assert_eq!(listeners.changed, ["b"]);
        assert_eq!(listeners.removed, ["a"]);
        let changes = ConfigChanges {
            listeners,
            targets: NameChanges {
                added: vec!["webhook:ops".into()],
                ..NameChanges::default()
            },
            ..ConfigChanges::default()
        };
        assert_eq!(
            changes.to_string(),
            "1 listener added (c), 1 listener changed (b), 1 listener removed (a), 1 target added (webhook:ops)"
        );
        assert_eq!(ConfigChanges::default().to_string(), "nothing changed");
    }

    #[test]
    fn a_file_is_reported_once_per_change_with_its_problems() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("c.toml");
        std::fs::write(&path, "").unwrap();
        let mut watch = ConfigWatch::new(path.clone(), Arc::new(crate::config::NoKeychain));
        assert!(watch.changed().is_none(), "unchanged");
        std::fs::write(&path, "[[networks]]\nname = \"x\"\n").unwrap();
        let problems = watch.changed().unwrap().unwrap_err();
        assert!(!problems.is_empty());
        assert!(watch.changed().is_none(), "reported once");
        std::fs::write(&path, "# fixed\n").unwrap();
        watch.mark_seen();
        assert!(watch.changed().is_none(), "written by the host itself");
    }
}
