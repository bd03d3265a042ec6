//! `xhost plugin new`: writes a standalone plugin project that builds as it is, from
//! templates and the SDK and contract embedded in this binary.
//!
//! Rust projects vendor the SDK (with the contract in `xhost-plugin-sdk/wit/`) so they
//! build anywhere without this repository; Python and JavaScript projects carry the
//! contract in `wit/`.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};

use crate::runtime::contract;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    Rust,
    Python,
    Js,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum World {
    Plugin,
    ToolPlugin,
    SignerPlugin,
}

impl World {
    pub fn name(self) -> &'static str {
        match self {
            World::Plugin => "plugin",
            World::ToolPlugin => "tool-plugin",
            World::SignerPlugin => "signer-plugin",
        }
    }
}

/// The componentize-py release the Python template is written and tested against.
pub const COMPONENTIZE_PY: &str = "0.25.1";

/// The ComponentizeJS release the JavaScript template is written and tested against,
/// the jco it is pinned to (whose WIT for WASI it builds against), and the WASI version
/// the engine of that release imports.
pub const COMPONENTIZE_JS: &str = "0.23.0";
pub const JCO: &str = "1.35.0";
pub const JS_WASI: &str = "0.2.12";
/// The wizer ComponentizeJS depends on, which build.mjs runs through its own wrapper.
pub const WIZER: &str = "10.0.0";

/// The contract, as shipped with every scaffold.
pub const WIT: &[(&str, &str)] = &[
    ("types.wit", include_str!("../../wit/types.wit")),
    ("stage.wit", include_str!("../../wit/stage.wit")),
    ("log.wit", include_str!("../../wit/log.wit")),
    ("exec.wit", include_str!("../../wit/exec.wit")),
    ("signing.wit", include_str!("../../wit/signing.wit")),
    ("worlds.wit", include_str!("../../wit/worlds.wit")),
];

/// The Rust SDK's sources.
pub const SDK: &[(&str, &str)] = &[
    ("lib.rs", include_str!("../../plugins/sdk/src/lib.rs")),
    ("exec.rs", include_str!("../../plugins/sdk/src/exec.rs")),
    ("files.rs", include_str!("../../plugins/sdk/src/files.rs")),
    ("log.rs", include_str!("../../plugins/sdk/src/log.rs")),
    (
        "signing.rs",
        include_str!("../../plugins/sdk/src/signing.rs"),
    ),
    ("types.rs", include_str!("../../plugins/sdk/src/types.rs")),
];

struct File {
    path: PathBuf,
    text: String,
    executable: bool,
}

/// Creates `parent/name` with a plugin project; returns its directory.
pub fn create(parent: &Path, name: &str, lang: Lang, world: World) -> Result<PathBuf> {
    check_plugin_name(name)?;
    let dir = parent.join(name);
    if dir.exists() {
        bail!(
            "{} already exists; choose another name or directory",
            dir.display()
        );
    }
    let files = match lang {
        Lang::Rust => rust_files(world),
        Lang::Python => python_files(world),
        Lang::Js => js_files(world),
    };
    let fill = |text: &str| {
        text.replace("__NAME__", name)
            .replace("__CRATE__", &name.replace('-', "_"))
            .replace("__WORLD__", world.name())
            .replace("__CONTRACT__", contract::CURRENT.as_str())
            .replace("__XHOST_VERSION__", env!("CARGO_PKG_VERSION"))
            .replace("__COMPONENTIZE_PY__", COMPONENTIZE_PY)
            .replace("__COMPONENTIZE_JS__", COMPONENTIZE_JS)
            .replace("__JCO__", JCO)
            .replace("__WIZER__", WIZER)
            .replace("__PRELOAD__\n", include_str!("../templates/preload.sh"))
            .replace("__WASI__", JS_WASI)
    };
    for file in files {
        let path = dir.join(&file.path);
        std::fs::create_dir_all(path.parent().expect("files live in directories"))
            .with_context(|| format!("creating {}", path.display()))?;
        std::fs::write(&path, fill(&file.text))
            .with_context(|| format!("writing {}", path.display()))?;
        if file.executable {
            use std::os::unix::fs::PermissionsExt;
            std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755))?;
        }
    }
    Ok(dir)
}

