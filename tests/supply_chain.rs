//! Signatures, provenance and `xhost verify`, checked with the tools their users run:
//! openssl, minisign, cosign. Keys live outside the project, as xhost requires. (SBOMs
//! are `tests/sboms.rs`.) Over 400 lines: each test checks one release with several
//! independent tools, and splitting a test would split what it proves.

mod support;

use std::path::{Path, PathBuf};

use support::{Project, run_script, run_tool, sha256, snapshot, workspace};

const TARGETS: &str =
    "targets = [\"linux/amd64\", \"darwin/arm64\", \"windows/amd64\", \"wasip1/wasm\"]";

struct Keys {
    dir: PathBuf,
}

impl Keys {
    /// P-256 keys by openssl (cosign for the stage, provenance for the host) and an
    /// unencrypted minisign key by minisign.
    fn new(name: &str) -> Keys {
        let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!("keys-{name}"));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        run_script(
            &dir,
            "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out cosign.key 2>/dev/null\n\
             openssl pkey -in cosign.key -pubout -out cosign.pub\n\
             openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out provenance.key 2>/dev/null\n\
             openssl pkey -in provenance.key -pubout -out provenance.pub\n\
             minisign -G -W -f -p mini.pub -s mini.key > /dev/null",
        );
        Keys { dir }
    }

    fn path(&self, file: &str) -> String {
        self.dir.join(file).display().to_string()
    }
}

/// examples/hello-deps with signing, provenance and the full pipeline.
fn signed_project(name: &str, keys: &Keys, extra_stages: &str) -> Project {
    let project = Project::from_example(name, "hello-deps");
    project.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"hello-deps\"\nversion = \"2.0.0\"\n\n[build]\nmain = \"./cmd/hello-deps\"\n{TARGETS}\n\n\
             [signing.keys.cosign]\nfile = \"{}\"\n\n[signing.keys.mini]\nfile = \"{}\"\n\n\
             [signing.keys.provenance]\nfile = \"{}\"\n\n[provenance]\nkey = \"provenance\"\n\n\
             [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"go\"], source = true }}\n\n\
             [[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n\n\
             [[stage]]\nname = \"sbom\"\nplugin = \"builtin:sbom\"\ngrants = {{ source = true }}\n\n\
             [[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\ngrants = {{ source = true }}\n\n\
             [[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n\n\
             [[stage]]\nname = \"sign\"\nplugin = \"builtin:sign\"\ngrants = {{ signing = [\"cosign\", \"mini\"] }}\n\
             [stage.config]\nkeys = [\"cosign\", \"mini\"]\n\n{extra_stages}",
            keys.path("cosign.key"),
            keys.path("mini.key"),
            keys.path("provenance.key"),
        ),
    );
    project
}

