//! How the web view draws on Linux. Without a GPU (virtual machines, remote desktops,
//! Xvfb) WebKitGTK composites its layers through software OpenGL, and each frame of a
//! scrolled table then takes ~80 ms; painting directly takes a fraction of that. A GPU
//! shows as a DRM render node; without one, compositing is turned off unless the user
//! chose otherwise.

use std::path::Path;

const COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// Call first in `main`, before any thread starts: it may set an environment variable.
pub fn choose() {
    if cfg!(target_os = "linux")
        && std::env::var_os(COMPOSITING).is_none()
        && !has_gpu(Path::new("/dev/dri"))
    {
        std::env::set_var(COMPOSITING, "1");
    }
}

/// True when `dri` holds a render node (`renderD128`, ...).
fn has_gpu(dri: &Path) -> bool {
    std::fs::read_dir(dri).is_ok_and(|entries| {
        entries
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with("renderD"))
    })
}

#[cfg(test)]
mod tests {
    use super::has_gpu;

    #[test]
    fn a_render_node_means_a_gpu() {
        let dir = std::env::temp_dir().join(format!("tokenwatch-dri-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        assert!(!has_gpu(&dir.join("missing")));
        std::fs::write(dir.join("card0"), "").unwrap();
        assert!(!has_gpu(&dir));
        std::fs::write(dir.join("renderD128"), "").unwrap();
        assert!(has_gpu(&dir));
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
