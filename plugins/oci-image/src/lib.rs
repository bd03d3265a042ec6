//! `builtin:oci-image`: container images of the release's linux binaries, without a
//! daemon. For each linux target, an image: the base (`scratch`, or an OCI image
//! layout in the source tree) plus one reproducible layer holding the binary and any
//! configured files, with its run configuration and OCI annotations (version, revision,
//! source, created = the commit's time); then one image index over all of them, written
//! as an OCI image layout directory `<name>_<version>_oci/` in `dist/` (tagged with the
//! version, or `tags`), and with `docker_archive = true` a `docker load` tarball per
//! platform beside it.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use xhost_oci_image::{
    Base, BaseSource, Blobs, Entry, Error, ImageSpec, Owner, Platform, RunConfig,
};
use xhost_plugin_sdk::files::{SRC, read, write};
use xhost_plugin_sdk::{Artifact, ArtifactKind, Job, PluginInfo, Stage, StageError, info};

#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
struct Config {
    /// The layout directory's name in `dist/` (rendered by the host).
    /// Default: `<name>_<version>_oci`.
    name_template: Option<String>,
    /// The index's tags (`index.json` names; what a publish pushes). Default: the version.
    tags: Option<Vec<String>>,
    /// `scratch` (default), `oci:DIR[:TAG]` (an OCI image layout in the source tree) or
    /// `docker-archive:FILE` (`docker save`'s tarball in the source tree); the last two
    /// need `grants.source`.
    base: Option<String>,
    /// Where the binary lands in the image. Default: `/<binary's file name>`.
    binary_path: Option<String>,
    /// More files from the source tree (needs `grants.source`).
    files: Vec<ExtraFile>,
    /// Owner of every file the layer adds.
    uid: u64,
    gid: u64,
    /// Default: the binary.
    entrypoint: Option<Vec<String>>,
    cmd: Option<Vec<String>>,
    /// `NAME=value`.
    env: Vec<String>,
    user: Option<String>,
    workdir: Option<String>,
    /// `8080/tcp`, `53/udp`, `9000` (TCP).
    exposed_ports: Vec<String>,
    labels: BTreeMap<String, String>,
    /// The repository URL (`org.opencontainers.image.source`).
    source_url: Option<String>,
    /// More annotations on the index and every manifest.
    annotations: BTreeMap<String, String>,
    /// Also write a `docker load` tarball per platform.
    docker_archive: bool,
    /// The name the docker-archive tarballs tag (`NAME:TAG`). Default: the project's name.
    repository: Option<String>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtraFile {
    /// Path in the source tree.
    src: String,
    /// Absolute path in the image.
    dst: String,
    #[serde(default = "default_mode")]
    mode: u32,
}

fn default_mode() -> u32 {
    0o644
}

struct OciImage;

impl Stage for OciImage {
    fn describe() -> PluginInfo {
        PluginInfo::release(
            "oci-image",
            env!("CARGO_PKG_VERSION"),
            "Builds reproducible multi-platform OCI images of the linux binaries, without a daemon",
        )
        .consuming([ArtifactKind::Binary])
    }

