//! Editing the configuration file from the app: add, change, rename, pause and remove
//! networks and listeners. Every change is validated as a whole before the file is
//! replaced (atomically: a crash leaves the old or the new file, never half of one).
//! The file is rewritten from its parsed form, so comments in it are not kept.

use std::io::Write;
use std::path::{Path, PathBuf};

use serde::Serialize;
use ts_rs::TS;

use super::{
    targets::NotificationsEntry, Config, ConfigFile, ConfigProblem, Keychain, ListenerEntry,
    NetworkEntry,
};

/// Why an edit was refused.
#[derive(Debug, thiserror::Error)]
pub enum EditError {
    #[error("{0}")]
    Invalid(String),
    #[error("the configuration has problems: {}", .0.iter().map(|p| p.to_string()).collect::<Vec<_>>().join("; "))]
    Problems(Vec<ConfigProblem>),
    #[error("cannot read {path}: {message}")]
    Read { path: PathBuf, message: String },
    #[error("cannot write {path}: {source}")]
    Write {
        path: PathBuf,
        source: std::io::Error,
    },
}

/// What the app's editors see: networks and listeners in full, delivery targets by name
/// (their URLs and secrets stay in the file).
#[derive(Clone, Debug, Default, PartialEq, Serialize, TS)]
#[serde(rename_all = "camelCase")]
#[ts(export)]
pub struct ConfigView {
    pub path: String,
    pub networks: Vec<NetworkEntry>,
    pub listeners: Vec<ListenerEntry>,
    pub webhooks: Vec<String>,
    pub rabbitmq: Vec<String>,
    pub notifications: NotificationsEntry,
}

/// The configuration file, parsed, with the edits made so far.
#[derive(Clone, Debug)]
pub struct ConfigDoc {
    path: PathBuf,
    pub(super) file: ConfigFile,
}

impl ConfigDoc {
    /// Reads the file; a missing file is an empty configuration.
    pub fn load(path: &Path) -> Result<Self, EditError> {
        let file = match std::fs::read_to_string(path) {
            Ok(text) => toml::from_str(&text).map_err(|e| EditError::Read {
                path: path.to_path_buf(),
                message: super::toml_problem(&text, &e),
            })?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => ConfigFile::default(),
            Err(e) => {
                return Err(EditError::Read {
                    path: path.to_path_buf(),
                    message: e.to_string(),
                })
            }
        };
        Ok(Self {
            path: path.to_path_buf(),
            file,
        })
    }

    /// The delivery targets, without their secrets.
    pub fn targets(&self) -> Vec<super::target_form::TargetView> {
        super::target_form::target_views(&self.file)
    }

    pub fn view(&self) -> ConfigView {
        ConfigView {
            path: self.path.display().to_string(),
            networks: self.file.networks.clone(),
            listeners: self.file.listeners.clone(),
            webhooks: self.file.webhooks.iter().map(|w| w.name.clone()).collect(),
            rabbitmq: (self.file.rabbitmq.iter())
                .filter(|r| r.stream.is_none())
                .map(|r| r.name.clone())
                .collect(),
            notifications: self.file.notifications.clone().unwrap_or_default(),
        }
    }

    /// Adds a network, or replaces the one named `original`. A rename carries its
    /// listeners along.
    pub fn put_network(
        &mut self,
        original: Option<&str>,
        mut entry: NetworkEntry,
    ) -> Result<(), EditError> {
        entry.name = entry.name.trim().to_string();
        let name = entry.name.clone();
        if let Some(old) = put(&mut self.file.networks, "network", original, entry)? {
            for l in self.file.listeners.iter_mut().filter(|l| l.network == old) {
                l.network = name.clone();
            }
        }
        Ok(())
    }

    /// Removes a network; refused while listeners use it (their events stay stored).
    pub fn remove_network(&mut self, name: &str) -> Result<(), EditError> {
        let users: Vec<&str> = self
            .file
            .listeners
            .iter()
            .filter(|l| l.network == name)
            .map(|l| l.name.as_str())
            .collect();
        if !users.is_empty() {
            return Err(EditError::Invalid(format!(
                "network \"{name}\" is used by listener(s) {}; remove or move them first",
                users.join(", ")
            )));
        }
        let before = self.file.networks.len();
        self.file.networks.retain(|n| n.name != name);
        if self.file.networks.len() == before {
            return Err(not_found("network", Some(name)));
        }
        Ok(())
    }

