//! Poisoning the remote cache. Machine A, holding the team's cache key, builds
//! hello-go and writes every stage, signed, to a real server (nginx). Each case copies
//! what A wrote to a path of its own on the server and poisons it there; machine B —
//! another checkout, an empty cache directory, read-only, trusting only the team's key,
//! as a release build would — then builds from that path. Every case must end with the
//! poisoned entry refused with a warning (or the server dropped), the stage run on B,
//! and B's release equal to A's and whole (`sha256sum -c`): nothing the server sends
//! reaches `dist/` unverified.

use std::path::{Path, PathBuf};

use serde_json::{Value, json};

use super::support::{
    self, CacheServer, Project, entry_payload, release_snapshot, run_script, run_tool, write_entry,
};
use super::{Row, report};

/// One way of poisoning what machine A left on the server.
pub struct Poisoning {
    pub name: &'static str,
    pub layer: &'static str,
    /// Changes the server's copy at the case's path; may return another URL for B.
    pub poison: fn(&Case) -> Option<String>,
    /// Text B's stderr must contain.
    pub expect: &'static [&'static str],
}

/// One case's copy of what A wrote, and the keys.
pub struct Case {
    /// The case's `ac/` and `cas/`, on the server's disk.
    pub data: PathBuf,
    /// A P-256 key nobody trusts, and where scratch files go.
    pub attacker_key: PathBuf,
    pub scratch: PathBuf,
}

impl Case {
    /// The entry file of `stage` for linux/amd64, and its payload.
    fn entry(&self, stage: &str) -> (PathBuf, Value) {
        support::files(&self.data.join("ac"))
            .into_iter()
            .map(|f| {
                let payload = entry_payload(&f);
                (f, payload)
            })
            .find(|(_, e)| e["stage"] == stage)
            .unwrap_or_else(|| panic!("no {stage} entry"))
    }

    /// The description of the plugin named `name`, and its payload.
    fn description(&self, name: &str) -> (PathBuf, Value) {
        support::files(&self.data.join("ac"))
            .into_iter()
            .map(|f| {
                let payload = entry_payload(&f);
                (f, payload)
            })
            .find(|(_, d)| d["info"]["name"] == name)
            .unwrap_or_else(|| panic!("no description of {name}"))
    }

    /// Strip's description made to consume nothing (its stage would leave every binary
    /// unstripped).
    fn strip_consuming_nothing(&self) -> (PathBuf, Value) {
        let (file, mut strip) = self.description("strip");
        strip["info"]["consumes"] = json!([]);
        (file, strip)
    }

    fn blob(&self, sha256: &str) -> PathBuf {
        self.data.join("cas").join(sha256)
    }

    /// The archive's entry pointed at the SBOM's blob (a real blob on the server).
    fn archive_pointed_at_the_sbom(&self) -> (PathBuf, Value) {
        let (file, mut archive) = self.entry("archive");
        let (_, sbom) = self.entry("sbom");
        archive["outputs"][0]["sha256"] = sbom["outputs"][0]["sha256"].clone();
        archive["outputs"][0]["size"] = sbom["outputs"][0]["size"].clone();
        (file, archive)
    }

    /// A DSSE signature by the attacker's key over `payload` as an entry.
    fn attacker_signature(&self, payload: &Value) -> Value {
        self.attacker_signature_as(payload, "application/vnd.xhost.remote-entry.v1+json")
    }

    /// A DSSE signature by the attacker's key over `payload` of type `kind`.
    fn attacker_signature_as(&self, payload: &Value, kind: &str) -> Value {
        use base64::Engine;
        let bytes = serde_json::to_vec(payload).unwrap();
        let mut pae = format!("DSSEv1 {} {kind} {} ", kind.len(), bytes.len()).into_bytes();
        pae.extend_from_slice(&bytes);
        std::fs::write(self.scratch.join("pae"), &pae).unwrap();
        run_script(
            &self.scratch,
            &format!(
                "openssl dgst -sha256 -sign {} -out sig pae",
                self.attacker_key.display()
            ),
        );
        let sig = std::fs::read(self.scratch.join("sig")).unwrap();
        json!([{ "keyid": "", "sig": base64::engine::general_purpose::STANDARD.encode(sig) }])
    }
}

