//! A GoReleaser user moving in: four differently shaped GoReleaser configs (v1 with
//! `replacements`, ARMv6/v7 and an ignore list; v2 as `goreleaser init` writes it, with
//! conditionals in the archive name; v2 with amd64 micro-architecture levels, two
//! formats, a wrapped directory and a SHA-512 file; v2 with deb, rpm and apk packages from
//! `nfpms`) imported by `xhost init
//! --from-goreleaser` and built: the release's file names must be exactly GoReleaser's
//! (`tests/fixtures/goreleaser/*.expected`, written by `scripts/goreleaser-names` from
//! GoReleaser v2.17.0 itself). Also: `--version` stamps, release notes, tag checks, and
//! errors naming the file, line and field with dist/ untouched.

mod support;

use std::path::Path;

use support::{Project, copy_tree, run_script, run_tool, snapshot, workspace};

const GIT: &str = "git -c user.name=t -c user.email=t@example.com";

fn fixtures() -> std::path::PathBuf {
    workspace().join("tests/fixtures/goreleaser")
}

/// The greeter app with `config` as its `.goreleaser.yml`, committed and tagged v1.2.3.
fn greeter(name: &str, config: &str) -> Project {
    let project = Project::new(name);
    copy_tree(&fixtures().join("app"), &project.dir);
    std::fs::copy(fixtures().join(config), project.path(".goreleaser.yml")).unwrap();
    run_script(
        &project.dir,
        &format!("git init -q && git add -A && {GIT} commit -q -m 'feat: greet' && git tag v1.2.3"),
    );
    project
}

/// GoReleaser's metadata files, which its own checksums file does not list either.
const METADATA: [&str; 2] = ["metadata.json", "artifacts.goreleaser.json"];

/// The release's files at the top of dist/, without xhost's manifest, the notes and
/// GoReleaser's metadata files.
fn release_files(dist: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dist)
        .unwrap()
        .map(|e| e.unwrap())
        .filter(|e| e.file_type().unwrap().is_file())
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n != "artifacts.json" && n != "CHANGELOG.md" && !METADATA.contains(&n.as_str()))
        .collect();
    names.sort();
    names
}

#[test]
fn imported_configs_make_goreleasers_file_names() {
    for (config, sums) in [
        ("v1-replacements", "checksums.txt"),
        ("v2-conditionals", "greeter_1.2.3_checksums.txt"),
        ("v2-microarch", "greeter_1.2.3_SHA512SUMS"),
        ("v2-nfpms", "greeter_1.2.3_checksums.txt"),
    ] {
        // One directory for all three, as one checkout trying each config would: its
        // tool cache (Go's build cache) is kept, so each target's standard library is
        // compiled once.
        let project = greeter("goreleaser-import", &format!("{config}.yml"));
        // init builds the converted config before it keeps it…
        let init = project.xhost(&["init", "--from-goreleaser"]);
        init.assert_ok();
        assert!(init.stdout.contains("wrote"), "{}", init.stdout);
        assert!(!project.dist().exists(), "init published a release");
        // …so the first build of the same commit finds every stage's work done.
        let build = project.xhost(&["build", "."]);
        build.assert_ok();
        assert!(
            build.stderr.contains(" 0 misses)"),
            "{config}: {}",
            build.stderr
        );
        let expected: Vec<String> =
            std::fs::read_to_string(fixtures().join(format!("{config}.expected")))
                .unwrap()
                .lines()
                .map(String::from)
                .collect();
        assert_eq!(release_files(&project.dist()), expected, "{config}");
        check_goreleaser_metadata(&project, &expected);
        // The checksums file covers exactly the archives, as GoReleaser's does.
        let tool = if config == "v2-microarch" {
            "sha512sum"
        } else {
            "sha256sum"
        };
        let checked = run_tool(tool, &["-c", sums], &project.dist());
        assert_eq!(checked.lines().count(), expected.len() - 1, "{checked}");
        // The stamped version, commit and (commit) date.
        let commit = run_tool("git", &["rev-parse", "HEAD"], &project.dir);
        let time = run_tool("git", &["log", "-1", "--format=%cI"], &project.dir);
        let utc = run_tool(
            "date",
            &["-u", "-d", time.trim(), "+%Y-%m-%dT%H:%M:%SZ"],
            &project.dir,
        );
        let printed = run_tool(
            &project
                .dist()
                .join("greeter_linux_amd64/greeter")
                .to_string_lossy(),
            &["--version"],
            &project.dir,
        );
        let commit = if config == "v2-microarch" {
            &commit[..7]
        } else {
            commit.trim()
        };
        assert_eq!(
            printed.trim(),
            format!("greeter 1.2.3 (commit {commit}, built {})", utc.trim()),
            "{config}"
        );
    }
}

