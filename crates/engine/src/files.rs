//! Files and folders Tokenwatch creates are private to the user (0600 and 0700 on Unix; on
//! other systems the user's profile folders already are): a config may hold RPC keys and
//! webhook secrets. A file replaced through a temporary keeps its mode (the writer copies it).

use std::fs::{File, OpenOptions};
use std::io;
use std::path::Path;

/// Creates `dir` and any missing parents, each readable by the user only.
pub fn create_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// Options for a file readable by the user only when they create it.
pub fn private_options() -> OpenOptions {
    let mut options = OpenOptions::new();
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    options
}

/// Creates the temporary file `path` (beside a file about to be replaced), private. What
/// is there already (a temporary left by a crash, or a symlink or FIFO someone put there)
/// is removed first, never written through: the new file is created exclusively.
pub fn create_temp(path: &Path) -> io::Result<File> {
    match std::fs::remove_file(path) {
        Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
        _ => {}
    }
    private_options().write(true).create_new(true).open(path)
}

/// The mode of `path` when other users may read it (Unix only).
pub fn readable_by_others(path: &Path) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(path).ok()?.permissions().mode() & 0o777;
        (mode & 0o044 != 0).then_some(mode)
    }
    #[cfg(not(unix))]
    {
        let _ = path;
        None
    }
}

#[cfg(test)]
#[cfg(unix)]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(p: &Path) -> u32 {
        std::fs::metadata(p).expect("metadata").permissions().mode() & 0o777
    }

    #[test]
    fn what_is_created_is_private() {
        let dir = tempfile::tempdir().expect("tempdir");
        let nested = dir.path().join("a/b");
        create_private_dir(&nested).expect("dirs");
        assert_eq!(mode(&dir.path().join("a")), 0o700);
        assert_eq!(mode(&nested), 0o700);
        let file = nested.join("f");
        create_temp(&file).expect("file");
        assert_eq!(mode(&file), 0o600);
        assert_eq!(readable_by_others(&file), None);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        assert_eq!(readable_by_others(&file), Some(0o644));
    }

    #[test]
    fn a_temporary_is_never_written_through_a_link_or_a_pipe_put_in_its_place() {
        let dir = tempfile::tempdir().expect("tempdir");
        let victim = dir.path().join("victim");
        std::fs::write(&victim, "keep").expect("write");
        let tmp = dir.path().join("out.csv.part");
        std::os::unix::fs::symlink(&victim, &tmp).expect("symlink");
        std::io::Write::write_all(&mut create_temp(&tmp).expect("temp"), b"csv").expect("write");
        assert_eq!(std::fs::read_to_string(&victim).expect("read"), "keep");
        assert!(!std::fs::symlink_metadata(&tmp)
            .expect("tmp")
            .file_type()
            .is_symlink());
        std::fs::remove_file(&tmp).expect("rm");
        let made = std::process::Command::new("mkfifo")
            .arg(&tmp)
            .status()
            .expect("mkfifo");
        assert!(made.success());
        // Opening a FIFO for writing would wait for a reader forever.
        create_temp(&tmp).expect("temp over a fifo");
        assert!(std::fs::metadata(&tmp).expect("tmp").file_type().is_file());
    }
}
