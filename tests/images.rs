//! `builtin:oci-image`: images of the release's linux binaries, made in the sandbox
//! without a daemon, read back by independent tools: `skopeo` (the index and its
//! platforms, per-architecture selection, a copy keeping every digest, the
//! docker-archive tarballs) and `umoci` (unpacked, the entrypoint run natively and
//! under qemu); two builds give the same bytes.

mod support;

use std::path::Path;

use serde_json::Value;
use support::{Project, release_snapshot, run_tool, snapshot};

const CONFIG: &str = r#"
[project]
name = "hello"
version = "1.0.0"

[build]
main = "./cmd/hello"
targets = ["linux/amd64", "linux/arm64", "linux/arm/v7", "darwin/arm64"]
ldflags = "-s -w -X main.version={{.Version}}"

[[stage]]
name = "compile"
plugin = "builtin:go-build"
grants = { exec = ["go"], source = true }

[[stage]]
name = "strip"
plugin = "builtin:strip"

[[stage]]
name = "image"
plugin = "builtin:oci-image"
grants = { source = true }
[stage.config]
tags = ["{{.Version}}", "latest"]
files = [{ src = "README.md", dst = "/usr/share/doc/hello/README.md" }]
env = ["HELLO_MODE=image"]
exposed_ports = ["8080"]
labels = { "org.example.team" = "release" }
source_url = "https://example.com/hello"
user = "65532"
docker_archive = true

[[stage]]
name = "checksum"
plugin = "builtin:checksum"
"#;

const LAYOUT: &str = "dist/hello_1.0.0_oci";

fn skopeo(args: &[&str], dir: &Path) -> String {
    run_tool("skopeo", args, dir)
}

fn json(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or_else(|e| panic!("{e}: {text}"))
}

