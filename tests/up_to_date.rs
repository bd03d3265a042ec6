//! A no-change `xhost build` finds the last release still in place before planning
//! anything, prints what the build printed and leaves `dist/` untouched; every change
//! that could alter the release (an edit, even within the same second, a commit, the
//! environment, a damaged `dist/`, `--no-cache`) builds again.

mod support;

use std::time::Duration;

use support::{Project, Run, run_script, snapshot};

const UNCHANGED: &str = "unchanged: nothing it was built from changed";
const GIT: &str = "git -c user.name=t -c user.email=t@example.com";

fn build(project: &Project, extra: &[&str]) -> Run {
    // `-v` says why a build was not found unchanged.
    let mut args = vec!["-v", "build", ".", "--target", "linux/amd64"];
    args.extend(extra);
    // Under a group-writable umask, as on many desktops: the check compares every
    // published file's mode, so xhost must set each one whatever the umask.
    let umask = ["sh", "-c", "umask 002 && exec \"$0\" \"$@\""].map(String::from);
    let run = project.xhost_via(&umask, &args, &[]);
    run.assert_ok();
    run
}

fn assert_unchanged(run: &Run, first: &Run) {
    assert!(run.stderr.contains(UNCHANGED), "{}", run.stderr);
    assert_eq!(run.stdout, first.stdout, "not what the build printed");
}

/// `run` built, for the reason (printed with `-v`) that contains `why`.
fn assert_built(run: &Run, what: &str, why: &str) {
    let told = run
        .stderr
        .lines()
        .find_map(|line| line.strip_prefix("xhost: building: "));
    assert!(
        !run.stderr.contains(UNCHANGED)
            && run.stderr.contains("(action cache: ")
            && told.is_some_and(|told| told.contains(why)),
        "{what}: {}",
        run.stderr
    );
}

/// Git's refs are trusted by their stamps only once older than the racy window.
fn settle() {
    std::thread::sleep(Duration::from_millis(2100));
}

#[test]
fn an_unchanged_release_is_found_and_every_change_builds_again() {
    let project = Project::from_example("up-to-date", "hello-go");
    run_script(
        &project.dir,
        &format!("git init -q && git add -A && {GIT} commit -q -m init"),
    );
    settle();
    let first = build(&project, &[]);
    assert_built(&first, "the first build", "");
    let published = snapshot(&project.dist());

    // Right after the build: its fresh outputs are checked by content.
    let second = build(&project, &[]);
    assert_unchanged(&second, &first);
    assert_eq!(snapshot(&project.dist()), published, "dist/ was touched");

    // A touch changes no content.
    let main = project.path("internal/greeting/greeting.go");
    let source = std::fs::read_to_string(&main).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&main)
        .unwrap()
        .set_modified(std::time::SystemTime::now())
        .unwrap();
    assert_unchanged(&build(&project, &[]), &first);

    // An edit right after a build (same second, same size) builds again.
    let edited = source.replacen("Hello", "Hallo", 1);
    assert_ne!(edited, source);
    std::fs::write(&main, edited).unwrap();
    assert_built(&build(&project, &[]), "an edit", "the source tree changed");
    std::fs::write(&main, &source).unwrap();
    assert_built(
        &build(&project, &[]),
        "the edit undone",
        "the source tree changed",
    );
    let again = build(&project, &[]);
    assert_unchanged(&again, &first);

    // Another environment, other options.
    assert_built(
        &project.xhost_with(
            &["-v", "build", ".", "--target", "linux/amd64"],
            &[("RELEASE_NOTE", "x")],
        ),
        "another environment",
        "the environment changed",
    );
    assert_built(
        &build(&project, &["--no-cache"]),
        "--no-cache",
        "--no-cache",
    );
    assert_built(
        &project.xhost(&["-v", "build", ".", "--target", "linux/arm64"]),
        "other targets",
        "the command's options changed",
    );
    assert_built(
        &build(&project, &[]),
        "back to linux/amd64",
        "the command's options changed",
    );

    // A damaged dist/ is published again, whole.
    std::fs::write(project.dist().join("hello_linux_amd64/hello"), "damaged").unwrap();
    assert_built(
        &build(&project, &[]),
        "a damaged dist/",
        "is not as the last build published it",
    );
    assert_eq!(snapshot(&project.dist()).len(), published.len());
    support::run_tool(
        "sha256sum",
        &["-c", "hello_1.0.0_checksums.txt"],
        &project.dist(),
    );

    // A commit (the release records its commit) builds again, and so does another one
    // at once: git's files written within the racy window are checked by their content,
    // as git does, so a ref of the same size changed within a tick is noticed, and an
    // unchanged one lets the next build stop at once.
    let commit = format!("{GIT} commit -q --allow-empty -m next");
    run_script(&project.dir, &commit);
    assert_built(&build(&project, &[]), "a commit", "may have changed");
    run_script(&project.dir, &commit);
    assert_built(
        &build(&project, &[]),
        "a commit within the racy window",
        "may have changed",
    );
    let last = build(&project, &[]);
    assert!(last.stderr.contains(UNCHANGED), "{}", last.stderr);
}
