//! A Go project's module files checked before anything is built: a stale vendor tree, a
//! go.sum missing a module, a directory outside the project that the sandbox would
//! hide. Each is an error naming the file and line with its fix, and `dist/` is left
//! as it was; Go itself agrees that what xhost refuses is broken. `grants.paths` mounts
//! an outside directory read-only, and a `go.work` member outside the project builds.

mod support;

use std::process::Command;

use support::{Project, copy_tree, snapshot, workspace};

/// `go` run on the project the way a user would, with the module proxy off.
fn go(project: &Project, args: &[&str]) -> (bool, String) {
    let output = support::user_env(Command::new("go").args(args).current_dir(&project.dir))
        .env("GOFLAGS", "")
        .env("GOPROXY", "off")
        .env("GOWORK", "off")
        .output()
        .unwrap();
    (
        output.status.success(),
        String::from_utf8_lossy(&output.stderr).into_owned(),
    )
}

fn hello_deps(name: &str) -> Project {
    Project::from_example(name, "hello-deps")
}

#[test]
fn a_stale_vendor_tree_is_refused_module_by_module() {
    let project = hello_deps("gomod-stale-vendor");
    let before = project.seed_dist();
    // go.mod moves on; vendor/ does not.
    let go_mod = std::fs::read_to_string(project.path("go.mod")).unwrap();
    project.write(
        "go.mod",
        go_mod.replace("example.com/strutil v0.3.1", "example.com/strutil v0.3.2"),
    );
    let (ok, said) = go(&project, &["build", "-mod=vendor", "./..."]);
    assert!(!ok && said.contains("inconsistent vendoring"), "go: {said}");

    for command in [["build", "."], ["check", "."]] {
        project.xhost(&command).assert_fails_with(&[
            "go.mod:7: requires example.com/strutil v0.3.2, but vendor/modules.txt:4 vendors example.com/strutil v0.3.1",
            "vendor/modules.txt:4: vendors example.com/strutil v0.3.1 as required (`## explicit`), but go.mod does not require it",
            "fix: run `go mod vendor` and commit vendor/",
        ]);
    }
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
}

#[test]
fn a_vendored_package_missing_is_refused() {
    let project = hello_deps("gomod-vendor-missing");
    let before = project.seed_dist();
    std::fs::remove_dir_all(project.path("vendor/example.com/strutil")).unwrap();
    let (ok, _) = go(&project, &["build", "./..."]);
    assert!(!ok, "go built without the vendored package");
    project.xhost(&["build", "."]).assert_fails_with(&[
        "vendor/modules.txt:6: lists package example.com/strutil (of example.com/strutil v0.3.1), but vendor/example.com/strutil is missing",
        "go mod vendor",
    ]);
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
}

#[test]
fn a_missing_go_sum_entry_is_refused_naming_the_module() {
    let project = hello_deps("gomod-missing-sum");
    let before = project.seed_dist();
    std::fs::remove_dir_all(project.path("vendor")).unwrap();
    // The module's go.mod hash stays; its zip hash goes.
    let sums = std::fs::read_to_string(project.path("go.sum")).unwrap();
    let kept: String = sums
        .lines()
        .filter(|l| l.contains("/go.mod"))
        .map(|l| format!("{l}\n"))
        .collect();
    project.write("go.sum", kept);
    let (ok, said) = go(&project, &["build", "-mod=readonly", "./..."]);
    assert!(!ok && said.contains("missing go.sum entry"), "go: {said}");
    project.xhost(&["check", "."]).assert_fails_with(&[
        "go.mod:7: requires example.com/strutil v0.3.1, but go.sum has no checksum of its zip",
        "fix: run `go mod tidy`",
    ]);
    project
        .xhost(&["build", "."])
        .assert_fails_with(&["go.mod:7", "go.sum"]);
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
}

