//! An unvendored Go project built as most are: its modules downloaded once, by a fetch
//! stage granted the module proxy's host only, checked against go.sum by xhost, and
//! read offline by every compile. The proxy is a real one (`scripts/module-proxy`, the
//! GOPROXY protocol on 127.0.0.1) serving modules packed by the test; go.sum is the one
//! `go mod tidy` writes. A proxy serving other content is refused naming the module,
//! with nothing kept and `dist/` untouched; a stage without `net` reaches no proxy.

mod support;

use std::path::{Path, PathBuf};
use std::process::{Child, Command};
use std::time::{Duration, Instant};

use support::{Project, cache_dir, run_tool, snapshot, user_env, workspace};

/// `scripts/module-proxy serve`, stopped by PID when dropped.
struct Proxy {
    dir: PathBuf,
    port: u16,
    log: PathBuf,
    child: Child,
}

impl Proxy {
    /// A proxy over a fresh directory holding `example.com/colors/v2 v2.1.0` and
    /// `example.com/greet` v1.0.0 (which requires it) and v1.1.0.
    fn start(name: &str) -> Proxy {
        let root = Path::new(env!("CARGO_TARGET_TMPDIR"))
            .join("module-proxy")
            .join(name);
        let _ = std::fs::remove_dir_all(&root);
        let dir = root.join("modules");
        std::fs::create_dir_all(&dir).unwrap();
        pack(&root, &dir, "example.com/colors/v2", "v2.1.0", COLORS);
        for version in ["v1.0.0", "v1.1.0"] {
            pack(&root, &dir, "example.com/greet", version, GREET);
        }
        let (portfile, log) = (root.join("port"), root.join("requests.log"));
        let child = Command::new(module_proxy())
            .arg("serve")
            .args([&dir, &portfile, &log])
            .spawn()
            .unwrap();
        let started = Instant::now();
        while !portfile.exists() {
            assert!(
                started.elapsed() < Duration::from_secs(20),
                "proxy did not start"
            );
            std::thread::sleep(Duration::from_millis(20));
        }
        let port = std::fs::read_to_string(&portfile).unwrap();
        let port = port.lines().next().unwrap().parse().unwrap();
        std::fs::write(&log, "").unwrap();
        Proxy {
            dir,
            port,
            log,
            child,
        }
    }

    /// Runs `go` on `project` as its developer would, through this proxy.
    fn go(&self, project: &Project, args: &[&str]) {
        let output = user_env(Command::new("go").args(args).current_dir(&project.dir))
            .env("GOPROXY", self.url())
            .env("GOSUMDB", "off")
            .env("GOFLAGS", "-mod=mod -modcacherw")
            .env("GOMODCACHE", self.dir.parent().unwrap().join("gomodcache"))
            .output()
            .unwrap();
        assert!(
            output.status.success(),
            "go {args:?}: {}",
            String::from_utf8_lossy(&output.stderr)
        );
    }

