//! `xhost publish` pushes the release's images to a real registry (Debian's
//! docker-registry, distribution 2.8, started on 127.0.0.1 by `scripts/registry-start`
//! and stopped by PID), checked with `skopeo`: the index byte for byte, each platform,
//! a copy of everything back. A second publish sends no blob again; a damaged `dist/`
//! or a registry that is down fails with a clear message and pushes nothing.

mod support;

use std::path::Path;

use support::registry::Registry;
use support::{Project, run_tool};

const CONFIG: &str = r#"
[project]
name = "hello"
version = "1.0.0"

[build]
main = "./cmd/hello"
targets = ["linux/amd64", "linux/arm64", "linux/arm/v7"]
ldflags = "-s -w -X main.version={{.Version}}"

[[stage]]
name = "compile"
plugin = "builtin:go-build"
grants = { exec = ["go"], source = true }

[[stage]]
name = "image"
plugin = "builtin:oci-image"
[stage.config]
tags = ["{{.Version}}", "latest"]

[[stage]]
name = "checksum"
plugin = "builtin:checksum"

[[publish]]
registry = "127.0.0.1:PORT/acme/hello"
plain_http = true
"#;

/// hello-go as `CONFIG` has it, publishing to `registry`, built.
fn built(name: &str, registry: &Registry) -> Project {
    let project = Project::from_example(name, "hello-go");
    project.write(
        "xhost.toml",
        CONFIG.replace("PORT", &registry.port.to_string()),
    );
    project.xhost(&["build", "."]).assert_ok();
    project
}

fn skopeo(args: &[&str]) -> String {
    run_tool("skopeo", args, Path::new("."))
}

#[test]
fn images_go_to_a_registry_once_and_read_back_the_same() {
    let registry = Registry::start();
    let project = built("publish", &registry);
    let layout = project.path("dist/hello_1.0.0_oci");
    let local = skopeo(&[
        "inspect",
        "--raw",
        &format!("oci:{}:1.0.0", layout.display()),
    ]);

    // A publish cut short left one platform's image behind, under no tag of the
    // release (as a killed push leaves blobs and no tag): the next one sends the rest.
    let remote_name = format!("127.0.0.1:{}/acme/hello", registry.port);
    skopeo(&[
        "--override-arch",
        "amd64",
        "copy",
        "--dest-tls-verify=false",
        "--preserve-digests",
        &format!("oci:{}:1.0.0", layout.display()),
        &format!("docker://{remote_name}:cut-short"),
    ]);
    let run = project.xhost(&["build", ".", "--publish"]);
    run.assert_ok();
    assert!(
        run.stderr.contains(" 2 already there"),
        "the amd64 image's config and layer were sent again:\n{}",
        run.stderr
    );
    assert!(
        run.stdout.contains(&format!("{remote_name}:1.0.0@sha256:")),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout
            .contains(&format!("{remote_name}:latest@sha256:")),
        "{}",
        run.stdout
    );
    let remote = format!("docker://{remote_name}:1.0.0");
    let raw = skopeo(&["inspect", "--tls-verify=false", "--raw", &remote]);
    assert_eq!(raw, local, "the registry holds another index than dist/");
    assert_eq!(
        support::oci_platforms(&serde_json::from_str(&raw).unwrap()),
        ["linux/amd64", "linux/arm/v7", "linux/arm64"]
    );
    // Pulled for arm64 from the registry: the binary in dist/, and it runs (under qemu).
    let pulled = tempfile::tempdir().unwrap();
    let single = pulled.path().join("arm64");
    skopeo(&[
        "--override-arch",
        "arm64",
        "copy",
        "--src-tls-verify=false",
        &remote,
        &format!("oci:{}:x", single.display()),
    ]);
    let bundle = pulled.path().join("bundle");
    run_tool(
        "umoci",
        &[
            "unpack",
            "--rootless",
            "--image",
            &format!("{}:x", single.display()),
            bundle.to_str().unwrap(),
        ],
        Path::new("."),
    );
    let binary = bundle.join("rootfs/hello");
    let sums = run_tool(
        "sha256sum",
        &[
            binary.to_str().unwrap(),
            project
                .path("dist/hello_linux_arm64/hello")
                .to_str()
                .unwrap(),
        ],
        Path::new("."),
    );
    let digests: Vec<&str> = sums.lines().map(|l| &l[..64]).collect();
    assert_eq!(digests[0], digests[1], "{sums}");
    assert_eq!(
        run_tool(
            "qemu-aarch64-static",
            &[binary.to_str().unwrap(), "--version"],
            Path::new(".")
        ),
        "hello 1.0.0\n"
    );
    let back = tempfile::tempdir().unwrap();
    let copy = format!("oci:{}:1.0.0", back.path().join("copy").display());
    skopeo(&[
        "copy",
        "--all",
        "--preserve-digests",
        "--src-tls-verify=false",
        &remote,
        &copy,
    ]);
    assert_eq!(skopeo(&["inspect", "--raw", &copy]), local);

    // Again: nothing new to send, the tags read back the same.
    let again = project.xhost(&["publish"]);
    again.assert_ok();
    assert!(again.stderr.contains(" 0 blobs sent"), "{}", again.stderr);
    assert_eq!(
        skopeo(&["inspect", "--tls-verify=false", "--raw", &remote]),
        local
    );

    // A damaged dist/ is not published.
    let blob = std::fs::read_dir(layout.join("blobs/sha256"))
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mut bytes = std::fs::read(&blob).unwrap();
    bytes.push(b'\n');
    std::fs::write(&blob, bytes).unwrap();
    project
        .xhost(&["publish"])
        .assert_fails_with(&["does not verify", "nothing was published"]);

    // A registry that is down: a clear error naming it.
    project.xhost(&["build", ".", "--no-cache"]).assert_ok();
    registry.stop();
    project
        .xhost(&["publish"])
        .assert_fails_with(&[&remote_name, "cannot be reached"]);
}

