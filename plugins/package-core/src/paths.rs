//! The installed paths of a package: absolute and plain (no `.`, `..` or empty
//! component), each once, with the directories above them.

use std::collections::BTreeMap;

use crate::{Content, Kind, Result, error};

/// Directories every system has: never listed as a package's own.
const SYSTEM_DIRS: [&str; 12] = [
    "/",
    "/etc",
    "/usr",
    "/usr/bin",
    "/usr/sbin",
    "/usr/lib",
    "/usr/share",
    "/usr/share/doc",
    "/var",
    "/var/lib",
    "/opt",
    "/usr/local",
];

/// `contents` sorted by path with each missing parent directory added (mode 0755, root):
/// what a tar-based format lists.
pub fn complete(contents: &[Content]) -> Result<Vec<Content>> {
    let mut by_path: BTreeMap<String, Content> = BTreeMap::new();
    for content in contents {
        check(&content.path)?;
        if let Kind::Symlink { target } = &content.kind
            && target.is_empty()
        {
            return Err(error(format!(
                "contents: symlink {} has no target",
                content.path
            )));
        }
        if by_path
            .insert(content.path.clone(), content.clone())
            .is_some()
        {
            return Err(error(format!(
                "contents: {} is listed twice; keep one entry per installed path",
                content.path
            )));
        }
    }
    let parents: Vec<String> = by_path.keys().flat_map(|p| parents(p)).collect();
    for parent in parents {
        match by_path.get(&parent) {
            Some(existing) if existing.kind != Kind::Dir => {
                return Err(error(format!(
                    "contents: {parent} is a file, but other entries are inside it"
                )));
            }
            Some(_) => {}
            None => {
                by_path.insert(
                    parent.clone(),
                    Content {
                        path: parent,
                        kind: Kind::Dir,
                        mode: 0o755,
                        owner: "root".into(),
                        group: "root".into(),
                    },
                );
            }
        }
    }
    Ok(by_path.into_values().collect())
}

/// The directories above `path`, outermost first, `/` excluded.
fn parents(path: &str) -> Vec<String> {
    let mut found = Vec::new();
    let mut at = path;
    while let Some((parent, _)) = at.rsplit_once('/') {
        if parent.is_empty() {
            break;
        }
        found.push(parent.to_string());
        at = parent;
    }
    found.reverse();
    found
}

/// True for a directory the system owns (never listed as the package's in an RPM).
pub fn is_system_dir(path: &str) -> bool {
    SYSTEM_DIRS.contains(&path)
}

fn check(path: &str) -> Result<()> {
    let plain = path.starts_with('/')
        && path.len() > 1
        && !path.ends_with('/')
        && path[1..]
            .split('/')
            .all(|part| !part.is_empty() && part != "." && part != "..")
        && !path.chars().any(|c| c.is_control());
    match plain {
        true => Ok(()),
        false => Err(error(format!(
            "contents: destination `{path}` must be an absolute path without `.`, `..` or empty parts"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Content;

    #[test]
    fn parents_are_added_and_paths_checked() {
        let done = complete(&[Content::file("/usr/share/doc/x/README", 0o644, vec![])]).unwrap();
        let paths: Vec<&str> = done.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(
            paths,
            [
                "/usr",
                "/usr/share",
                "/usr/share/doc",
                "/usr/share/doc/x",
                "/usr/share/doc/x/README"
            ]
        );
        for bad in ["usr/bin/x", "/usr/../etc/x", "/usr//x", "/usr/bin/"] {
            let why = complete(&[Content::file(bad, 0o644, vec![])])
                .unwrap_err()
                .0;
            assert!(why.contains(bad), "{why}");
        }
        let twice = [
            Content::file("/usr/bin/x", 0o755, vec![]),
            Content::file("/usr/bin/x", 0o755, vec![1]),
        ];
        assert!(complete(&twice).unwrap_err().0.contains("listed twice"));
    }
}