/// `metadata.json` and `artifacts.goreleaser.json` in GoReleaser's shapes: the tag and
/// commit, and every archive with its platform and format, read back as JSON.
fn check_goreleaser_metadata(project: &Project, expected: &[String]) {
    let read = |name: &str| -> serde_json::Value {
        serde_json::from_slice(&std::fs::read(project.dist().join(name)).unwrap()).unwrap()
    };
    let metadata = read("metadata.json");
    let list = read("artifacts.goreleaser.json");
    let commit = run_tool("git", &["rev-parse", "HEAD"], &project.dir);
    assert_eq!(metadata["project_name"], "greeter");
    assert_eq!(metadata["tag"], "v1.2.3");
    assert_eq!(metadata["version"], "1.2.3");
    assert_eq!(metadata["commit"], commit.trim());
    assert_eq!(metadata["runtime"]["goos"], "linux");
    let listed = |kind: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .filter(|a| a["type"] == kind)
            .count()
    };
    let archives: Vec<&serde_json::Value> = list
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| a["type"] == "Archive")
        .collect();
    let mut names: Vec<&str> = archives
        .iter()
        .map(|a| a["name"].as_str().unwrap())
        .collect();
    names.sort();
    let expected_archives: Vec<&str> = expected
        .iter()
        .map(String::as_str)
        .filter(|n| n.ends_with(".tar.gz") || n.ends_with(".zip"))
        .collect();
    assert_eq!(names, expected_archives);
    // As GoReleaser lists them: the checksums file and its own metadata.json too.
    let packages = expected
        .iter()
        .filter(|n| n.ends_with(".deb") || n.ends_with(".rpm") || n.ends_with(".apk"))
        .count();
    assert_eq!(listed("Linux Package"), packages);
    assert_eq!(listed("Checksum"), 1);
    assert_eq!(listed("Metadata"), 1);
    for archive in archives {
        let name = archive["name"].as_str().unwrap();
        assert_eq!(archive["path"], format!("dist/{name}"));
        assert!(
            archive["goos"].is_string() && archive["goarch"].is_string(),
            "{archive}"
        );
        let sha = format!("sha256:{}", support::sha256(&project.dist().join(name)));
        assert_eq!(archive["extra"]["Checksum"], sha.as_str());
        assert_eq!(archive["extra"]["Binaries"], serde_json::json!(["greeter"]));
        assert_eq!(archive["internal_type"], 1);
        assert!(archive["target"].as_str().unwrap().starts_with(&format!(
            "{}_{}",
            archive["goos"].as_str().unwrap(),
            archive["goarch"].as_str().unwrap()
        )));
    }
}