#[test]
fn signatures_and_provenance_verify_with_openssl_minisign_and_xhost_verify() {
    let keys = Keys::new("sign");
    let project = signed_project("signed", &keys, "");
    let build = project.xhost(&["build", "."]);
    build.assert_ok();
    let dist = project.dist();
    let sums = "hello-deps_2.0.0_checksums.txt";

    // Every signature the sign stage had made is shown without -v and recorded, naming
    // what it covers; a build served from the action cache records the same.
    for note in [
        format!("note: signed `{sums}`"),
        "with key `cosign` (ecdsa-p256-sha256)".into(),
        format!("note: signed the blake2b-512 digest of `{sums}`"),
        "with key `mini` (ed25519)".into(),
    ] {
        assert!(
            build.stderr.contains(&note),
            "{note} not shown:\n{}",
            build.stderr
        );
    }
    let signed = |manifest: &serde_json::Value| manifest["signatures"].clone();
    let recorded = signed(&read_json(&dist.join("artifacts.json")));
    let entries = recorded.as_array().unwrap();
    assert_eq!(entries.len(), 3, "{recorded:#}");
    let sums_digest = sha256(&dist.join(sums));
    assert!(entries.iter().any(|e| e["key"] == "cosign"
        && e["stage"] == "sign"
        && e["artifact"] == sums
        && e["message_sha256"] == sums_digest.as_str()));
    assert!(
        entries
            .iter()
            .any(|e| e["key"] == "mini" && e["artifact"] == sums && e["prehash"] == "blake2b-512")
    );
    let again = project.xhost_planned(&["build", "."], &[]);
    again.assert_ok();
    assert!(again.stderr.contains(" 0 misses)"), "{}", again.stderr);
    assert_eq!(signed(&read_json(&dist.join("artifacts.json"))), recorded);
    for file in [
        format!("{sums}.sig"),
        format!("{sums}.sigstore.json"),
        format!("{sums}.minisig"),
        "cosign.pub".into(),
        "mini.minisign.pub".into(),
    ] {
        assert!(dist.join(&file).is_file(), "{file} missing");
    }
    std::fs::copy(
        keys.dir.join("cosign.pub"),
        dist.parent().unwrap().join("cosign.pub"),
    )
    .unwrap();
    let cosign_pub = keys.path("cosign.pub");
    let mini_pub = keys.path("mini.pub");
    let provenance_pub = keys.path("provenance.pub");

    // The native tools, on the real file and on a copy with one byte changed.
    let check = |file: &str| {
        format!(
            "openssl dgst -sha256 -verify {cosign_pub} -signature <(base64 -d {sums}.sig) {file} && \
             minisign -Vm {file} -x {sums}.minisig -p {mini_pub} && \
             minisign -Vm {file} -x {sums}.minisig -p mini.minisign.pub"
        )
    };
    run_script(&dist, &check(sums));
    let tampered = project.dir.join("tampered.txt");
    let mut bytes = std::fs::read(dist.join(sums)).unwrap();
    bytes[10] ^= 1;
    std::fs::write(&tampered, bytes).unwrap();
    run_script(
        &dist,
        &format!(
            "! openssl dgst -sha256 -verify {cosign_pub} -signature <(base64 -d {sums}.sig) {} >/dev/null",
            tampered.display()
        ),
    );
    run_script(
        &dist,
        &format!(
            "! minisign -Vm {} -x {sums}.minisig -p {mini_pub} 2>/dev/null",
            tampered.display()
        ),
    );

    // cosign itself: the blob signature, the bundle and the provenance attestation (no
    // transparency log: these are keys, not Fulcio certificates); a changed file fails.
    let cosign = support::dev_tool("cosign");
    let cosign = cosign.to_str().unwrap();
    let archive = "hello-deps_2.0.0_linux_amd64.tar.gz";
    let blob = |how: &str, signature: &str, file: &str| -> Vec<String> {
        [
            "verify-blob",
            "--key",
            &cosign_pub,
            how,
            signature,
            "--insecure-ignore-tlog",
            file,
        ]
        .map(String::from)
        .to_vec()
    };
    let attestation = |file: &str| -> Vec<String> {
        [
            "verify-blob-attestation",
            "--key",
            &provenance_pub,
            "--signature",
            "hello-deps_2.0.0.intoto.jsonl",
            "--type",
            "slsaprovenance1",
            "--insecure-ignore-tlog",
            file,
        ]
        .map(String::from)
        .to_vec()
    };
    let run_cosign = |args: &[String]| {
        let output = std::process::Command::new(cosign)
            .args(args)
            .current_dir(&dist)
            .output()
            .unwrap();
        let said = String::from_utf8_lossy(&output.stderr).into_owned();
        (
            output.status.success() && said.contains("Verified OK"),
            said,
        )
    };
    for args in [
        blob("--signature", &format!("{sums}.sig"), sums),
        blob("--bundle", &format!("{sums}.sigstore.json"), sums),
        attestation(archive),
    ] {
        let (verified, said) = run_cosign(&args);
        assert!(verified, "cosign {args:?}: {said}");
    }
    std::fs::write(project.dir.join(archive), b"not the archive").unwrap();
    for args in [
        blob(
            "--signature",
            &format!("{sums}.sig"),
            tampered.to_str().unwrap(),
        ),
        attestation(&project.dir.join(archive).display().to_string()),
    ] {
        let (verified, said) = run_cosign(&args);
        assert!(
            !verified,
            "cosign accepted a changed file: {args:?}: {said}"
        );
    }

    // The DSSE envelope: its signature over PAE verifies with openssl, and every other
    // file of the release is a subject with its true digest.
    let provenance = run_tool(
        workspace().join(".venv/bin/python3").to_str().unwrap(),
        &[
            "-c",
            DSSE_CHECK,
            "hello-deps_2.0.0.intoto.jsonl",
            &provenance_pub,
        ],
        &dist,
    );
    assert!(provenance.contains("Verified OK"), "{provenance}");
    assert!(provenance.contains("subjects ok"), "{provenance}");

    let verify = |dir: &Path| {
        project.xhost(&[
            "verify",
            dir.to_str().unwrap(),
            "--key",
            &cosign_pub,
            "--key",
            &mini_pub,
            "--key",
            &provenance_pub,
            "--require",
            "provenance",
        ])
    };
    let run = verify(&dist);
    run.assert_ok();
    assert!(
        run.stdout.contains(
            "1 checksums files, 3 signatures, 1 provenance attestations checked (every file covered by the keys given); all good"
        ),
        "{}",
        run.stdout
    );

    // One changed byte anywhere is caught and named.
    for (victim, names) in [
        (
            "hello-deps_2.0.0_linux_amd64.tar.gz",
            vec!["FAIL  hello-deps_2.0.0_linux_amd64.tar.gz: sha256"],
        ),
        (
            &format!("{sums}.sig") as &str,
            vec![&format!("FAIL  {sums}.sig: ") as &str],
        ),
        (
            sums,
            vec![
                &format!("FAIL  {sums}: sha256") as &str,
                &format!("FAIL  {sums}.minisig") as &str,
            ],
        ),
    ] {
        let copy = Path::new(env!("CARGO_TARGET_TMPDIR")).join("verify-tampered");
        let _ = std::fs::remove_dir_all(&copy);
        support::copy_tree(&dist, &copy);
        let mut bytes = std::fs::read(copy.join(victim)).unwrap();
        let last = bytes.len() - 2;
        bytes[last] ^= 0x20;
        std::fs::write(copy.join(victim), bytes).unwrap();
        let run = verify(&copy);
        assert_eq!(run.code, Some(1), "{victim}: {}", run.stdout);
        for name in names {
            assert!(
                run.stdout.contains(name),
                "{victim}: expected {name}:\n{}",
                run.stdout
            );
        }
    }
    let run = project.xhost(&["verify", dist.to_str().unwrap()]);
    assert_eq!(run.code, Some(1));
    assert!(
        run.stdout.contains("no P-256 public key given (--key)"),
        "{}",
        run.stdout
    );
}

