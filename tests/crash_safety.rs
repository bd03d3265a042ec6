//! Crash-safe state: `xhost build` killed at random points (several seeds) leaves the
//! previous `dist/` or the complete new one and a cache whose every entry matches its
//! digest, and the next build succeeds; Ctrl-C stops a build with exit 130, its
//! programs killed and the old `dist/` kept; two builds of one project take turns.

mod support;

use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use support::{Project, snapshot};

/// Starts `xhost ARGS` in `project` without waiting.
fn spawn(project: &Project, args: &[&str]) -> Child {
    let mut command = Command::new(env!("CARGO_BIN_EXE_xhost"));
    command
        .args(args)
        .current_dir(&project.dir)
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    support::user_env(&mut command);
    command.spawn().unwrap()
}

fn finish(child: Child) -> support::Run {
    support::Run::from(child.wait_with_output().unwrap())
}

/// A small deterministic generator, so a failing seed can be replayed.
fn delays(seed: u64, count: usize, max: Duration) -> Vec<Duration> {
    let mut state = seed
        .wrapping_mul(6364136223846793005)
        .wrapping_add(1442695040888963407);
    (0..count)
        .map(|_| {
            state = state
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            max.mul_f64((state >> 11) as f64 / (1u64 << 53) as f64)
        })
        .collect()
}

/// `dist/` is a complete release of `version`: every file listed with its digest and
/// nothing else.
fn is_complete_release(dist: &Path, version: &str) -> Result<(), String> {
    let manifest: serde_json::Value = serde_json::from_slice(
        &std::fs::read(dist.join("artifacts.json")).map_err(|e| format!("artifacts.json: {e}"))?,
    )
    .map_err(|e| format!("artifacts.json: {e}"))?;
    if manifest["project"]["version"] != version {
        return Err(format!(
            "version {} in artifacts.json",
            manifest["project"]["version"]
        ));
    }
    let mut listed = vec![std::path::PathBuf::from("artifacts.json")];
    for artifact in manifest["artifacts"].as_array().unwrap() {
        let path = artifact["path"].as_str().unwrap();
        let file = dist.join(path);
        let digest = xhost::digest::sha256_file(&file)
            .map_err(|e| format!("{path}: {e}"))?
            .0;
        if artifact["sha256"] != digest.as_str() {
            return Err(format!("{path} does not match its digest"));
        }
        listed.push(path.into());
    }
    let mut present: Vec<_> = snapshot(dist).into_keys().collect();
    present.sort();
    listed.sort();
    if present != listed {
        return Err(format!("files {present:?} but listed {listed:?}"));
    }
    Ok(())
}

/// Every entry of the shared artifact store has the bytes its name promises.
fn check_store() {
    let store = support::cache_dir().join("store");
    for entry in std::fs::read_dir(&store).unwrap().flatten() {
        let name = entry.file_name().to_string_lossy().into_owned();
        if name.starts_with(".incoming-") {
            continue;
        }
        let digest = xhost::digest::sha256_file(&entry.path()).unwrap().0;
        assert_eq!(digest, name, "store entry {name} fails its digest");
    }
}

/// Processes whose working directory is inside `dir` (a build's programs run in the
/// source tree).
/// The command lines of processes working in `dir`, found by the directory itself
/// (device and inode) rather than its name: a confined program sees the project at
/// `/xhost/src`.
fn processes_in(dir: &Path) -> Vec<String> {
    use std::os::unix::fs::MetadataExt;
    let Ok(want) = std::fs::metadata(dir) else {
        return Vec::new();
    };
    let mut found = Vec::new();
    for entry in std::fs::read_dir("/proc").unwrap().flatten() {
        let Ok(cwd) = std::fs::metadata(entry.path().join("cwd")) else {
            continue;
        };
        if (cwd.dev(), cwd.ino()) == (want.dev(), want.ino())
            && entry.file_name() != std::process::id().to_string().as_str()
        {
            let cmdline = std::fs::read(entry.path().join("cmdline")).unwrap_or_default();
            found.push(String::from_utf8_lossy(&cmdline).replace('\0', " "));
        }
    }
    found
}

