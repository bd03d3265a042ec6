//! Linux packages: `builtin:package` makes .deb, .rpm and .apk packages of hello-go's
//! linux targets, `builtin:package-sign` signs the .rpm and .apk with host-held keys,
//! and each format's own tools read them back: `dpkg-deb`, `lintian` and an install
//! with `dpkg --root` whose binary then runs; `rpm -qpi/-qpl`, `rpmkeys -K` against the
//! published certificate (and `gpg`, which imports it), `rpmlint`; and an independent
//! apk reader (Python's tarfile, `openssl dgst -verify`). Two builds give the same
//! bytes; bad settings are refused naming the setting, with `dist/` left as it was.

mod support;

use std::path::{Path, PathBuf};

use support::{Project, run_script, run_tool, snapshot};

const GIT: &str = "git -c user.name=t -c user.email=t@example.com";

const PACKAGE_STAGES: &str = r#"
[[stage]]
name = "packages"
plugin = "builtin:package"
grants = { source = true }
[stage.config]
maintainer = "Jane Doe <jane@example.com>"
description = "Says hello\nA small program that greets whoever runs it."
homepage = "https://example.com/hello"
license = "Apache-2.0"
vendor = "Example Inc."
depends = ["ca-certificates"]
conflicts = ["hello-legacy (<< 1.0)"]
provides = ["greeter"]
contents = [
  { src = "README.md", dst = "/usr/share/doc/hello/README.md", type = "doc" },
  { src = "packaging/hello.toml", dst = "/etc/hello/hello.toml", type = "config|noreplace" },
  { src = "packaging/check.sh", dst = "/usr/lib/hello/check", mode = "0755" },
  { dst = "/var/lib/hello", type = "dir", owner = "root", group = "adm" },
  { src = "hello", dst = "/usr/bin/hi", type = "symlink" },
]
scripts = { postinstall = "packaging/postinstall.sh", preremove = "packaging/preremove.sh" }

[[stage]]
name = "package-sign"
plugin = "builtin:package-sign"
grants = { signing = ["rpm", "apk"] }
[stage.config]
rpm = { key = "rpm", user_id = "Hello packages <jane@example.com>" }
apk = { key = "apk", key_name = "jane@example.com-1.rsa.pub" }
"#;

/// hello-go for three linux targets (and darwin, which gets no package), with the
/// package stages before its checksum stage, keys outside the project, committed.
fn packaged(name: &str, extra_config: &str) -> Project {
    let project = Project::from_example(name, "hello-go");
    project.set_targets(&["linux/amd64", "linux/arm64", "linux/arm/v7", "darwin/arm64"]);
    project.write("packaging/hello.toml", "greeting = \"hello\"\n");
    project.write("packaging/check.sh", "#!/bin/sh\nexec hello\n");
    project.write(
        "packaging/postinstall.sh",
        "#!/bin/sh\nset -e\necho \"hello: installed in ${DPKG_ROOT:-/}\"\n",
    );
    project.write(
        "packaging/preremove.sh",
        "#!/bin/sh\nset -e\necho \"hello: removed\"\n",
    );
    let keys = keys();
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let checksum = config.find("[[stage]]\nname = \"checksum\"").unwrap();
    let config = format!(
        "{}{PACKAGE_STAGES}\n{}\n[signing.keys.rpm]\nfile = \"{}\"\n\n[signing.keys.apk]\nfile = \"{}\"\n{extra_config}",
        &config[..checksum],
        &config[checksum..],
        keys.join("rpm.pem").display(),
        keys.join("apk.pem").display(),
    );
    project.write("xhost.toml", config);
    run_script(
        &project.dir,
        &format!("git init -q && git add -A && {GIT} commit -q -m init"),
    );
    project
}

/// An Ed25519 key (for RPM's OpenPGP signatures) and a P-256 key (for apk), made once.
fn keys() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("package-keys");
    if !dir.join("apk.pem").exists() {
        std::fs::create_dir_all(&dir).unwrap();
        run_script(
            &dir,
            "openssl genpkey -algorithm ed25519 -out rpm.pem 2>/dev/null\n\
             openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256 -out apk.pem 2>/dev/null",
        );
    }
    dir
}