    /// Adds a listener, or replaces the one named `original`.
    /// Adds a listener, or replaces the one named `original`. A replaced listener stays
    /// paused or running as it is: pausing is [`Self::set_paused`]'s, and an editor opened
    /// before a pause (from the tray) must not resume it by saving.
    pub fn put_listener(
        &mut self,
        original: Option<&str>,
        mut entry: ListenerEntry,
    ) -> Result<(), EditError> {
        entry.name = entry.name.trim().to_string();
        if let Some(current) =
            original.and_then(|o| self.file.listeners.iter().find(|l| l.name == o))
        {
            entry.paused = current.paused;
        }
        put(&mut self.file.listeners, "listener", original, entry).map(drop)
    }

    /// Removes a listener; its stored events stay.
    pub fn remove_listener(&mut self, name: &str) -> Result<(), EditError> {
        let before = self.file.listeners.len();
        self.file.listeners.retain(|l| l.name != name);
        if self.file.listeners.len() == before {
            return Err(not_found("listener", Some(name)));
        }
        Ok(())
    }

    /// Pauses or resumes one listener, or all of them (`None`).
    pub fn set_paused(&mut self, name: Option<&str>, paused: bool) -> Result<(), EditError> {
        let mut found = false;
        for l in &mut self.file.listeners {
            if name.is_none_or(|n| n == l.name) {
                l.paused = paused;
                found = true;
            }
        }
        if !found && name.is_some() {
            return Err(not_found("listener", name));
        }
        Ok(())
    }

    pub fn set_notifications(&mut self, entry: NotificationsEntry) {
        self.file.notifications = Some(entry);
    }

    /// Validates the whole configuration as it would be saved.
    pub fn validate(&self, keychain: &dyn Keychain) -> Result<Config, Vec<ConfigProblem>> {
        self.file.validate(self.base(), keychain)
    }

    /// The problems that concern one listener (for validation as the user types).
    pub fn listener_problems(&self, name: &str, keychain: &dyn Keychain) -> Vec<ConfigProblem> {
        let Err(problems) = self.validate(keychain) else {
            return Vec::new();
        };
        let marker = format!("(\"{name}\")");
        problems
            .into_iter()
            .filter(|p| p.at.contains(&marker))
            .collect()
    }

    /// Validates, then replaces the file atomically. Returns the validated configuration.
    pub fn save(&self, keychain: &dyn Keychain) -> Result<Config, EditError> {
        let config = self.validate(keychain).map_err(EditError::Problems)?;
        let text = toml::to_string_pretty(&self.file)
            .map_err(|e| EditError::Invalid(format!("cannot write the configuration: {e}")))?;
        write_atomically(&self.path, text.as_bytes()).map_err(|source| EditError::Write {
            path: self.path.clone(),
            source,
        })?;
        Ok(config)
    }

    fn base(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("."))
    }
}

/// An entry of a list whose names are unique.
trait Named {
    fn name(&self) -> &str;
}

impl Named for NetworkEntry {
    fn name(&self) -> &str {
        &self.name
    }
}

impl Named for ListenerEntry {
    fn name(&self) -> &str {
        &self.name
    }
}

/// Adds `entry`, or replaces the one named `original`; refuses an empty or taken name.
/// Returns the replaced entry's name.
fn put<T: Named>(
    list: &mut Vec<T>,
    what: &str,
    original: Option<&str>,
    entry: T,
) -> Result<Option<String>, EditError> {
    let name = entry.name();
    if name.is_empty() {
        return Err(EditError::Invalid(format!("a {what} needs a name")));
    }
    if list
        .iter()
        .any(|e| e.name() == name && Some(e.name()) != original)
    {
        return Err(EditError::Invalid(format!(
            "a {what} named \"{name}\" already exists"
        )));
    }
    match original.and_then(|o| list.iter().position(|e| e.name() == o)) {
        Some(i) => Ok(Some(
            std::mem::replace(&mut list[i], entry).name().to_string(),
        )),
        None if original.is_some() => Err(not_found(what, original)),
        None => {
            list.push(entry);
            Ok(None)
        }
    }
}

fn not_found(what: &str, name: Option<&str>) -> EditError {
    EditError::Invalid(format!(
        "there is no {what} named \"{}\"",
        name.unwrap_or_default()
    ))
}

