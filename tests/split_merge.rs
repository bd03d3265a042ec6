//! Split builds and their merge: "machines" (each its own checkout and cache
//! directory) build shares of the targets with `xhost build --split`; `xhost merge` on
//! another puts the release together, equal byte for byte to one machine's build.
//! Then partials that do not belong together, or that changed on the way, are refused
//! with the release already in `dist/` left as it was.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::*;

const GIT: &str = "git -c user.name=t -c user.email=t@example.com";

/// A machine: its own clone of one commit of hello-go (six targets) and an empty cache
/// directory.
struct Machine {
    project: Project,
    cache: PathBuf,
}

impl Machine {
    fn new(name: &str) -> Machine {
        let origin = origin();
        let project = Project::new(&format!("split-merge-{name}"));
        std::fs::remove_dir(&project.dir).unwrap();
        run_tool(
            "git",
            &[
                "clone",
                "-q",
                origin.to_str().unwrap(),
                project.dir.to_str().unwrap(),
            ],
            origin.parent().unwrap(),
        );
        let cache = project.dir.with_extension("cache");
        let _ = std::fs::remove_dir_all(&cache);
        Machine { project, cache }
    }

    fn xhost(&self, args: &[&str]) -> Run {
        let cache = self.cache.to_str().unwrap();
        self.project.xhost_with(args, &[("XHOST_CACHE_DIR", cache)])
    }

    fn git(&self, command: &str) {
        run_script(&self.project.dir, &format!("{GIT} {command}"));
    }
}

/// The repository every machine clones: examples/hello-go, committed once.
fn origin() -> PathBuf {
    static ORIGIN: std::sync::OnceLock<PathBuf> = std::sync::OnceLock::new();
    ORIGIN
        .get_or_init(|| {
            let project = Project::from_example("split-merge-origin", "hello-go");
            run_script(
                &project.dir,
                &format!("git init -q && git add -A && {GIT} commit -q -m 'hello'"),
            );
            project.dir.clone()
        })
        .clone()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_slice(&std::fs::read(dir.join("artifacts.json")).unwrap()).unwrap()
}

fn mode(file: &Path) -> u32 {
    std::fs::metadata(file).unwrap().permissions().mode() & 0o777
}