fn wait_until_gone(dir: &Path) -> Vec<String> {
    let deadline = Instant::now() + Duration::from_secs(10);
    loop {
        let left = processes_in(dir);
        if left.is_empty() || Instant::now() > deadline {
            return left;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

fn set_version(project: &Project, version: &str) {
    let toml = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let toml: String = toml
        .lines()
        .map(|l| {
            if l.starts_with("version = ") {
                format!("version = \"{version}\"")
            } else {
                l.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    project.write("xhost.toml", toml + "\n");
}

#[test]
fn killing_a_build_at_random_points_loses_nothing() {
    let project = Project::from_example("crash-hello", "hello-go");
    let targets = ["--target", "linux/amd64", "--target", "wasip1/wasm"];
    let build = |extra: &[&str]| {
        let mut args = vec!["build", "."];
        args.extend_from_slice(&targets);
        args.extend_from_slice(extra);
        args.into_iter().map(String::from).collect::<Vec<_>>()
    };
    // Without the action cache, so that every build does the work the kills interrupt.
    let args = build(&["--no-cache"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    set_version(&project, "1.0.0");
    project.xhost(&args).assert_ok();
    // How long a whole build takes here, warm: the range to kill in.
    let started = Instant::now();
    project.xhost(&args).assert_ok();
    let whole = started.elapsed();

    for (seed, delay) in
        [1u64, 2, 3, 4, 5, 6]
            .into_iter()
            .zip(delays(0x5eed, 6, whole.mul_f64(1.2)))
    {
        let version = format!("1.0.{seed}");
        let before = snapshot(&project.dist());
        let old_version = {
            let manifest: serde_json::Value = serde_json::from_slice(
                &std::fs::read(project.dist().join("artifacts.json")).unwrap(),
            )
            .unwrap();
            manifest["project"]["version"].as_str().unwrap().to_string()
        };
        set_version(&project, &version);
        let mut child = spawn(&project, &args);
        std::thread::sleep(delay);
        let _ = child.kill();
        let _ = child.wait();

        let left = wait_until_gone(&project.dir);
        assert!(
            left.is_empty(),
            "seed {seed}: processes outlived the build: {left:?}"
        );
        let dist = project.dist();
        let old = snapshot(&dist) == before;
        let new = is_complete_release(&dist, &version);
        assert!(
            old || new.is_ok(),
            "seed {seed} (killed after {delay:?}): dist/ is neither the {old_version} release nor a complete {version} one: {new:?}"
        );
        check_store();
        println!(
            "seed {seed}: killed after {delay:?} of ~{whole:?}: dist/ holds the {} release",
            if old {
                old_version.as_str()
            } else {
                version.as_str()
            }
        );

        project.xhost(&args).assert_ok();
        is_complete_release(&dist, &version)
            .unwrap_or_else(|e| panic!("seed {seed}: after the next build: {e}"));
        check_store();
        let staging: Vec<_> = std::fs::read_dir(&project.dir)
            .unwrap()
            .flatten()
            .filter(|e| e.file_name().to_string_lossy().contains("xhost-staging"))
            .map(|e| e.path())
            .collect();
        assert!(
            staging.is_empty(),
            "seed {seed}: staging left behind: {staging:?}"
        );
    }
}

/// A project whose one stage runs `sleep` for `secs` and then writes its output.
fn sleeper(name: &str, secs: u32) -> Project {
    support::sleeper(name, &secs.to_string())
}

#[test]
fn ctrl_c_stops_the_build_kills_its_programs_and_keeps_dist() {
    let project = sleeper("crash-sigint", 60);
    let before = project.seed_dist();
    let child = spawn(&project, &["build", ".", "--no-cache"]);
    // Until the program runs.
    let deadline = Instant::now() + Duration::from_secs(60);
    while !processes_in(&project.dir)
        .iter()
        .any(|p| p.contains("sleep 60"))
    {
        assert!(Instant::now() < deadline, "the program never started");
        std::thread::sleep(Duration::from_millis(50));
    }
    let pid = rustix::process::Pid::from_raw(child.id() as i32).unwrap();
    let signalled = Instant::now();
    rustix::process::kill_process(pid, rustix::process::Signal::INT).unwrap();
    let run = finish(child);
    assert_eq!(run.code, Some(130), "{}", run.stderr);
    assert!(run.stderr.contains("interrupted"), "{}", run.stderr);
    assert!(
        signalled.elapsed() < Duration::from_secs(20),
        "stopping took {:?}",
        signalled.elapsed()
    );
    let left = wait_until_gone(&project.dir);
    assert!(left.is_empty(), "programs outlived the build: {left:?}");
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
}

#[test]
fn two_builds_of_one_project_take_turns() {
    let project = sleeper("crash-lock", 4);
    let first = spawn(&project, &["build", ".", "--no-cache"]);
    let deadline = Instant::now() + Duration::from_secs(60);
    while !processes_in(&project.dir)
        .iter()
        .any(|p| p.contains("sleep 4"))
    {
        assert!(
            Instant::now() < deadline,
            "the first build's program never started"
        );
        std::thread::sleep(Duration::from_millis(20));
    }
    let second = spawn(&project, &["build", ".", "--no-cache"]);
    let (first, second) = (finish(first), finish(second));
    first.assert_ok();
    second.assert_ok();
    assert!(
        second.stderr.contains("waiting for another xhost build of"),
        "{}",
        second.stderr
    );
    assert!(is_complete_release(&project.dist(), "1.0.0").is_ok());
}