#[test]
fn packages_are_read_back_by_each_formats_own_tools() {
    let project = packaged("packages", "");
    project.xhost(&["build", "."]).assert_ok();
    let dist = project.dist();
    let mut names: Vec<String> = std::fs::read_dir(&dist)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".deb") || n.ends_with(".rpm") || n.ends_with(".apk"))
        .collect();
    names.sort();
    assert_eq!(
        names,
        [
            "hello-1.0.0-1.aarch64.rpm",
            "hello-1.0.0-1.armv7hl.rpm",
            "hello-1.0.0-1.x86_64.rpm",
            "hello-1.0.0-r0.aarch64.apk",
            "hello-1.0.0-r0.armv7.apk",
            "hello-1.0.0-r0.x86_64.apk",
            "hello_1.0.0_amd64.deb",
            "hello_1.0.0_arm64.deb",
            "hello_1.0.0_armhf.deb",
        ],
        "one package per format and linux target, none for darwin"
    );
    run_tool("sha256sum", &["-c", "hello_1.0.0_checksums.txt"], &dist);
    let checksums = std::fs::read_to_string(dist.join("hello_1.0.0_checksums.txt")).unwrap();
    for name in &names {
        assert!(
            checksums.contains(name.as_str()),
            "{name} is not checksummed"
        );
    }
    check_deb(&dist);
    check_rpm(&dist);
    check_apk(&dist);
}

fn check_deb(dist: &Path) {
    let deb = "hello_1.0.0_amd64.deb";
    let info = run_tool("dpkg-deb", &["-I", deb], dist);
    for field in [
        " Package: hello\n",
        " Version: 1.0.0\n",
        " Architecture: amd64\n",
        " Maintainer: Jane Doe <jane@example.com>\n",
        " Depends: ca-certificates\n",
        " Conflicts: hello-legacy (<< 1.0)\n",
        " Provides: greeter\n",
        " Description: Says hello\n  A small program that greets whoever runs it.\n",
    ] {
        assert!(info.contains(field), "no {field:?} in:\n{info}");
    }
    assert!(
        info.contains("conffiles") && info.contains("postinst") && info.contains("prerm"),
        "{info}"
    );
    assert_eq!(
        run_tool("dpkg-deb", &["-f", deb, "Architecture"], dist).trim(),
        "amd64"
    );
    assert_eq!(
        run_tool(
            "dpkg-deb",
            &["-f", "hello_1.0.0_armhf.deb", "Architecture"],
            dist
        )
        .trim(),
        "armhf"
    );
    let listing = run_tool("dpkg-deb", &["-c", deb], dist);
    for line in [
        "-rwxr-xr-x root/root",
        "drwxr-xr-x root/adm ",
        " usr/bin/hello\n",
        " usr/lib/hello/check\n",
        " usr/bin/hi -> hello\n",
        " etc/hello/hello.toml\n",
        " var/lib/hello/\n",
        " usr/share/doc/hello/copyright\n",
        " usr/share/doc/hello/changelog.gz\n",
    ] {
        assert!(listing.contains(line), "no {line:?} in:\n{listing}");
    }
    let conffiles = run_script(
        dist,
        &format!("dpkg-deb --ctrl-tarfile {deb} | tar -xO conffiles"),
    );
    assert_eq!(conffiles, "/etc/hello/hello.toml\n");

    // Lintian: no errors (warnings, such as a missing manual page, are the project's).
    let lintian = std::process::Command::new("lintian")
        .args(["--tag-display-limit", "0", deb])
        .current_dir(dist)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&lintian.stdout);
    assert!(
        lintian.status.success() && !said.lines().any(|l| l.starts_with("E:")),
        "lintian found errors:\n{said}{}",
        String::from_utf8_lossy(&lintian.stderr)
    );

    // Installed into an empty root: files in place, the maintainer script ran, the binary runs.
    let root = tempfile::tempdir().unwrap();
    let installed = run_script(
        dist,
        &format!(
            "R={root}; mkdir -p $R/var/lib/dpkg/info $R/var/lib/dpkg/updates; touch $R/var/lib/dpkg/status\n\
             dpkg --root=$R --log=/dev/null --force-depends --force-script-chrootless -i {deb}\n\
             dpkg --root=$R -s hello | grep '^Status:'",
            root = root.path().display()
        ),
    );
    assert!(installed.contains("hello: installed in"), "{installed}");
    assert!(
        installed.contains("Status: install ok installed"),
        "{installed}"
    );
    let hello = run_tool(
        root.path().join("usr/bin/hello").to_str().unwrap(),
        &[],
        dist,
    );
    assert!(hello.to_lowercase().contains("hello"), "{hello}");
    assert_eq!(
        std::fs::read_link(root.path().join("usr/bin/hi")).unwrap(),
        Path::new("hello")
    );
    assert_eq!(
        std::fs::read_to_string(root.path().join("etc/hello/hello.toml")).unwrap(),
        "greeting = \"hello\"\n"
    );
}