#[test]
fn a_merged_release_equals_one_machines_build_and_bad_partials_are_refused() {
    let whole = Machine::new("whole");
    whole.xhost(&["build"]).assert_ok();

    // Three runners: linux, darwin and windows, wasm.
    let (a, b, c) = (Machine::new("a"), Machine::new("b"), Machine::new("c"));
    let parts = a.project.dir.with_extension("partials");
    let _ = std::fs::remove_dir_all(&parts);
    let (part_a, part_b, part_c) = (
        parts.join("linux"),
        parts.join("darwin-windows"),
        parts.join("wasm"),
    );
    let split = |machine: &Machine, dist: &Path, targets: &[&str]| {
        let mut args = vec!["build", "--split", "--dist", dist.to_str().unwrap()];
        for target in targets {
            args.extend(["--target", target]);
        }
        machine.xhost(&args)
    };
    let built = split(&a, &part_a, &["linux/amd64", "linux/arm64"]);
    built.assert_ok();
    assert!(
        built.stderr.contains("a partial release"),
        "{}",
        built.stderr
    );
    split(
        &b,
        &part_b,
        &["darwin/amd64", "darwin/arm64", "windows/amd64"],
    )
    .assert_ok();
    split(&c, &part_c, &["wasip1/wasm"]).assert_ok();

    // A partial holds its targets' files only, each as its manifest says.
    let listed = manifest(&part_a);
    let section = &listed["partial"];
    assert_eq!(
        section["targets"],
        serde_json::json!(["linux/amd64", "linux/arm64"])
    );
    let files = files_of(&part_a);
    assert!(
        files.iter().all(|f| {
            let name = f.to_string_lossy();
            name == "artifacts.json" || name.contains("linux_amd64") || name.contains("linux_arm64")
        }),
        "a partial holds only its targets' files: {files:?}"
    );
    for artifact in listed["artifacts"].as_array().unwrap() {
        let path = part_a.join(artifact["path"].as_str().unwrap());
        assert_eq!(sha256(&path), artifact["sha256"].as_str().unwrap());
    }
    assert!(
        !files
            .iter()
            .any(|f| f.to_string_lossy().ends_with("checksums.txt"))
    );

    // `xhost verify` checks a partial as the merge will: its files against its manifest.
    let verified = a.xhost(&["verify", part_a.to_str().unwrap()]);
    verified.assert_ok();
    assert!(
        verified
            .stdout
            .contains("a partial release of linux/amd64, linux/arm64"),
        "{}",
        verified.stdout
    );

    // A CI system's artifact store may drop the executable bit: the merge restores it.
    for file in files.iter().map(|f| part_a.join(f)) {
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).unwrap();
    }

    let merger = Machine::new("merger");
    let merged = merger.xhost(&[
        "merge",
        part_a.to_str().unwrap(),
        part_b.to_str().unwrap(),
        part_c.to_str().unwrap(),
    ]);
    merged.assert_ok();
    assert!(
        merged.stderr.contains("merging 3 partial releases"),
        "{}",
        merged.stderr
    );

    let (ours, theirs) = (merger.project.dist(), whole.project.dist());
    assert_eq!(
        snapshot(&ours),
        snapshot(&theirs),
        "the merged release equals one machine's build, artifacts.json included"
    );
    for file in files_of(&theirs) {
        assert_eq!(
            mode(&ours.join(&file)),
            mode(&theirs.join(&file)),
            "{file:?}"
        );
    }
    assert_eq!(mode(&ours.join("hello_linux_amd64/hello")), 0o755);
    let checksums = run_tool("sh", &["-c", "sha256sum -c -- *_checksums.txt"], &ours);
    assert!(checksums.contains(": OK"), "{checksums}");
    let version = run_tool(
        ours.join("hello_linux_amd64/hello").to_str().unwrap(),
        &["--version"],
        &ours,
    );
    assert!(version.contains("1.0.0"), "{version}");
    merger
        .xhost(&["verify", ours.to_str().unwrap()])
        .assert_ok();

    // Partials that do not make this release, each refused before anything is built.
    let before = snapshot(&ours);
    let refused = |partials: &[&Path], needles: &[&str]| {
        let mut args = vec!["merge"];
        args.extend(partials.iter().map(|p| p.to_str().unwrap()));
        merger.xhost(&args).assert_fails_with(needles);
        assert_eq!(snapshot(&ours), before, "dist/ left as it was");
    };
    refused(
        &[&part_a, &part_b, &part_c, &part_a],
        &["both hold linux/amd64"],
    );
    refused(
        &[&part_a, &part_b],
        &[
            "no partial release holds wasip1/wasm",
            "xhost build --split --target wasip1/wasm",
        ],
    );
    refused(
        &[&part_a, &part_b, &theirs],
        &["a whole release, not a partial one"],
    );

    let changed = parts.join("changed");
    copy_tree(&part_b, &changed);
    let exe = changed.join("hello_windows_amd64/hello.exe");
    let mut bytes = std::fs::read(&exe).unwrap();
    bytes[100] ^= 1;
    std::fs::write(&exe, bytes).unwrap();
    merger
        .xhost(&["verify", changed.to_str().unwrap()])
        .assert_fails_with(&["hello.exe has SHA-256"]);
    refused(
        &[&part_a, &changed, &part_c],
        &[
            "hello_windows_amd64/hello.exe has SHA-256",
            "build that partial again",
        ],
    );

    let extra = parts.join("extra");
    copy_tree(&part_b, &extra);
    std::fs::write(
        extra.join("hello_windows_amd64/notes.txt"),
        "added on the way\n",
    )
    .unwrap();
    refused(
        &[&part_a, &extra, &part_c],
        &["hello_windows_amd64/notes.txt is not listed"],
    );

    let linked = parts.join("linked");
    copy_tree(&part_c, &linked);
    let wasm = linked.join("hello_wasip1_wasm/hello.wasm");
    std::fs::remove_file(&wasm).unwrap();
    std::os::unix::fs::symlink(part_c.join("hello_wasip1_wasm/hello.wasm"), &wasm).unwrap();
    refused(
        &[&part_a, &part_b, &linked],
        &["hello.wasm is not a regular file"],
    );

    // A partial of another commit: the merging checkout moved on.
    let all: [&Path; 3] = [&part_a, &part_b, &part_c];
    merger.git("commit -q --allow-empty -m 'later'");
    refused(
        &all,
        &["at commit", "merge the partials of one commit and version"],
    );
    merger.git("reset -q --hard HEAD~1");

    // Another release: the merging checkout's version moved on.
    let config = std::fs::read_to_string(merger.project.path("xhost.toml")).unwrap();
    merger.project.write(
        "xhost.toml",
        config.replace("version = \"1.0.0\"", "version = \"1.0.1\""),
    );
    refused(
        &all,
        &["is of hello 1.0.0", "this checkout builds hello 1.0.1"],
    );
    // The same release from an edited xhost.toml.
    merger.project.write(
        "xhost.toml",
        format!("{config}\n# edited after the split builds\n"),
    );
    refused(&all, &["built with another xhost.toml"]);
    merger.project.write("xhost.toml", config);

    // A split build of targets the configuration does not have.
    split(&a, &parts.join("other-target"), &["freebsd/amd64"])
        .assert_fails_with(&["freebsd/amd64 is not one of the configured targets"]);
}

/// The files under `dir`, relative to it.
fn files_of(dir: &Path) -> Vec<PathBuf> {
    files(dir)
        .into_iter()
        .map(|f| f.strip_prefix(dir).unwrap().to_path_buf())
        .collect()
}