pub fn poisonings() -> Vec<Poisoning> {
    let p = |name, layer, poison, expect| Poisoning {
        name,
        layer,
        poison,
        expect,
    };
    vec![
        p(
            "a remote cache entry pointed at another blob on the server, its signature kept",
            "remote cache: entries must be signed by a trusted key; the signature covers the payload",
            |case| {
                let (file, archive) = case.archive_pointed_at_the_sbom();
                write_entry(&file, &archive, None);
                None
            },
            &[
                "refusing the entry for stage `archive`",
                "not signed by a key this build trusts",
            ],
        ),
        p(
            "a remote cache entry pointed at another blob and signed by a key nobody trusts",
            "remote cache: only `[remote_cache] trust` keys count",
            |case| {
                let (file, archive) = case.archive_pointed_at_the_sbom();
                let signature = case.attacker_signature(&archive);
                write_entry(&file, &archive, Some(signature));
                None
            },
            &[
                "refusing the entry for stage `archive`",
                "not signed by a key this build trusts",
            ],
        ),
        p(
            "an unsigned remote cache entry where entries must be signed",
            "remote cache: entries must be signed by a trusted key",
            |case| {
                let (file, archive) = case.entry("archive");
                write_entry(&file, &archive, Some(json!([])));
                None
            },
            &[
                "refusing the entry for stage `archive`",
                "not signed by a key this build trusts",
            ],
        ),
        p(
            "a signed remote cache entry copied under another action's key",
            "remote cache: an entry names its own action's key",
            |case| {
                let (archive, _) = case.entry("archive");
                let (sbom, _) = case.entry("sbom");
                std::fs::copy(archive, sbom).unwrap();
                None
            },
            &[
                "refusing the entry for stage `sbom`",
                "the entry of another action",
            ],
        ),
        p(
            "a remote cache blob with other bytes of the same size",
            "remote cache: blobs hashed as they stream in",
            |case| {
                let (_, archive) = case.entry("archive");
                let blob = case.blob(archive["outputs"][0]["sha256"].as_str().unwrap());
                let size = std::fs::metadata(&blob).unwrap().len() as usize;
                std::fs::write(blob, vec![0u8; size]).unwrap();
                None
            },
            &[
                "refusing the entry for stage `archive`",
                "not the blob asked for",
            ],
        ),
        p(
            "a remote cache blob longer than its entry says (an endless one)",
            "remote cache: a blob is cut off past the size its entry names",
            |case| {
                let (_, archive) = case.entry("archive");
                let blob = case.blob(archive["outputs"][0]["sha256"].as_str().unwrap());
                let mut bytes = std::fs::read(&blob).unwrap();
                bytes.resize(bytes.len() + (8 << 20), b'x');
                std::fs::write(blob, bytes).unwrap();
                None
            },
            &["refusing the entry for stage `archive`", "more than the"],
        ),
        p(
            "a remote cache entry of 5 MiB",
            "remote cache: entries over 4 MiB are refused unread",
            |case| {
                let (file, _) = case.entry("archive");
                std::fs::write(file, vec![b' '; 5 << 20]).unwrap();
                None
            },
            &[
                "refusing the entry for stage `archive`",
                "larger than 4194304 bytes",
            ],
        ),
        p(
            "a plugin description on the remote cache changed, its signature kept",
            "remote cache: descriptions must be signed by a trusted key, like entries",
            |case| {
                let (file, strip) = case.strip_consuming_nothing();
                write_entry(&file, &strip, None);
                None
            },
            &[
                "refusing the description of plugin",
                "not signed by a key this build trusts",
            ],
        ),
        p(
            "a changed plugin description signed by a key nobody trusts",
            "remote cache: only `[remote_cache] trust` keys count",
            |case| {
                let (file, strip) = case.strip_consuming_nothing();
                let kind = "application/vnd.xhost.plugin-description.v1+json";
                let signature = case.attacker_signature_as(&strip, kind);
                write_entry(&file, &strip, Some(signature));
                None
            },
            &[
                "refusing the description of plugin",
                "not signed by a key this build trusts",
            ],
        ),
        p(
            "a signed plugin description copied under another plugin's key",
            "remote cache: a description names its own key (and the component it describes)",
            |case| {
                let (strip, _) = case.description("strip");
                let (sbom, _) = case.description("sbom");
                std::fs::copy(strip, sbom).unwrap();
                None
            },
            &[
                "refusing the description of plugin",
                "kept under another key",
            ],
        ),
        p(
            "a remote cache server that accepts connections and never answers",
            "remote cache: dropped after `timeout_secs` of silence, once; the build goes on",
            |_| {
                let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
                let port = listener.local_addr().unwrap().port();
                std::thread::spawn(move || {
                    let held: Vec<_> = listener.incoming().take(64).collect();
                    std::thread::sleep(std::time::Duration::from_secs(120));
                    drop(held);
                });
                Some(format!("http://127.0.0.1:{port}/"))
            },
            &["building without it"],
        ),
    ]
}