const DSSE_CHECK: &str = r#"
import base64, hashlib, json, os, subprocess, sys
envelope = json.loads(open(sys.argv[1]).readline())
payload = base64.b64decode(envelope["payload"])
kind = envelope["payloadType"].encode()
pae = b"DSSEv1 %d %s %d %s" % (len(kind), kind, len(payload), payload)
open("/tmp/xhost-pae.bin", "wb").write(pae)
open("/tmp/xhost-pae.sig", "wb").write(base64.b64decode(envelope["signatures"][0]["sig"]))
print(subprocess.run(["openssl", "dgst", "-sha256", "-verify", sys.argv[2], "-signature", "/tmp/xhost-pae.sig", "/tmp/xhost-pae.bin"],
                     capture_output=True, text=True, check=True).stdout.strip())
statement = json.loads(payload)
assert statement["_type"] == "https://in-toto.io/Statement/v1"
assert statement["predicateType"] == "https://slsa.dev/provenance/v1"
subjects = {s["name"]: s["digest"]["sha256"] for s in statement["subject"]}
files = set()
for root, _, names in os.walk("."):
    for name in names:
        path = os.path.relpath(os.path.join(root, name), ".")
        if path not in ("artifacts.json", sys.argv[1]):
            files.add(path)
assert files == set(subjects), (files ^ set(subjects))
for path, digest in subjects.items():
    assert hashlib.sha256(open(path, "rb").read()).hexdigest() == digest, path
deps = statement["predicate"]["buildDefinition"]["resolvedDependencies"]
assert any(d["name"] == "stage:sign" and len(d["digest"]["sha256"]) == 64 for d in deps), deps
assert any(d["name"] == "config" for d in deps), deps
print("subjects ok")
"#;

