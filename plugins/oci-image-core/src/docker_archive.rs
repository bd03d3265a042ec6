//! One platform's image as a docker-archive (what `docker save` writes and `docker load`
//! reads): `manifest.json` naming the config and layers, and those blobs.

use xhost_archive::{Entry, Owner};

use super::{Blobs, Error, Image, canonical, error};

/// The tarball of `image` tagged `repo_tags` (`name:tag`), every entry at `mtime`.
pub fn docker_archive(
    image: &Image,
    blobs: &Blobs,
    repo_tags: &[String],
    mtime: u64,
) -> Result<Vec<u8>, Error> {
    let blob = |digest: &str| -> Result<(String, Vec<u8>), Error> {
        let bytes = blobs
            .get(digest)
            .ok_or_else(|| error(format!("blob {digest} is missing")))?;
        Ok((
            format!("blobs/sha256/{}", &digest["sha256:".len()..]),
            bytes.to_vec(),
        ))
    };
    let (config_path, config) = blob(&image.config)?;
    let mut entries = vec![
        Entry::directory("blobs"),
        Entry::directory("blobs/sha256"),
        Entry::file(config_path.clone(), 0o644, config),
    ];
    let mut layer_paths = Vec::new();
    for (digest, _) in &image.layers {
        let (path, bytes) = blob(digest)?;
        if !entries.iter().any(|e| e.name == path) {
            entries.push(Entry::file(path.clone(), 0o644, bytes));
        }
        layer_paths.push(path);
    }
    let manifest = serde_json::json!([{
        "Config": config_path,
        "RepoTags": repo_tags,
        "Layers": layer_paths,
    }]);
    entries.push(Entry::file(
        "manifest.json",
        0o644,
        canonical::json(&manifest)?,
    ));
    xhost_archive::tar(&entries, mtime, Owner::ROOT).map_err(|e| error(e.to_string()))
}