#[test]
fn release_notes_are_grouped_and_filtered() {
    let project = greeter("goreleaser-notes", "v2-conditionals.yml");
    project.write(
        "xhost.toml",
        "[build]\nmain = \"./cmd/greeter\"\ntargets = [\"linux/amd64\"]\n\n[changelog]\nfilters.exclude = ['^docs:']\n",
    );
    run_script(
        &project.dir,
        &format!(
            "git add -A && {GIT} commit -q -m 'chore: add xhost.toml' && \
             {GIT} commit -q --allow-empty -m 'docs: explain flags' && \
             {GIT} commit -q --allow-empty -m 'fix(cli): exit code on error' && \
             {GIT} commit -q --allow-empty -m 'feat: colours' && \
             {GIT} commit -q --allow-empty -m 'refactor: one main' -m 'BREAKING CHANGE: -x is gone' && \
             {GIT} commit -q --allow-empty -m 'feat(api)!: new greeting' && git tag v1.3.0"
        ),
    );
    project.xhost(&["build", "."]).assert_ok();
    let short = |rev: &str| {
        run_tool("git", &["rev-parse", "--short=7", rev], &project.dir)
            .trim()
            .to_string()
    };
    let notes = std::fs::read_to_string(project.dist().join("CHANGELOG.md")).unwrap();
    assert_eq!(
        notes,
        format!(
            "## Changelog\n\n### Breaking changes\n* {} feat(api)!: new greeting\n* {} refactor: one main\n\n### Features\n* {} feat: colours\n\n### Bug fixes\n* {} fix(cli): exit code on error\n\n### Others\n* {} chore: add xhost.toml\n",
            short("HEAD"),
            short("HEAD~1"),
            short("HEAD~2"),
            short("HEAD~3"),
            short("HEAD~5"),
        )
    );
    let manifest = std::fs::read_to_string(project.dist().join("artifacts.json")).unwrap();
    assert!(manifest.contains("\"CHANGELOG.md\""), "{manifest}");
    // The archive packs the notes, as the project has no CHANGELOG of its own…
    let packed = |version: &str| {
        run_tool(
            "tar",
            &[
                "-xzOf",
                &format!("greeter_{version}_linux_amd64.tar.gz"),
                "CHANGELOG.md",
            ],
            &project.dist(),
        )
    };
    assert_eq!(packed("1.3.0"), notes);
    // …and the project's own once it has one.
    project.write("CHANGELOG.md", "# Greeter\n\nKept by hand.\n");
    run_script(
        &project.dir,
        &format!("git add -A && {GIT} commit -q -m 'docs: changelog' && git tag v1.3.1"),
    );
    project.xhost(&["build", "."]).assert_ok();
    assert_eq!(packed("1.3.1"), "# Greeter\n\nKept by hand.\n");
    let notes = std::fs::read_to_string(project.dist().join("CHANGELOG.md")).unwrap();
    assert!(notes.starts_with("## Changelog\n"), "{notes}");
}

#[test]
fn tags_must_be_semantic_versions_above_the_last() {
    let project = greeter("goreleaser-tags", "v2-conditionals.yml");
    project.write(
        "xhost.toml",
        "[build]\nmain = \"./cmd/greeter\"\ntargets = [\"linux/amd64\"]\n",
    );
    run_script(
        &project.dir,
        &format!("git add -A && {GIT} commit -q -m 'chore: xhost' && git tag v1.3.0"),
    );
    project.xhost(&["build", "."]).assert_ok();
    let before = snapshot(&project.dist());

    run_script(
        &project.dir,
        &format!("{GIT} commit -q --allow-empty -m 'fix: x' && git tag release-5"),
    );
    project.xhost(&["build", "."]).assert_fails_with(&[
        "the tag `release-5` at HEAD is not a semantic version",
        "--snapshot",
    ]);
    run_script(
        &project.dir,
        "git tag -d release-5 >/dev/null && git tag v1.2.9",
    );
    project.xhost(&["build", "."]).assert_fails_with(&[
        "the tag `v1.2.9` at HEAD is not above the previous tag `v1.3.0`",
        "--allow-lower-tag",
    ]);
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
    project
        .xhost(&["check", ".", "--allow-lower-tag"])
        .assert_ok();
    let snap = project.xhost(&["check", ".", "--snapshot"]);
    snap.assert_ok();
    let short = run_tool("git", &["rev-parse", "--short=7", "HEAD"], &project.dir);
    assert!(
        snap.stdout
            .contains(&format!("greeter 1.2.9-SNAPSHOT-{}", short.trim())),
        "{}",
        snap.stdout
    );
}