#[test]
fn publish_settings_are_checked() {
    let project = Project::from_example("publish-config", "hello-go");
    project.write(
        "xhost.toml",
        CONFIG.replace(
            "127.0.0.1:PORT/acme/hello",
            "registry.example.com/acme/hello",
        ),
    );
    project.xhost(&["publish"]).assert_fails_with(&[
        "xhost.toml",
        "plain_http sends images and credentials unencrypted",
        "not registry.example.com",
    ]);
    project.write(
        "xhost.toml",
        CONFIG.replace("127.0.0.1:PORT/acme/hello", "no-repository"),
    );
    project
        .xhost(&["publish"])
        .assert_fails_with(&["registry `no-repository` is not HOST[:PORT]/REPOSITORY"]);
    project.write(
        "xhost.toml",
        CONFIG.replace(
            "[[publish]]\nregistry = \"127.0.0.1:PORT/acme/hello\"\nplain_http = true\n",
            "",
        ),
    );
    project
        .xhost(&["publish"])
        .assert_fails_with(&["add a `[[publish]]` table"]);
}

/// An htpasswd file in `dir` with one user, `xhost`, password `s3cret-test`.
fn htpasswd_file(dir: &Path) -> std::path::PathBuf {
    let file = dir.join("htpasswd");
    let line = run_tool(
        "htpasswd",
        &["-Bbn", "xhost", "s3cret-test"],
        Path::new("."),
    );
    std::fs::write(&file, line).unwrap();
    file
}