#[test]
fn signing_keys_never_reach_plugins() {
    let keys = Keys::new("hunt");
    let probe = support::test_plugin("signer-probe");
    let project = signed_project(
        "key-hunt",
        &keys,
        &format!(
            "[[stage]]\nname = \"hunt\"\nplugin = \"signer-probe.wasm\"\nsha256 = \"{}\"\ngrants = {{ signing = [\"cosign\"], source = true }}\n[stage.config]\ngranted = \"cosign\"\n",
            sha256(&probe)
        ),
    );
    std::fs::copy(&probe, project.path("signer-probe.wasm")).unwrap();
    let run = project.xhost(&["-v", "build", "."]);
    run.assert_ok();
    assert!(
        run.stderr.contains("signing refused: sign(\"other\")"),
        "{}",
        run.stderr
    );
    let loot = std::fs::read(project.dist().join("loot.bin")).unwrap();
    assert!(
        loot.len() > 10_000,
        "the probe gathered little: is /src mounted?"
    );

    // Key material: the PEM bodies and the raw private key bytes.
    let mut secrets: Vec<Vec<u8>> = Vec::new();
    for file in ["cosign.key", "mini.key"] {
        let text = std::fs::read_to_string(keys.dir.join(file)).unwrap();
        secrets.extend(
            text.lines()
                .filter(|l| {
                    !l.starts_with("-----") && !l.starts_with("untrusted comment") && l.len() > 20
                })
                .map(|l| l.as_bytes().to_vec()),
        );
    }
    // The private halves themselves: the P-256 scalar and the minisign Ed25519 seed (a
    // PKCS#8 file also carries the public point, which the plugin may rightly hold).
    use p256::pkcs8::DecodePrivateKey;
    let scalar = p256::SecretKey::from_pkcs8_pem(
        &std::fs::read_to_string(keys.dir.join("cosign.key")).unwrap(),
    )
    .unwrap();
    secrets.push(scalar.to_bytes().to_vec());
    let mini = std::fs::read_to_string(keys.dir.join("mini.key")).unwrap();
    let packed = base64_decode(mini.lines().nth(1).unwrap());
    secrets.push(packed[62..94].to_vec());
    let mut haystacks: Vec<(String, Vec<u8>)> = vec![
        ("stdout".into(), run.stdout.into_bytes()),
        ("stderr".into(), run.stderr.into_bytes()),
    ];
    for (path, bytes) in snapshot(&project.dist()) {
        haystacks.push((path.display().to_string(), bytes));
    }
    for (place, hay) in &haystacks {
        for secret in &secrets {
            assert!(
                !hay.windows(secret.len()).any(|w| w == secret.as_slice()),
                "key material found in {place}"
            );
        }
    }
}

#[test]
fn key_problems_stop_the_build_before_any_work() {
    let keys = Keys::new("problems");
    let project = Project::from_example("key-problems", "hello-deps");
    let config = |key: &str| {
        format!(
            "[project]\nname = \"hello-deps\"\nversion = \"2.0.0\"\n\n[build]\nmain = \"./cmd/hello-deps\"\ntargets = [\"linux/amd64\"]\n\n\
             [signing.keys.release]\n{key}\n\n[provenance]\nkey = \"release\"\n"
        )
    };
    let sealed = minisign::KeyPair::generate_encrypted_keypair(Some("right".into())).unwrap();
    std::fs::write(
        keys.dir.join("sealed.key"),
        sealed.sk.to_box(None).unwrap().to_string(),
    )
    .unwrap();
    for (key, env, expected) in [
        (
            format!(
                "file = \"{}\"\npassword_env = \"XHOST_TEST_PW\"",
                keys.path("sealed.key")
            ),
            vec![("XHOST_TEST_PW", "wrong")],
            "Wrong password",
        ),
        (
            format!("file = \"{}\"", keys.path("sealed.key")),
            vec![],
            "the minisign key is encrypted",
        ),
        (
            format!(
                "file = \"{}\"\npassword_env = \"XHOST_TEST_PW_UNSET\"",
                keys.path("sealed.key")
            ),
            vec![],
            "XHOST_TEST_PW_UNSET (the key's password) is not set",
        ),
        (
            format!("file = \"{}\"", keys.dir.display()),
            vec![],
            "reading key file",
        ),
        (
            format!("file = \"{}\"", keys.path("cosign.pub")),
            vec![],
            "unsupported key type (-----BEGIN PUBLIC KEY-----)",
        ),
    ] {
        project.write("xhost.toml", config(&key));
        let before = project.seed_dist();
        let run = project.xhost_with(&["build", "."], &env);
        run.assert_fails_with(&["signing key `release`", expected]);
        assert!(
            !run.stderr.contains("compile"),
            "work started before the key was checked:\n{}",
            run.stderr
        );
        assert_eq!(snapshot(&project.dist()), before);
    }
}

fn read_json(path: &Path) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap()
}

fn base64_decode(text: &str) -> Vec<u8> {
    use base64::Engine;
    base64::engine::general_purpose::STANDARD
        .decode(text)
        .unwrap()
}