fn check_rpm(dist: &Path) {
    let rpm = "hello-1.0.0-1.x86_64.rpm";
    let info = run_tool("rpm", &["-qpi", rpm], dist);
    for field in [
        "Name        : hello\n",
        "Version     : 1.0.0\n",
        "Release     : 1\n",
        "Architecture: x86_64\n",
        "License     : Apache-2.0\n",
        "Vendor      : Example Inc.\n",
        "Summary     : Says hello\n",
        "Signature   : EdDSA/SHA256",
    ] {
        assert!(info.contains(field), "no {field:?} in:\n{info}");
    }
    let files = run_tool("rpm", &["-qpl", rpm], dist);
    for file in [
        "/usr/bin/hello\n",
        "/usr/bin/hi\n",
        "/etc/hello/hello.toml\n",
        "/var/lib/hello\n",
        "/usr/lib/hello/check\n",
    ] {
        assert!(files.contains(file), "no {file} in:\n{files}");
    }
    assert!(
        !files.contains("/usr/bin\n"),
        "the package claims /usr/bin:\n{files}"
    );
    let owners = run_tool(
        "rpm",
        &[
            "-qp",
            "--qf",
            "[%{FILEUSERNAME}:%{FILEGROUPNAME} %{FILENAMES}\n]",
            rpm,
        ],
        dist,
    );
    assert!(owners.contains("root:adm /var/lib/hello\n"), "{owners}");
    let config = run_tool("rpm", &["-qpc", rpm], dist);
    assert_eq!(config, "/etc/hello/hello.toml\n");
    let requires = run_tool("rpm", &["-qp", "--requires", rpm], dist);
    assert!(requires.contains("ca-certificates\n"), "{requires}");
    let arm = run_tool(
        "rpm",
        &["-qp", "--qf", "%{ARCH}", "hello-1.0.0-1.armv7hl.rpm"],
        dist,
    );
    assert_eq!(arm, "armv7hl");

    // Digests check without the key; signatures with the certificate the stage published.
    let plain = run_tool("rpm", &["-K", "--nosignature", rpm], dist);
    assert!(plain.contains("digests OK"), "{plain}");
    let db_dir = tempfile::tempdir().unwrap();
    let db = db_dir.path().to_str().unwrap();
    run_tool(
        "rpmkeys",
        &["--dbpath", db, "--import", "RPM-GPG-KEY-hello"],
        dist,
    );
    let checked = run_tool("rpmkeys", &["--dbpath", db, "-K", rpm], dist);
    assert!(checked.contains("digests signatures OK"), "{checked}");
    let gpg = tempfile::tempdir().unwrap();
    let imported = run_script(
        dist,
        &format!(
            "GNUPGHOME={} gpg --batch --import RPM-GPG-KEY-hello 2>&1",
            gpg.path().display()
        ),
    );
    assert!(
        imported.contains("\"Hello packages <jane@example.com>\" imported"),
        "{imported}"
    );

    // rpmlint: no errors once told Go binaries are static by design, with the published
    // key in the rpm database it checks signatures against.
    let home = tempfile::tempdir().unwrap();
    std::fs::write(home.path().join(".rpmmacros"), format!("%_dbpath {db}\n")).unwrap();
    let filters = home.path().join("rpmlintrc");
    std::fs::write(&filters, "addFilter(\"statically-linked-binary\")\n").unwrap();
    let lint = std::process::Command::new("rpmlint")
        .args(["-r", filters.to_str().unwrap(), rpm])
        .env("HOME", home.path())
        .current_dir(dist)
        .output()
        .unwrap();
    let said = String::from_utf8_lossy(&lint.stdout);
    assert!(
        lint.status.success() && said.contains(" 0 errors"),
        "rpmlint found errors:\n{said}{}",
        String::from_utf8_lossy(&lint.stderr)
    );
}

fn check_apk(dist: &Path) {
    let checker = support::workspace().join("tests/support/apk_check.py");
    let read = run_tool(
        "python3",
        &[
            checker.to_str().unwrap(),
            "hello-1.0.0-r0.x86_64.apk",
            "jane@example.com-1.rsa.pub",
        ],
        dist,
    );
    let report: serde_json::Value = serde_json::from_str(&read).unwrap();
    assert_eq!(
        report["signature"],
        ".SIGN.RSA256.jane@example.com-1.rsa.pub"
    );
    assert_eq!(report["verified"], "Verified OK");
    assert_eq!(
        report["scripts"],
        serde_json::json!([".post-install", ".pre-deinstall"])
    );
    let info = &report["pkginfo"];
    assert_eq!(info["pkgname"][0], "hello");
    assert_eq!(info["pkgver"][0], "1.0.0-r0");
    assert_eq!(info["arch"][0], "x86_64");
    assert_eq!(
        info["depend"],
        serde_json::json!(["ca-certificates", "!hello-legacy<1.0"])
    );
    assert_eq!(info["provides"], serde_json::json!(["greeter"]));
    let file = |name: &str| {
        report["files"]
            .as_array()
            .unwrap()
            .iter()
            .find(|f| f["name"] == name)
            .unwrap_or_else(|| panic!("no {name} in {read}"))
            .clone()
    };
    assert_eq!(file("usr/bin/hello")["mode"], "0o755");
    assert_eq!(file("usr/bin/hi")["link"], "hello");
    assert_eq!(file("etc/hello/hello.toml")["mode"], "0o644");
    assert_eq!(file("var/lib/hello")["group"], "adm");
}