fn rust_files(world: World) -> Vec<File> {
    let extra_deps = match world {
        World::SignerPlugin => "base64 = \"0.22\"\n",
        _ => "",
    };
    let mut files = vec![
        file(
            "Cargo.toml",
            &include_str!("../templates/rust/Cargo.toml").replace("__EXTRA_DEPS__\n", extra_deps),
        ),
        file("README.md", include_str!("../templates/rust/README.md")),
        file(".gitignore", "/target\n"),
        file("src/lib.rs", rust_lib(world)),
        script("test.sh", &test_script(world, RUST_BUILD)),
        file(
            "xhost-plugin-sdk/Cargo.toml",
            include_str!("../templates/rust/sdk-Cargo.toml"),
        ),
    ];
    files.extend(
        SDK.iter()
            .map(|(name, text)| file(&format!("xhost-plugin-sdk/src/{name}"), text)),
    );
    files.extend(
        WIT.iter()
            .map(|(name, text)| file(&format!("xhost-plugin-sdk/wit/{name}"), text)),
    );
    files
}

fn python_files(world: World) -> Vec<File> {
    let mut files = vec![
        file("app.py", python_app(world)),
        file("README.md", include_str!("../templates/python/README.md")),
        file(".gitignore", "/*.wasm\n__pycache__/\n"),
        script("build.sh", include_str!("../templates/python/build.sh")),
        file("deterministic.c", DETERMINISTIC),
        script("test.sh", &test_script(world, PYTHON_BUILD)),
    ];
    files.extend(
        WIT.iter()
            .map(|(name, text)| file(&format!("wit/{name}"), text)),
    );
    files
}

fn js_files(world: World) -> Vec<File> {
    let mut files = vec![
        file("app.js", js_app(world)),
        file("files.js", include_str!("../templates/js/files.js")),
        file("package.json", include_str!("../templates/js/package.json")),
        file("build.mjs", include_str!("../templates/js/build.mjs")),
        file("README.md", include_str!("../templates/js/README.md")),
        file(".gitignore", "/*.wasm\n/node_modules/\n"),
        file("wit/js.wit", include_str!("../templates/js/js.wit")),
        script("build.sh", include_str!("../templates/js/build.sh")),
        file("deterministic.c", DETERMINISTIC),
        script("test.sh", &test_script(world, PYTHON_BUILD)),
    ];
    files.extend(
        WIT.iter()
            .map(|(name, text)| file(&format!("wit/{name}"), text)),
    );
    files
}

/// Preloaded into componentize-py and wizer by the Python and JavaScript scaffolds'
/// build.sh, so what the pre-initialised guest sees of the machine is constant.
const DETERMINISTIC: &str = include_str!("../templates/deterministic.c");

// Where cargo puts it: the project's target/, or CARGO_TARGET_DIR when set.
const RUST_BUILD: &str = "cargo build --target wasm32-wasip2 --release\nwasm=${CARGO_TARGET_DIR:-target}/wasm32-wasip2/release/__CRATE__.wasm";
// Python's and JavaScript's build.sh both write <name>.wasm.
const PYTHON_BUILD: &str = "./build.sh\nwasm=__NAME__.wasm";

fn test_script(world: World, build: &str) -> String {
    let template = match world {
        World::Plugin => include_str!("../templates/test-plugin.sh"),
        World::ToolPlugin => include_str!("../templates/test-tool-plugin.sh"),
        World::SignerPlugin => include_str!("../templates/test-signer-plugin.sh"),
    };
    template.replace("__BUILD__", build)
}

fn rust_lib(world: World) -> &'static str {
    match world {
        World::Plugin => include_str!("../templates/rust/lib_plugin.rs"),
        World::ToolPlugin => include_str!("../templates/rust/lib_tool-plugin.rs"),
        World::SignerPlugin => include_str!("../templates/rust/lib_signer-plugin.rs"),
    }
}

fn python_app(world: World) -> &'static str {
    match world {
        World::Plugin => include_str!("../templates/python/app_plugin.py"),
        World::ToolPlugin => include_str!("../templates/python/app_tool-plugin.py"),
        World::SignerPlugin => include_str!("../templates/python/app_signer-plugin.py"),
    }
}

fn js_app(world: World) -> &'static str {
    match world {
        World::Plugin => include_str!("../templates/js/app_plugin.js"),
        World::ToolPlugin => include_str!("../templates/js/app_tool-plugin.js"),
        World::SignerPlugin => include_str!("../templates/js/app_signer-plugin.js"),
    }
}

fn file(path: &str, text: &str) -> File {
    File {
        path: PathBuf::from(path),
        text: text.to_string(),
        executable: false,
    }
}

fn script(path: &str, text: &str) -> File {
    File {
        executable: true,
        ..file(path, text)
    }
}

