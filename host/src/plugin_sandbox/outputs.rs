//! Checking what a plugin returns: every artifact must be a regular file it wrote
//! under `/out`, reached without symlinks, not a hard link to anything else.

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

use crate::runtime::bindings::types::Artifact;

/// Most artifacts one invocation may return.
pub const MAX_ARTIFACTS: usize = 10_000;

/// A returned artifact whose file passed the checks.
pub struct Output {
    /// Path relative to `/out`, `/`-separated.
    pub rel: String,
    /// The file on the host, inside the invocation's `out/`.
    pub file: PathBuf,
    pub executable: bool,
    pub artifact: Artifact,
}

pub fn collect(out_root: &Path, artifacts: Vec<Artifact>) -> Result<Vec<Output>, String> {
    if artifacts.len() > MAX_ARTIFACTS {
        return Err(format!(
            "returned {} artifacts; at most {MAX_ARTIFACTS} are accepted from one invocation",
            artifacts.len()
        ));
    }
    let mut outputs: Vec<Output> = Vec::with_capacity(artifacts.len());
    for artifact in artifacts {
        let rel = relative_to_out(&artifact.path)?;
        if outputs.iter().any(|o| o.rel == rel) {
            return Err(format!("returned artifact `{}` twice", artifact.path));
        }
        let (file, executable) = check_file(out_root, &rel, &artifact.path)?;
        outputs.push(Output {
            rel,
            file,
            executable,
            artifact,
        });
    }
    Ok(outputs)
}

/// `/out/a/b` → `a/b`, refusing anything that is not a plain path below `/out`.
pub fn relative_to_out(path: &str) -> Result<String, String> {
    let rel = path.strip_prefix("/out/").ok_or_else(|| {
        format!(
            "returned artifact path `{}`, which is not under /out; plugins return files they wrote to /out/…",
            crate::report::sanitize::shown_name(path)
        )
    })?;
    if !is_plain_relative(rel) {
        return Err(format!(
            "returned artifact path `{}` is not a plain relative path under /out (no `.`/`..`/empty parts, backslashes, control characters, line or paragraph separators, bidi controls or other invisible format characters)",
            crate::report::sanitize::shown_name(path)
        ));
    }
    Ok(rel.to_string())
}

/// A path made of at most 16 plain names (no `.`/`..`/empty parts, backslashes,
/// control, invisible or format characters), as `dist/` paths must be.
pub fn is_plain_relative(rel: &str) -> bool {
    let parts: Vec<&str> = rel.split('/').collect();
    parts.len() <= 16
        && parts.iter().all(|p| {
            !p.is_empty()
                && *p != "."
                && *p != ".."
                && p.len() <= 255
                && !p.contains('\\')
                && crate::report::sanitize::is_plain_name(p)
        })
}

fn check_file(out_root: &Path, rel: &str, shown: &str) -> Result<(PathBuf, bool), String> {
    let mut path = out_root.to_path_buf();
    let parts: Vec<&str> = rel.split('/').collect();
    for (i, part) in parts.iter().enumerate() {
        path.push(part);
        let meta = path
            .symlink_metadata()
            .map_err(|e| format!("returned artifact `{shown}`, but it cannot be read: {e}"))?;
        let last = i + 1 == parts.len();
        if meta.file_type().is_symlink() {
            return Err(format!(
                "returned artifact `{shown}` goes through a symlink; artifacts must be regular files"
            ));
        }
        if !last && !meta.is_dir() {
            return Err(format!(
                "returned artifact `{shown}`: `{part}` is not a directory"
            ));
        }
        if last {
            if !meta.is_file() {
                return Err(format!("returned artifact `{shown}` is not a regular file"));
            }
            if meta.nlink() != 1 {
                return Err(format!(
                    "returned artifact `{shown}` is a hard link to another file; write a new file instead"
                ));
            }
            return Ok((path, meta.mode() & 0o111 != 0));
        }
    }
    Err(format!("returned artifact `{shown}` names no file"))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::runtime::bindings::types::ArtifactKind;

    fn artifact(path: &str) -> Artifact {
        Artifact {
            path: path.into(),
            kind: ArtifactKind::Other,
            target: None,
            meta: vec![],
        }
    }

    #[test]
    fn paths_must_be_plain_and_under_out() {
        assert_eq!(relative_to_out("/out/a/b.txt").unwrap(), "a/b.txt");
        for bad in [
            "/etc/passwd",
            "out/x",
            "/out/../x",
            "/out/a//b",
            "/out/./x",
            "/out/",
            "/in/x",
            "/out/a\\b",
            "/out/a\u{2028}b",
            "/out/p\u{2029}",
            "/out/evil\u{202e}zg.exe",
            "/out/x\u{200b}y",
            "/out/\u{1b}[2J",
        ] {
            assert!(relative_to_out(bad).is_err(), "{bad} accepted");
        }
    }

    #[test]
    fn files_must_be_regular_unlinked_and_symlink_free() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path();
        std::fs::write(out.join("ok"), "x").unwrap();
        std::os::unix::fs::symlink("/etc/passwd", out.join("link")).unwrap();
        std::os::unix::fs::symlink("/etc", out.join("dir")).unwrap();
        std::fs::write(out.join("hard"), "x").unwrap();
        std::fs::hard_link(out.join("hard"), tmp.path().join("hard2")).unwrap();
        std::fs::create_dir(out.join("sub")).unwrap();
        assert_eq!(collect(out, vec![artifact("/out/ok")]).unwrap().len(), 1);
        let err = |p: &str| collect(out, vec![artifact(p)]).err().unwrap();
        assert!(err("/out/link").contains("symlink"));
        assert!(err("/out/dir/passwd").contains("symlink"));
        assert!(err("/out/hard").contains("hard link"));
        assert!(err("/out/sub").contains("not a regular file"));
        assert!(err("/out/missing").contains("cannot be read"));
        assert!(
            collect(out, vec![artifact("/out/ok"), artifact("/out/ok")])
                .err()
                .unwrap()
                .contains("twice")
        );
    }
}