    fn run(job: Job) -> Result<Vec<Artifact>, StageError> {
        let config: Config = xhost_plugin_sdk::config(&job)?;
        let checked = Checked::from(&config, &job)?;
        let mut binaries: BTreeMap<String, Vec<&xhost_plugin_sdk::Artifact>> = BTreeMap::new();
        for input in job.inputs.iter().filter(|a| a.kind == ArtifactKind::Binary) {
            if let Some(target) = input.target.as_ref().filter(|t| t.os == "linux") {
                binaries.entry(target.name()).or_default().push(input);
            }
        }
        if binaries.is_empty() {
            return Err(StageError::unsupported(
                "no linux binaries to put in images: add a linux target to [build] targets, or remove the stage",
            ));
        }
        let extra = checked.extra_files()?;
        let mut blobs = Blobs::default();
        let mut images = Vec::new();
        for inputs in binaries.values() {
            let target = inputs[0].target.clone().expect("filtered on targets");
            let platform = Platform {
                os: target.os.clone(),
                architecture: target.arch.clone(),
                variant: target.variant.clone(),
            };
            if inputs.len() > 1 {
                return Err(StageError::unsupported(format!(
                    "{} has {} binaries; an image holds one",
                    target.name(),
                    inputs.len()
                )));
            }
            let binary = inputs[0];
            let file_name = binary.path.rsplit('/').next().unwrap_or("binary");
            let binary_path = checked.binary_path(file_name);
            let mut entries = vec![Entry::file(
                binary_path.trim_start_matches('/'),
                0o755,
                read(&binary.path)?,
            )];
            entries.extend(extra.iter().cloned());
            add_parents(&mut entries);
            let base = checked.base(&platform)?;
            let spec = ImageSpec {
                platform,
                entries,
                owner: Owner {
                    uid: config.uid,
                    gid: config.gid,
                },
                run: checked.run(&binary_path),
                mtime: checked.mtime,
                created: checked.created.clone(),
                annotations: checked.annotations.clone(),
                created_by: format!("xhost builtin:oci-image {}", env!("CARGO_PKG_VERSION")),
            };
            let image = xhost_oci_image::image(&spec, base.as_ref(), &mut blobs)
                .map_err(|e| StageError::failed(e.0))?;
            info!("image for {}: {}", target.name(), image.manifest.digest());
            images.push(image);
        }
        let index = xhost_oci_image::index(&images, &checked.annotations, &mut blobs)
            .map_err(|e| StageError::failed(e.0))?;
        info!(
            "image index: {} tagged {}",
            index.digest(),
            checked.tags.join(", ")
        );
        let mut outputs = Vec::new();
        let layout = xhost_oci_image::layout(&index, &checked.tags, &blobs)
            .map_err(|e| StageError::failed(e.0))?;
        for (path, bytes) in layout {
            let rel = format!("{}/{path}", checked.dir);
            write_out(&rel, &bytes)?;
            outputs.push(
                Artifact::output(&rel, ArtifactKind::Other, None)
                    .with_meta("oci-layout", checked.dir.clone())
                    .with_meta("oci-index", index.digest().to_string()),
            );
        }
        if config.docker_archive {
            let repository = config
                .repository
                .clone()
                .unwrap_or_else(|| job.project.name.clone());
            let tags: Vec<String> = checked
                .tags
                .iter()
                .map(|t| format!("{repository}:{t}"))
                .collect();
            for (image, inputs) in images.iter().zip(binaries.values()) {
                let target = inputs[0].target.clone().expect("filtered on targets");
                let tarball = xhost_oci_image::docker_archive(image, &blobs, &tags, checked.mtime)
                    .map_err(|e| StageError::failed(e.0))?;
                let rel = format!("{}_{}.docker.tar", checked.dir, target.slug());
                write_out(&rel, &tarball)?;
                outputs.push(
                    Artifact::output(&rel, ArtifactKind::Other, Some(target))
                        .with_meta("docker-archive", image.manifest.digest().to_string()),
                );
            }
        }
        Ok(outputs)
    }
}

/// The configuration, checked once for every image.
struct Checked<'a> {
    config: &'a Config,
    dir: String,
    tags: Vec<String>,
    mtime: u64,
    created: Option<String>,
    annotations: BTreeMap<String, String>,
    base: Option<BaseRef>,
}

/// Where the base image is, in the source tree.
enum BaseRef {
    Layout { dir: String, tag: Option<String> },
    DockerArchive(String),
}