    fn url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The request paths served so far, and forgets them.
    fn requests(&self) -> Vec<String> {
        let served = std::fs::read_to_string(&self.log).unwrap_or_default();
        std::fs::write(&self.log, "").unwrap();
        served.lines().map(String::from).collect()
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn module_proxy() -> PathBuf {
    workspace().join("scripts/module-proxy")
}

/// Files of a module version, `{module}` standing for its path.
type Files = &'static [(&'static str, &'static str)];

const COLORS: Files = &[
    ("go.mod", "module {module}\n\ngo 1.21\n"),
    (
        "colors.go",
        "// Package colors names colours.\npackage colors\n\n// Favourite is the one greetings wear.\nfunc Favourite() string { return \"blue\" }\n",
    ),
];

const GREET: Files = &[
    (
        "go.mod",
        "module {module}\n\ngo 1.21\n\nrequire example.com/colors/v2 v2.1.0\n",
    ),
    (
        "greet.go",
        "// Package greet greets.\npackage greet\n\nimport \"example.com/colors/v2\"\n\n// Hello greets name.\nfunc Hello(name string) string { return \"hello, \" + name + \", in \" + colors.Favourite() }\n",
    ),
];

/// Adds `module@version` made of `files` to the proxy directory `dir`.
fn pack(root: &Path, dir: &Path, module: &str, version: &str, files: Files) {
    let src = root.join("src").join(format!("{module}@{version}"));
    for (name, text) in files {
        let path = src.join(name);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text.replace("{module}", module)).unwrap();
    }
    let status = Command::new(module_proxy())
        .arg("pack")
        .args([src.as_os_str(), dir.as_os_str()])
        .args([module, version])
        .status()
        .unwrap();
    assert!(status.success());
}

/// A project requiring `example.com/greet v1.0.0`, its go.sum written by `go mod
/// tidy` through the proxy, and an `xhost.toml` whose `modules` stage fetches from it.
fn project(name: &str, proxy: &Proxy) -> Project {
    // Its developer's module cache is not xhost's.
    let project = Project::new(name);
    project.write("go.mod", "module example.com/fetchme\n\ngo 1.21\n");
    project.write(
        "main.go",
        "package main\n\nimport (\n\t\"fmt\"\n\n\t\"example.com/greet\"\n)\n\nfunc main() { fmt.Println(greet.Hello(\"xhost\")) }\n",
    );
    proxy.go(&project, &["get", "example.com/greet@v1.0.0"]);
    let sums = std::fs::read_to_string(project.path("go.sum")).unwrap();
    assert!(sums.contains("example.com/colors/v2 v2.1.0 h1:"), "{sums}");
    project.write("xhost.toml", config(proxy, ""));
    proxy.requests();
    project
}

fn config(proxy: &Proxy, extra: &str) -> String {
    format!(
        r#"[project]
name = "fetchme"
version = "1.0.0"

[build]
targets = ["linux/amd64", "linux/arm64"]

[[stage]]
name = "modules"
plugin = "builtin:go-mod"
grants = {{ exec = ["go"], source = true, net = ["127.0.0.1:{port}"] }}
[stage.config]
proxy = "{url}"
sumdb = "off"
{extra}

[[stage]]
name = "compile"
plugin = "builtin:go-build"
grants = {{ exec = ["go"], source = true }}

[[stage]]
name = "checksum"
plugin = "builtin:checksum"
"#,
        port = proxy.port,
        url = proxy.url(),
    )
}

/// [`config`] with an exec-probe stage `name`, granted `program` and the source,
/// between the compile and checksum stages; `probe` is its `[stage.config]`.
fn config_with_probe(proxy: &Proxy, name: &str, program: &str, probe: &str) -> String {
    let plugin = support::test_plugin("exec-probe");
    let stage = format!(
        "[[stage]]\nname = \"{name}\"\nplugin = \"{}\"\nsha256 = \"{}\"\n\
         grants = {{ exec = [\"{program}\"], source = true }}\n[stage.config]\n{probe}\n\n\
         [[stage]]\nname = \"checksum\"",
        plugin.display(),
        support::sha256(&plugin),
    );
    config(proxy, "").replace("[[stage]]\nname = \"checksum\"", &stage)
}

/// The progress line of stage `stage`.
fn line<'a>(said: &'a str, stage: &str) -> &'a str {
    said.lines()
        .find(|l| l.split_whitespace().nth(1) == Some(stage))
        .unwrap_or_else(|| panic!("no line for {stage}:\n{said}"))
}

/// Module caches left half-made in `project`'s area of the tests' cache.
fn partial_module_caches(project: &Project) -> Vec<PathBuf> {
    let root = project.dir.canonicalize().unwrap();
    let modules = xhost::cache_layout::CacheLayout::at(cache_dir())
        .project(&root)
        .modules();
    // Each caller built once before, so the area holds a module cache.
    std::fs::read_dir(&modules)
        .unwrap_or_else(|e| panic!("{}: {e}", modules.display()))
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "partial"))
        .collect()
}