const CONFIG_TAIL: &str = r#"
[signing.keys.cache]
file = "KEY"

[remote_cache]
trust = ["cache.pub"]
sign = "cache"
timeout_secs = 3
"#;

/// hello-go configured to sign what it writes with the team's key and trust only it.
fn project(name: &str, keys: &Path) -> Project {
    let project = Project::from_example(name, "hello-go");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let tail = CONFIG_TAIL.replace("KEY", &keys.join("cache.pem").display().to_string());
    project.write("xhost.toml", format!("{config}{tail}"));
    std::fs::copy(keys.join("cache.pub"), project.path("cache.pub")).unwrap();
    project
}

pub fn check_every_poisoning(first: usize) {
    let keys = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-cache-keys");
    let _ = std::fs::remove_dir_all(&keys);
    std::fs::create_dir_all(&keys).unwrap();
    run_script(
        &keys,
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cache.pem 2>/dev/null\n\
         openssl pkey -in cache.pem -pubout -out cache.pub\n\
         openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out attacker.pem 2>/dev/null",
    );
    let server = CacheServer::start();
    let a = project("hostile-cache-a", &keys);
    let base = format!("{}a/", server.url);
    let targets = ["--target", "linux/amd64"];
    let built = a.xhost_planned(
        &[
            &["build", ".", "--no-cache", "--remote-cache", &base][..],
            &targets,
        ]
        .concat(),
        &[],
    );
    built.assert_ok();
    let made = release_snapshot(&a.dist());

    let mut rows = Vec::new();
    for (n, poisoning) in poisonings().into_iter().enumerate() {
        let slug = format!("case{n}");
        let data = server.data().join(&slug);
        support::copy_tree(&server.data().join("a"), &data);
        let case = Case {
            data,
            attacker_key: keys.join("attacker.pem"),
            scratch: keys.clone(),
        };
        let url = (poisoning.poison)(&case).unwrap_or(format!("{}{slug}/", server.url));
        let b = project(&format!("hostile-cache-b/{slug}"), &keys);
        let cache = tempfile::tempdir().unwrap();
        let run = b.xhost_planned(
            &[
                &[
                    "build",
                    ".",
                    "--remote-cache",
                    &url,
                    "--remote-cache-read-only",
                ][..],
                &targets,
            ]
            .concat(),
            &[("XHOST_CACHE_DIR", cache.path().to_str().unwrap())],
        );
        let mut failures = Vec::new();
        if run.code != Some(0) {
            failures.push(format!("exit code {:?}, expected 0", run.code));
        }
        for needle in poisoning.expect {
            if !run.stderr.contains(needle) {
                failures.push(format!("stderr lacks {needle:?}"));
            }
        }
        if run.code == Some(0) {
            if release_snapshot(&b.dist()) != made {
                failures.push("the release differs from the one machine A made".into());
            }
            run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &b.dist());
        }
        if !failures.is_empty() {
            failures.push(format!("stderr was:\n{}", run.stderr));
        }
        let observed = run
            .stderr
            .lines()
            .find(|l| l.contains("warning: remote cache"))
            .unwrap_or("(no warning)")
            .chars()
            .take(120)
            .collect();
        rows.push(Row {
            name: poisoning.name,
            layer: poisoning.layer,
            expected: poisoning.expect.join(" … "),
            observed,
            failures,
        });
    }
    let rows: Vec<&Row> = rows.iter().collect();
    report(
        &rows,
        first,
        "hostile-cache-report.md",
        "remote cache poisonings not refused as expected",
    );
    // Untouched, the same server gives B every stage.
    let b = project("hostile-cache-b/untouched", &keys);
    let cache = tempfile::tempdir().unwrap();
    let run = b.xhost_planned(
        &[
            &[
                "build",
                ".",
                "--remote-cache",
                &base,
                "--remote-cache-read-only",
            ][..],
            &targets,
        ]
        .concat(),
        &[("XHOST_CACHE_DIR", cache.path().to_str().unwrap())],
    );
    run.assert_ok();
    assert!(
        run.stderr.contains("(5 remote), 0 misses"),
        "{}",
        run.stderr
    );
}