#[test]
fn a_multi_platform_image_that_skopeo_and_umoci_read_and_that_runs() {
    let project = Project::from_example("images", "hello-go");
    project.write("xhost.toml", CONFIG);
    project.xhost(&["build", "."]).assert_ok();
    let dir = &project.dir;

    // One index, tagged twice, over one manifest per linux target (darwin has none).
    let raw = skopeo(&["inspect", "--raw", &format!("oci:{LAYOUT}:1.0.0")], dir);
    let index = json(&raw);
    assert_eq!(
        index["mediaType"],
        "application/vnd.oci.image.index.v1+json"
    );
    assert_eq!(
        support::oci_platforms(&index),
        ["linux/amd64", "linux/arm/v7", "linux/arm64"]
    );
    assert_eq!(
        index["annotations"]["org.opencontainers.image.version"],
        "1.0.0"
    );
    assert_eq!(
        skopeo(&["inspect", "--raw", &format!("oci:{LAYOUT}:latest")], dir),
        raw,
        "the two tags name one index"
    );

    // skopeo picks each platform's image, with its config.
    for (arch, variant) in [("amd64", None), ("arm64", None), ("arm", Some("v7"))] {
        let reference = format!("oci:{LAYOUT}:1.0.0");
        let mut args = vec!["--override-os", "linux", "--override-arch", arch];
        if let Some(variant) = variant {
            args.extend(["--override-variant", variant]);
        }
        args.extend(["inspect", &reference]);
        let image = json(&skopeo(&args, dir));
        assert_eq!(image["Architecture"], arch);
        assert_eq!(image["Os"], "linux");
        assert_eq!(image["Labels"]["org.example.team"], "release");
        assert!(
            image["Env"]
                .as_array()
                .unwrap()
                .iter()
                .any(|e| e == "HELLO_MODE=image"),
            "{image}"
        );
    }

    // A copy of every platform keeps every digest: the index is byte for byte what a
    // registry would be given.
    let scratch = tempfile::tempdir().unwrap();
    let copy = scratch.path().join("copy");
    skopeo(
        &[
            "copy",
            "--all",
            "--preserve-digests",
            &format!("oci:{LAYOUT}:1.0.0"),
            &format!("oci:{}:1.0.0", copy.display()),
        ],
        dir,
    );
    assert_eq!(
        skopeo(
            &["inspect", "--raw", &format!("oci:{}:1.0.0", copy.display())],
            dir
        ),
        raw
    );

    // Unpacked, each image holds the stripped binary from dist/ and the extra file, and
    // its entrypoint runs: natively for amd64, under qemu for arm64.
    for (arch, dist_dir, runner) in [
        ("amd64", "hello_linux_amd64", None),
        ("arm64", "hello_linux_arm64", Some("qemu-aarch64-static")),
    ] {
        let single = scratch.path().join(format!("single-{arch}"));
        skopeo(
            &[
                "--override-arch",
                arch,
                "copy",
                &format!("oci:{LAYOUT}:1.0.0"),
                &format!("oci:{}:x", single.display()),
            ],
            dir,
        );
        let bundle = scratch.path().join(format!("bundle-{arch}"));
        run_tool(
            "umoci",
            &[
                "unpack",
                "--rootless",
                "--image",
                &format!("{}:x", single.display()),
                bundle.to_str().unwrap(),
            ],
            dir,
        );
        let rootfs = bundle.join("rootfs");
        let sums = run_tool(
            "sha256sum",
            &[
                rootfs.join("hello").to_str().unwrap(),
                project
                    .path(&format!("dist/{dist_dir}/hello"))
                    .to_str()
                    .unwrap(),
            ],
            dir,
        );
        let digests: Vec<&str> = sums.lines().map(|l| &l[..64]).collect();
        assert_eq!(digests[0], digests[1], "{sums}");
        assert_eq!(
            std::fs::read(rootfs.join("usr/share/doc/hello/README.md")).unwrap(),
            std::fs::read(project.path("README.md")).unwrap()
        );
        let runtime = json(&std::fs::read_to_string(bundle.join("config.json")).unwrap());
        assert_eq!(runtime["process"]["args"], serde_json::json!(["/hello"]));
        let entrypoint = rootfs.join("hello");
        let out = match runner {
            None => run_tool(entrypoint.to_str().unwrap(), &["--version"], dir),
            Some(qemu) => run_tool(qemu, &[entrypoint.to_str().unwrap(), "--version"], dir),
        };
        assert_eq!(out, "hello 1.0.0\n");
    }

    // Listed before the checksum stage, every file of the images is covered.
    project.xhost(&["verify", "dist"]).assert_ok();
    let sums = std::fs::read_to_string(project.path("dist/hello_1.0.0_checksums.txt")).unwrap();
    assert!(sums.contains("  hello_1.0.0_oci/index.json\n"), "{sums}");
    run_tool(
        "sha256sum",
        &["--check", "--strict", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );

    // The docker-archive tarballs are what `docker load` takes.
    let tarball = "dist/hello_1.0.0_oci_linux_arm64.docker.tar";
    let image = json(&skopeo(
        &["inspect", &format!("docker-archive:{tarball}")],
        dir,
    ));
    assert_eq!(image["Architecture"], "arm64");
    assert_eq!(image["Env"], serde_json::json!(["HELLO_MODE=image"]));

    // Built again from nothing, the same bytes.
    let first = snapshot(&project.path(LAYOUT));
    let first_release = release_snapshot(&project.dist());
    project.xhost(&["build", ".", "--no-cache"]).assert_ok();
    assert_eq!(
        snapshot(&project.path(LAYOUT)),
        first,
        "the image layout changed"
    );
    assert_eq!(release_snapshot(&project.dist()), first_release);
}

#[test]
fn bad_image_settings_name_the_stage_and_the_setting() {
    let project = Project::from_example("images-bad", "hello-go");
    let cases = [
        (
            "tags = [\"1.0.0+build\"]",
            "`1.0.0+build` is not a valid image tag",
        ),
        (
            "exposed_ports = [\"http\"]",
            "`http` is not PORT[/tcp|udp|sctp]",
        ),
        (
            "base = \"oci:missing-layout\"",
            "base image missing-layout: index.json",
        ),
        (
            "base = \"docker.io/library/alpine\"",
            "use `scratch`, `oci:DIR[:TAG]`",
        ),
        (
            "binary_path = \"bin/hello\"",
            "must be an absolute path in the image",
        ),
    ];
    let plain = &CONFIG[..CONFIG.find("[stage.config]").unwrap()];
    for (setting, message) in cases {
        let config = format!("{plain}[stage.config]\n{setting}\n").replace(
            "targets = [\"linux/amd64\", \"linux/arm64\", \"linux/arm/v7\", \"darwin/arm64\"]",
            "targets = [\"linux/amd64\"]",
        );
        project.write("xhost.toml", config);
        let before = snapshot(&project.dir);
        project
            .xhost(&["build", "."])
            .assert_fails_with(&["stage `image` (builtin:oci-image)", message]);
        let after = snapshot(&project.dir);
        assert_eq!(before, after, "{setting}: the project or dist/ changed");
    }
}

#[test]
fn an_image_on_a_base_that_umoci_made() {
    let project = Project::from_example("images-base", "hello-go");
    let config = CONFIG
        .replace(
            "targets = [\"linux/amd64\", \"linux/arm64\", \"linux/arm/v7\", \"darwin/arm64\"]",
            "targets = [\"linux/amd64\"]",
        )
        .replace(
            "docker_archive = true",
            "base = \"oci:base:stable\"\nenv = [\"HELLO_MODE=image\", \"PATH=/opt/bin\"]",
        )
        .replace("env = [\"HELLO_MODE=image\"]\n", "")
        // Each platform's SBOM attested with its image, the base's packages added.
        .replace(
            "[[stage]]\nname = \"image\"",
            "[[stage]]\nname = \"sbom\"\nplugin = \"builtin:sbom\"\ngrants = { source = true }\n\n[[stage]]\nname = \"image\"",
        )
        .replace(
            "[[stage]]\nname = \"checksum\"",
            "[[stage]]\nname = \"image-sign\"\nplugin = \"builtin:image-sign\"\ngrants = { signing = [\"cosign\"] }\n\
             [stage.config]\nkey = \"cosign\"\nidentity = \"registry.example.com/acme/hello\"\n\n[[stage]]\nname = \"checksum\"",
        );
    // Keys live outside the project, where no plugin granted `source` reads them.
    let keys = tempfile::tempdir().unwrap();
    support::run_script(
        keys.path(),
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cosign.key 2>/dev/null
         openssl pkey -in cosign.key -pubout -out cosign.pub",
    );
    project.write(
        "xhost.toml",
        format!(
            "[signing.keys.cosign]\nfile = \"{}\"\n{config}",
            keys.path().join("cosign.key").display()
        ),
    );
    // The base: an image umoci makes from nothing, with one file and settings of its
    // own, and this machine's Debian package database.
    support::run_script(
        &project.dir,
        "umoci init --layout base
         umoci new --image base:stable
         mkdir -p extra/etc && echo 'from the base' > extra/etc/base.txt
         umoci insert --rootless --image base:stable extra/etc/base.txt /etc/base.txt
         umoci insert --rootless --image base:stable /var/lib/dpkg/status /var/lib/dpkg/status
         umoci insert --rootless --image base:stable /etc/os-release /etc/os-release
         umoci config --image base:stable --config.env PATH=/usr/bin --config.env TZ=UTC --config.workingdir /work --config.cmd sh
         rm -r extra",
    );
    project.xhost(&["build", "."]).assert_ok();
    base_packages_are_attested(&project, &keys.path().join("cosign.pub"));

    let scratch = tempfile::tempdir().unwrap();
    let bundle = scratch.path().join("bundle");
    run_tool(
        "umoci",
        &[
            "unpack",
            "--rootless",
            "--image",
            &format!("{LAYOUT}:1.0.0"),
            bundle.to_str().unwrap(),
        ],
        &project.dir,
    );
    let rootfs = bundle.join("rootfs");
    assert_eq!(
        std::fs::read_to_string(rootfs.join("etc/base.txt")).unwrap(),
        "from the base\n"
    );
    let out = run_tool(
        rootfs.join("hello").to_str().unwrap(),
        &["--version"],
        &project.dir,
    );
    assert_eq!(out, "hello 1.0.0\n");
    let runtime = json(&std::fs::read_to_string(bundle.join("config.json")).unwrap());
    let env: Vec<&str> = runtime["process"]["env"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e.as_str().unwrap())
        .collect();
    assert!(
        env.contains(&"TZ=UTC")
            && env.contains(&"PATH=/opt/bin")
            && !env.contains(&"PATH=/usr/bin"),
        "{env:?}"
    );
    assert_eq!(runtime["process"]["cwd"], "/work");
    // The base's `sh` went with its entrypoint: only ours runs.
    assert_eq!(runtime["process"]["args"], serde_json::json!(["/hello"]));
}

/// The linux/amd64 image's SBOM attestations (in the layout, where `cosign attest`
/// keeps them): signed by the stage's key over the DSSE encoding (openssl checks it),
/// valid SPDX 2.3 (pyspdxtools) and CycloneDX 1.6, listing the binary and every
/// package this machine's dpkg database says is installed, as `dpkg-query` does.
fn base_packages_are_attested(project: &Project, public_key: &Path) {
    use base64::Engine;
    let b64 = |text: &str| {
        base64::engine::general_purpose::STANDARD
            .decode(text)
            .unwrap()
    };
    let layout = project.path(LAYOUT);
    let blob =
        |digest: &str| std::fs::read(layout.join("blobs/sha256").join(&digest[7..])).unwrap();
    let top = json(&std::fs::read_to_string(layout.join("index.json")).unwrap());
    let attestations: Vec<&Value> = top["manifests"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| {
            m["annotations"]["org.opencontainers.image.ref.name"]
                .as_str()
                .unwrap()
                .ends_with(".att")
        })
        .collect();
    assert_eq!(
        attestations.len(),
        1,
        "one platform, one attestation manifest"
    );
    let manifest: Value =
        serde_json::from_slice(&blob(attestations[0]["digest"].as_str().unwrap())).unwrap();
    let scratch = tempfile::tempdir().unwrap();
    let installed = run_tool(
        "dpkg-query",
        &["-W", "-f=${db:Status-Status} ${Package} ${Version}\n"],
        Path::new("."),
    );
    let installed: Vec<(&str, &str)> = installed
        .lines()
        .filter_map(|l| l.strip_prefix("installed "))
        .map(|l| l.split_once(' ').unwrap())
        .collect();
    let dpkg_version = installed.iter().find(|(p, _)| *p == "dpkg").unwrap().1;
    for layer in manifest["layers"].as_array().unwrap() {
        let envelope: Value =
            serde_json::from_slice(&blob(layer["digest"].as_str().unwrap())).unwrap();
        let payload = b64(envelope["payload"].as_str().unwrap());
        let kind = envelope["payloadType"].as_str().unwrap();
        let mut pae = format!("DSSEv1 {} {kind} {} ", kind.len(), payload.len()).into_bytes();
        pae.extend_from_slice(&payload);
        std::fs::write(scratch.path().join("pae"), &pae).unwrap();
        std::fs::write(
            scratch.path().join("sig"),
            b64(envelope["signatures"][0]["sig"].as_str().unwrap()),
        )
        .unwrap();
        support::run_script(
            scratch.path(),
            &format!(
                "openssl dgst -sha256 -verify {} -signature sig pae",
                public_key.display()
            ),
        );
        let statement: Value = serde_json::from_slice(&payload).unwrap();
        let predicate = &statement["predicate"];
        let file = scratch.path().join("sbom.json");
        std::fs::write(&file, serde_json::to_vec(predicate).unwrap()).unwrap();
        match layer["annotations"]["predicateType"].as_str().unwrap() {
            "https://spdx.dev/Document" => {
                support::validate_spdx(&file);
                let os: Vec<&Value> = predicate["packages"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|p| p["primaryPackagePurpose"] == "OPERATING-SYSTEM")
                    .collect();
                assert_eq!(
                    os.len(),
                    installed.len(),
                    "packages differ from dpkg-query's"
                );
                let dpkg = os.iter().find(|p| p["name"] == "dpkg").unwrap();
                assert_eq!(dpkg["versionInfo"], dpkg_version);
                assert!(
                    dpkg["externalRefs"][0]["referenceLocator"]
                        .as_str()
                        .unwrap()
                        .starts_with("pkg:deb/debian/dpkg@"),
                    "{dpkg}"
                );
                assert!(
                    predicate["packages"]
                        .as_array()
                        .unwrap()
                        .iter()
                        .any(|p| p["SPDXID"] == "SPDXRef-Artifact" && p["name"] == "hello"),
                    "the binary is not in the image's SBOM"
                );
            }
            "https://cyclonedx.org/bom" => {
                support::validate_cyclonedx(&file);
                let debs = predicate["components"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .filter(|c| c["purl"].as_str().unwrap().starts_with("pkg:deb/"))
                    .count();
                assert_eq!(debs, installed.len());
            }
            other => panic!("an attestation of {other}"),
        }
    }
}
