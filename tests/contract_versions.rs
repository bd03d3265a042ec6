//! Contract versions: plugins this project built against `xhost:plugin@0.1.0` and
//! `@0.2.0` (kept byte for byte in `tests/fixtures/contract-<version>/`) still run,
//! unchanged, in a build of today's xhost; and what 0.2.0 added (target variants)
//! reaches plugins.

mod support;

use std::path::{Path, PathBuf};

use support::{Project, run_script, run_tool, sha256, workspace};

fn fixture_of(version: &str, name: &str) -> PathBuf {
    workspace()
        .join(format!("tests/fixtures/contract-{version}"))
        .join(name)
}

/// `[[stage]]` for a fixture copied into the project as `plugins/<file>`.
fn fixture_stage(project: &Project, stage: &str, file: &str, extra: &str) -> String {
    versioned_stage(project, "0.1.0", stage, file, extra)
}

fn versioned_stage(
    project: &Project,
    version: &str,
    stage: &str,
    file: &str,
    extra: &str,
) -> String {
    let fixture = fixture_of(version, file);
    std::fs::create_dir_all(project.path("plugins")).unwrap();
    std::fs::copy(&fixture, project.path(&format!("plugins/{file}"))).unwrap();
    format!(
        "[[stage]]\nname = \"{stage}\"\nplugin = \"plugins/{file}\"\nsha256 = \"{}\"\n{extra}\n",
        sha256(&fixture)
    )
}

/// A fresh P-256 key pair, `release.key` and `release.pub`, in the directory `name`.
fn release_key(name: &str) -> PathBuf {
    let keys = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&keys);
    std::fs::create_dir_all(&keys).unwrap();
    run_script(
        &keys,
        "openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out release.key 2>/dev/null\n\
         openssl pkey -in release.key -pubout -out release.pub",
    );
    keys
}

/// `xhost plugin inspect` says each fixture of `version` speaks that contract, which
/// this xhost serves. (A directory of its own per version: the tests run at once, and
/// `Project::new` empties the directory it is given.)
fn assert_speaks(version: &str, files: &[&str]) {
    for file in files {
        let inspect = Project::new(&format!("contract-inspect-{version}")).xhost(&[
            "plugin",
            "inspect",
            fixture_of(version, file).to_str().unwrap(),
        ]);
        inspect.assert_ok();
        assert!(
            inspect.stdout.contains(&format!(
                "contract    xhost:plugin@{version} (this xhost implements xhost:plugin@0.2.1 (and still serves 0.1.0))"
            )) && !inspect.stdout.contains("NOT USABLE"),
            "{file}: {}",
            inspect.stdout
        );
    }
}

/// The signature of `project`'s checksums file verifies with openssl and with
/// `xhost verify`, against `keys/release.pub`.
fn assert_signed(project: &Project, keys: &Path) {
    let sums = "hello_1.0.0_checksums.txt";
    let public = keys.join("release.pub");
    run_script(
        &project.dist(),
        &format!(
            "openssl dgst -sha256 -verify {} -signature <(base64 -d {sums}.sig) {sums}",
            public.display()
        ),
    );
    project
        .xhost(&[
            "verify",
            project.dist().to_str().unwrap(),
            "--key",
            public.to_str().unwrap(),
        ])
        .assert_ok();
}

/// A 0.2.1 xhost serves 0.2.0 plugins as they are: 0.2.1 only added `signing.attest`,
/// and a patch release's imports and export resolve to it by semver.
#[test]
fn plugins_built_against_0_2_0_run_unchanged() {
    let keys = release_key("keys-contract-0-2");
    assert_speaks("0.2.0", &["checksum.wasm", "sign.wasm"]);
    let head = format!(
        "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\n\
         targets = [\"linux/amd64\", \"windows/amd64\"]\n\n\
         [signing.keys.release]\nfile = \"{}\"\n\n\
         [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"go\"], source = true }}\n\n\
         [[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\ngrants = {{ source = true }}\n\n",
        keys.join("release.key").display()
    );
    let sign_grants = "grants = { signing = [\"release\"] }\n[stage.config]\nkeys = [\"release\"]";
    let old = Project::from_example("contract-0-2-0", "hello-go");
    old.write(
        "xhost.toml",
        format!(
            "{head}{}\n{}",
            versioned_stage(&old, "0.2.0", "checksum", "checksum.wasm", ""),
            versioned_stage(&old, "0.2.0", "sign", "sign.wasm", sign_grants)
        ),
    );
    old.xhost(&["build", "."]).assert_ok();
    let new = Project::from_example("contract-0-2-1", "hello-go");
    new.write(
        "xhost.toml",
        format!(
            "{head}[[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n\n\
             [[stage]]\nname = \"sign\"\nplugin = \"builtin:sign\"\n{sign_grants}\n"
        ),
    );
    new.xhost(&["build", "."]).assert_ok();
    // The 0.2.0 checksum stage wrote what today's does; the 0.2.0 signer's signature
    // verifies with openssl and with xhost verify.
    let sums = "hello_1.0.0_checksums.txt";
    assert_eq!(
        std::fs::read(old.dist().join(sums)).unwrap(),
        std::fs::read(new.dist().join(sums)).unwrap()
    );
    assert_signed(&old, &keys);
}