/// A project whose `replace` points at a sibling directory, as in a monorepo.
fn monorepo(name: &str) -> (Project, std::path::PathBuf) {
    let project = Project::new(name);
    let lib = project.dir.with_file_name(format!("{name}-quotes"));
    let _ = std::fs::remove_dir_all(&lib);
    copy_tree(
        &workspace().join("examples/hello-deps/third_party/quotes"),
        &lib,
    );
    project.write(
        "go.mod",
        format!(
            "module example.com/mono\n\ngo 1.21\n\nrequire example.com/quotes v1.2.0\n\nreplace example.com/quotes => ../{name}-quotes\n"
        ),
    );
    project.write(
        "main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/quotes\"\n)\n\nfunc main() { fmt.Println(quotes.Of(1)) }\n",
    );
    (project, lib)
}

fn config(grants: &str) -> String {
    format!(
        "[project]\nname = \"mono\"\nversion = \"1.0.0\"\n\n[build]\nmain = \".\"\ntargets = [\"linux/amd64\"]\n\n[[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"go\"], source = true{grants} }}\n"
    )
}

#[test]
fn a_replace_outside_the_project_needs_a_paths_grant() {
    let (project, lib) = monorepo("gomod-outside");
    project.write("xhost.toml", config(""));
    let before = project.seed_dist();
    let run = project.xhost(&["build", "."]);
    run.assert_fails_with(&[
        "go.mod:7: `replace example.com/quotes => ../gomod-outside-quotes` reads",
        "outside the project, which the sandbox does not show stage `compile`",
        "grants.paths = [\"../gomod-outside-quotes\"]",
    ]);
    assert!(
        run.stderr.contains(&lib.display().to_string()),
        "{}",
        run.stderr
    );
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");

    // Granted, it builds, and the program runs.
    project.write(
        "xhost.toml",
        config(", paths = [\"../gomod-outside-quotes\"]"),
    );
    project.xhost(&["build", "."]).assert_ok();
    let binary = project.dist().join("mono_linux_amd64/mono");
    let out = Command::new(&binary).output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout).trim(),
        "make it work, make it right, make it fast"
    );
    let check = project.xhost(&["check", "."]);
    assert!(
        check
            .stdout
            .contains(&format!("paths {} (read-only)", lib.display())),
        "{}",
        check.stdout
    );

    // A directory that does not exist is named as such.
    std::fs::remove_dir_all(&lib).unwrap();
    project.write("xhost.toml", config(""));
    project
        .xhost(&["build", "."])
        .assert_fails_with(&["go.mod:7:", "which does not exist"]);
}

#[test]
fn a_go_work_member_outside_the_project_builds_when_granted() {
    let (project, _lib) = monorepo("gomod-work");
    // The workspace, not go.mod, points at the library.
    project.write(
        "go.mod",
        "module example.com/mono\n\ngo 1.21\n\nrequire example.com/quotes v1.2.0\n",
    );
    project.write(
        "go.work",
        "go 1.21\n\nuse (\n\t.\n\t../gomod-work-quotes\n)\n",
    );
    project.write("xhost.toml", config(""));
    project.xhost(&["build", "."]).assert_fails_with(&[
        "go.work:5: `use ../gomod-work-quotes` reads",
        "grants.paths",
    ]);
    project.write("xhost.toml", config(", paths = [\"../gomod-work-quotes\"]"));
    project.xhost(&["build", "."]).assert_ok();
}

#[test]
fn paths_grants_that_would_expose_too_much_are_refused() {
    let (project, _lib) = monorepo("gomod-paths-refused");
    for (grant, needle) in [
        ("..", "holds the project"),
        (".", "holds the project"),
        ("/", "holds the project"),
        ("./nope", "No such file"),
        ("main.go", "not a directory"),
    ] {
        project.write("xhost.toml", config(&format!(", paths = [\"{grant}\"]")));
        project
            .xhost(&["check", "."])
            .assert_fails_with(&[&format!("grants.paths `{grant}`"), needle]);
    }
}
