//! Plugins from registries that lie, or from publishers the stage does not trust. Each
//! attack pins a crafted artifact in a build — served by a registry that sends whatever
//! it is given (`static_registry.py`), or pushed to a real one (docker-registry) — and
//! the build (or `xhost plugin update`) must refuse it naming what is wrong: nothing
//! run (the probe would write a file into `dist/`), the project as it was, and no
//! half-fetched plugin left in the cache.

use std::path::Path;

use serde_json::{Value, json};

use super::support::registry::{Registry, StaticRegistry};
use super::support::{self, Project, test_plugin};
use super::{Row, report, why};

/// What an attack has to work with.
pub struct Scene<'a> {
    /// A real registry (docker-registry) on 127.0.0.1.
    pub registry: &'a Registry,
    /// `alice.key`/`.pub` (trusted by the stages) and `mallory.key`/`.pub`.
    pub keys: &'a Path,
    /// Runs `xhost plugin publish`.
    pub publisher: &'a Project,
}

/// What an attack set up: the project's stage, and what keeps its registry alive.
pub struct Setup {
    pub reference: String,
    pub trust: bool,
    pub keep: Option<StaticRegistry>,
}

pub struct RegistryAttack {
    pub name: &'static str,
    pub layer: &'static str,
    /// Sets the attack up for `project` (whose cache is the given directory); may build
    /// it first.
    pub setup: fn(&Scene, &Project, &Path) -> Setup,
    /// The command that must refuse it.
    pub command: &'static [&'static str],
    pub expect: &'static str,
}

const BUILD: &[&str] = &["build", "."];

pub fn registry_attacks() -> Vec<RegistryAttack> {
    vec![
        RegistryAttack {
            name: "a registry serving other bytes than the component's digest",
            layer: "plugin fetch: the component checked against the manifest's layer digest as it arrives",
            setup: |_, _, _| {
                serve(|component, _| {
                    let mut bytes = component.to_vec();
                    bytes[100] ^= 0xff;
                    Some(bytes)
                })
            },
            command: BUILD,
            expect: "refused",
        },
        RegistryAttack {
            name: "a registry serving another manifest than the pinned digest",
            layer: "plugin fetch: the manifest's sha256 equal to the pinned digest",
            setup: |_, _, _| {
                let setup = serve(|_, _| None);
                let registry = setup.keep.as_ref().unwrap();
                let digest = setup.reference.rsplit_once('@').unwrap().1.to_string();
                // What the pin names is replaced by another component's artifact.
                let other = artifact(registry, &std::fs::read(test_plugin("exec-probe")).unwrap());
                registry.manifest(&digest, &other);
                setup
            },
            command: BUILD,
            expect: "not the pinned",
        },
        RegistryAttack {
            name: "a manifest with two wasm layers",
            layer: "plugin fetch: a wasm artifact has exactly one application/wasm layer",
            setup: |_, _, _| {
                serve_shaped(|m| {
                    let layer = m["layers"][0].clone();
                    m["layers"].as_array_mut().unwrap().push(layer);
                })
            },
            command: BUILD,
            expect: "exactly one layer",
        },
        RegistryAttack {
            name: "a manifest declaring a 1 GiB component",
            layer: "plugin fetch: a layer over 256 MiB refused before any byte of it is fetched",
            setup: |_, _, _| serve_shaped(|m| m["layers"][0]["size"] = json!(1u64 << 30)),
            command: BUILD,
            expect: "more than the 256 MiB",
        },
        RegistryAttack {
            name: "a component blob longer than its manifest says",
            layer: "plugin fetch: the transfer stopped at the declared size",
            setup: |_, _, _| {
                serve(|component, _| {
                    let mut bytes = component.to_vec();
                    bytes.extend(std::iter::repeat_n(0u8, 4 << 20));
                    Some(bytes)
                })
            },
            command: BUILD,
            expect: "longer than",
        },
        RegistryAttack {
            name: "a container image pinned as a plugin",
            layer: "plugin fetch: the config must be application/vnd.wasm.config.v0+json",
            setup: |_, _, _| {
                serve_shaped(|m| {
                    m["config"]["mediaType"] = "application/vnd.oci.image.config.v1+json".into()
                })
            },
            command: BUILD,
            expect: "not a wasm component artifact",
        },
        RegistryAttack {
            name: "a plugin signed by a key the stage does not trust",
            layer: "trust: a cosign signature by one of the stage's `trust` keys",
            setup: |scene, _, _| published(scene, "mallory-signed", Some("mallory.key"), "probe"),
            command: BUILD,
            expect: "by none of the keys `trust` names",
        },
        RegistryAttack {
            name: "an unsigned plugin where the stage trusts a publisher",
            layer: "trust: no signature, no plugin",
            setup: |scene, _, _| published(scene, "unsigned", None, "probe"),
            command: BUILD,
            expect: "not signed",
        },
        RegistryAttack {
            name: "the cached component changed after it was fetched, the registry gone",
            layer: "plugin cache: every use checks the copy against the pinned digest; a damaged copy is dropped, never run",
            setup: |_, project, cache| {
                let setup = serve(|_, _| None);
                write_project(project, &setup);
                let env = [("XHOST_CACHE_DIR", cache.to_str().unwrap())];
                project.xhost_with(&["build", "."], &env).assert_ok();
                std::fs::remove_dir_all(project.dist()).unwrap();
                let digest = setup
                    .reference
                    .rsplit_once('@')
                    .unwrap()
                    .1
                    .replace(':', "-");
                let cached = cache.join("plugins").join(digest).join("component.wasm");
                let mut bytes = std::fs::read(&cached).unwrap();
                bytes[100] ^= 0xff;
                std::fs::write(&cached, bytes).unwrap();
                // The registry stops with the setup's end.
                Setup {
                    keep: None,
                    ..setup
                }
            },
            command: BUILD,
            expect: "cannot be reached",
        },
        RegistryAttack {
            name: "a tag moved to a component asking for more (it runs programs)",
            layer: "plugin update: a pin moves only to a component asking for nothing more, unless allowed on purpose",
            setup: |scene, _, _| {
                let setup = published(scene, "moved", Some("alice.key"), "probe");
                published(scene, "moved", Some("alice.key"), "exec-probe");
                setup
            },
            command: &["plugin", "update", "--dir", "."],
            expect: "update(s) refused",
        },
    ]
}

