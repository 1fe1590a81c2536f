//! Where a CSV goes: a regular file is written through `FILE.part` and renamed into place
//! when complete, a FIFO or a character device is written into, anything else is refused,
//! and the database is never overwritten. The export, `holders` and `tokens` share it.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::ExportError;

/// Writes a CSV through `write` to `path`. A regular file (or a new one) is written through a
/// temporary file beside it, synced and renamed into place once complete: a failure
/// leaves what was at `path` as it was. A symlink is followed (the file it points to is
/// replaced in its own folder). A FIFO or a character device (`/dev/stdout`, a named pipe)
/// is written into directly, never replaced; a folder, a block device or a socket is
/// refused. Refuses to write over the database `db` (or its log files).
pub fn to_path<W>(path: &Path, db: &Path, write: W) -> Result<u64, ExportError>
where
    W: FnOnce(&mut dyn Write) -> Result<u64, ExportError>,
{
    if is_database(path, db) {
        return Err(ExportError::Target(format!(
            "{} is the database being exported; choose another file for the CSV",
            path.display()
        )));
    }
    let path = &follow_links(path)?;
    match std::fs::metadata(path).map(|m| m.file_type()) {
        Err(_) => {}
        Ok(t) if t.is_file() => {}
        Ok(t) if is_stream(&t) => {
            let file = std::fs::OpenOptions::new()
                .write(true)
                .open(path)
                .map_err(|e| ExportError::Target(format!("cannot open {}: {e}", path.display())))?;
            let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
            let rows = write(&mut out)?;
            out.into_inner().map_err(|e| e.into_error())?;
            return Ok(rows);
        }
        Ok(t) => {
            let what = if t.is_dir() {
                "a folder"
            } else {
                "a special file (a device or a socket)"
            };
            return Err(ExportError::Target(format!(
                "{} is {what}; choose a file for the CSV",
                path.display()
            )));
        }
    }
    replace_atomically(path, write)
}

/// Writes a regular file through `FILE.part`; an existing file keeps its mode, a new one
/// is private.
fn replace_atomically<W>(path: &Path, write: W) -> Result<u64, ExportError>
where
    W: FnOnce(&mut dyn Write) -> Result<u64, ExportError>,
{
    let mut tmp = path.as_os_str().to_owned();
    tmp.push(".part");
    let tmp = PathBuf::from(tmp);
    let file = crate::files::create_temp(&tmp)
        .map_err(|e| ExportError::Target(format!("cannot create {}: {e}", tmp.display())))?;
    if let Ok(m) = std::fs::metadata(path) {
        file.set_permissions(m.permissions())?;
    }
    let mut out = std::io::BufWriter::with_capacity(1 << 20, file);
    let written = write(&mut out).and_then(|rows| {
        let file = out.into_inner().map_err(|e| e.into_error())?;
        file.sync_all()?;
        drop(file);
        std::fs::rename(&tmp, path)?;
        Ok(rows)
    });
    if written.is_err() {
        let _ = std::fs::remove_file(&tmp);
    }
    written
}

/// Whether a file of this type is a stream to write into (a FIFO, a character device).
fn is_stream(t: &std::fs::FileType) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        t.is_fifo() || t.is_char_device()
    }
    #[cfg(not(unix))]
    {
        let _ = t;
        false
    }
}

/// `path` with its symlinks followed to the file they name (which may not exist yet).
fn follow_links(path: &Path) -> Result<PathBuf, ExportError> {
    let mut p = path.to_path_buf();
    for _ in 0..40 {
        match std::fs::symlink_metadata(&p) {
            Ok(m) if m.file_type().is_symlink() => {
                let next = std::fs::read_link(&p)?;
                p = match p.parent() {
                    Some(dir) => dir.join(next),
                    None => next,
                };
            }
            _ => return Ok(p),
        }
    }
    Err(ExportError::Target(format!(
        "{} is a loop of symbolic links",
        path.display()
    )))
}

/// Whether `path` names the database file or one of its companions.
fn is_database(path: &Path, db: &Path) -> bool {
    // The same file whatever the name (a link, `./`, another spelling); a file that does
    // not exist yet is not the database.
    let Ok(target) = std::fs::canonicalize(path) else {
        return false;
    };
    ["", "-wal", "-shm", "-journal"].iter().any(|suffix| {
        let mut name = db.as_os_str().to_owned();
        name.push(suffix);
        std::fs::canonicalize(PathBuf::from(name)).is_ok_and(|p| p == target)
    })
}