#[test]
fn template_and_import_errors_name_file_line_and_field() {
    let project = greeter("goreleaser-errors", "v2-conditionals.yml");
    project.write(
        "xhost.toml",
        "[build]\nmain = \"./cmd/greeter\"\ntargets = [\"linux/amd64\"]\n",
    );
    project.xhost(&["build", "."]).assert_ok();
    let before = snapshot(&project.dist());
    let stages = "[[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = { exec = [\"go\"], source = true }\n\n[[stage]]\nname = \"archive\"\nplugin = \"builtin:archive\"\n[stage.config]\n";
    let base = "[build]\nmain = \"./cmd/greeter\"\ntargets = [\"linux/amd64\"]\n\n";
    for (config, needles) in [
        (
            format!("{base}{stages}name_template = \"{{{{ .ProjectName }}}}_{{{{ .Arc }}}}\"\n"),
            vec![
                "xhost.toml:14:",
                "stage `archive` config.name_template",
                "there is no field `.Arc`",
                ".Arch",
            ],
        ),
        (
            format!("{base}{stages}name_template = \"{{{{ .Env.DEPLOY_TOKEN }}}}\"\n"),
            vec!["xhost.toml:14:", "add \"DEPLOY_TOKEN\" to `[template] env`"],
        ),
        (
            "[build]\nmain = \"./cmd/greeter\"\nbinary = \"{{ .Os }\"\n".to_string(),
            vec!["xhost.toml:3:", "build.binary", "is not closed"],
        ),
        (
            format!("{base}[changelog]\nfilters.exclude = ['^docs:(']\n"),
            vec![
                "xhost.toml:6:",
                "changelog.filters.exclude",
                "is not a regular expression",
            ],
        ),
    ] {
        project.write("xhost.toml", &config);
        project.xhost(&["build", "."]).assert_fails_with(&needles);
        assert_eq!(
            snapshot(&project.dist()),
            before,
            "dist/ changed for:\n{config}"
        );
    }

    // A GoReleaser config xhost cannot convert: nothing is written.
    std::fs::remove_file(project.path("xhost.toml")).unwrap();
    project.write(
        "custom.yml",
        "version: 2\nbuilds:\n  - id: cli\n    main: ./cmd/greeter\n  - id: server\n    main: ./cmd/server\n",
    );
    project
        .xhost(&["init", "--from-goreleaser=custom.yml"])
        .assert_fails_with(&["custom.yml:5:", "a second build"]);
    assert!(!project.path("xhost.toml").exists());
    project.write("custom.yml", "version: 2\nbuilds:\n  - main: ./cmd/greeter\n    ldflags: \"-X main.version={{ .Versio }}\"\n");
    project
        .xhost(&["init", "--from-goreleaser=custom.yml"])
        .assert_fails_with(&[
            "does not build, so it was removed again",
            "build.ldflags",
            "no field `.Versio`",
        ]);
    assert!(!project.path("xhost.toml").exists());
    // Never over an existing xhost.toml.
    project.write("xhost.toml", base);
    project
        .xhost(&["init", "--from-goreleaser"])
        .assert_fails_with(&["xhost.toml already exists"]);
    assert_eq!(
        std::fs::read_to_string(project.path("xhost.toml")).unwrap(),
        base
    );
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
}