/// The artifact of `component` in `registry` (config and layer blobs served); returns
/// the manifest's bytes, served by nothing yet.
fn artifact(registry: &StaticRegistry, component: &[u8]) -> Vec<u8> {
    let layer = format!("sha256:{}", xhost::digest::sha256_hex(component));
    let config = serde_json::to_vec(&json!({
        "created": "1970-01-01T00:00:00Z", "architecture": "wasm", "os": "wasip2",
        "layerDigests": [layer],
    }))
    .unwrap();
    let config_digest = format!("sha256:{}", xhost::digest::sha256_hex(&config));
    registry.blob(&config_digest, &config);
    registry.blob(&layer, component);
    serde_json::to_vec(&json!({
        "schemaVersion": 2,
        "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": { "mediaType": "application/vnd.wasm.config.v0+json", "digest": config_digest, "size": config.len() },
        "layers": [{ "mediaType": "application/wasm", "digest": layer, "size": component.len() }],
    }))
    .unwrap()
}

/// The probe served as a wasm artifact by a static registry, its component blob
/// replaced by what `blob` returns (when it returns something).
fn serve(blob: fn(&[u8], &Value) -> Option<Vec<u8>>) -> Setup {
    serve_with(blob, |_| {})
}

/// The probe's artifact with its manifest reshaped by `shape`, pinned as it is.
fn serve_shaped(shape: fn(&mut Value)) -> Setup {
    serve_with(|_, _| None, shape)
}