impl<'a> Checked<'a> {
    fn from(config: &'a Config, job: &Job) -> Result<Self, StageError> {
        let project = &job.project;
        let dir = config
            .name_template
            .clone()
            .unwrap_or_else(|| format!("{}_{}_oci", project.name, project.version));
        if dir.is_empty() || dir.contains('/') || dir == "." || dir == ".." {
            return Err(StageError::invalid_config(format!(
                "name_template renders to `{dir}`, which is not a directory name"
            )));
        }
        let tags = config
            .tags
            .clone()
            .unwrap_or_else(|| vec![project.version.clone()]);
        if tags.is_empty() {
            return Err(StageError::invalid_config(
                "tags is empty: give at least one tag",
            ));
        }
        if let Some(bad) = tags.iter().find(|t| !xhost_oci_image::valid_tag(t)) {
            return Err(StageError::invalid_config(format!(
                "tags: `{bad}` is not a valid image tag (letters, digits, `_`, `.` and `-`, at most 128, not starting with `.` or `-`; a version's `+build` part is not allowed)"
            )));
        }
        for variable in &config.env {
            if !variable.contains('=') || variable.starts_with('=') {
                return Err(StageError::invalid_config(format!(
                    "env: `{variable}` is not NAME=value"
                )));
            }
        }
        for port in &config.exposed_ports {
            let (number, protocol) = port.split_once('/').unwrap_or((port, "tcp"));
            if number.parse::<u16>().map_or(true, |n| n == 0)
                || !matches!(protocol, "tcp" | "udp" | "sctp")
            {
                return Err(StageError::invalid_config(format!(
                    "exposed_ports: `{port}` is not PORT[/tcp|udp|sctp]"
                )));
            }
        }
        if let Some(path) = &config.binary_path {
            image_path("binary_path", path)?;
        }
        let base = match config.base.as_deref() {
            None | Some("scratch") => None,
            Some(oci) if oci.starts_with("oci:") => {
                let rest = &oci["oci:".len()..];
                let (dir, tag) = match rest.rsplit_once(':') {
                    Some((dir, tag)) => (dir.to_string(), Some(tag.to_string())),
                    None => (rest.to_string(), None),
                };
                source_path("base", &dir)?;
                Some(BaseRef::Layout { dir, tag })
            }
            Some(archive) if archive.starts_with("docker-archive:") => {
                let file = archive["docker-archive:".len()..].to_string();
                source_path("base", &file)?;
                Some(BaseRef::DockerArchive(file))
            }
            Some(other) => {
                return Err(StageError::invalid_config(format!(
                    "base `{other}`: use `scratch`, `oci:DIR[:TAG]` (an OCI image layout in the project, e.g. written by `skopeo copy docker://IMAGE oci:DIR:TAG`) or `docker-archive:FILE` (from `docker save`)"
                )));
            }
        };
        let time = project.commit_time.or(project.source_date_epoch);
        let created = time.map(rfc3339).transpose()?;
        let mut annotations = BTreeMap::new();
        let mut annotate = |key: &str, value: Option<String>| {
            if let Some(value) = value {
                annotations.insert(format!("org.opencontainers.image.{key}"), value);
            }
        };
        annotate("title", Some(project.name.clone()));
        annotate("version", Some(project.version.clone()));
        annotate("revision", project.commit.clone());
        annotate("created", created.clone());
        annotate("source", config.source_url.clone());
        annotations.extend(config.annotations.clone());
        Ok(Checked {
            config,
            dir,
            tags,
            mtime: project
                .source_date_epoch
                .or(project.commit_time)
                .unwrap_or(0),
            created,
            annotations,
            base,
        })
    }

    fn binary_path(&self, file_name: &str) -> String {
        self.config
            .binary_path
            .clone()
            .unwrap_or_else(|| format!("/{file_name}"))
    }

    fn run(&self, binary_path: &str) -> RunConfig {
        let config = self.config;
        RunConfig {
            entrypoint: Some(
                config
                    .entrypoint
                    .clone()
                    .unwrap_or_else(|| vec![binary_path.to_string()]),
            ),
            cmd: config.cmd.clone(),
            env: config.env.clone(),
            user: config.user.clone(),
            working_dir: config.workdir.clone(),
            exposed_ports: config
                .exposed_ports
                .iter()
                .map(|p| {
                    if p.contains('/') {
                        p.clone()
                    } else {
                        format!("{p}/tcp")
                    }
                })
                .collect(),
            labels: config.labels.clone(),
        }
    }

    /// The configured extra files, read from the source tree.
    fn extra_files(&self) -> Result<Vec<Entry>, StageError> {
        let mut entries = Vec::new();
        for file in &self.config.files {
            let src = source_path("files.src", &file.src)?;
            let dst = image_path("files.dst", &file.dst)?;
            if file.mode > 0o7777 {
                return Err(StageError::invalid_config(format!(
                    "files: mode {:o} of `{}` is not a permission mode (write it as 0o644)",
                    file.mode, file.dst
                )));
            }
            entries.push(Entry::file(
                dst.trim_start_matches('/'),
                file.mode,
                read_source(&src)?,
            ));
        }
        Ok(entries)
    }

