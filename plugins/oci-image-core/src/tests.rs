use std::collections::{BTreeMap, HashMap};
use std::io::Read;

use oci_spec::image::{ImageConfiguration, ImageIndex, ImageManifest};

use super::*;

fn spec(arch: &str, variant: Option<&str>) -> ImageSpec {
    ImageSpec {
        platform: Platform {
            os: "linux".into(),
            architecture: arch.into(),
            variant: variant.map(str::to_string),
        },
        entries: vec![
            Entry::file("hello", 0o755, format!("binary for {arch}").into_bytes()),
            Entry::directory("etc"),
            Entry::file("etc/motd", 0o644, b"hi\n".to_vec()),
        ],
        owner: Owner {
            uid: 65532,
            gid: 65532,
        },
        run: RunConfig {
            entrypoint: Some(vec!["/hello".into()]),
            env: vec!["PATH=/".into()],
            exposed_ports: vec!["8080/tcp".into()],
            labels: [
                ("b".to_string(), "2".to_string()),
                ("a".to_string(), "1".to_string()),
            ]
            .into_iter()
            .collect(),
            ..RunConfig::default()
        },
        mtime: 1_700_000_000,
        created: Some("2023-11-14T22:13:20Z".into()),
        annotations: [
            (
                "org.opencontainers.image.version".to_string(),
                "1.0.0".to_string(),
            ),
            (
                "org.opencontainers.image.revision".to_string(),
                "abc".to_string(),
            ),
        ]
        .into_iter()
        .collect(),
        created_by: "xhost builtin:oci-image".into(),
    }
}

fn build(specs: &[ImageSpec]) -> (Vec<(String, Vec<u8>)>, Descriptor, Blobs) {
    let mut blobs = Blobs::default();
    let images: Vec<Image> = specs
        .iter()
        .map(|s| image(s, None, &mut blobs).unwrap())
        .collect();
    let index = index(&images, &BTreeMap::new(), &mut blobs).unwrap();
    (
        layout(&index, &["1.0.0".into(), "latest".into()], &blobs).unwrap(),
        index,
        blobs,
    )
}

fn three() -> Vec<ImageSpec> {
    vec![
        spec("amd64", None),
        spec("arm64", None),
        spec("arm", Some("v7")),
    ]
}

#[test]
fn the_same_inputs_give_the_same_bytes() {
    let (a, index_a, _) = build(&three());
    let (b, index_b, _) = build(&three());
    assert_eq!(index_a.digest(), index_b.digest());
    assert_eq!(a, b);
}