fn serve_with(blob: fn(&[u8], &Value) -> Option<Vec<u8>>, shape: fn(&mut Value)) -> Setup {
    let registry = StaticRegistry::start();
    let component = std::fs::read(test_plugin("probe")).unwrap();
    let mut manifest: Value = serde_json::from_slice(&artifact(&registry, &component)).unwrap();
    shape(&mut manifest);
    if let Some(bytes) = blob(&component, &manifest) {
        registry.blob(manifest["layers"][0]["digest"].as_str().unwrap(), &bytes);
    }
    let bytes = serde_json::to_vec(&manifest).unwrap();
    let digest = format!("sha256:{}", xhost::digest::sha256_hex(&bytes));
    registry.manifest(&digest, &bytes);
    Setup {
        reference: format!("oci://127.0.0.1:{}/acme/probe@{digest}", registry.port),
        trust: false,
        keep: Some(registry),
    }
}

/// `plugin` published to the real registry under `repository:1`, signed with `key`
/// when given; pinned with `trust = ["alice.pub"]`.
fn published(scene: &Scene, repository: &str, key: Option<&str>, plugin: &str) -> Setup {
    let key = key.map(|k| scene.keys.join(k).to_str().unwrap().to_string());
    let to = format!(
        "oci://127.0.0.1:{}/acme/{repository}:1",
        scene.registry.port
    );
    let file = test_plugin(plugin);
    let mut args = vec!["plugin", "publish", file.to_str().unwrap(), &to];
    if let Some(key) = &key {
        args.extend(["--key", key]);
    }
    let run = scene.publisher.xhost(&args);
    run.assert_ok();
    Setup {
        reference: run.stdout.trim().to_string(),
        trust: true,
        keep: None,
    }
}

fn write_project(project: &Project, setup: &Setup) {
    let trust = if setup.trust {
        "trust = [\"alice.pub\"]\n"
    } else {
        ""
    };
    project.write("go.mod", "module example.com/p\n\ngo 1.21\n").write(
        "xhost.toml",
        format!(
            "[project]\nname = \"p\"\nversion = \"1.0.0\"\n\n[build]\ntargets = [\"linux/amd64\"]\n\n\
             [[stage]]\nname = \"probe\"\nplugin = \"{}\"\n{trust}\
             [stage.config]\naction = \"write\"\nfile = \"planted\"\nkind = \"other\"\ncontent = \"the plugin ran\"\n",
            setup.reference
        ),
    );
}

pub fn check_every_registry_attack(first: usize) {
    let registry = Registry::start();
    let keys = tempfile::tempdir().unwrap();
    super::support::run_script(
        keys.path(),
        "for k in alice mallory; do
           openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key 2>/dev/null
           openssl pkey -in $k.key -pubout -out $k.pub
         done",
    );
    let publisher = Project::new("hostile-registry-publisher");
    let scene = Scene {
        registry: &registry,
        keys: keys.path(),
        publisher: &publisher,
    };
    let mut rows = Vec::new();
    for (n, attack) in registry_attacks().into_iter().enumerate() {
        let project = Project::new(&format!("hostile-registry-{n}"));
        let cache = tempfile::tempdir().unwrap();
        let setup = (attack.setup)(&scene, &project, cache.path());
        write_project(&project, &setup);
        std::fs::copy(keys.path().join("alice.pub"), project.path("alice.pub")).unwrap();
        project.seed_dist();
        let before = support::snapshot(&project.dir);
        let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
        let run = project.xhost_with(attack.command, &env);
        drop(setup);
        let mut failures = Vec::new();
        if run.code != Some(1) {
            failures.push(format!("exit code {:?}", run.code));
        }
        if !run.stderr.contains(attack.expect) {
            failures.push(format!("stderr lacks {:?}", attack.expect));
        }
        if support::snapshot(&project.dir) != before {
            failures.push("the project changed (dist/ or xhost.toml)".into());
        }
        let staging: Vec<_> = support::files(cache.path())
            .into_iter()
            .filter(|f| f.to_string_lossy().contains("/.fetch-"))
            .collect();
        if !staging.is_empty() {
            failures.push(format!("half-fetched files left: {staging:?}"));
        }
        rows.push(Row {
            name: attack.name,
            layer: attack.layer,
            expected: attack.expect.to_string(),
            observed: why(&run.stderr, attack.expect),
            failures,
        });
    }
    let rows: Vec<&Row> = rows.iter().collect();
    report(
        &rows,
        first,
        "hostile-registries-report.md",
        "registry attacks not refused as expected",
    );
}