#[test]
fn credentials_are_asked_for_checked_and_never_shown() {
    let secrets = tempfile::tempdir().unwrap();
    let htpasswd = htpasswd_file(secrets.path());
    let registry = Registry::start_with(Some(&htpasswd), None);
    let project = built("publish-auth", &registry);
    let remote = format!("docker://127.0.0.1:{}/acme/hello:1.0.0", registry.port);
    let tagged = || {
        std::process::Command::new("skopeo")
            .args([
                "inspect",
                "--tls-verify=false",
                "--creds",
                "xhost:s3cret-test",
                "--raw",
                &remote,
            ])
            .output()
            .unwrap()
            .status
            .success()
    };
    let empty_docker = secrets.path().join("no-docker");
    std::fs::create_dir_all(&empty_docker).unwrap();
    let no_docker = ("DOCKER_CONFIG", empty_docker.to_str().unwrap());

    project
        .xhost_with(&["publish"], &[no_docker])
        .assert_fails_with(&["wants credentials", "XHOST_REGISTRY_USERNAME"]);
    let wrong = project.xhost_with(
        &["publish"],
        &[
            no_docker,
            ("XHOST_REGISTRY_USERNAME", "xhost"),
            ("XHOST_REGISTRY_PASSWORD", "wrong-pass-4711"),
        ],
    );
    wrong.assert_fails_with(&[
        "refused the credentials from XHOST_REGISTRY_USERNAME and XHOST_REGISTRY_PASSWORD",
    ]);
    assert!(!wrong.stderr.contains("wrong-pass-4711") && !wrong.stdout.contains("wrong-pass-4711"));
    assert!(!tagged(), "a refused publish left a tag");

    // As `docker login` keeps them.
    let docker = secrets.path().join("docker");
    std::fs::create_dir_all(&docker).unwrap();
    use base64::Engine;
    let auth = base64::engine::general_purpose::STANDARD.encode("xhost:s3cret-test");
    std::fs::write(
        docker.join("config.json"),
        format!(
            "{{\"auths\":{{\"127.0.0.1:{}\":{{\"auth\":\"{auth}\"}}}}}}",
            registry.port
        ),
    )
    .unwrap();
    let run = project.xhost_with(&["publish"], &[("DOCKER_CONFIG", docker.to_str().unwrap())]);
    run.assert_ok();
    assert!(!run.stderr.contains("s3cret-test") && !run.stdout.contains("s3cret-test"));
    assert!(tagged());

    // As a docker credential helper keeps them: `credHelpers` for this registry, and a
    // `credsStore` that has nothing for it.
    let bin = secrets.path().join("bin");
    std::fs::create_dir_all(&bin).unwrap();
    let asked = secrets.path().join("asked");
    let helper = |name: &str, body: &str| {
        let file = bin.join(format!("docker-credential-{name}"));
        std::fs::write(&file, format!("#!/bin/sh\n{body}\n")).unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o755)).unwrap();
    };
    helper(
        "xhosttest",
        &format!(
            "[ \"$1\" = get ] || exit 3\ncat > {}\n\
             echo '{{\"ServerURL\":\"x\",\"Username\":\"xhost\",\"Secret\":\"s3cret-test\"}}'",
            asked.display()
        ),
    );
    helper(
        "empty",
        "echo 'credentials not found in native keychain'; exit 1",
    );
    let path = format!("{}:{}", bin.display(), std::env::var("PATH").unwrap());
    let helpers = secrets.path().join("helpers");
    std::fs::create_dir_all(&helpers).unwrap();
    let host = format!("127.0.0.1:{}", registry.port);
    std::fs::write(
        helpers.join("config.json"),
        format!("{{\"credsStore\":\"empty\",\"credHelpers\":{{\"{host}\":\"xhosttest\"}}}}"),
    )
    .unwrap();
    let env = [
        ("DOCKER_CONFIG", helpers.to_str().unwrap()),
        ("PATH", path.as_str()),
    ];
    let run = project.xhost_with(&["publish"], &env);
    run.assert_ok();
    assert!(!run.stderr.contains("s3cret-test") && !run.stdout.contains("s3cret-test"));
    assert_eq!(std::fs::read_to_string(&asked).unwrap(), host);
    std::fs::write(helpers.join("config.json"), "{\"credsStore\":\"empty\"}").unwrap();
    project
        .xhost_with(&["publish"], &env)
        .assert_fails_with(&["wants credentials"]);
    std::fs::write(helpers.join("config.json"), "{\"credsStore\":\"missing\"}").unwrap();
    project.xhost_with(&["publish"], &env).assert_fails_with(&[
        "config.json names the credential helper `missing`",
        "docker-credential-missing cannot be run",
    ]);
}