#[test]
fn an_index_over_one_manifest_per_platform() {
    let (files, index, blobs) = build(&three());
    let index: ImageIndex =
        serde_json::from_slice(blobs.get(index.digest().as_ref()).unwrap()).unwrap();
    let platforms: Vec<String> = index
        .manifests()
        .iter()
        .map(|m| {
            let p = m.platform().as_ref().unwrap();
            format!(
                "{}/{}/{}",
                p.os(),
                p.architecture(),
                p.variant().clone().unwrap_or_default()
            )
        })
        .collect();
    assert_eq!(platforms, ["linux/amd64/", "linux/arm64/", "linux/arm/v7"]);
    let top: ImageIndex =
        serde_json::from_slice(&files.iter().find(|(p, _)| p == "index.json").unwrap().1).unwrap();
    let tags: Vec<String> = top
        .manifests()
        .iter()
        .map(|m| m.annotations().as_ref().unwrap()["org.opencontainers.image.ref.name"].clone())
        .collect();
    assert_eq!(tags, ["1.0.0", "latest"]);
    assert!(
        files
            .iter()
            .any(|(p, b)| p == "oci-layout" && b == br#"{"imageLayoutVersion":"1.0.0"}"#)
    );
    for (path, bytes) in &files {
        if let Some(hex) = path.strip_prefix("blobs/sha256/") {
            assert_eq!(sha256_hex(bytes), *hex, "{path}");
        }
    }
}

#[test]
fn the_config_says_how_the_image_runs_and_the_layer_holds_the_files() {
    let mut blobs = Blobs::default();
    let made = image(&spec("arm", Some("v7")), None, &mut blobs).unwrap();
    let manifest: ImageManifest =
        serde_json::from_slice(blobs.get(made.manifest.digest().as_ref()).unwrap()).unwrap();
    assert_eq!(
        manifest.annotations().as_ref().unwrap()["org.opencontainers.image.version"],
        "1.0.0"
    );
    let raw = blobs.get(&made.config).unwrap();
    let text = std::str::from_utf8(raw).unwrap();
    assert!(text.contains(r#""ExposedPorts":{"8080/tcp":{}}"#), "{text}");
    assert!(text.contains(r#""Labels":{"a":"1","b":"2"}"#), "{text}");
    let config: ImageConfiguration = serde_json::from_slice(raw).unwrap();
    assert_eq!(config.architecture().to_string(), "arm");
    assert_eq!(config.variant().as_deref(), Some("v7"));
    assert_eq!(config.created().as_deref(), Some("2023-11-14T22:13:20Z"));
    assert_eq!(
        config
            .config()
            .as_ref()
            .unwrap()
            .entrypoint()
            .as_ref()
            .unwrap(),
        &["/hello"]
    );

    let (layer, diff_id) = &made.layers[0];
    let gz = blobs.get(layer).unwrap();
    let mut tar = Vec::new();
    flate2::read::GzDecoder::new(gz)
        .read_to_end(&mut tar)
        .unwrap();
    assert_eq!(diff_id, &format!("sha256:{}", sha256_hex(&tar)));
    assert_eq!(config.rootfs().diff_ids(), std::slice::from_ref(diff_id));
    let mut archive = tar::Archive::new(tar.as_slice());
    let listed: Vec<(String, u32, u64, u64)> = archive
        .entries()
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let h = e.header();
            (
                e.path().unwrap().display().to_string(),
                h.mode().unwrap(),
                h.uid().unwrap(),
                h.mtime().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        listed,
        [
            ("etc/".to_string(), 0o755, 65532, 1_700_000_000),
            ("etc/motd".to_string(), 0o644, 65532, 1_700_000_000),
            ("hello".to_string(), 0o755, 65532, 1_700_000_000),
        ]
    );
}

#[test]
fn two_images_for_one_platform_are_refused() {
    let mut blobs = Blobs::default();
    let a = image(&spec("amd64", None), None, &mut blobs).unwrap();
    let err = index(&[a.clone(), a], &BTreeMap::new(), &mut blobs).unwrap_err();
    assert!(
        err.0.contains("two images for the platform linux/amd64"),
        "{err}"
    );
}

#[test]
fn tags_follow_the_distribution_grammar() {
    for good in [
        "1.0.0",
        "latest",
        "v1.2.3-rc.1",
        "_x",
        "0.0.0-SNAPSHOT-abc1234",
    ] {
        assert!(valid_tag(good), "{good}");
    }
    for bad in ["", "1.0.0+build", "-x", ".x", "a/b", &"x".repeat(129)] {
        assert!(!valid_tag(bad), "{bad}");
    }
}

/// A layout in memory, as a project's base image directory.
struct Memory(HashMap<String, Vec<u8>>);

impl BaseSource for Memory {
    fn read(&self, path: &str, limit: Option<usize>) -> Result<Vec<u8>, Error> {
        let bytes = self
            .0
            .get(path)
            .ok_or_else(|| error(format!("{path}: not found")))?;
        if limit.is_some_and(|l| bytes.len() > l) {
            return Err(error(format!(
                "{path} is larger than {} bytes",
                limit.unwrap()
            )));
        }
        Ok(bytes.clone())
    }
}

fn base_layout(entries: Vec<Entry>) -> Memory {
    let mut base = spec("amd64", None);
    base.entries = entries;
    base.run = RunConfig {
        entrypoint: Some(vec!["/bin/sh".into()]),
        cmd: Some(vec!["-c".into(), "true".into()]),
        env: vec!["PATH=/bin".into(), "LANG=C".into()],
        user: Some("0".into()),
        ..RunConfig::default()
    };
    let (files, _, _) = build(&[base]);
    Memory(files.into_iter().collect())
}

fn amd64() -> Platform {
    spec("amd64", None).platform
}

#[test]
fn a_base_image_lends_its_layers_and_settings() {
    let layout = base_layout(vec![Entry::file("bin/sh", 0o755, b"shell".to_vec())]);
    let base = Base::from_layout(&layout, "base", Some("1.0.0"), &amd64()).unwrap();
    assert_eq!(base.layers.len(), 1);
    let mut blobs = Blobs::default();
    let made = image(&spec("amd64", None), Some(&base), &mut blobs).unwrap();
    assert_eq!(made.layers.len(), 2);
    assert_eq!(made.layers[0].0, base.layers[0].digest);
    let config: ImageConfiguration =
        serde_json::from_slice(blobs.get(&made.config).unwrap()).unwrap();
    let run = config.config().as_ref().unwrap();
    assert_eq!(run.entrypoint().as_ref().unwrap(), &["/hello"]);
    assert_eq!(run.cmd(), &None, "the base's cmd went with its entrypoint");
    assert_eq!(run.env().as_ref().unwrap(), &["LANG=C", "PATH=/"]);
    assert_eq!(run.user().as_deref(), Some("0"));
    assert_eq!(config.history().as_ref().unwrap().len(), 2);
    assert!(
        image(&spec("arm64", None), Some(&base), &mut blobs)
            .unwrap_err()
            .0
            .contains("base image is for linux/amd64")
    );
}

#[test]
fn a_hostile_base_image_is_refused() {
    // A blob whose bytes are not what its name says.
    let mut layout = base_layout(vec![Entry::file("ok", 0o644, b"x".to_vec())]);
    let layer = layout
        .0
        .keys()
        .find(|k| k.starts_with("blobs/") && layout.0[*k].starts_with(&[0x1f, 0x8b]))
        .unwrap()
        .clone();
    layout.0.get_mut(&layer).unwrap().push(0);
    let err = Base::from_layout(&layout, "base", Some("1.0.0"), &amd64()).unwrap_err();
    assert!(err.0.contains("holds content of digest"), "{err}");
    // A huge index.json is not read.
    let mut layout = base_layout(vec![]);
    layout.0.insert("index.json".into(), vec![b' '; 5 << 20]);
    let err = Base::from_layout(&layout, "base", None, &amd64()).unwrap_err();
    assert!(err.0.contains("larger than"), "{err}");
    // A tag that is not there.
    let layout = base_layout(vec![]);
    let err = Base::from_layout(&layout, "base", Some("2.0"), &amd64()).unwrap_err();
    assert!(err.0.contains("names no image tagged `2.0`"), "{err}");
}

/// A tar holding one file named `name` as given (the tar crate refuses to write `..`).
fn raw_entry(name: &str) -> Vec<u8> {
    let mut header = tar::Header::new_gnu();
    header.set_size(1);
    header.set_mode(0o644);
    header.set_entry_type(tar::EntryType::Regular);
    header.as_old_mut().name[..name.len()].copy_from_slice(name.as_bytes());
    header.set_cksum();
    let mut builder = tar::Builder::new(Vec::new());
    builder.append(&header, &b"x"[..]).unwrap();
    builder.into_inner().unwrap()
}

#[test]
fn entries_climbing_out_of_the_root_are_refused() {
    for name in ["../escape", "a/../../escape", "/../escape"] {
        let err = base::check_entries(&raw_entry(name)).unwrap_err();
        assert!(err.0.contains("reaches outside"), "{name}: {err}");
    }
    for name in ["a/../b", "./x", "/etc/x"] {
        assert!(base::check_entries(&raw_entry(name)).is_ok(), "{name}");
    }
}

#[test]
fn links_climbing_out_of_the_root_are_refused() {
    let link = |name: &str, target: &str, kind: tar::EntryType| {
        let mut builder = tar::Builder::new(Vec::new());
        let mut header = tar::Header::new_gnu();
        header.set_entry_type(kind);
        header.set_size(0);
        header.set_mode(0o777);
        builder.append_link(&mut header, name, target).unwrap();
        builder.into_inner().unwrap()
    };
    use tar::EntryType::{Link, Symlink};
    assert!(base::check_entries(&link("bin/sh", "../../etc/passwd", Symlink)).is_err());
    assert!(base::check_entries(&link("bin/sh", "/../etc/passwd", Symlink)).is_err());
    assert!(base::check_entries(&link("x", "../y", Link)).is_err());
    assert!(base::check_entries(&link("bin/sh", "../usr/bin/busybox", Symlink)).is_ok());
    assert!(base::check_entries(&link("bin", "/usr/bin", Symlink)).is_ok());
}

#[test]
fn a_docker_archive_names_its_config_and_layers() {
    let mut blobs = Blobs::default();
    let made = image(&spec("amd64", None), None, &mut blobs).unwrap();
    let tarball = docker_archive(&made, &blobs, &["hello:1.0.0".into()], 0).unwrap();
    let mut archive = tar::Archive::new(tarball.as_slice());
    let mut manifest = String::new();
    let mut names = Vec::new();
    for entry in archive.entries().unwrap() {
        let mut entry = entry.unwrap();
        let name = entry.path().unwrap().display().to_string();
        if name == "manifest.json" {
            entry.read_to_string(&mut manifest).unwrap();
        }
        names.push(name);
    }
    let manifest: serde_json::Value = serde_json::from_str(&manifest).unwrap();
    assert_eq!(manifest[0]["RepoTags"][0], "hello:1.0.0");
    let config = manifest[0]["Config"].as_str().unwrap();
    assert_eq!(config, format!("blobs/sha256/{}", &made.config[7..]));
    assert!(names.contains(&config.to_string()));
    assert!(names.contains(&manifest[0]["Layers"][0].as_str().unwrap().to_string()));
}

#[test]
fn a_docker_archive_is_a_base_too() {
    let mut base_spec = spec("amd64", None);
    base_spec.entries = vec![Entry::file("bin/sh", 0o755, b"shell".to_vec())];
    let mut blobs = Blobs::default();
    let made = image(&base_spec, None, &mut blobs).unwrap();
    let tarball = docker_archive(&made, &blobs, &["base:1".into()], 0).unwrap();
    let base = Base::from_docker_archive(&tarball, "base.tar").unwrap();
    assert_eq!(base.layers.len(), 1);
    assert_eq!(base.layers[0].digest, made.layers[0].0);
    base.check_platform(&amd64()).unwrap();
    // Damaged: a layer that is not what the config's diff_id says.
    let mut other = base_spec.clone();
    other.entries = vec![Entry::file("bin/sh", 0o755, b"other".to_vec())];
    let swapped = image(&other, None, &mut blobs).unwrap();
    let mut lying = made.clone();
    lying.layers = swapped.layers.clone();
    let tarball = docker_archive(&lying, &blobs, &[], 0).unwrap();
    let err = Base::from_docker_archive(&tarball, "base.tar").unwrap_err();
    assert!(err.0.contains("diff_id"), "{err}");
}

#[test]
fn a_layer_ending_without_padding_is_read_and_its_names_checked() {
    let full = raw_entry("etc/motd");
    // One header and one byte of data, as umoci's `insert` writes them.
    assert!(base::check_entries(&full[..513]).is_ok());
    // The names are still checked in such a layer.
    assert!(base::check_entries(&raw_entry("../escape")[..513]).is_err());
}

#[test]
fn layer_files_apply_each_layer_over_the_ones_below() {
    let layer = |entries: Vec<Entry>, gzip: bool| {
        let tar = xhost_archive::tar(&entries, 0, Owner::ROOT).unwrap();
        if gzip {
            (
                "application/vnd.oci.image.layer.v1.tar+gzip".to_string(),
                xhost_archive::gzip(&tar).unwrap(),
            )
        } else {
            ("application/vnd.oci.image.layer.v1.tar".to_string(), tar)
        }
    };
    let layers = vec![
        layer(
            vec![
                Entry::file("var/lib/dpkg/status", 0o644, b"first".to_vec()),
                Entry::file("etc/os-release", 0o644, b"ID=debian".to_vec()),
                Entry::file("opt/db/a", 0o644, b"a".to_vec()),
                Entry::file("bin/sh", 0o755, b"shell".to_vec()),
            ],
            true,
        ),
        layer(
            vec![
                Entry::file("var/lib/dpkg/.wh.status", 0o644, Vec::new()),
                Entry::file("opt/db/.wh..wh..opq", 0o644, Vec::new()),
            ],
            false,
        ),
        layer(vec![Entry::file("opt/db/b", 0o644, b"b".to_vec())], true),
    ];
    let files = crate::layer_files(&layers, |p| p != "bin/sh").unwrap();
    let found: Vec<(&str, &[u8])> = files
        .iter()
        .map(|(p, b)| (p.as_str(), b.as_slice()))
        .collect();
    assert_eq!(
        found,
        [
            ("etc/os-release", b"ID=debian".as_slice()),
            ("opt/db/b", b"b".as_slice())
        ]
    );
}