#[test]
fn plugins_built_against_0_1_0_run_unchanged() {
    let keys = release_key("keys-contract");

    // Each fixture says which contract it speaks.
    assert_speaks("0.1.0", &["go-build.wasm", "sign.wasm", "size-report.wasm"]);

    // A release made by the 0.1.0 go-build (which reads ldflags from the job's build
    // settings, as 0.1.0 had them), signed by the 0.1.0 sign, measured by the 0.1.0
    // size-report; the built-in 0.2.0 stages in between.
    let old = Project::from_example("contract-0-1", "hello-go");
    let stages = [
        fixture_stage(
            &old,
            "compile",
            "go-build.wasm",
            "grants = { exec = [\"go\"], source = true }",
        ),
        "[[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n".to_string(),
        "[[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\ngrants = { source = true }\n"
            .to_string(),
        fixture_stage(&old, "sizes", "size-report.wasm", ""),
        "[[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\n".to_string(),
        fixture_stage(
            &old,
            "sign",
            "sign.wasm",
            "grants = { signing = [\"release\"] }\n[stage.config]\nkeys = [\"release\"]",
        ),
    ];
    old.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\n\
             targets = [\"linux/amd64\", \"windows/amd64\"]\n\n\
             [signing.keys.release]\nfile = \"{}\"\n\n{}",
            keys.join("release.key").display(),
            stages.join("\n")
        ),
    );
    let build = old.xhost(&["build", "."]);
    build.assert_ok();
    let dist = old.dist();

    // ldflags reached the 0.1.0 builder: the binary reports the version.
    let said = run_tool(
        dist.join("hello_linux_amd64/hello").to_str().unwrap(),
        &["--version"],
        &dist,
    );
    assert_eq!(said.trim(), "hello 1.0.0");

    // The same binary, byte for byte, as today's built-in go-build makes.
    let new = Project::from_example("contract-0-2", "hello-go");
    new.write(
        "xhost.toml",
        "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\n\
         targets = [\"linux/amd64\", \"windows/amd64\"]\n\n\
         [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = { exec = [\"go\"], source = true }\n\n\
         [[stage]]\nname = \"strip\"\nplugin = \"builtin:strip\"\n",
    );
    new.xhost(&["build", "."]).assert_ok();
    for binary in ["hello_linux_amd64/hello", "hello_windows_amd64/hello.exe"] {
        assert_eq!(
            sha256(&dist.join(binary)),
            sha256(&new.dist().join(binary)),
            "{binary} differs between the 0.1.0 and the 0.2.0 go-build"
        );
    }

    // The 0.1.0 size report lists the archives with their true sizes.
    let report = std::fs::read_to_string(dist.join("hello_1.0.0_sizes.txt")).unwrap();
    for archive in [
        "hello_1.0.0_linux_amd64.tar.gz",
        "hello_1.0.0_windows_amd64.zip",
    ] {
        let size = std::fs::metadata(dist.join(archive)).unwrap().len();
        let line = report
            .lines()
            .find(|l| l.contains(archive))
            .unwrap_or_else(|| panic!("{archive} not in the report:\n{report}"));
        let digits: String = size.to_string();
        assert!(
            line.replace(',', "").contains(&digits),
            "{line} does not say {size}"
        );
    }

    // The 0.1.0 signer's signature verifies with openssl and with xhost verify, and
    // its signature is listed like any other.
    let sums = "hello_1.0.0_checksums.txt";
    assert_signed(&old, &keys);
    assert!(
        build.stderr.contains(&format!("note: signed `{sums}`")),
        "{}",
        build.stderr
    );
}

#[test]
fn target_variants_reach_the_builder() {
    let project = Project::from_example("contract-variant", "hello-go");
    project.write(
        "xhost.toml",
        "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\n\
         targets = [\"linux/arm/v6\", \"linux/amd64/v3\"]\n\n\
         [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = { exec = [\"go\"], source = true }\n\n\
         [[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\n",
    );
    project.xhost(&["build", "."]).assert_ok();
    let dist = project.dist();
    let arm = dist.join("hello_linux_arm_v6/hello");
    let amd64 = dist.join("hello_linux_amd64_v3/hello");
    let go_says =
        |binary: &Path| run_tool("go", &["version", "-m", binary.to_str().unwrap()], &dist);
    assert!(go_says(&arm).contains("GOARM=6"), "{}", go_says(&arm));
    assert!(
        go_says(&amd64).contains("GOAMD64=v3"),
        "{}",
        go_says(&amd64)
    );
    for archive in [
        "hello_1.0.0_linux_arm_v6.tar.gz",
        "hello_1.0.0_linux_amd64_v3.tar.gz",
    ] {
        assert!(dist.join(archive).is_file(), "{archive} missing");
    }
    // An ARMv6 binary runs on an ARMv6 CPU (qemu's arm1176).
    let output = std::process::Command::new("qemu-arm-static")
        .args(["-cpu", "arm1176", arm.to_str().unwrap(), "--version"])
        .output()
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&output.stdout).trim(),
        "hello 1.0.0"
    );
}
