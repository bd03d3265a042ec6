//! The plugin authoring kit, end to end with the real toolchains: scaffolds in Rust,
//! Python and JavaScript for every world, the out-of-tree example plugins in a real build, and the
//! refusal of a plugin built for another contract version.

mod support;

use std::path::{Path, PathBuf};

use support::registry::Registry;
use support::{Project, run_script, run_tool, sha256, workspace};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// Scaffolds, builds, inspects, pins and runs one Rust, one Python and one JavaScript
/// plugin in a real `xhost build`, then takes the same three from a registry by digest,
/// with an empty cache and then offline; then every scaffold's own test.sh passes
/// unchanged.
#[test]
fn scaffolded_plugins_build_inspect_pin_and_run_in_a_build() {
    let dir = scratch("kit-scaffolds");
    // One target directory for every Rust scaffold, as a user with CARGO_TARGET_DIR
    // set has: their dependencies are compiled once.
    let shared = dir.join("cargo-target");
    let with_shared = format!("export CARGO_TARGET_DIR={}\n", shared.display());
    run_script(
        &dir,
        &format!(
            "{with_shared}xhost plugin new rs-notes --lang rust\n\
             xhost plugin new py-notes --lang python\n\
             xhost plugin new js-notes --lang js\n\
             (cd rs-notes && cargo build --target wasm32-wasip2 --release)\n\
             (cd py-notes && ./build.sh)\n\
             (cd js-notes && ./build.sh)"
        ),
    );
    let rust = shared.join("wasm32-wasip2/release/rs_notes.wasm");
    let python = dir.join("py-notes/py-notes.wasm");
    let js = dir.join("js-notes/js-notes.wasm");

    // The Python and JavaScript builds are reproducible: the same scaffolds made and
    // built again in another directory give the same bytes.
    let again = scratch("kit-scaffolds-again");
    run_script(
        &again,
        "xhost plugin new py-notes --lang python\n\
         xhost plugin new js-notes --lang js",
    );
    std::os::unix::fs::symlink(
        dir.join("js-notes/node_modules"),
        again.join("js-notes/node_modules"),
    )
    .unwrap();
    let built = run_script(
        &again,
        "(cd py-notes && ./build.sh)\n(cd js-notes && ./build.sh)",
    );
    assert!(!built.contains("not reproducible"), "{built}");
    for name in ["py-notes", "js-notes"] {
        let wasm = format!("{name}/{name}.wasm");
        assert_eq!(
            sha256(&again.join(&wasm)),
            sha256(&dir.join(&wasm)),
            "{name} built to other bytes in {}",
            again.display()
        );
    }

    let project = Project::new("kit-project");
    project
        .write("go.mod", "module example.com/hello\n\ngo 1.21\n")
        .write(
            "main.go",
            "package main\n\nvar version = \"dev\"\n\nfunc main() { println(version) }\n",
        );
    let mut toml = String::from(
        "[project]\nname = \"hello\"\nversion = \"3.0.0\"\n\n[build]\ntargets = [\"linux/amd64\", \"windows/amd64\"]\n\n\
         [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\ngrants = { exec = [\"go\"], source = true }\n\n",
    );
    for wasm in [&rust, &python, &js] {
        let snippet = project.xhost(&[
            "plugin",
            "inspect",
            "--stage-snippet",
            wasm.to_str().unwrap(),
        ]);
        snippet.assert_ok();
        assert!(
            snippet
                .stdout
                .contains(&format!("sha256 = \"{}\"", sha256(wasm))),
            "{}",
            snippet.stdout
        );
        toml.push_str(&snippet.stdout);
        toml.push('\n');
    }
    project.write("xhost.toml", &toml);
    project.xhost(&["build", "."]).assert_ok();
    for name in ["rs-notes", "py-notes", "js-notes"] {
        let report =
            std::fs::read_to_string(project.dist().join(format!("hello_3.0.0_{name}.txt")))
                .unwrap();
        assert!(
            report.starts_with("Release inventory: hello 3.0.0\n"),
            "{name}: {report}"
        );
        for binary in ["hello_linux_amd64/hello", "hello_windows_amd64/hello.exe"] {
            let size = project.dist().join(binary).metadata().unwrap().len();
            assert!(
                report.contains(&format!("{size:>12}  {binary}\n")),
                "{name} lacks {binary} ({size}):\n{report}"
            );
        }
    }

    // The same two plugins published to a registry and taken by digest: a machine with
    // an empty cache fetches them, then builds again with the registry gone.
    let registry = Registry::start();
    let mut from_registry = toml.clone();
    for (wasm, name) in [
        (&rust, "rs-notes"),
        (&python, "py-notes"),
        (&js, "js-notes"),
    ] {
        let to = format!("oci://127.0.0.1:{}/kit/{name}:0.1.0", registry.port);
        let published = project.xhost(&["plugin", "publish", wasm.to_str().unwrap(), &to]);
        published.assert_ok();
        let reference = published.stdout.trim();
        let pinned = format!(
            "plugin = {:?}\nsha256 = \"{}\"\n",
            wasm.to_str().unwrap(),
            sha256(wasm)
        );
        assert!(from_registry.contains(&pinned), "{from_registry}");
        from_registry = from_registry.replace(&pinned, &format!("plugin = \"{reference}\"\n"));
    }
    let cache = tempfile::tempdir().unwrap();
    let env = [("XHOST_CACHE_DIR", cache.path().to_str().unwrap())];
    let by_digest = |name: &str| {
        let copy = Project::new(name);
        support::copy_tree(&project.dir, &copy.dir);
        std::fs::remove_dir_all(copy.dist()).unwrap();
        copy.write("xhost.toml", &from_registry);
        copy.xhost_with(&["build", "."], &env).assert_ok();
        for name in ["rs-notes", "py-notes", "js-notes"] {
            let file = format!("hello_3.0.0_{name}.txt");
            assert_eq!(
                std::fs::read(copy.dist().join(&file)).unwrap(),
                std::fs::read(project.dist().join(&file)).unwrap(),
                "{file}"
            );
        }
    };
    by_digest("kit-from-registry");
    registry.stop();
    by_digest("kit-from-registry-offline");

    for (lang, world) in [
        ("rust", "tool-plugin"),
        ("rust", "signer-plugin"),
        ("python", "tool-plugin"),
        ("python", "signer-plugin"),
        ("js", "tool-plugin"),
        ("js", "signer-plugin"),
    ] {
        run_script(
            &dir,
            &format!("xhost plugin new {lang}-{world} --lang {lang} --world {world}"),
        );
    }
    // The JavaScript scaffolds share js-notes' node_modules (ComponentizeJS is 386 MB):
    // its build.sh installs only when node_modules is missing.
    for world in ["tool-plugin", "signer-plugin"] {
        std::os::unix::fs::symlink(
            dir.join("js-notes/node_modules"),
            dir.join(format!("js-{world}/node_modules")),
        )
        .unwrap();
    }
    for name in [
        "rs-notes",
        "py-notes",
        "rust-tool-plugin",
        "rust-signer-plugin",
        "python-tool-plugin",
        "python-signer-plugin",
        "js-notes",
        "js-tool-plugin",
        "js-signer-plugin",
    ] {
        let output = run_script(&dir.join(name), &format!("{with_shared}./test.sh"));
        assert!(
            output.contains(&format!("ok: {name}")),
            "{name}/test.sh:\n{output}"
        );
    }
}