/// Writes a sibling temporary file, syncs it, renames it over `path` and syncs the folder.
/// A symlinked file is written where the link points; an existing file keeps its
/// permissions, a new one is readable by its owner only (it may hold secrets).
fn write_atomically(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    let resolved = std::fs::canonicalize(path).ok();
    let path = resolved.as_deref().unwrap_or(path);
    let permissions = std::fs::metadata(path).ok().map(|m| m.permissions());
    let dir = path
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    crate::files::create_private_dir(dir)?;
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".tmp");
    let tmp = PathBuf::from(tmp);
    let mut f = crate::files::create_temp(&tmp)?;
    if let Some(p) = permissions {
        f.set_permissions(p)?;
    }
    f.write_all(bytes)?;
    f.sync_all()?;
    drop(f);
    std::fs::rename(&tmp, path)?;
    std::fs::File::open(dir)?.sync_all()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::NoKeychain;

    const START: &str = r#"
[[networks]]
name = "local"
chain_id = 31337
rpc = ["http://127.0.0.1:8545"]
confirmations = 2

[[listeners]]
name = "transfers"
network = "local"
events = ["erc20:Transfer"]
where = "value >= 1000"
from_block = "latest"

[[webhooks]]
name = "hook"
url = "http://127.0.0.1:9/x"
headers = { "X-Team" = "ops" }
"#;

    fn doc(dir: &Path) -> ConfigDoc {
        let path = dir.join("config.toml");
        std::fs::write(&path, START).expect("write");
        ConfigDoc::load(&path).expect("load")
    }

    #[test]
    fn edits_round_trip_through_the_file() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = doc(dir.path());
        let mut net = d.view().networks[0].clone();
        net.name = "anvil".into();
        d.put_network(Some("local"), net).expect("rename");
        d.set_paused(None, true).expect("pause all");
        d.save(&NoKeychain).expect("save");
        let again = ConfigDoc::load(&d.path).expect("reload");
        let v = again.view();
        assert_eq!(v.networks[0].name, "anvil");
        assert_eq!(v.listeners[0].network, "anvil", "listeners follow a rename");
        assert!(v.listeners[0].paused);
        assert_eq!(v.listeners[0].condition.as_deref(), Some("value >= 1000"));
        assert_eq!(v.networks[0].confirmations, Some(toml::Value::Integer(2)));
        assert_eq!(v.webhooks, vec!["hook".to_string()]);
        let config = again.validate(&NoKeychain).expect("valid");
        assert_eq!(config.listeners.len(), 1);
    }

    #[cfg(unix)]
    #[test]
    fn saving_keeps_the_file_private_and_its_link() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("tempdir");
        let real = dir.path().join("real.toml");
        std::fs::write(&real, START).expect("write");
        std::fs::set_permissions(&real, std::fs::Permissions::from_mode(0o600)).expect("chmod");
        let link = dir.path().join("config.toml");
        std::os::unix::fs::symlink(&real, &link).expect("symlink");
        let mut d = ConfigDoc::load(&link).expect("load");
        d.set_paused(None, true).expect("pause all");
        d.save(&NoKeychain).expect("save");
        assert!(std::fs::symlink_metadata(&link)
            .expect("link")
            .file_type()
            .is_symlink());
        let mode = std::fs::metadata(&real).expect("real").permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
        assert!(ConfigDoc::load(&real).expect("reload").view().listeners[0].paused);
    }

    #[test]
    fn saving_a_listener_keeps_it_paused_or_running() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = doc(dir.path());
        // An editor opened while it ran; meanwhile the tray paused everything.
        let stale = d.view().listeners[0].clone();
        d.set_paused(None, true).expect("pause all");
        d.put_listener(Some("transfers"), stale).expect("save");
        assert!(d.view().listeners[0].paused, "still paused");
    }

    #[test]
    fn a_bad_edit_is_refused_and_the_file_is_untouched() {
        let dir = tempfile::tempdir().expect("tempdir");
        let mut d = doc(dir.path());
        let mut l = d.view().listeners[0].clone();
        l.condition = Some("valu >= 1".into());
        d.put_listener(Some("transfers"), l).expect("in memory");
        let problems = d.listener_problems("transfers", &NoKeychain);
        assert!(
            problems.iter().any(|p| p.message.contains("valu")),
            "{problems:?}"
        );
        assert!(matches!(d.save(&NoKeychain), Err(EditError::Problems(_))));
        let on_disk = std::fs::read_to_string(dir.path().join("config.toml")).expect("read");
        assert_eq!(on_disk, START);
        let err = d.remove_network("local").expect_err("in use");
        assert!(err.to_string().contains("transfers"), "{err}");
        let dup = d.view().listeners[0].clone();
        let err = d.put_listener(None, dup).expect_err("duplicate");
        assert!(err.to_string().contains("already exists"), "{err}");
    }
}
