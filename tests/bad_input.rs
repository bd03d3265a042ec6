//! Bad input of every kind gets a clear message naming where the problem is, a
//! non-zero exit, and leaves the previous `dist/` exactly as it was.

mod support;

use support::{Project, sha256, snapshot, test_plugin};

const HEADER: &str = "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n";

/// Writes `xhost.toml`, seeds a previous `dist/`, runs `xhost ARGS`, and checks the
/// failure; returns stderr.
fn fails(project: &Project, toml: &str, args: &[&str], expected: &[&str]) -> String {
    project.write("xhost.toml", toml);
    let before = project.seed_dist();
    let run = project.xhost(args);
    run.assert_fails_with(expected);
    assert_eq!(
        snapshot(&project.dist()),
        before,
        "the previous dist/ changed"
    );
    run.stderr
}

fn go_project(name: &str) -> Project {
    let project = Project::new(name);
    project
        .write("go.mod", "module example.com/hello\n\ngo 1.21\n")
        .write(
            "main.go",
            "package main\n\nvar version = \"dev\"\n\nfunc main() { println(version) }\n",
        );
    project
}

#[test]
fn malformed_toml_shows_line_and_column() {
    let project = go_project("malformed");
    let stderr = fails(
        &project,
        "[project]\nname = \"hello\nversion = 1\n",
        &["build", "."],
        &["xhost.toml:2:"],
    );
    assert!(stderr.contains("2 | name = \"hello"), "{stderr}");
}

#[test]
fn unknown_key_is_an_error_with_its_place() {
    let project = go_project("unknown-key");
    fails(
        &project,
        &format!("{HEADER}\n[build]\ntargetz = [\"linux/amd64\"]\n"),
        &["build", "."],
        &["xhost.toml:6:1: unknown field `targetz`", "expected one of"],
    );
    fails(
        &project,
        &format!(
            "{HEADER}\n[[stage]]\nname = \"c\"\nplugin = \"builtin:go-build\"\ngrant = {{ exec = [\"go\"] }}\n"
        ),
        &["check", "."],
        &["xhost.toml:8:1: unknown field `grant`"],
    );
}

#[test]
fn unknown_target_is_an_error() {
    let project = go_project("unknown-target");
    fails(
        &project,
        &format!("{HEADER}\n[build]\ntargets = [\"linux/amd64\", \"plan9/arm64\"]\n"),
        &["build", "."],
        &[
            "xhost.toml:6:27: unknown target `plan9/arm64`",
            "supported targets: linux/amd64",
        ],
    );
    project.write("xhost.toml", HEADER);
    let run = project.xhost(&["build", ".", "--target", "plan9/arm64"]);
    assert_eq!(run.code, Some(2), "{}", run.stderr);
    assert!(
        run.stderr.contains("unknown target `plan9/arm64`"),
        "{}",
        run.stderr
    );
}

#[test]
fn bad_values_are_errors_with_their_place() {
    let project = go_project("bad-values");
    fails(
        &project,
        &format!("{HEADER}\n[limits]\nmemory_mib = 0\n"),
        &["check", "."],
        &["xhost.toml:6:14: [limits] memory_mib must be between 1 and 4096"],
    );
    fails(
        &project,
        &format!("{HEADER}\n[build]\nldflags = \"-X main.v={{{{verison}}}}\"\n"),
        &["check", "."],
        &[
            "xhost.toml:6:",
            "there is no template function `verison` (fields are written with a dot",
        ],
    );
    fails(
        &project,
        "[project]\nname = \"a b\"\n",
        &["check", "."],
        &["xhost.toml:2:8: `a b` is not a valid name"],
    );
    fails(
        &project,
        &format!("{HEADER}\n[build]\nmain = \"./cmd/missing\"\n"),
        &["check", "."],
        &["xhost.toml:6:8: build.main `./cmd/missing` does not exist"],
    );
    fails(
        &project,
        &format!(
            "{HEADER}\n[[stage]]\nname = \"c\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"/usr/bin/go\"] }}\n"
        ),
        &["check", "."],
        &["grants.exec: `/usr/bin/go` is not a program name"],
    );
    fails(
        &project,
        &format!("{HEADER}\n[[stage]]\nname = \"c\"\nplugin = \"builtin:nope\"\n"),
        &["check", "."],
        &["xhost.toml:7:10: there is no built-in plugin `nope`"],
    );
}

#[test]
fn plugin_files_must_exist_match_their_pin_and_be_components() {
    let project = go_project("plugin-files");
    let stage = |plugin: &str, sha: &str| {
        format!("{HEADER}\n[[stage]]\nname = \"p\"\nplugin = \"{plugin}\"\nsha256 = \"{sha}\"\n")
    };
    let zeros = "0".repeat(64);
    fails(
        &project,
        &stage("plugins/missing.wasm", &zeros),
        &["build", "."],
        &["cannot read plugin file", "plugins/missing.wasm"],
    );
    fails(
        &project,
        &format!("{HEADER}\n[[stage]]\nname = \"p\"\nplugin = \"probe.wasm\"\n"),
        &["build", "."],
        &[
            "xhost.toml:7:10: plugin `probe.wasm` is loaded from a file and must be pinned",
            "sha256 =",
        ],
    );

    let probe = test_plugin("probe");
    std::fs::copy(&probe, project.path("probe.wasm")).unwrap();
    let stderr = fails(
        &project,
        &stage("probe.wasm", &zeros),
        &["build", "."],
        &["does not match its pin"],
    );
    assert!(
        stderr.contains(&sha256(&probe)),
        "the message should show the real digest:\n{stderr}"
    );

    // An empty but valid core module: WebAssembly, yet not a component.
    project.write("core.wasm", b"\0asm\x01\0\0\0");
    fails(
        &project,
        &stage("core.wasm", &sha256(&project.path("core.wasm"))),
        &["build", "."],
        &[
            "core.wasm is a core WebAssembly module, not a component",
            "wasm32-wasip2",
        ],
    );
    project.write("junk.wasm", b"#!/bin/sh\necho not wasm\n");
    fails(
        &project,
        &stage("junk.wasm", &sha256(&project.path("junk.wasm"))),
        &["build", "."],
        &["junk.wasm is not WebAssembly"],
    );
}