#[test]
fn two_builds_make_the_same_packages() {
    let project = packaged("packages-twice", "");
    project.set_targets(&["linux/amd64"]);
    run_script(&project.dir, &format!("{GIT} commit -q -am targets"));
    let packages = |project: &Project| {
        project.xhost(&["build", ".", "--no-cache"]).assert_ok();
        let mut found: Vec<(String, String)> = std::fs::read_dir(project.dist())
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| p.is_file() && !p.ends_with("artifacts.json"))
            .map(|p| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    support::sha256(&p),
                )
            })
            .collect();
        found.sort();
        found
    };
    let first = packages(&project);
    assert_eq!(
        first.len(),
        7,
        "deb, rpm, apk, two keys, archive, checksums: {first:?}"
    );
    assert_eq!(packages(&project), first, "a second build made other bytes");
}

#[test]
fn bad_package_settings_are_refused_by_name() {
    let project = packaged("packages-bad", "");
    project.set_targets(&["linux/amd64"]);
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    let seeded = project.seed_dist();
    let cases: [(&str, &str, &[&str]); 5] = [
        (
            "maintainer = \"Jane Doe <jane@example.com>\"",
            "maintainer = \"Jane Doe <jane@example.com>\"\ndeb = { arch = \"x86-64\" }",
            &[
                "stage `packages`",
                "deb.arch `x86-64`: not an architecture dpkg knows",
            ],
        ),
        (
            "src = \"packaging/hello.toml\"",
            "src = \"packaging/missing.toml\"",
            &[
                "stage `packages`",
                "contents[1].src `packaging/missing.toml`: cannot read it from the project",
            ],
        ),
        (
            "version = \"1.0.0\"",
            "version = \"1.0.0-nightly\"",
            &[
                "stage `packages`",
                "version `1.0.0-nightly`",
                "apk's suffixes",
            ],
        ),
        (
            "maintainer = \"Jane Doe <jane@example.com>\"",
            "maintainer = \"Jane Doe <jane@example.com\"",
            &[
                "stage `packages`",
                "maintainer `Jane Doe <jane@example.com`: write it as `Name <address@example.com>`",
            ],
        ),
        (
            "rpm = { key = \"rpm\",",
            "rpm = { key = \"apk\",",
            &["stage `package-sign`", "rpm.key `apk` is a P-256 key"],
        ),
    ];
    for (from, to, needles) in cases {
        assert!(config.contains(from), "{from}");
        project.write("xhost.toml", config.replacen(from, to, 1));
        project.xhost(&["build", "."]).assert_fails_with(needles);
        assert_eq!(
            snapshot(&project.dist()),
            seeded,
            "dist/ changed after: {to}"
        );
    }
}

#[test]
fn targets_sharing_a_package_architecture_keep_apart() {
    // arm v6 and v7 are both `armhf` to dpkg; amd64 v1 and v3 both `amd64`.
    let project = packaged("packages-variants", "");
    project.set_targets(&[
        "linux/arm/v6",
        "linux/arm/v7",
        "linux/amd64",
        "linux/amd64/v3",
    ]);
    project.xhost(&["build", "."]).assert_ok();
    let dist = project.dist();
    for (deb, arch) in [
        ("hello_1.0.0_armhf_v6.deb", "armhf"),
        ("hello_1.0.0_armhf_v7.deb", "armhf"),
        ("hello_1.0.0_amd64.deb", "amd64"),
        ("hello_1.0.0_amd64_v3.deb", "amd64"),
    ] {
        assert_eq!(
            run_tool("dpkg-deb", &["-f", deb, "Architecture"], &dist).trim(),
            arch
        );
    }
    // rpm names arm v6 and v7 apart itself.
    for rpm in ["hello-1.0.0-1.armv6hl.rpm", "hello-1.0.0-1.armv7hl.rpm"] {
        assert!(dist.join(rpm).is_file(), "no {rpm}");
    }
}