#[test]
fn over_tls_with_the_projects_ca_and_credentials() {
    let secrets = tempfile::tempdir().unwrap();
    support::test_ca(secrets.path());
    let htpasswd = htpasswd_file(secrets.path());
    let registry = Registry::start_with(
        Some(&htpasswd),
        Some((
            &secrets.path().join("server.pem"),
            &secrets.path().join("server.key"),
        )),
    );
    let project = Project::from_example("publish-tls", "hello-go");
    std::fs::copy(
        secrets.path().join("ca.pem"),
        project.path("registry-ca.pem"),
    )
    .unwrap();
    let https = CONFIG
        .replace("PORT", &registry.port.to_string())
        .replace("plain_http = true", "ca_file = \"registry-ca.pem\"");
    let creds = [
        ("XHOST_REGISTRY_USERNAME", "xhost"),
        ("XHOST_REGISTRY_PASSWORD", "s3cret-test"),
    ];

    // Without the CA, the certificate is not trusted, and the message says what to do.
    project.write(
        "xhost.toml",
        https.replace("ca_file = \"registry-ca.pem\"", ""),
    );
    project.xhost(&["build", "."]).assert_ok();
    project
        .xhost_with(&["publish"], &creds)
        .assert_fails_with(&["not trusted", "ca_file"]);

    project.write("xhost.toml", &https);
    let run = project.xhost_with(&["build", ".", "--publish"], &creds);
    run.assert_ok();
    let remote = format!("docker://127.0.0.1:{}/acme/hello:1.0.0", registry.port);
    let certs = secrets.path().join("certs");
    std::fs::create_dir_all(&certs).unwrap();
    std::fs::copy(secrets.path().join("ca.pem"), certs.join("ca.crt")).unwrap();
    let raw = skopeo(&[
        "inspect",
        "--cert-dir",
        certs.to_str().unwrap(),
        "--creds",
        "xhost:s3cret-test",
        "--raw",
        &remote,
    ]);
    let layout = project.path("dist/hello_1.0.0_oci");
    assert_eq!(
        raw,
        skopeo(&[
            "inspect",
            "--raw",
            &format!("oci:{}:1.0.0", layout.display())
        ])
    );
}