/// examples/plugins, built out of tree by examples/with-plugins/build-plugins and used
/// from (a copy of) that example's xhost.toml.
#[test]
fn example_plugins_run_in_a_real_build() {
    let example = workspace().join("examples/with-plugins");
    let project = Project::new("with-plugins");
    for file in ["go.mod", "main.go", "LICENSE", "xhost.toml"] {
        std::fs::copy(example.join(file), project.path(file)).unwrap();
    }
    // The copy lives elsewhere: point its plugin paths at the examples, then let the
    // example's own script build the plugins and pin them in the copy.
    let plugins = workspace().join("examples/plugins");
    let toml = std::fs::read_to_string(project.path("xhost.toml"))
        .unwrap()
        .replace("\"../plugins/", &format!("\"{}/", plugins.display()));
    project.write("xhost.toml", &toml);
    run_script(
        &project.dir,
        &format!("{}/build-plugins xhost.toml", example.display()),
    );
    let pinned = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    assert!(
        !pinned.contains(&"0".repeat(64)),
        "build-plugins left a pin unset:\n{pinned}"
    );

    let run = project.xhost(&["build", "."]);
    run.assert_ok();
    assert!(
        run.stderr.contains("release        license      ok"),
        "{}",
        run.stderr
    );
    let dist = project.dist();
    let sizes = std::fs::read_to_string(dist.join("greeter_2.1.0_sizes.txt")).unwrap();
    let mut total = 0;
    for binary in [
        "greeter_linux_amd64/greeter",
        "greeter_darwin_arm64/greeter",
        "greeter_windows_amd64/greeter.exe",
        "greeter_wasip1_wasm/greeter.wasm",
    ] {
        let size = dist.join(binary).metadata().unwrap().len();
        total += size;
        assert!(
            sizes.contains(&format!("{size:>12}  binary    {binary}\n")),
            "{binary} ({size}):\n{sizes}"
        );
    }
    assert!(sizes.ends_with(&format!("{total:>12}  total\n")), "{sizes}");
    let checked = run_tool(
        "sha256sum",
        &["--check", "--strict", "greeter_2.1.0_checksums.txt"],
        &dist,
    );
    assert!(checked.contains("greeter_2.1.0_sizes.txt: OK"), "{checked}");

    // license-check fails the build for a license outside the allow-list, or none.
    let before = support::snapshot(&dist);
    project.write("LICENSE", "                    GNU GENERAL PUBLIC LICENSE\n                       Version 3, 29 June 2007\n");
    project.xhost(&["build", "."]).assert_fails_with(&[
        "stage `license`",
        "LICENSE is GPL-3.0, which is not allowed (allowed: MIT, Apache-2.0, BSD-3-Clause)",
    ]);
    std::fs::remove_file(project.path("LICENSE")).unwrap();
    project
        .xhost(&["build", "."])
        .assert_fails_with(&["no license file in the source tree"]);
    assert_eq!(
        support::snapshot(&dist),
        before,
        "a failed check changed dist/"
    );
}