#[test]
fn cosign_signing_carries_over_with_its_key() {
    let project = greeter("goreleaser-signs", "v2-conditionals.yml");
    let config = std::fs::read_to_string(project.path(".goreleaser.yml")).unwrap();
    project.write(
        ".goreleaser.yml",
        format!(
            "{config}\nsigns:\n  - cmd: cosign\n    artifacts: checksum\n    args: [sign-blob, \"--key=env://COSIGN_PRIVATE_KEY\", \"--output-signature=${{signature}}\", \"${{artifact}}\", --yes]\n  - cmd: gpg\n    artifacts: all\n"
        ),
    );
    let keys = fixtures().join("../keys");
    let key = std::fs::read_to_string(keys.join("cosign.key")).unwrap();
    // The key as cosign wrote it, its password where cosign reads it.
    let env = [
        ("COSIGN_PRIVATE_KEY", key.as_str()),
        ("COSIGN_PASSWORD", "xhost-test-only"),
    ];
    let init = project.xhost_with(&["init", "--from-goreleaser"], &env);
    init.assert_ok();
    assert!(
        init.stdout.contains("signs[1]") && init.stdout.contains("OpenPGP"),
        "{}",
        init.stdout
    );
    let written = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    assert!(written.contains("\n[signing.keys.cosign]\nenv = \"COSIGN_PRIVATE_KEY\"\npassword_env = \"COSIGN_PASSWORD\"\n"), "{written}");
    project.xhost_with(&["build", "."], &env).assert_ok();
    let sums = "greeter_1.2.3_checksums.txt";
    assert!(project.dist().join(format!("{sums}.sig")).is_file());
    // GoReleaser's files only: no bundle, no public key.
    assert!(
        !project
            .dist()
            .join(format!("{sums}.sigstore.json"))
            .exists()
    );
    assert!(!project.dist().join("cosign.pub").exists());
    let cosign = support::dev_tool("cosign");
    run_tool(
        cosign.to_str().unwrap(),
        &[
            "verify-blob",
            "--key",
            keys.join("cosign.pub").to_str().unwrap(),
            "--signature",
            &format!("{sums}.sig"),
            "--insecure-ignore-tlog",
            sums,
        ],
        &project.dist(),
    );
    // Without the key here, the stage is kept commented out and the config still builds.
    std::fs::remove_file(project.path("xhost.toml")).unwrap();
    let init = project.xhost(&["init", "--from-goreleaser"]);
    init.assert_ok();
    assert!(init.stdout.contains("commented out"), "{}", init.stdout);
    let written = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    assert!(written.contains("\n# [signing.keys.cosign]\n"), "{written}");
}

#[test]
fn init_keeps_nothing_that_does_not_build() {
    let project = greeter("goreleaser-init-broken", "v2-conditionals.yml");
    project.write(
        ".goreleaser.yml",
        "version: 2\nbuilds:\n  - main: ./cmd/broken\n    goos: [linux]\n    goarch: [amd64]\n",
    );
    project.write(
        "cmd/broken/main.go",
        "package main\n\nfunc main() {\n\tundefinedCall()\n}\n",
    );
    let init = project.xhost(&["init", "--from-goreleaser"]);
    init.assert_fails_with(&[
        "undefined: undefinedCall",
        "does not build, so it was removed again",
    ]);
    assert!(!project.path("xhost.toml").exists(), "xhost.toml was kept");
    assert!(!project.dist().exists(), "init published a release");
    // Planning alone (--no-build) cannot see a compile error: it keeps the config.
    project
        .xhost(&["init", "--from-goreleaser", "--no-build"])
        .assert_ok();
    assert!(project.path("xhost.toml").is_file());
}

#[test]
fn init_writes_the_defaults_and_they_build() {
    let project = Project::from_example("init-defaults", "hello-go");
    std::fs::remove_file(project.path("xhost.toml")).unwrap();
    // Planned only: one target is built below, not the example's every target.
    project.xhost(&["init", "--no-build"]).assert_ok();
    let written = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    for line in [
        "[[stage]]",
        "plugin = \"builtin:go-build\"",
        "main = \"./cmd/hello\"",
        "snapshot_version",
        "[limits]",
        "[changelog]",
    ] {
        assert!(written.contains(line), "{written}");
    }
    project
        .xhost(&["build", ".", "--target", "linux/amd64"])
        .assert_ok();
    assert!(project.dist().join("hello_linux_amd64/hello").is_file());
}
