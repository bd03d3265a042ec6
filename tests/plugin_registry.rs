//! Plugins from OCI registries, against a real registry (Debian's docker-registry on
//! 127.0.0.1): `xhost plugin publish` pushes the wasm artifact layout (read back with
//! skopeo), a build takes the plugin by digest into an empty cache and then builds
//! offline, signatures verify with cosign and gate `trust`, and `xhost plugin update`
//! moves a pin only to a signed component that asks for nothing more.

mod support;

use std::path::Path;

use support::registry::Registry;
use support::{Project, run_script, run_tool, test_plugin};

/// `xhost plugin publish FILE oci://…`, returning the reference it prints.
fn publish(project: &Project, file: &Path, to: &str, extra: &[&str]) -> String {
    let mut args = vec!["plugin", "publish", file.to_str().unwrap(), to];
    args.extend(extra);
    let run = project.xhost(&args);
    run.assert_ok();
    let reference = run.stdout.trim().to_string();
    assert!(
        reference.starts_with(&format!("{to}@sha256:")),
        "{}",
        run.stdout
    );
    reference
}

/// A project of one probe stage taking its plugin from `reference` (with `trust`).
fn project_using(name: &str, reference: &str, trust: Option<&str>) -> Project {
    let project = Project::new(name);
    let trust = trust.map_or(String::new(), |t| format!("trust = [\"{t}\"]\n"));
    project
        .write("go.mod", "module example.com/p\n\ngo 1.21\n")
        .write(
            "xhost.toml",
            format!(
                "[project]\nname = \"p\"\nversion = \"1.0.0\"\n\n[build]\ntargets = [\"linux/amd64\"]\n\n\
                 [[stage]]\nname = \"probe\"\nplugin = \"{reference}\"\n{trust}\
                 [stage.config]\naction = \"write\"\nfile = \"note.txt\"\nkind = \"other\"\ncontent = \"from the registry\"\n"
            ),
        );
    project
}

fn skopeo_raw(image: &str, config: bool) -> serde_json::Value {
    let mut args = vec!["inspect", "--tls-verify=false", "--raw"];
    if config {
        args.push("--config");
    }
    let image = format!("docker://{image}");
    args.push(&image);
    serde_json::from_str(&run_tool("skopeo", &args, Path::new("."))).unwrap()
}

#[test]
fn a_published_plugin_builds_by_digest_then_offline() {
    let registry = Registry::start();
    let probe = test_plugin("probe");
    let home = Project::new("registry-publisher");
    let to = format!("oci://127.0.0.1:{}/acme/probe:1.0.0", registry.port);
    let reference = publish(&home, &probe, &to, &[]);
    // Publishing the same component again makes the same digest.
    assert_eq!(publish(&home, &probe, &to, &[]), reference);

    // skopeo reads the wasm artifact layout back: the config and layer media types, and
    // the layer is the component byte for byte.
    let image = format!("127.0.0.1:{}/acme/probe:1.0.0", registry.port);
    let manifest = skopeo_raw(&image, false);
    assert_eq!(
        manifest["config"]["mediaType"],
        "application/vnd.wasm.config.v0+json"
    );
    let layers = manifest["layers"].as_array().unwrap();
    assert_eq!(layers.len(), 1);
    assert_eq!(layers[0]["mediaType"], "application/wasm");
    assert_eq!(
        layers[0]["digest"],
        format!("sha256:{}", support::sha256(&probe))
    );
    let config = skopeo_raw(&image, true);
    assert_eq!(config["architecture"], "wasm");
    assert_eq!(config["os"], "wasip2");
    assert_eq!(config["layerDigests"][0], layers[0]["digest"]);
    let copied = tempfile::tempdir().unwrap();
    run_tool(
        "skopeo",
        &[
            "copy",
            "--src-tls-verify=false",
            &format!("docker://{image}"),
            &format!("oci:{}:p", copied.path().display()),
        ],
        Path::new("."),
    );
    let hex = support::sha256(&probe);
    assert_eq!(
        std::fs::read(copied.path().join("blobs/sha256").join(&hex)).unwrap(),
        std::fs::read(&probe).unwrap()
    );

    // A machine whose cache is empty fetches it by digest and builds.
    let cache = tempfile::tempdir().unwrap();
    let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
    let project = project_using("registry-user", &reference, None);
    project.xhost_with(&["build", "."], &env).assert_ok();
    assert_eq!(
        std::fs::read_to_string(project.path("dist/p_linux_amd64/note.txt")).unwrap(),
        "from the registry"
    );
    // artifacts.json names the plugin by its reference and the component's digest.
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(project.path("dist/artifacts.json")).unwrap())
            .unwrap();
    let plugin = &manifest["artifacts"][0]["plugin"];
    assert_eq!(plugin["name"], reference.as_str());
    assert_eq!(plugin["digest"], format!("sha256:{hex}"));

    // The cache counts it.
    let stats = project.xhost_with(&["cache", "stats"], &env);
    stats.assert_ok();
    let row = stats
        .stdout
        .lines()
        .find(|l| l.trim_start().starts_with("fetched plugins"))
        .unwrap_or_else(|| panic!("{}", stats.stdout));
    assert!(row.contains(" 1 plugins"), "{row}");

    // The registry gone, another project with that cache still builds, and inspect
    // still answers.
    registry.stop();
    let offline = project_using("registry-offline", &reference, None);
    offline.xhost_with(&["build", "."], &env).assert_ok();
    let inspect = offline.xhost_with(&["plugin", "inspect", &reference], &env);
    inspect.assert_ok();
    assert!(
        inspect.stdout.contains(&format!("from        {reference}")),
        "{}",
        inspect.stdout
    );
    assert!(
        inspect
            .stdout
            .contains(&format!("plugin = \"{reference}\"")),
        "{}",
        inspect.stdout
    );

    // A tag is not a pin.
    let by_tag = project_using("registry-by-tag", &to, None);
    by_tag
        .xhost_with(&["build", "."], &env)
        .assert_fails_with(&["xhost.toml", "is taken by digest, not by tag", "@sha256:"]);
}