#[test]
fn modules_are_fetched_once_checked_and_read_offline() {
    let proxy = Proxy::start("fetch-once");
    let project = project("gomod-fetch-once", &proxy);

    let run = project.xhost(&["build", "."]);
    run.assert_ok();
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(line(&said, "modules").contains(" ok "), "{said}");
    let requests = proxy.requests();
    for wanted in [
        "/example.com/greet/@v/v1.0.0.zip",
        "/example.com/colors/v2/@v/v2.1.0.zip",
    ] {
        assert!(
            requests.iter().any(|r| r == wanted),
            "{wanted} not in {requests:?}"
        );
    }
    // The binary runs, and Go recorded the modules with go.sum's hashes.
    let binary = project.dist().join("fetchme_linux_amd64/fetchme");
    let out = run_tool(binary.to_str().unwrap(), &[], &project.dir);
    assert_eq!(out, "hello, xhost, in blue\n");
    let info = run_tool(
        "go",
        &["version", "-m", binary.to_str().unwrap()],
        &project.dir,
    );
    let sums = std::fs::read_to_string(project.path("go.sum")).unwrap();
    for module in ["example.com/greet v1.0.0", "example.com/colors/v2 v2.1.0"] {
        let hash = sums
            .lines()
            .find(|l| l.starts_with(&format!("{module} h1:")))
            .unwrap()
            .split(' ')
            .nth(2)
            .unwrap();
        let (path, version) = module.split_once(' ').unwrap();
        assert!(
            info.contains(&format!("dep\t{path}\t{version}\t{hash}")),
            "{info}"
        );
    }
    run_tool(
        "sha256sum",
        &["-c", "fetchme_1.0.0_checksums.txt"],
        &project.dist(),
    );

    // Again, with a change to the program: compiled anew, nothing downloaded.
    project.write(
        "main.go",
        std::fs::read_to_string(project.path("main.go"))
            .unwrap()
            .replace("\"xhost\"", "\"again\""),
    );
    let run = project.xhost(&["build", "."]);
    run.assert_ok();
    let said = format!("{}{}", run.stdout, run.stderr);
    assert!(line(&said, "modules").contains(" cached "), "{said}");
    assert!(line(&said, "compile").contains(" ok "), "{said}");
    assert_eq!(proxy.requests(), Vec::<String>::new(), "downloaded again");
    let out = run_tool(binary.to_str().unwrap(), &[], &project.dir);
    assert_eq!(out, "hello, again, in blue\n");

    // A new go.sum (here: a dependency moved on) is a new download.
    proxy.go(&project, &["get", "example.com/greet@v1.1.0"]);
    proxy.requests();
    project.xhost(&["build", "."]).assert_ok();
    let requests = proxy.requests();
    assert!(
        requests
            .iter()
            .any(|r| r == "/example.com/greet/@v/v1.1.0.zip"),
        "{requests:?}"
    );
    let info = run_tool(
        "go",
        &["version", "-m", binary.to_str().unwrap()],
        &project.dir,
    );
    assert!(info.contains("dep\texample.com/greet\tv1.1.0\t"), "{info}");
    assert!(partial_module_caches(&project).is_empty());
}

#[test]
fn a_proxy_serving_other_content_is_refused_and_nothing_is_kept() {
    let proxy = Proxy::start("fetch-tampered");
    let project = project("gomod-fetch-tampered", &proxy);
    project.xhost(&["build", "."]).assert_ok();
    let before = snapshot(&project.dist());

    // The proxy now serves a different v2.1.0 of colors than go.sum records.
    let root = proxy.dir.parent().unwrap().to_path_buf();
    let _ = std::fs::remove_dir_all(root.join("src"));
    const EVIL: Files = &[
        ("go.mod", "module {module}\n\ngo 1.21\n"),
        (
            "colors.go",
            "package colors\n\nfunc Favourite() string { return \"red\" }\n",
        ),
    ];
    pack(&root, &proxy.dir, "example.com/colors/v2", "v2.1.0", EVIL);
    // New settings for the fetch: a download of its own.
    project.write(
        "xhost.toml",
        config(&proxy, "noproxy = \"private.example\""),
    );
    project.xhost(&["build", "."]).assert_fails_with(&[
        "stage `modules` (builtin:go-mod) failed",
        "example.com/colors/v2@v2.1.0",
        "checksum mismatch",
        "fix: the module proxy served content that differs from go.sum",
    ]);
    assert_eq!(snapshot(&project.dist()), before, "dist/ changed");
    assert!(partial_module_caches(&project).is_empty());
}

