//! Debian packages: an `ar` archive of `debian-binary`, `control.tar.gz` (control,
//! md5sums, conffiles, maintainer scripts) and `data.tar.gz`, as `dpkg-deb --build`
//! lays it out. What Debian's policy asks of every package and the package's
//! description does not give is written too: `/usr/share/doc/<name>/copyright` and a
//! changelog, each unless the contents have one; every file under `/etc` is a
//! conffile; a statically linked executable (Go's, Rust's musl) gets Lintian's override,
//! since that is how those toolchains link.

use md5::{Digest, Md5};

use crate::tarball::{self, Options};
use crate::{Content, Kind, Package, Result, error, gzip, io, version};

/// What only a .deb has.
#[derive(Debug, Clone, Default)]
pub struct DebOptions {
    /// Lintian overrides, one per line, without the package name
    /// (`binary-without-manpage [usr/bin/hello]`).
    pub lintian_overrides: Vec<String>,
}

/// The package for `arch` (a Debian architecture name).
pub fn build(package: &Package, arch: &str, options: &DebOptions) -> Result<Vec<u8>> {
    package.check_text()?;
    check_name(&package.name)?;
    let version = version::deb(package)?;
    let mut contents = package.contents.clone();
    add_policy_files(package, &version, options, &mut contents)?;
    let entries = crate::paths::complete(&contents)?;

    let data = gzip(&tarball::tar(&entries, &tar_options(package.mtime))?)?;
    let control = control_archive(package, &version, arch, &entries)?;
    let mut out = ar::Builder::new(Vec::new());
    for (name, bytes) in [
        ("debian-binary", b"2.0\n".to_vec()),
        ("control.tar.gz", control),
        ("data.tar.gz", data),
    ] {
        let mut header = ar::Header::new(name.as_bytes().to_vec(), bytes.len() as u64);
        header.set_mtime(package.mtime);
        header.set_uid(0);
        header.set_gid(0);
        header.set_mode(0o100644);
        out.append(&header, bytes.as_slice()).map_err(io)?;
    }
    out.into_inner().map_err(io)
}

fn tar_options(mtime: u64) -> Options<'static> {
    Options {
        prefix: "./",
        mtime,
        pax: None,
        unterminated: false,
    }
}

/// Debian's package names: lower-case letters, digits and `+-.`, two or more,
/// starting with a letter or digit.
fn check_name(name: &str) -> Result<()> {
    let fine = name.len() >= 2
        && name.starts_with(|c: char| c.is_ascii_lowercase() || c.is_ascii_digit())
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || "+-.".contains(c));
    match fine {
        true => Ok(()),
        false => Err(error(format!(
            "package_name `{name}`: a Debian package name is two or more lower-case letters, digits and `+-.`, starting with a letter or digit"
        ))),
    }
}

/// The copyright file, the changelog and Lintian's overrides, where the contents do
/// not have them.
fn add_policy_files(
    package: &Package,
    version: &str,
    options: &DebOptions,
    contents: &mut Vec<Content>,
) -> Result<()> {
    let doc = format!("/usr/share/doc/{}", package.name);
    let has = |contents: &[Content], path: &str| contents.iter().any(|c| c.path == path);
    if !has(contents, &format!("{doc}/copyright")) {
        let copyright = copyright(package);
        contents.push(Content::file(
            format!("{doc}/copyright"),
            0o644,
            copyright.into_bytes(),
        ));
    }
    // A version with a revision is packaging of upstream's work: its log is Debian's.
    let changelog_name = match version.contains('-') {
        true => "changelog.Debian.gz",
        false => "changelog.gz",
    };
    if !contents
        .iter()
        .any(|c| c.path.starts_with(&format!("{doc}/changelog")))
    {
        let text = changelog(package, version)?;
        contents.push(Content::file(
            format!("{doc}/{changelog_name}"),
            0o644,
            gzip(text.as_bytes())?,
        ));
    }
    let mut overrides: Vec<String> = contents
        .iter()
        .filter(|c| c.data().is_some_and(crate::is_static_elf))
        .map(|c| {
            format!(
                "statically-linked-binary [{}]",
                c.path.trim_start_matches('/')
            )
        })
        .collect();
    overrides.extend(options.lintian_overrides.iter().cloned());
    let overrides_path = format!("/usr/share/lintian/overrides/{}", package.name);
    if !overrides.is_empty() && !has(contents, &overrides_path) {
        let text: String = overrides
            .iter()
            .map(|o| format!("{}: {o}\n", package.name))
            .collect();
        contents.push(Content::file(overrides_path, 0o644, text.into_bytes()));
    }
    Ok(())
}

/// A machine-readable copyright file (DEP-5) from the package's license and vendor.
fn copyright(package: &Package) -> String {
    let mut text = String::from(
        "Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/\n",
    );
    text += &format!("Upstream-Name: {}\n", package.name);
    if let Some(homepage) = &package.homepage {
        text += &format!("Source: {homepage}\n");
    }
    let holder = package.vendor.as_deref().unwrap_or(&package.maintainer);
    let license = package.license.as_deref().unwrap_or("unknown");
    text += &format!("\nFiles: *\nCopyright: {holder}\nLicense: {license}\n");
    text
}