/// Plugin names become crate, file and stage names.
fn check_plugin_name(name: &str) -> Result<()> {
    let ok = name.len() <= 64
        && name.starts_with(|c: char| c.is_ascii_lowercase())
        && name
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !name.ends_with('-');
    if !ok {
        bail!(
            "`{name}` is not a plugin name: use lowercase letters, digits and `-`, starting with a letter (like `size-report`)"
        );
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names_in(dir: &str, extension: &str) -> Vec<String> {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
        let mut names: Vec<String> = std::fs::read_dir(path)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(extension))
            .collect();
        names.sort();
        names
    }

    #[test]
    fn every_contract_and_sdk_file_is_embedded() {
        let mut wit: Vec<String> = WIT.iter().map(|(n, _)| n.to_string()).collect();
        wit.sort();
        assert_eq!(
            wit,
            names_in("../wit", ".wit"),
            "add the new WIT file to scaffold::WIT"
        );
        let mut sdk: Vec<String> = SDK.iter().map(|(n, _)| n.to_string()).collect();
        sdk.sort();
        assert_eq!(
            sdk,
            names_in("../plugins/sdk/src", ".rs"),
            "add the new SDK file to scaffold::SDK"
        );
    }

    #[test]
    fn vendored_sdk_uses_the_workspace_dependency_versions() {
        let workspace: toml::Table = toml::from_str(include_str!("../../Cargo.toml")).unwrap();
        let deps = workspace["workspace"]["dependencies"].as_table().unwrap();
        let template: toml::Table =
            toml::from_str(include_str!("../templates/rust/sdk-Cargo.toml")).unwrap();
        let version = |v: &toml::Value| match v {
            toml::Value::String(s) => s.clone(),
            other => other["version"].as_str().unwrap().to_string(),
        };
        for (name, spec) in template["dependencies"].as_table().unwrap() {
            assert_eq!(
                version(spec),
                version(&deps[name]),
                "{name} differs from the workspace's"
            );
        }
    }

    #[test]
    fn javascript_scaffolds_fill_every_placeholder_and_pin_their_tools() {
        let tmp = tempfile::tempdir().unwrap();
        for world in [World::Plugin, World::ToolPlugin, World::SignerPlugin] {
            let dir = create(tmp.path(), &format!("js-{}", world.name()), Lang::Js, world).unwrap();
            for file in [
                "app.js",
                "files.js",
                "package.json",
                "build.mjs",
                "wit/js.wit",
                "test.sh",
                "build.sh",
            ] {
                let text = std::fs::read_to_string(dir.join(file)).unwrap();
                for placeholder in [
                    "__NAME__",
                    "__WORLD__",
                    "__CONTRACT__",
                    "__WASI__",
                    "__JCO__",
                    "__COMPONENTIZE_JS__",
                    "__WIZER__",
                    "__PRELOAD__",
                ] {
                    assert!(!text.contains(placeholder), "{file}: {placeholder}");
                }
            }
            let package: serde_json::Value =
                serde_json::from_slice(&std::fs::read(dir.join("package.json")).unwrap()).unwrap();
            assert_eq!(
                package["devDependencies"]["@bytecodealliance/componentize-js"],
                COMPONENTIZE_JS
            );
            assert_eq!(package["overrides"]["@bytecodealliance/jco"], JCO);
            assert_eq!(package["devDependencies"]["@bytecodealliance/wizer"], WIZER);
            let build = std::fs::read_to_string(dir.join("build.mjs")).unwrap();
            assert!(
                build.contains(&format!("worldName: 'js-{}'", world.name())),
                "{build}"
            );
        }
    }

    #[test]
    fn names_are_checked_and_directories_never_overwritten() {
        let tmp = tempfile::tempdir().unwrap();
        assert!(create(tmp.path(), "Bad_Name", Lang::Rust, World::Plugin).is_err());
        let dir = create(tmp.path(), "size-report", Lang::Rust, World::Plugin).unwrap();
        let cargo = std::fs::read_to_string(dir.join("Cargo.toml")).unwrap();
        assert!(cargo.contains("name = \"size-report\""), "{cargo}");
        let test = std::fs::read_to_string(dir.join("test.sh")).unwrap();
        assert!(
            test.contains("${CARGO_TARGET_DIR:-target}/wasm32-wasip2/release/size_report.wasm"),
            "{test}"
        );
        assert!(!test.contains("__"), "unfilled placeholder:\n{test}");
        assert!(dir.join("xhost-plugin-sdk/wit/worlds.wit").is_file());
        assert!(
            create(tmp.path(), "size-report", Lang::Rust, World::Plugin)
                .unwrap_err()
                .to_string()
                .contains("already exists")
        );
    }
}
