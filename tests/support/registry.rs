//! Real registries for tests: Debian's docker-registry (distribution 2.8) started by
//! `scripts/registry-start`, and a registry that serves whatever files a test gives it
//! (`static_registry.py`), for registries that lie.

use std::path::{Path, PathBuf};

use super::{run_tool, workspace};

/// A registry for one test, stopped when dropped.
pub struct Registry {
    pub dir: tempfile::TempDir,
    pub port: u16,
}

impl Registry {
    pub fn start() -> Registry {
        Registry::start_with(None, None)
    }

    /// With `htpasswd`, the registry takes only those users' credentials; with `tls`
    /// (certificate, key), it speaks HTTPS.
    pub fn start_with(htpasswd: Option<&Path>, tls: Option<(&Path, &Path)>) -> Registry {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .unwrap()
            .local_addr()
            .unwrap()
            .port();
        let dir = tempfile::tempdir().unwrap();
        let script = workspace().join("scripts/registry-start");
        let port_text = port.to_string();
        let mut args = vec![dir.path().to_str().unwrap(), &port_text];
        if let Some(file) = htpasswd {
            args.extend(["--htpasswd", file.to_str().unwrap()]);
        }
        if let Some((cert, key)) = tls {
            args.extend(["--tls", cert.to_str().unwrap(), key.to_str().unwrap()]);
        }
        run_tool(script.to_str().unwrap(), &args, Path::new("."));
        Registry { dir, port }
    }

    pub fn stop(&self) {
        let script = workspace().join("scripts/registry-stop");
        run_tool(
            script.to_str().unwrap(),
            &[self.dir.path().to_str().unwrap()],
            Path::new("."),
        );
    }
}

impl Drop for Registry {
    fn drop(&mut self) {
        self.stop();
    }
}

/// A registry serving the files under `root` as they are (see `static_registry.py`),
/// stopped when dropped.
pub struct StaticRegistry {
    pub root: tempfile::TempDir,
    pub port: u16,
    child: std::process::Child,
}

impl StaticRegistry {
    pub fn start() -> StaticRegistry {
        let root = tempfile::tempdir().unwrap();
        for dir in ["manifests", "blobs"] {
            std::fs::create_dir(root.path().join(dir)).unwrap();
        }
        let port_file = root.path().join("port");
        let mut child = std::process::Command::new("python3")
            .arg(workspace().join("tests/support/static_registry.py"))
            .arg(root.path())
            .arg(&port_file)
            .spawn()
            .expect("starting static_registry.py");
        for _ in 0..200 {
            if let Ok(text) = std::fs::read_to_string(&port_file) {
                let port = text.trim().parse().unwrap();
                return StaticRegistry { root, port, child };
            }
            std::thread::sleep(std::time::Duration::from_millis(25));
        }
        let _ = child.kill();
        let _ = child.wait();
        panic!("static_registry.py did not start");
    }

    /// Serves `bytes` as the manifest at `name` (a tag or `sha256:…`).
    pub fn manifest(&self, name: &str, bytes: &[u8]) -> PathBuf {
        let file = self.root.path().join("manifests").join(name);
        std::fs::write(&file, bytes).unwrap();
        file
    }

    /// Serves `bytes` as the blob `digest`.
    pub fn blob(&self, digest: &str, bytes: &[u8]) {
        std::fs::write(self.root.path().join("blobs").join(digest), bytes).unwrap();
    }
}

impl Drop for StaticRegistry {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