#[test]
fn a_stage_without_net_reaches_no_module_proxy() {
    let proxy = Proxy::start("fetch-no-net");
    let project = project("gomod-fetch-no-net", &proxy);
    // The compile-like stage asks Go for a version the fetch did not download, from
    // the proxy, naming it in GOPROXY.
    let probe = format!(
        "action = \"run\"\nprogram = \"go\"\n\
         args = [\"mod\", \"download\", \"example.com/greet@v1.1.0\"]\n\
         env = {{ GOPROXY = \"{}\", GOFLAGS = \"-mod=mod\" }}",
        proxy.url()
    );
    project.write(
        "xhost.toml",
        config_with_probe(&proxy, "sneak", "go", &probe),
    );
    let run = project.xhost(&["build", "."]);
    run.assert_fails_with(&["blocked: running go"]);
    // Go tried, and the sandbox stopped it (Landlock denies the connection; the
    // namespace has no route to the host's loopback either).
    assert!(
        run.stderr
            .contains(&format!("dial tcp 127.0.0.1:{}", proxy.port))
            && [
                "permission denied",
                "connection refused",
                "network is unreachable"
            ]
            .iter()
            .any(|why| run.stderr.contains(why)),
        "{}",
        run.stderr
    );
    let requests = proxy.requests();
    assert!(
        !requests.iter().any(|r| r.contains("v1.1.0")),
        "the proxy was reached: {requests:?}"
    );
}

#[test]
fn fetch_stages_that_cannot_work_are_refused_when_planned() {
    let project = Project::new("gomod-fetch-misplaced");
    project.write("main.go", "package main\n\nfunc main() {}\n");
    let stages = |first: &str| {
        format!(
            "[project]\nname = \"misplaced\"\nversion = \"1.0.0\"\n\n{first}\n\
             [[stage]]\nname = \"compile\"\nplugin = \"builtin:go-build\"\n\
             grants = {{ exec = [\"go\"], source = true }}\n"
        )
    };
    let fetch = "[[stage]]\nname = \"modules\"\nplugin = \"builtin:go-mod\"\n\
                 grants = { exec = [\"go\"], source = true, net = [\"proxy.golang.org\"] }\n";
    project.write("xhost.toml", stages(fetch));
    project.xhost(&["check", "."]).assert_fails_with(&[
        "stage `modules` (builtin:go-mod) is a fetch stage",
        "the project has no go.mod; remove the stage",
    ]);

    project.write("go.mod", "module example.com/misplaced\n\ngo 1.21\n");
    let consuming = "[[stage]]\nname = \"sums\"\nplugin = \"builtin:checksum\"\n\
                     grants = { net = [\"proxy.golang.org\"] }\n";
    project.write("xhost.toml", stages(consuming));
    let run = project.xhost(&["check", "."]);
    assert_eq!(run.code, Some(1), "{}", run.stderr);
    assert!(
        run.stderr
            .contains("stage `sums` (builtin:checksum) is a fetch stage")
            && run.stderr.contains("but it consumes artifacts"),
        "{}",
        run.stderr
    );
}

#[test]
fn programs_cannot_write_the_fetched_modules() {
    let proxy = Proxy::start("fetch-read-only");
    let project = project("gomod-fetch-read-only", &proxy);
    // A later stage's program finds the module cache among its mounts and tries to
    // replace a recorded hash, which Go would trust on the next build.
    let probe = r#"action = "script"
script = '''d=$(awk '$5 == "/xhost/modules" { print $5 }' /proc/self/mountinfo); test -n "$d" || { echo no module cache mounted >&2; exit 1; }; echo h1:forged= > "$d/cache/download/example.com/greet/@v/v1.0.0.ziphash"'''"#;
    project.write(
        "xhost.toml",
        config_with_probe(&proxy, "tamper", "sh", probe),
    );
    let run = project.xhost(&["build", "."]);
    // It found the cache mounted (else: "no module cache mounted"), and could not write.
    run.assert_fails_with(&[
        "blocked: the script",
        "/cache/download/example.com/greet/@v/v1.0.0.ziphash: Read-only file system",
    ]);
    let mut hashes = 0;
    for area in std::fs::read_dir(cache_dir().join("projects"))
        .unwrap()
        .flatten()
    {
        for cache in std::fs::read_dir(area.path().join("modules"))
            .into_iter()
            .flatten()
            .flatten()
        {
            let file = cache
                .path()
                .join("cache/download/example.com/greet/@v/v1.0.0.ziphash");
            if let Ok(hash) = std::fs::read_to_string(file) {
                assert!(
                    hash.starts_with("h1:") && !hash.contains("forged"),
                    "{hash}"
                );
                hashes += 1;
            }
        }
    }
    assert!(hashes > 0, "no fetched module cache found");
}