/// One Debian changelog entry for this version, dated at the package's time.
fn changelog(package: &Package, version: &str) -> Result<String> {
    let date = time::OffsetDateTime::from_unix_timestamp(package.mtime as i64)
        .ok()
        .and_then(|t| {
            t.format(&time::format_description::well_known::Rfc2822)
                .ok()
        })
        .ok_or_else(|| {
            error(format!(
                "the package time {} is out of range",
                package.mtime
            ))
        })?;
    Ok(format!(
        "{} ({version}) unstable; urgency=medium\n\n  * Release {}.\n\n -- {}  {date}\n",
        package.name, package.version, package.maintainer
    ))
}

fn control_archive(
    package: &Package,
    version: &str,
    arch: &str,
    entries: &[Content],
) -> Result<Vec<u8>> {
    let mut files = vec![tarball::control_file(
        "control",
        0o644,
        control(package, version, arch, entries).as_bytes(),
    )];
    files.push(tarball::control_file(
        "md5sums",
        0o644,
        md5sums(entries).as_bytes(),
    ));
    let conffiles: String = entries
        .iter()
        .filter(|c| {
            matches!(c.kind, Kind::File { .. }) && (c.is_config() || c.path.starts_with("/etc/"))
        })
        .map(|c| format!("{}\n", c.path))
        .collect();
    if !conffiles.is_empty() {
        files.push(tarball::control_file(
            "conffiles",
            0o644,
            conffiles.as_bytes(),
        ));
    }
    let scripts = &package.scripts;
    for (name, script) in [
        ("preinst", &scripts.preinstall),
        ("postinst", &scripts.postinstall),
        ("prerm", &scripts.preremove),
        ("postrm", &scripts.postremove),
    ] {
        if let Some(script) = script {
            files.push(tarball::control_file(name, 0o755, script.as_bytes()));
        }
    }
    files.sort_by(|a, b| a.path.cmp(&b.path));
    gzip(&tarball::tar(&files, &tar_options(package.mtime))?)
}

/// The `control` file.
fn control(package: &Package, version: &str, arch: &str, entries: &[Content]) -> String {
    let mut fields: Vec<(&str, String)> = vec![
        ("Package", package.name.clone()),
        ("Version", version.to_string()),
        ("Architecture", arch.to_string()),
        ("Maintainer", package.maintainer.clone()),
        ("Installed-Size", installed_size(entries).to_string()),
    ];
    for (field, relations) in [
        ("Depends", &package.depends),
        ("Recommends", &package.recommends),
        ("Suggests", &package.suggests),
        ("Conflicts", &package.conflicts),
        ("Replaces", &package.replaces),
        ("Provides", &package.provides),
    ] {
        if !relations.is_empty() {
            let list: Vec<String> = relations.iter().map(|r| r.deb()).collect();
            fields.push((field, list.join(", ")));
        }
    }
    fields.push((
        "Section",
        package.section.clone().unwrap_or_else(|| "utils".into()),
    ));
    fields.push((
        "Priority",
        package
            .priority
            .clone()
            .unwrap_or_else(|| "optional".into()),
    ));
    if let Some(homepage) = &package.homepage {
        fields.push(("Homepage", homepage.clone()));
    }
    let mut text: String = fields.iter().map(|(k, v)| format!("{k}: {v}\n")).collect();
    text += &format!("Description: {}\n", package.summary.trim());
    for line in package.description.trim_end().lines() {
        match line.trim().is_empty() {
            true => text += " .\n",
            false => text += &format!(" {line}\n"),
        }
    }
    text
}

/// Kibibytes the package takes once installed, as dpkg-gencontrol counts them: each
/// file rounded up, one for each directory and link.
fn installed_size(entries: &[Content]) -> u64 {
    entries
        .iter()
        .map(|c| match c.data() {
            Some(data) => (data.len() as u64).div_ceil(1024),
            None => 1,
        })
        .sum()
}

fn md5sums(entries: &[Content]) -> String {
    entries
        .iter()
        .filter_map(|c| {
            let data = c.data()?;
            let digest = Md5::digest(data);
            let hex: String = digest.iter().map(|b| format!("{b:02x}")).collect();
            Some(format!("{hex}  {}\n", c.path.trim_start_matches('/')))
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn hello() -> Package {
        Package {
            name: "hello".into(),
            version: "1.0.0".into(),
            maintainer: "Jane Doe <jane@example.com>".into(),
            summary: "Says hello".into(),
            description: "Says hello.\n\nTwice.".into(),
            contents: vec![Content::file(
                "/usr/bin/hello",
                0o755,
                b"#!/bin/sh\necho hi\n".to_vec(),
            )],
            mtime: 1_700_000_000,
            ..Package::default()
        }
    }

    #[test]
    fn the_control_file_has_debian_fields() {
        let p = hello();
        let entries = crate::paths::complete(&p.contents).unwrap();
        let text = control(&p, "1.0.0", "amd64", &entries);
        assert!(
            text.starts_with("Package: hello\nVersion: 1.0.0\nArchitecture: amd64\n"),
            "{text}"
        );
        assert!(
            text.ends_with("Description: Says hello\n Says hello.\n .\n Twice.\n"),
            "{text}"
        );
    }

    #[test]
    fn builds_are_byte_identical_and_names_are_checked() {
        let a = build(&hello(), "amd64", &DebOptions::default()).unwrap();
        assert_eq!(a, build(&hello(), "amd64", &DebOptions::default()).unwrap());
        assert!(a.starts_with(b"!<arch>\ndebian-binary   "));
        let mut bad = hello();
        bad.name = "Hello".into();
        let why = build(&bad, "amd64", &DebOptions::default()).unwrap_err().0;
        assert!(why.starts_with("package_name `Hello`"), "{why}");
    }
}
