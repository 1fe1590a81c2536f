//! The app icon for pop-ups. Notification servers on Linux take the icon as a file path, so
//! the built-in icon is written into the app's data folder (it exists however the app was
//! started: installed, from the build folder, under a test). macOS and Windows show the app
//! bundle's own icon: nothing to pass there.

use std::path::Path;

/// Where the icon goes, under the data folder.
#[cfg(all(unix, not(target_os = "macos")))]
const ICON_FILE: &str = "icons/tokenwatch.png";

/// icons/128x128.png, built in.
#[cfg(all(unix, not(target_os = "macos")))]
const ICON_PNG: &[u8] = include_bytes!("../../../icons/128x128.png");

/// The icon's path for pop-ups, written (or rewritten, when it differs) into `data_dir`;
/// `None`, logged, when it cannot be written: pop-ups then show without one.
#[cfg(all(unix, not(target_os = "macos")))]
pub fn popup_icon(data_dir: &Path) -> Option<String> {
    let path = data_dir.join(ICON_FILE);
    if std::fs::read(&path).ok().as_deref() != Some(ICON_PNG) {
        if let Err(e) = write(&path) {
            tracing::warn!(error = %e, path = %path.display(), "cannot write the pop-up icon; pop-ups show none");
            return None;
        }
    }
    Some(path.to_string_lossy().into_owned())
}

/// Elsewhere the system shows the app's own icon.
#[cfg(not(all(unix, not(target_os = "macos"))))]
pub fn popup_icon(_data_dir: &Path) -> Option<String> {
    None
}

/// Writes the icon through a temporary beside it (never through something put in its place).
#[cfg(all(unix, not(target_os = "macos")))]
fn write(path: &Path) -> std::io::Result<()> {
    use std::io::Write;
    if let Some(dir) = path.parent() {
        tokenwatch_engine::files::create_private_dir(dir)?;
    }
    let tmp = path.with_extension("png.part");
    let mut file = tokenwatch_engine::files::create_temp(&tmp)?;
    file.write_all(ICON_PNG)?;
    file.sync_all()?;
    std::fs::rename(&tmp, path)
}

#[cfg(all(test, unix, not(target_os = "macos")))]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_icon_is_written_once_and_put_back_when_changed() {
        let dir = std::env::temp_dir().join(format!("tokenwatch-icon-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        let path = popup_icon(&dir).unwrap();
        assert_eq!(path, dir.join(ICON_FILE).to_string_lossy());
        assert_eq!(std::fs::read(&path).unwrap(), ICON_PNG);
        assert!(ICON_PNG.starts_with(b"\x89PNG"));
        std::fs::write(&path, b"not an icon").unwrap();
        assert_eq!(popup_icon(&dir).unwrap(), path);
        assert_eq!(std::fs::read(&path).unwrap(), ICON_PNG);
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