    fn base(&self, platform: &Platform) -> Result<Option<Base>, StageError> {
        let base = match &self.base {
            None => return Ok(None),
            Some(BaseRef::Layout { dir, tag }) => {
                let source = SourceLayout(format!("{SRC}/{dir}"));
                Base::from_layout(&source, dir, tag.as_deref(), platform)
            }
            Some(BaseRef::DockerArchive(file)) => {
                let tarball = std::fs::read(format!("{SRC}/{file}")).map_err(|e| {
                    StageError::invalid_config(format!(
                        "base: cannot read `{file}` in the project: {e}"
                    ))
                })?;
                Base::from_docker_archive(&tarball, file)
            }
        };
        base.map(Some).map_err(|e| StageError::failed(e.0))
    }
}

/// A base image's layout in the source tree.
struct SourceLayout(String);

impl BaseSource for SourceLayout {
    fn read(&self, path: &str, limit: Option<usize>) -> Result<Vec<u8>, Error> {
        let full = format!("{}/{path}", self.0);
        let shown = path;
        let size = std::fs::metadata(&full)
            .map_err(|e| Error(format!("{shown}: {e}")))?
            .len();
        if limit.is_some_and(|l| size > l as u64) {
            return Err(Error(format!(
                "{shown} is {size} bytes, larger than the {} allowed for it",
                limit.unwrap_or_default()
            )));
        }
        std::fs::read(&full).map_err(|e| Error(format!("{shown}: {e}")))
    }
}

/// A path in the source tree: relative, no `..`; the tree itself must be granted.
fn source_path(field: &str, path: &str) -> Result<String, StageError> {
    if path.is_empty() || path.starts_with('/') || path.split('/').any(|p| p == "..") {
        return Err(StageError::invalid_config(format!(
            "{field}: `{path}` must be a path inside the project (relative, without `..`)"
        )));
    }
    if std::fs::metadata(SRC).is_err() {
        return Err(StageError::invalid_config(format!(
            "{field} reads `{path}` from the project, but the stage cannot see it: add `source = true` to the stage's grants"
        )));
    }
    Ok(format!("{SRC}/{path}"))
}

fn read_source(path: &str) -> Result<Vec<u8>, StageError> {
    std::fs::read(path).map_err(|e| {
        StageError::invalid_config(format!(
            "files: cannot read `{}` in the project: {e}",
            path.trim_start_matches(SRC).trim_start_matches('/')
        ))
    })
}

/// An absolute path in the image, without `.`/`..` or empty parts.
fn image_path(field: &str, path: &str) -> Result<String, StageError> {
    let parts: Vec<&str> = path.strip_prefix('/').unwrap_or("").split('/').collect();
    if !path.starts_with('/')
        || parts
            .iter()
            .any(|p| p.is_empty() || *p == "." || *p == "..")
    {
        return Err(StageError::invalid_config(format!(
            "{field}: `{path}` must be an absolute path in the image, like /usr/local/bin/app"
        )));
    }
    Ok(path.to_string())
}

/// Adds a directory entry for every parent of the entries (`usr/`, `usr/local/`, …),
/// and refuses two files at one path.
fn add_parents(entries: &mut Vec<Entry>) {
    let mut parents = BTreeSet::new();
    for entry in entries.iter() {
        let mut path = entry.name.trim_end_matches('/');
        while let Some((parent, _)) = path.rsplit_once('/') {
            parents.insert(parent.to_string());
            path = parent;
        }
    }
    for parent in parents {
        let name = format!("{parent}/");
        if !entries.iter().any(|e| e.name == name) {
            entries.push(Entry::directory(&parent));
        }
    }
}

/// Seconds since 1970 as RFC 3339 in UTC (`2023-11-14T22:13:20Z`).
fn rfc3339(seconds: u64) -> Result<String, StageError> {
    let time = time::OffsetDateTime::from_unix_timestamp(seconds.min(i64::MAX as u64) as i64)
        .map_err(|e| StageError::failed(format!("the commit time {seconds}: {e}")))?;
    Ok(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}Z",
        time.year(),
        u8::from(time.month()),
        time.day(),
        time.hour(),
        time.minute(),
        time.second()
    ))
}

fn write_out(rel: &str, bytes: &[u8]) -> Result<(), StageError> {
    let path = format!("/out/{rel}");
    if let Some((dir, _)) = path.rsplit_once('/') {
        std::fs::create_dir_all(dir)
            .map_err(|e| StageError::failed(format!("creating {dir}: {e}")))?;
    }
    write(&path, bytes)
}

xhost_plugin_sdk::export_plugin!(OciImage);
