//! The action cache seen from outside: a second build reuses every stage and publishes
//! the same release, a change reruns exactly what it affects, damaged cache files are
//! rebuilt rather than published, and `xhost cache stats` / `gc` manage the directory.
//!
//! Each test starts with a `--no-cache` build (and new source where a later build must
//! miss), so what follows does not depend on what earlier runs left in the shared cache.
//! Every build runs in a fresh environment, so none is found unchanged before it is
//! planned (`tests/up_to_date.rs` covers that check).

mod support;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;
use support::{Project, cache_dir, release_snapshot, run_tool, test_plugin};

const TARGETS: [&str; 4] = ["--target", "linux/amd64", "--target", "wasip1/wasm"];

fn build(project: &Project, extra: &[&str]) -> support::Run {
    let mut args = vec!["build", "."];
    args.extend(TARGETS);
    args.extend(extra);
    let run = project.xhost_planned(&args, &[]);
    run.assert_ok();
    run
}

/// `(target, stage) → result` from `dist/artifacts.json`'s cache section.
fn cache_results(project: &Project) -> BTreeMap<(String, String), String> {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(project.dist().join("artifacts.json")).unwrap())
            .unwrap();
    manifest["cache"]["stages"]
        .as_array()
        .expect("artifacts.json has a cache section")
        .iter()
        .map(|s| {
            (
                (
                    s["target"].as_str().unwrap().to_string(),
                    s["stage"].as_str().unwrap().to_string(),
                ),
                s["result"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// Why `stage` ran for `target`, as `artifacts.json` says.
fn why(project: &Project, target: &str, stage: &str) -> String {
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(project.dist().join("artifacts.json")).unwrap())
            .unwrap();
    let stages = manifest["cache"]["stages"].as_array().unwrap();
    let entry = stages
        .iter()
        .find(|s| s["target"] == target && s["stage"] == stage)
        .unwrap_or_else(|| panic!("no {stage} for {target} in {manifest}"));
    entry["why"].as_str().unwrap_or_default().to_string()
}

fn misses(project: &Project) -> Vec<(String, String)> {
    cache_results(project)
        .into_iter()
        .filter(|(_, result)| result != "hit")
        .map(|(stage, _)| stage)
        .collect()
}

fn pair(target: &str, stage: &str) -> (String, String) {
    (target.to_string(), stage.to_string())
}

#[test]
fn a_second_build_reuses_every_stage_and_publishes_the_same_release() {
    let project = Project::from_example("cache-reuse", "hello-go");
    let first = build(&project, &["--no-cache"]);
    let results = cache_results(&project);
    assert_eq!(
        results.len(),
        9,
        "four stages per target and a checksum: {results:?}"
    );
    assert!(results.values().all(|r| r == "forced"), "{results:?}");
    assert_eq!(why(&project, "linux/amd64", "compile"), "--no-cache");
    assert!(
        first.stderr.contains("(action cache: 0 hits, 9 misses)"),
        "{}",
        first.stderr
    );
    let made = release_snapshot(&project.dist());

    let second = build(&project, &[]);
    assert!(
        second.stderr.contains("(action cache: 9 hits, 0 misses)"),
        "{}",
        second.stderr
    );
    assert!(misses(&project).is_empty());
    assert_eq!(
        second.stderr.matches(" cached ").count(),
        9,
        "{}",
        second.stderr
    );
    assert_eq!(
        release_snapshot(&project.dist()),
        made,
        "a cached build published other bytes"
    );
    // The reused release is whole: the checksums verify and the binary runs.
    support::check_hello_release(&project);
}

#[test]
fn a_checkout_at_another_path_reuses_every_stage() {
    let here = Project::from_example("cache-here", "hello-go");
    build(&here, &["--no-cache"]);
    let made = release_snapshot(&here.dist());
    // The same files at another path, as a second checkout or CI workspace has them.
    // Plugins see the tree at /src, and the compiler, confined, at /xhost/src: neither
    // can tell where the checkout is, so every stage hits.
    let elsewhere = Project::from_example("cache-elsewhere/deeper", "hello-go");
    let run = build(&elsewhere, &[]);
    assert!(misses(&elsewhere).is_empty(), "{}", run.stderr);
    assert_eq!(release_snapshot(&elsewhere.dist()), made);
}

#[test]
fn the_same_go_installed_elsewhere_reuses_every_stage() {
    let project = Project::from_example("cache-moved-go", "hello-go");
    build(&project, &["--no-cache"]);
    let made = release_snapshot(&project.dist());
    // The same Go at another path, as another machine has it (hard links: the same
    // bytes without copying them).
    let installed = tempfile::tempdir().unwrap();
    let goroot = support::go_bin_dir()
        .parent()
        .unwrap()
        .canonicalize()
        .unwrap();
    let copy = installed.path().join("go");
    run_tool(
        "cp",
        &["-al", goroot.to_str().unwrap(), copy.to_str().unwrap()],
        installed.path(),
    );
    let path = std::env::join_paths(std::iter::once(copy.join("bin")).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let env = [("PATH", path.to_str().unwrap())];
    // It is the copy that is granted,
    let plan = project.xhost_with(&["check", "."], &env);
    plan.assert_ok();
    assert!(
        plan.stdout
            .contains(&copy.join("bin/go").display().to_string()),
        "{}",
        plan.stdout
    );
    // and nothing runs again.
    let run = project.xhost_planned(&[&["build", "."][..], &TARGETS[..]].concat(), &env);
    run.assert_ok();
    assert!(misses(&project).is_empty(), "{}", run.stderr);
    assert_eq!(release_snapshot(&project.dist()), made);
}

#[test]
fn the_same_xhost_installed_elsewhere_reuses_every_stage() {
    let project = Project::from_example("cache-copied-xhost", "hello-go");
    build(&project, &["--no-cache"]);
    // A copy of this xhost, as another machine's CI runner downloads it: another path,
    // another modification time, the same bytes.
    let installed = tempfile::tempdir().unwrap();
    let copy = installed.path().join("xhost");
    std::fs::copy(env!("CARGO_BIN_EXE_xhost"), &copy).unwrap();
    let mut command = std::process::Command::new(&copy);
    command
        .args(["build", "."])
        .args(TARGETS)
        .current_dir(&project.dir);
    support::user_env(&mut command);
    command.env("XHOST_TEST_FRESH_ENVIRONMENT", "copied-xhost");
    let run = support::Run::from(command.output().unwrap());
    run.assert_ok();
    assert!(
        run.stderr.contains("(action cache: 9 hits, 0 misses)"),
        "{}",
        run.stderr
    );
}

#[test]
fn a_change_reruns_exactly_the_stages_it_affects() {
    let project = Project::from_example("cache-change", "hello-go");
    // Source no earlier run built, so that no stage below can find a result from then.
    let nonce = format!("{:?}-{}", std::time::SystemTime::now(), std::process::id());
    project.write(
        "cmd/hello/nonce.go",
        format!("package main\n\nconst nonce = {nonce:?}\n"),
    );
    // And no memory of earlier runs' keys, which the reasons for reruns compare with.
    let area = xhost::cache_layout::CacheLayout::at(cache_dir())
        .project(&project.dir.canonicalize().unwrap());
    let _ = std::fs::remove_dir_all(area.last_keys());
    build(&project, &["--no-cache"]);

    // A README is source for the archive and SBOM stages (granted /src), not for
    // stripping, whose inputs did not change.
    std::fs::write(project.path("README.md"), "changed\n").unwrap();
    build(&project, &[]);
    let rerun = misses(&project);
    assert!(rerun.contains(&pair("linux/amd64", "archive")), "{rerun:?}");
    assert!(rerun.contains(&pair("linux/amd64", "compile")), "{rerun:?}");
    assert!(!rerun.contains(&pair("linux/amd64", "strip")), "{rerun:?}");
    assert_eq!(
        why(&project, "linux/amd64", "compile"),
        "changed since the last build: source"
    );
    // The archive consumes the rebuilt binary (Go's build id covers its sources).
    let archive = why(&project, "linux/amd64", "archive");
    assert!(archive.contains("source"), "{archive}");

    // Another target: its own pipeline and the release stage run, nothing else.
    let run = project.xhost(&[
        "build",
        ".",
        "--target",
        "linux/amd64",
        "--target",
        "wasip1/wasm",
        "--target",
        "linux/arm64",
    ]);
    run.assert_ok();
    let stages = ["archive", "compile", "sbom", "strip"];
    let mut expected: Vec<_> = stages.iter().map(|s| pair("linux/arm64", s)).collect();
    expected.push(pair("release", "checksum"));
    assert_eq!(misses(&project), expected);
    assert_eq!(
        why(&project, "linux/arm64", "compile"),
        "not built before for this target"
    );
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );
}

#[test]
fn damaged_cache_files_are_rebuilt_not_published() {
    let project = Project::from_example("cache-damage", "hello-go");
    build(&project, &["--no-cache"]);
    let manifest: Value =
        serde_json::from_slice(&std::fs::read(project.dist().join("artifacts.json")).unwrap())
            .unwrap();
    let binary = manifest["artifacts"]
        .as_array()
        .unwrap()
        .iter()
        .find(|a| a["path"] == "hello_linux_amd64/hello")
        .expect("the linux binary is published");
    let blob = cache_dir()
        .join("store")
        .join(binary["sha256"].as_str().unwrap());
    std::fs::remove_file(&blob).unwrap();
    std::fs::write(&blob, "not the binary").unwrap();

    build(&project, &[]);
    assert!(
        misses(&project).contains(&pair("linux/amd64", "compile")),
        "{:?}",
        misses(&project)
    );
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );
    assert_eq!(
        support::sha256(&project.dist().join("hello_linux_amd64/hello")),
        binary["sha256"].as_str().unwrap(),
        "the rebuilt binary differs from the first build's"
    );
    assert_eq!(
        support::sha256(&blob),
        binary["sha256"].as_str().unwrap(),
        "the store was not repaired"
    );
}

/// The compiled-plugin cache's files under `cache`, by kind: compiled components
/// (`.cwasm`) and kept descriptions (`.described.json`).
fn compiled_files(cache: &Path) -> (Vec<PathBuf>, Vec<PathBuf>) {
    let files = walk(&cache.join("compiled"));
    let named = |end: &str| {
        (files.iter())
            .filter(|f| f.to_string_lossy().ends_with(end))
            .cloned()
            .collect::<Vec<_>>()
    };
    (named(".cwasm"), named(".described.json"))
}

#[test]
fn a_build_the_cache_answers_compiles_no_plugin() {
    // A private cache, whose compiled plugins this test removes.
    let cache = tempfile::tempdir().unwrap();
    let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
    let project = Project::from_example("cache-no-compile", "hello-go");
    let mut args = vec!["build", "."];
    args.extend(TARGETS);
    project.xhost_planned(&args, &env).assert_ok();
    let (compiled, described) = compiled_files(cache.path());
    // compile, strip, sbom, archive, checksum: each run, so each compiled and described.
    assert_eq!(
        (compiled.len(), described.len()),
        (5, 5),
        "{compiled:?} {described:?}"
    );
    for file in &compiled {
        std::fs::remove_file(file).unwrap();
    }
    // One kept description damaged: it is asked again (compiling that plugin alone),
    // not trusted.
    std::fs::write(&described[0], "{ not json").unwrap();
    let damaged = described[0]
        .to_string_lossy()
        .replace(".described.json", ".cwasm");

    let again = project.xhost_planned(&args, &env);
    again.assert_ok();
    assert!(
        again.stderr.contains("(action cache: 9 hits, 0 misses)"),
        "{}",
        again.stderr
    );
    let (compiled, described_again) = compiled_files(cache.path());
    assert_eq!(
        compiled,
        vec![PathBuf::from(&damaged)],
        "a plugin was compiled that the plan did not have to ask"
    );
    assert_eq!(described_again.len(), 5);
    let kept: Value = serde_json::from_slice(&std::fs::read(&described[0]).unwrap()).unwrap();
    assert_eq!(kept["xhost"], env!("CARGO_PKG_VERSION"), "{kept}");
    run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );

    // A change reaches every stage: each plugin is compiled now, to run.
    project.write(
        "internal/greeting/greeting.go",
        std::fs::read_to_string(project.path("internal/greeting/greeting.go"))
            .unwrap()
            .replace("Hello", "Hi"),
    );
    project.xhost_planned(&args, &env).assert_ok();
    let (compiled, _) = compiled_files(cache.path());
    assert_eq!(compiled.len(), 5, "{compiled:?}");
    let hello = run_tool(
        project
            .dist()
            .join("hello_linux_amd64/hello")
            .to_str()
            .unwrap(),
        &[],
        &project.dir,
    );
    assert!(hello.contains("Hi"), "{hello}");
}

#[test]
fn stats_and_gc_manage_a_cache_directory() {
    // A private cache, so emptying it disturbs no other test.
    let cache = tempfile::tempdir().unwrap();
    let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
    let project = Project::new("cache-gc");
    let plugin = test_plugin("probe");
    std::fs::copy(&plugin, project.path("probe.wasm")).unwrap();
    project.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"gc\"\nversion = \"1.0.0\"\n\n[build]\ntargets = [\"linux/amd64\"]\n\n\
             [[stage]]\nname = \"probe\"\nplugin = \"probe.wasm\"\nsha256 = \"{}\"\n\
             [stage.config]\naction = \"ok\"\n",
            support::sha256(&plugin)
        ),
    );
    project.write("go.mod", "module example.com/gc\n\ngo 1.21\n");
    project.xhost_with(&["build", "."], &env).assert_ok();
    let again = project.xhost_planned(&["build", "."], &env);
    again.assert_ok();
    assert!(
        again.stderr.contains("1 hits, 0 misses"),
        "{}",
        again.stderr
    );

    let stats = project.xhost_with(&["cache", "stats"], &env);
    stats.assert_ok();
    let row = |name: &str| -> u64 {
        let line = stats
            .stdout
            .lines()
            .find(|l| l.trim_start().starts_with(name))
            .unwrap();
        line[name.len() + 2..]
            .split_whitespace()
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    assert_eq!(row("action cache"), 1, "{}", stats.stdout);
    assert!(row("artifact store") >= 1, "{}", stats.stdout);
    assert_eq!(row("compiled plugins"), 1, "{}", stats.stdout);

    let gc = project.xhost_with(&["cache", "gc", "--max-size", "0"], &env);
    gc.assert_ok();
    assert!(
        gc.stdout.contains("removed 1 action entries"),
        "{}",
        gc.stdout
    );
    let empty = project.xhost_with(&["cache", "stats"], &env);
    assert!(empty.stdout.contains("0 B"), "{}", empty.stdout);
    // Locks, and the counts `cache stats` reports over all builds, stay.
    let files: Vec<_> = walk(cache.path())
        .into_iter()
        .filter(|p| {
            !["gc.lock", "counts.lock", "counts.json"]
                .iter()
                .any(|f| p.ends_with(f))
        })
        .collect();
    assert!(files.is_empty(), "gc --max-size 0 left {files:?}");

    // The next build simply runs again.
    let rebuilt = project.xhost_planned(&["build", "."], &env);
    rebuilt.assert_ok();
    assert!(
        rebuilt.stderr.contains("0 hits, 1 misses"),
        "{}",
        rebuilt.stderr
    );

    let bad = project.xhost_with(&["cache", "gc", "--max-size", "lots"], &env);
    assert_eq!(bad.code, Some(2));
    assert!(
        bad.stderr.contains("`lots` is not a size"),
        "{}",
        bad.stderr
    );
}

fn walk(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walk(&path));
        } else {
            files.push(path);
        }
    }
    files
}