#[test]
fn signed_images_verify_with_cosign_once_published() {
    let registry = Registry::start();
    let keys = tempfile::tempdir().unwrap();
    support::run_script(
        keys.path(),
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cosign.key 2>/dev/null
         openssl pkey -in cosign.key -pubout -out cosign.pub
         openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out other.key 2>/dev/null
         openssl pkey -in other.key -pubout -out other.pub",
    );
    let remote_name = format!("127.0.0.1:{}/acme/hello", registry.port);
    let config = CONFIG.replace("PORT", &registry.port.to_string()).replace(
        "[[stage]]\nname = \"checksum\"",
        &format!(
            "[[stage]]\nname = \"image-sign\"\nplugin = \"builtin:image-sign\"\ngrants = {{ signing = [\"cosign\"] }}\n\
             [stage.config]\nkey = \"cosign\"\nidentity = \"{remote_name}\"\n\n[[stage]]\nname = \"checksum\""
        ),
    );
    let config = format!(
        "[signing.keys.cosign]\nfile = \"{}\"\n{config}",
        keys.path().join("cosign.key").display()
    )
    .replace(
        "[[stage]]\nname = \"image\"",
        "[[stage]]\nname = \"sbom\"\nplugin = \"builtin:sbom\"\ngrants = { source = true }\n\n[[stage]]\nname = \"image\"",
    );
    let project = Project::from_example("publish-signed", "hello-go");
    project.write("xhost.toml", config);
    project.xhost(&["build", "."]).assert_ok();
    project.xhost(&["verify", "dist"]).assert_ok();
    // Signatures and attestations are deterministic (RFC 6979): the same layout again.
    let layout = support::snapshot(&project.path("dist/hello_1.0.0_oci"));
    project.xhost(&["build", ".", "--no-cache"]).assert_ok();
    assert!(
        support::snapshot(&project.path("dist/hello_1.0.0_oci")) == layout,
        "a second build signed the images differently"
    );
    project.xhost(&["publish"]).assert_ok();

    // cosign against the test registry (plain HTTP) and without a transparency log.
    let cosign = support::dev_tool("cosign");
    let cosign = |args: &[&str], image: &str| {
        std::process::Command::new(&cosign)
            .args(args)
            .args([
                "--insecure-ignore-tlog",
                "--allow-insecure-registry",
                "--allow-http-registry",
                image,
            ])
            .output()
            .unwrap()
    };
    let verify = |key: &str, image: &str| cosign(&["verify", "--key", key], image);
    let key = keys.path().join("cosign.pub");
    let tagged = format!("{remote_name}:1.0.0");
    let ok = verify(key.to_str().unwrap(), &tagged);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let claims = String::from_utf8_lossy(&ok.stdout);
    assert!(
        claims.contains(&format!("\"docker-reference\":\"{remote_name}\"")),
        "{claims}"
    );
    // Each platform's manifest, by digest, is signed too.
    let raw = skopeo(&[
        "inspect",
        "--tls-verify=false",
        "--raw",
        &format!("docker://{tagged}"),
    ]);
    let index: serde_json::Value = serde_json::from_str(&raw).unwrap();
    for manifest in index["manifests"].as_array().unwrap() {
        let by_digest = format!("{remote_name}@{}", manifest["digest"].as_str().unwrap());
        let ok = verify(key.to_str().unwrap(), &by_digest);
        assert!(
            ok.status.success(),
            "{by_digest}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
    }
    // Another key does not verify it.
    let other = verify(keys.path().join("other.pub").to_str().unwrap(), &tagged);
    assert!(!other.status.success(), "another key verified the image");

    // Each platform's SBOM is attested with its manifest: cosign checks the envelope's
    // signature and that the statement names that manifest, and the predicate is the
    // SBOM in dist/.
    let attestation = |key: &Path, kind: &str, image: &str| {
        cosign(
            &[
                "verify-attestation",
                "--key",
                key.to_str().unwrap(),
                "--type",
                kind,
            ],
            image,
        )
    };
    for manifest in index["manifests"].as_array().unwrap() {
        let platform = &manifest["platform"];
        let target = format!(
            "{}_{}{}",
            platform["os"].as_str().unwrap(),
            platform["architecture"].as_str().unwrap(),
            platform["variant"]
                .as_str()
                .map_or(String::new(), |v| format!("_{v}"))
        );
        let by_digest = format!("{remote_name}@{}", manifest["digest"].as_str().unwrap());
        let ok = attestation(&key, "spdxjson", &by_digest);
        assert!(
            ok.status.success(),
            "{by_digest}: {}",
            String::from_utf8_lossy(&ok.stderr)
        );
        let envelope: serde_json::Value =
            serde_json::from_slice(ok.stdout.split(|b| *b == b'\n').next().unwrap()).unwrap();
        use base64::Engine;
        let statement: serde_json::Value = serde_json::from_slice(
            &base64::engine::general_purpose::STANDARD
                .decode(envelope["payload"].as_str().unwrap())
                .unwrap(),
        )
        .unwrap();
        let sbom: serde_json::Value = serde_json::from_slice(
            &std::fs::read(project.path(&format!("dist/hello_{target}/hello.spdx.json"))).unwrap(),
        )
        .unwrap();
        assert_eq!(statement["predicate"], sbom, "{target}");
        assert!(
            attestation(&key, "cyclonedx", &by_digest).status.success(),
            "{by_digest}: no CycloneDX attestation"
        );
        let other = attestation(&keys.path().join("other.pub"), "spdxjson", &by_digest);
        assert!(
            !other.status.success(),
            "another key verified an attestation"
        );
    }
}

/// The tags the registry holds for acme/hello (none when the repository has none).
fn remote_tags(registry: &Registry) -> Vec<String> {
    let listed = run_tool(
        "curl",
        &[
            "-s",
            &format!("http://127.0.0.1:{}/v2/acme/hello/tags/list", registry.port),
        ],
        Path::new("."),
    );
    let listed: serde_json::Value = serde_json::from_str(&listed).unwrap();
    listed["tags"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|t| t.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn a_registry_that_serves_other_bytes_gets_no_tag() {
    let registry = Registry::start();
    let project = built("publish-lying", &registry);
    let layout = project.path("dist/hello_1.0.0_oci");
    let top: serde_json::Value =
        serde_json::from_slice(&std::fs::read(layout.join("index.json")).unwrap()).unwrap();
    let index_digest = top["manifests"][0]["digest"].as_str().unwrap();
    let index: serde_json::Value = serde_json::from_slice(
        &std::fs::read(layout.join("blobs/sha256").join(&index_digest[7..])).unwrap(),
    )
    .unwrap();
    let amd64 = &index["manifests"][0]["digest"].as_str().unwrap()[7..];

    // The registry's storage answers the index's digest with the amd64 manifest (a
    // damaged disk, or a registry that lies): it takes the push, and serves those bytes.
    let hex = &index_digest[7..];
    let stored = registry.dir.path().join(format!(
        "storage/docker/registry/v2/blobs/sha256/{}/{hex}/data",
        &hex[..2]
    ));
    std::fs::create_dir_all(stored.parent().unwrap()).unwrap();
    std::fs::copy(layout.join("blobs/sha256").join(amd64), &stored).unwrap();
    project.xhost(&["publish"]).assert_fails_with(&[
        &format!("reading manifest {index_digest} back"),
        "serves other bytes than xhost pushed",
        "no tag was pushed",
    ]);
    assert_eq!(remote_tags(&registry), Vec::<String>::new());
}

#[test]
fn a_publish_killed_mid_push_leaves_no_tag_and_the_next_one_finishes() {
    let registry = Registry::start();
    let project = Project::from_example("publish-killed", "hello-go");
    // 24 MiB gzip cannot shrink, in each platform's layer: a push long enough to cut.
    let mut state = 0x9E37_79B9_7F4A_7C15u64;
    let noise: Vec<u8> = (0..24 << 20)
        .map(|_| {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state as u8
        })
        .collect();
    project.write("noise.bin", noise);
    project.write(
        "xhost.toml",
        CONFIG.replace("PORT", &registry.port.to_string()).replace(
            "plugin = \"builtin:oci-image\"\n[stage.config]\n",
            "plugin = \"builtin:oci-image\"\ngrants = { source = true }\n[stage.config]\n\
             files = [{ src = \"noise.bin\", dst = \"/noise.bin\" }]\n",
        ),
    );
    project.xhost(&["build", "."]).assert_ok();

    let mut publish = std::process::Command::new(env!("CARGO_BIN_EXE_xhost"));
    publish
        .arg("publish")
        .current_dir(&project.dir)
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null());
    support::user_env(&mut publish);
    let mut child = publish.spawn().unwrap();
    // Killed once the registry has started taking a blob.
    let uploads = registry
        .dir
        .path()
        .join("storage/docker/registry/v2/repositories/acme/hello/_uploads");
    let started = std::time::Instant::now();
    while !std::fs::read_dir(&uploads).is_ok_and(|mut d| d.next().is_some()) {
        assert!(
            child.try_wait().unwrap().is_none(),
            "the publish ended before it sent a blob"
        );
        assert!(started.elapsed().as_secs() < 120, "no upload began");
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    assert!(!child.wait().unwrap().success());
    assert_eq!(
        remote_tags(&registry),
        Vec::<String>::new(),
        "a killed publish left a tag"
    );

    let run = project.xhost(&["publish"]);
    run.assert_ok();
    let mut tags = remote_tags(&registry);
    tags.sort();
    assert_eq!(tags, ["1.0.0", "latest"]);
    let layout = project.path("dist/hello_1.0.0_oci");
    assert_eq!(
        skopeo(&[
            "inspect",
            "--tls-verify=false",
            "--raw",
            &format!("docker://127.0.0.1:{}/acme/hello:1.0.0", registry.port)
        ]),
        skopeo(&[
            "inspect",
            "--raw",
            &format!("oci:{}:1.0.0", layout.display())
        ])
    );
    // Every blob there holds what its digest says: a copy back checks each one.
    let back = tempfile::tempdir().unwrap();
    skopeo(&[
        "copy",
        "--all",
        "--src-tls-verify=false",
        &format!("docker://127.0.0.1:{}/acme/hello:1.0.0", registry.port),
        &format!("oci:{}:x", back.path().join("copy").display()),
    ]);
}

#[test]
fn release_files_go_as_one_artifact_that_oras_pulls_back() {
    let registry = Registry::start();
    let project = Project::from_example("publish-files", "hello-go");
    let destination = format!(
        "[[publish]]\nregistry = \"127.0.0.1:{}/acme/hello\"\nplain_http = true\nfiles_tag = \"{{{{.Version}}}}-files\"\n",
        registry.port
    );
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write("xhost.toml", format!("{config}\n{destination}"));
    let run = project.xhost(&["build", ".", "--publish"]);
    run.assert_ok();
    let remote = format!("127.0.0.1:{}/acme/hello:1.0.0-files", registry.port);
    assert!(
        run.stdout.contains(&format!("{remote}@sha256:")),
        "{}",
        run.stdout
    );

    let oras = support::dev_tool("oras");
    let oras = |args: &[&str]| run_tool(oras.to_str().unwrap(), args, Path::new("."));
    let manifest: serde_json::Value =
        serde_json::from_str(&oras(&["manifest", "fetch", "--plain-http", &remote])).unwrap();
    assert_eq!(manifest["artifactType"], "application/vnd.xhost.release.v1");
    assert_eq!(
        manifest["annotations"]["org.opencontainers.image.version"],
        "1.0.0"
    );
    // Pulled: the release as dist/ holds it; the checksums and `xhost verify` agree.
    let pulled = tempfile::tempdir().unwrap();
    oras(&[
        "pull",
        "--plain-http",
        "-o",
        pulled.path().to_str().unwrap(),
        &remote,
    ]);
    assert_eq!(
        support::snapshot(pulled.path()),
        support::snapshot(&project.dist()),
        "oras pulled another release than dist/"
    );
    run_tool(
        "sha256sum",
        &["-c", "--strict", "hello_1.0.0_checksums.txt"],
        pulled.path(),
    );
    project
        .xhost(&["verify", pulled.path().to_str().unwrap()])
        .assert_ok();

    // Again: the same artifact, nothing sent.
    let again = project.xhost(&["publish"]);
    again.assert_ok();
    assert!(again.stderr.contains(" 0 blobs sent"), "{}", again.stderr);
    assert_eq!(
        again.stdout.trim(),
        run.stdout.lines().find(|l| l.contains("-files@")).unwrap()
    );

    // The files under an image's tag would replace the image: refused before a push.
    project.write(
        "xhost.toml",
        CONFIG.replace("PORT", &registry.port.to_string()).replace(
            "plain_http = true\n",
            "plain_http = true\nfiles_tag = \"latest\"\n",
        ),
    );
    project.xhost(&["build", "."]).assert_ok();
    project
        .xhost(&["publish"])
        .assert_fails_with(&["files_tag `latest`", "is also an image's tag"]);
    project.write(
        "xhost.toml",
        CONFIG.replace("PORT", &registry.port.to_string()).replace(
            "plain_http = true\n",
            "plain_http = true\nfiles_tag = \"v{{.Version}}+x\"\n",
        ),
    );
    project.xhost(&["publish"]).assert_fails_with(&[
        "xhost.toml:",
        "files_tag renders to `v1.0.0+x`, which is not a tag",
    ]);
}
