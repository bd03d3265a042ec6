//! Typed `exec` arguments → host arguments. Path arguments are resolved inside their
//! mount and refused if they (or a symlink on the way) lead outside it; text arguments
//! may not smuggle paths.

use std::ffi::OsString;
use std::path::{Component, Path, PathBuf};

pub use crate::plugin_sandbox::Roots;
use crate::runtime::bindings::exec::Arg;

/// Resolves one argument to what the program receives.
pub fn resolve(arg: &Arg, roots: &Roots) -> Result<OsString, String> {
    match arg {
        Arg::Text(text) => check_text(text).map(|()| OsString::from(text)),
        Arg::Source(path) => {
            let root = roots.source.as_deref().ok_or_else(|| {
                format!("source path `{path}`: the stage is not granted `source`")
            })?;
            existing_inside(root, &relative(path, "/src")?, path).map(Into::into)
        }
        Arg::Input(path) => {
            existing_inside(&roots.input, &relative(path, "/in")?, path).map(Into::into)
        }
        Arg::Output(path) => {
            output_inside(&roots.output, &relative(path, "/out")?, path).map(Into::into)
        }
    }
}

/// Text arguments must not name files outside the mounts: no absolute or home paths,
/// alone or as the value of a one-word flag (`-o=/etc/x`), and no `..` segments.
/// Multi-word values (an `-ldflags` string embedding `-X main.conf=/etc/app.conf`) are
/// data for the program, not paths it opens, and pass. This is a guard against mistakes
/// and crude injection; confining what the program can touch is the tool sandbox's job.
fn check_text(text: &str) -> Result<(), String> {
    if text.contains('\0') {
        return Err("text argument contains a NUL byte".into());
    }
    let one_word_flag = text.starts_with('-') && !text.contains(char::is_whitespace);
    let value = match text.split_once('=') {
        Some((_, value)) if one_word_flag => value,
        _ => text,
    };
    for candidate in [text, value] {
        if candidate.starts_with('/') || candidate.starts_with('~') {
            return Err(format!(
                "text argument `{text}` holds an absolute path; pass paths as source/input/output arguments"
            ));
        }
    }
    if text.split(['/', '=', ',']).any(|part| part == "..") {
        return Err(format!(
            "text argument `{text}` holds a `..` path; pass paths as source/input/output arguments"
        ));
    }
    Ok(())
}

/// `guest` as a path relative to mount `mount` (accepts `rel`, `./rel`, `/mount/rel`).
fn relative(guest: &str, mount: &str) -> Result<PathBuf, String> {
    let path = Path::new(guest);
    let rel = if path.is_absolute() {
        path.strip_prefix(mount)
            .map_err(|_| format!("path `{guest}` is not under {mount}"))?
    } else {
        path
    };
    let mut clean = PathBuf::new();
    for component in rel.components() {
        match component {
            Component::Normal(part) => clean.push(part),
            Component::CurDir => {}
            _ => return Err(format!("path `{guest}` leaves {mount}")),
        }
    }
    Ok(clean)
}

fn existing_inside(root: &Path, rel: &Path, guest: &str) -> Result<PathBuf, String> {
    let full = root
        .join(rel)
        .canonicalize()
        .map_err(|e| format!("path `{guest}`: {e}"))?;
    if full.starts_with(root) {
        Ok(full)
    } else {
        Err(format!(
            "path `{guest}` leads outside its mount through a symlink"
        ))
    }
}

fn output_inside(root: &Path, rel: &Path, guest: &str) -> Result<PathBuf, String> {
    let name = rel
        .file_name()
        .ok_or_else(|| format!("output path `{guest}` names no file"))?;
    let parent = existing_inside(root, rel.parent().unwrap_or(Path::new("")), guest)?;
    let full = parent.join(name);
    if full
        .symlink_metadata()
        .is_ok_and(|m| m.file_type().is_symlink())
    {
        return Err(format!("output path `{guest}` is a symlink"));
    }
    Ok(full)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn roots(dir: &Path) -> Roots {
        for d in ["src", "in", "out"] {
            std::fs::create_dir_all(dir.join(d)).unwrap();
        }
        let c = |d: &str| dir.join(d).canonicalize().unwrap();
        Roots {
            source: Some(c("src")),
            input: c("in"),
            output: c("out"),
        }
    }

    #[test]
    fn text_cannot_hold_paths() {
        assert!(check_text("-ldflags=-s -w -X main.version=1.0").is_ok());
        assert!(check_text("./cmd/hello").is_ok());
        assert!(check_text("/etc/passwd").is_err());
        assert!(check_text("-o=/tmp/x").is_err());
        assert!(check_text("--output=~/x").is_err());
        assert!(check_text("-s -w -X main.conf=/etc/app.conf").is_ok());
        assert!(check_text("../../etc").is_err());
        assert!(check_text("-o=../x").is_err());
        assert!(check_text("~/.ssh/id_rsa").is_err());
    }

    #[test]
    fn paths_resolve_inside_their_mount() {
        let tmp = tempfile::tempdir().unwrap();
        let r = roots(tmp.path());
        std::fs::write(tmp.path().join("src/main.go"), "").unwrap();
        let got = resolve(&Arg::Source("./main.go".into()), &r).unwrap();
        assert_eq!(
            PathBuf::from(got),
            r.source.as_ref().unwrap().join("main.go")
        );
        let got = resolve(&Arg::Output("/out/hello".into()), &r).unwrap();
        assert_eq!(PathBuf::from(got), r.output.join("hello"));
        assert!(
            resolve(&Arg::Output("../hello".into()), &r)
                .unwrap_err()
                .contains("leaves /out")
        );
        assert!(
            resolve(&Arg::Output("/tmp/hello".into()), &r)
                .unwrap_err()
                .contains("not under /out")
        );
        assert!(resolve(&Arg::Input("/in/../../etc/passwd".into()), &r).is_err());
    }

    #[test]
    fn symlinks_out_of_a_mount_are_refused() {
        let tmp = tempfile::tempdir().unwrap();
        let r = roots(tmp.path());
        std::os::unix::fs::symlink("/etc", r.output.join("etc")).unwrap();
        std::os::unix::fs::symlink("/etc/passwd", r.output.join("pw")).unwrap();
        assert!(
            resolve(&Arg::Output("etc/passwd".into()), &r)
                .unwrap_err()
                .contains("outside")
        );
        assert!(
            resolve(&Arg::Output("pw".into()), &r)
                .unwrap_err()
                .contains("symlink")
        );
        std::os::unix::fs::symlink("/etc", r.source.as_ref().unwrap().join("etc")).unwrap();
        assert!(resolve(&Arg::Source("etc/passwd".into()), &r).is_err());
    }

    #[test]
    fn source_needs_the_grant() {
        let tmp = tempfile::tempdir().unwrap();
        let mut r = roots(tmp.path());
        r.source = None;
        assert!(
            resolve(&Arg::Source(".".into()), &r)
                .unwrap_err()
                .contains("not granted `source`")
        );
    }
}