/// A plugin built against a changed contract version is refused, naming both versions.
#[test]
fn a_plugin_built_for_another_contract_version_is_refused() {
    let dir = scratch("kit-contract");
    run_script(&dir, "xhost plugin new future --lang python");
    let wit = dir.join("future/wit");
    for entry in std::fs::read_dir(&wit).unwrap() {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path)
            .unwrap()
            .replace("xhost:plugin@0.2.1", "xhost:plugin@0.3.0");
        std::fs::write(&path, text).unwrap();
    }
    run_script(&dir.join("future"), "./build.sh");
    let wasm = dir.join("future/future.wasm");

    let inspect =
        Project::new("kit-contract-inspect").xhost(&["plugin", "inspect", wasm.to_str().unwrap()]);
    inspect.assert_fails_with(&[
        "@0.3.0",
        "but this xhost implements xhost:plugin@0.2.1 (and still serves 0.1.0)",
    ]);
    assert!(
        inspect.stdout.contains(
            "contract    xhost:plugin@0.3.0 (this xhost implements xhost:plugin@0.2.1 (and still serves 0.1.0))"
        ),
        "{}",
        inspect.stdout
    );
    assert!(inspect.stdout.contains("NOT USABLE"), "{}", inspect.stdout);

    let project = Project::new("kit-contract-build");
    std::fs::copy(&wasm, project.path("future.wasm")).unwrap();
    project.write("go.mod", "module example.com/x\n\ngo 1.21\n");
    project.write(
        "xhost.toml",
        format!(
            "[project]\nname = \"x\"\nversion = \"1.0.0\"\n\n[[stage]]\nname = \"future\"\nplugin = \"future.wasm\"\nsha256 = \"{}\"\n",
            sha256(&wasm)
        ),
    );
    let before = project.seed_dist();
    project.xhost(&["build", "."]).assert_fails_with(&[
        "plugin future.wasm imports `xhost:plugin/",
        "@0.3.0`, but this xhost implements xhost:plugin@0.2.1 (and still serves 0.1.0)",
        "rebuild the plugin",
    ]);
    assert_eq!(support::snapshot(&project.dist()), before);
}