#[test]
fn a_stage_error_from_the_plugin_is_reported() {
    let project = go_project("stage-error");
    let probe = test_plugin("probe");
    std::fs::copy(&probe, project.path("probe.wasm")).unwrap();
    fails(
        &project,
        &format!(
            "{HEADER}\n[build]\ntargets = [\"linux/amd64\"]\n\n[[stage]]\nname = \"p\"\nplugin = \"probe.wasm\"\nsha256 = \"{}\"\n[stage.config]\naction = \"fail\"\n",
            sha256(&probe)
        ),
        &["build", "."],
        &["stage `p` (probe.wasm) failed for linux/amd64: the probe was told to fail"],
    );
    fails(
        &project,
        &format!(
            "{HEADER}\n[build]\ntargets = [\"linux/amd64\"]\n\n[[stage]]\nname = \"p\"\nplugin = \"probe.wasm\"\nsha256 = \"{}\"\n[stage.config]\nbogus = 1\n",
            sha256(&probe)
        ),
        &["build", "."],
        &["invalid stage config: unknown field `bogus`"],
    );
}

#[test]
fn a_go_compile_error_is_shown_with_the_compiler_message() {
    let project = go_project("go-error");
    project.write(
        "main.go",
        "package main\n\nfunc main() {\n\tundefinedThing()\n}\n",
    );
    fails(
        &project,
        &format!("{HEADER}\n[build]\ntargets = [\"linux/amd64\", \"linux/arm64\"]\n"),
        &["build", "."],
        &[
            "stage `compile` (builtin:go-build) failed for linux/",
            "go build exited with status 1",
            "main.go:4:2: undefined: undefinedThing",
        ],
    );
}

#[test]
fn a_foreign_dist_directory_is_never_replaced() {
    let project = go_project("foreign-dist");
    project.write("xhost.toml", HEADER);
    project.write("dist/my-notes.txt", "not xhost's");
    let run = project.xhost(&["build", ".", "--target", "linux/amd64"]);
    run.assert_fails_with(&["was not made by xhost", "choose another --dist"]);
    assert_eq!(
        std::fs::read_to_string(project.path("dist/my-notes.txt")).unwrap(),
        "not xhost's"
    );
}

#[test]
fn release_stage_before_a_per_target_stage_is_refused() {
    let project = go_project("stage-order");
    fails(
        &project,
        &format!(
            "{HEADER}\n[[stage]]\nname = \"sums\"\nplugin = \"builtin:checksum\"\n\n[[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"go\"], source = true }}\n"
        ),
        &["check", "."],
        &["stage `sums` (release scope", "move `sums` after `compile`"],
    );
}

#[test]
fn signing_keys_are_checked_before_any_work() {
    let project = go_project("signing-keys");
    let outside = std::path::Path::new(env!("CARGO_TARGET_TMPDIR")).join("signing-keys-outside");
    std::fs::create_dir_all(&outside).unwrap();
    let stage = "\n[[stage]]\nname = \"checksum\"\nplugin = \"builtin:checksum\"\ngrants = { signing = [\"release\"] }\n";
    let with_key = |key: &str| format!("{HEADER}\n[signing.keys.release]\n{key}\n{stage}");

    project.write("keys/release.pem", "not used");
    fails(
        &project,
        &with_key("file = \"keys/release.pem\""),
        &["check", "."],
        &[
            "xhost.toml:6:8: key `release`: the key file is inside the project",
            "use `env`",
        ],
    );
    fails(
        &project,
        &format!(
            "{HEADER}\n[[stage]]\nname = \"c\"\nplugin = \"builtin:checksum\"\ngrants = {{ signing = [\"nope\"] }}\n"
        ),
        &["check", "."],
        &["xhost.toml:8:23: grants.signing: no key `nope` is defined; add [signing.keys.nope]"],
    );
    let missing = outside.join("missing.pem");
    fails(
        &project,
        &with_key(&format!("file = \"{}\"", missing.display())),
        &["build", "."],
        &["signing key `release`", "reading key file", "missing.pem"],
    );
    fails(
        &project,
        &with_key("env = \"XHOST_TEST_UNSET_KEY\""),
        &["build", "."],
        &[
            "signing key `release`",
            "environment variable XHOST_TEST_UNSET_KEY is not set",
        ],
    );
    let rsa = outside.join("rsa.pem");
    std::fs::write(
        &rsa,
        "-----BEGIN RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n",
    )
    .unwrap();
    fails(
        &project,
        &with_key(&format!("file = \"{}\"", rsa.display())),
        &["build", "."],
        &[
            "signing key `release`",
            "unsupported key type (-----BEGIN RSA PRIVATE KEY-----)",
        ],
    );
    fails(
        &project,
        &with_key(&format!("file = \"{}\"\nenv = \"X\"", rsa.display())),
        &["check", "."],
        &["give either `file` or `env`, not both"],
    );
}