/// Two P-256 key pairs, as `cosign generate-key-pair` makes them (PEM).
fn key_pairs(dir: &Path) {
    run_script(
        dir,
        "for k in alice mallory; do
           openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key 2>/dev/null
           openssl pkey -in $k.key -pubout -out $k.pub
         done",
    );
}

#[test]
fn signed_plugins_verify_with_cosign_and_pass_trust() {
    let registry = Registry::start();
    let keys = tempfile::tempdir().unwrap();
    key_pairs(keys.path());
    let home = Project::new("registry-signer");
    let to = format!("oci://127.0.0.1:{}/acme/signed:1", registry.port);
    let alice = keys.path().join("alice.key");
    let reference = publish(
        &home,
        &test_plugin("probe"),
        &to,
        &["--key", alice.to_str().unwrap()],
    );

    // cosign, independently, finds and accepts the signature.
    let cosign = support::dev_tool("cosign");
    let by_digest = reference.trim_start_matches("oci://").replace(":1@", "@");
    let verify = |key: &str| {
        std::process::Command::new(&cosign)
            .args(["verify", "--key", key, "--insecure-ignore-tlog"])
            .args([
                "--allow-insecure-registry",
                "--allow-http-registry",
                &by_digest,
            ])
            .output()
            .unwrap()
    };
    let ok = verify(keys.path().join("alice.pub").to_str().unwrap());
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    let other = verify(keys.path().join("mallory.pub").to_str().unwrap());
    assert!(!other.status.success(), "another key verified the plugin");

    // A stage that trusts alice builds with it, from an empty cache, then offline.
    let cache = tempfile::tempdir().unwrap();
    let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
    let project = project_using("registry-trusting", &reference, Some("alice.pub"));
    std::fs::copy(keys.path().join("alice.pub"), project.path("alice.pub")).unwrap();
    project.xhost_with(&["build", "."], &env).assert_ok();
    // The trusted key replaced: the next build checks the signature again (no no-op).
    std::fs::copy(keys.path().join("mallory.pub"), project.path("alice.pub")).unwrap();
    project
        .xhost_with(&["build", "."], &env)
        .assert_fails_with(&["by none of the keys `trust` names"]);
    registry.stop();
    let offline = project_using("registry-trusting-offline", &reference, Some("alice.pub"));
    std::fs::copy(keys.path().join("alice.pub"), offline.path("alice.pub")).unwrap();
    offline.xhost_with(&["build", "."], &env).assert_ok();
    // Offline, a stage trusting another key is told why the kept signature is not enough.
    std::fs::copy(keys.path().join("mallory.pub"), offline.path("alice.pub")).unwrap();
    offline
        .xhost_with(&["build", "."], &env)
        .assert_fails_with(&[
            "the signatures kept from its fetch are by none of the keys `trust` names",
            "cannot be reached",
        ]);
}

#[test]
fn update_moves_a_pin_only_to_a_signed_component_asking_for_nothing_more() {
    let registry = Registry::start();
    let keys = tempfile::tempdir().unwrap();
    key_pairs(keys.path());
    let alice = keys.path().join("alice.key");
    let home = Project::new("registry-updater");
    let to = format!("oci://127.0.0.1:{}/acme/moving:stable", registry.port);
    let first = publish(
        &home,
        &test_plugin("probe"),
        &to,
        &["--key", alice.to_str().unwrap()],
    );
    let project = project_using("registry-update", &first, Some("alice.pub"));
    std::fs::copy(keys.path().join("alice.pub"), project.path("alice.pub")).unwrap();
    let toml = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    // A cache of its own: what it fetched and which signatures it saw are this test's.
    let cache = tempfile::tempdir().unwrap();
    let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
    let update_with = |extra: &[&str]| {
        let mut args = vec!["plugin", "update", "--dir", "."];
        args.extend(extra);
        project.xhost_with(&args, &env)
    };

    let update = update_with(&[]);
    update.assert_ok();
    assert!(update.stdout.contains("is current"), "{}", update.stdout);

    // The tag moves to a component in a wider world (it runs programs): refused, with
    // what it adds, and xhost.toml left as it was.
    let wider = publish(
        &home,
        &test_plugin("exec-probe"),
        &to,
        &["--key", alice.to_str().unwrap()],
    );
    let refused = update_with(&[]);
    refused.assert_fails_with(&["update(s) refused"]);
    assert!(refused.stdout.contains("REFUSED"), "{}", refused.stdout);
    assert!(
        refused.stdout.contains("+ asks for interface `exec`"),
        "{}",
        refused.stdout
    );
    assert!(refused.stdout.contains("signed by"), "{}", refused.stdout);
    assert_eq!(
        std::fs::read_to_string(project.path("xhost.toml")).unwrap(),
        toml
    );

    // A dry run says what would move and changes nothing.
    let dry = update_with(&["--allow-new-capabilities", "--dry-run"]);
    dry.assert_ok();
    assert!(dry.stdout.contains("would move"), "{}", dry.stdout);
    assert_eq!(
        std::fs::read_to_string(project.path("xhost.toml")).unwrap(),
        toml
    );

    // Allowed on purpose, it moves; the tag name stays, the digest changes.
    let moved = update_with(&["--allow-new-capabilities"]);
    moved.assert_ok();
    assert!(moved.stdout.contains("moved"), "{}", moved.stdout);
    let after = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    assert_eq!(after, toml.replace(&first, &wider));

    // Signed by a key the stage does not trust: refused before it is described.
    let mallory = keys.path().join("mallory.key");
    publish(
        &home,
        &test_plugin("probe"),
        &to,
        &["--key", mallory.to_str().unwrap()],
    );
    update_with(&[]).assert_fails_with(&["by none of the keys `trust` names", "alice.pub"]);
    assert_eq!(
        std::fs::read_to_string(project.path("xhost.toml")).unwrap(),
        after
    );
}

#[test]
fn other_tools_push_and_pull_the_same_artifacts() {
    let registry = Registry::start();
    let oras = support::dev_tool("oras");
    let oras = |args: &[&str], dir: &Path| run_tool(oras.to_str().unwrap(), args, dir);
    let work = tempfile::tempdir().unwrap();
    let probe = test_plugin("probe");
    std::fs::copy(&probe, work.path().join("probe.wasm")).unwrap();

    // oras pushes the component in the wasm artifact layout (its own config); a build
    // takes it by the digest oras reports.
    std::fs::write(
        work.path().join("config.json"),
        r#"{"architecture":"wasm","os":"wasip2","layerDigests":[]}"#,
    )
    .unwrap();
    let image = format!("127.0.0.1:{}/other/probe:1", registry.port);
    let pushed = oras(
        &[
            "push",
            "--plain-http",
            "--config",
            "config.json:application/vnd.wasm.config.v0+json",
            "--format",
            "go-template={{.digest}}",
            &image,
            "probe.wasm:application/wasm",
        ],
        work.path(),
    );
    let digest = pushed.trim();
    assert!(digest.starts_with("sha256:"), "{pushed}");
    let reference = format!("oci://{image}@{digest}");
    let cache = tempfile::tempdir().unwrap();
    let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
    let project = project_using("registry-oras", &reference, None);
    project.xhost_with(&["build", "."], &env).assert_ok();

    // What xhost publishes, oras pulls back as the file it was.
    let to = format!("oci://127.0.0.1:{}/acme/pulled:1", registry.port);
    let published = publish(&project, &probe, &to, &[]);
    let pulled = tempfile::tempdir().unwrap();
    oras(
        &[
            "pull",
            "--plain-http",
            "-o",
            pulled.path().to_str().unwrap(),
            published.trim_start_matches("oci://"),
        ],
        Path::new("."),
    );
    let name = probe.file_name().unwrap();
    assert_eq!(
        std::fs::read(pulled.path().join(name)).unwrap(),
        std::fs::read(&probe).unwrap()
    );
}
