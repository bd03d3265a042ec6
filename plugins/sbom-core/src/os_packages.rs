//! The operating system packages a container image holds, read from its package
//! databases: Debian's (`var/lib/dpkg/status`, and the one-file-per-package
//! `var/lib/dpkg/status.d/` distroless images use) and Alpine's
//! (`lib/apk/db/installed`), named by `etc/os-release`. Each becomes a purl
//! (`pkg:deb/debian/libc6@2.36-9?arch=amd64&distro=debian-12`,
//! `pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=3.20.3`) and is added to the
//! binary's SPDX or CycloneDX document, which then describes the image.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::purl::encode;

/// Where package databases live in an image, relative to its root.
pub const DPKG_STATUS: &str = "var/lib/dpkg/status";
pub const DPKG_STATUS_DIR: &str = "var/lib/dpkg/status.d/";
pub const APK_INSTALLED: &str = "lib/apk/db/installed";
pub const OS_RELEASE: &[&str] = &["etc/os-release", "usr/lib/os-release"];

/// Whether the file at `path` (relative to the root) is one this module reads.
pub fn wanted(path: &str) -> bool {
    path == DPKG_STATUS
        || path == APK_INSTALLED
        || OS_RELEASE.contains(&path)
        || path.strip_prefix(DPKG_STATUS_DIR).is_some_and(|name| {
            !name.is_empty() && !name.contains('/') && !name.ends_with(".md5sums")
        })
}

/// One installed package.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OsPackage {
    pub name: String,
    pub version: String,
    pub arch: String,
    pub purl: String,
}

impl OsPackage {
    /// A package of type `kind` (`deb`, `apk`) from `namespace` (the distribution's
    /// id), its purl qualified by architecture and, when known, the distribution's
    /// release.
    fn new(
        kind: &str,
        namespace: &str,
        name: &str,
        version: &str,
        arch: &str,
        release: Option<&str>,
    ) -> OsPackage {
        let mut qualifiers = vec![format!("arch={}", encode(arch))];
        qualifiers.extend(release.map(|r| format!("distro={}", encode(r))));
        OsPackage {
            purl: format!(
                "pkg:{kind}/{}/{}@{}?{}",
                encode(namespace),
                encode(name),
                encode(version),
                qualifiers.join("&")
            ),
            name: name.to_string(),
            version: version.to_string(),
            arch: arch.to_string(),
        }
    }
}

/// The packages the databases among `files` (path relative to the root → content, as
/// the image's layers leave them) list as installed, sorted and without repeats.
pub fn read(files: &BTreeMap<String, Vec<u8>>) -> Vec<OsPackage> {
    let text = |path: &str| {
        files
            .get(path)
            .map(|b| String::from_utf8_lossy(b).into_owned())
    };
    let release = OS_RELEASE.iter().find_map(|p| text(p)).unwrap_or_default();
    let field = |name: &str| {
        release.lines().find_map(|line| {
            let value = line.strip_prefix(name)?.strip_prefix('=')?;
            Some(value.trim().trim_matches('"').to_string())
        })
    };
    let (id, version_id) = (field("ID"), field("VERSION_ID"));
    let mut packages = Vec::new();
    let dpkg = text(DPKG_STATUS).into_iter().chain(
        files
            .iter()
            .filter(|(path, _)| path.starts_with(DPKG_STATUS_DIR))
            .map(|(_, bytes)| String::from_utf8_lossy(bytes).into_owned()),
    );
    let distro = id.clone().unwrap_or_else(|| "debian".into());
    for database in dpkg {
        for stanza in stanzas(&database, ':') {
            // A package removed but with its configuration left is not installed.
            if stanza
                .get("Status")
                .is_some_and(|s| !s.ends_with(" installed"))
            {
                continue;
            }
            let (Some(name), Some(version)) = (stanza.get("Package"), stanza.get("Version")) else {
                continue;
            };
            let arch = stanza.get("Architecture").map_or("", String::as_str);
            let release = id
                .as_ref()
                .zip(version_id.as_ref())
                .map(|(i, v)| format!("{i}-{v}"));
            packages.push(OsPackage::new(
                "deb",
                &distro,
                name,
                version,
                arch,
                release.as_deref(),
            ));
        }
    }
    if let Some(database) = text(APK_INSTALLED) {
        for stanza in stanzas(&database, '\0') {
            let (Some(name), Some(version)) = (stanza.get("P"), stanza.get("V")) else {
                continue;
            };
            let arch = stanza.get("A").map_or("", String::as_str);
            let namespace = id.as_deref().unwrap_or("alpine");
            packages.push(OsPackage::new(
                "apk",
                namespace,
                name,
                version,
                arch,
                version_id.as_deref(),
            ));
        }
    }
    packages.sort_by(|a, b| a.purl.cmp(&b.purl));
    packages.dedup();
    packages
}

/// The blank-line-separated stanzas of a database: dpkg's `Field: value` lines (with
/// continuation lines, which are skipped), or apk's `K:value` lines (`separator` NUL:
/// the key is the one letter before the colon).
fn stanzas(text: &str, separator: char) -> Vec<BTreeMap<String, String>> {
    let mut all = Vec::new();
    for block in text.split("\n\n") {
        let mut fields = BTreeMap::new();
        for line in block.lines() {
            if line.starts_with([' ', '\t']) {
                continue;
            }
            let split = if separator == '\0' {
                line.split_at_checked(1)
                    .and_then(|(k, rest)| Some((k, rest.strip_prefix(':')?)))
            } else {
                line.split_once(separator)
            };
            if let Some((key, value)) = split {
                fields.insert(key.trim().to_string(), value.trim().to_string());
            }
        }
        if !fields.is_empty() {
            all.push(fields);
        }
    }
    all
}

/// `document` (SPDX 2.3 JSON from [`crate::spdx::document`]) with `packages` added,
/// each described by the document beside the binary: the image holds both.
pub fn add_to_spdx(document: &mut Value, packages: &[OsPackage]) {
    for (n, package) in packages.iter().enumerate() {
        let id = format!("SPDXRef-OsPackage-{}", n + 1);
        if let Some(list) = document["packages"].as_array_mut() {
            list.push(json!({
                "SPDXID": id,
                "name": package.name,
                "versionInfo": package.version,
                "downloadLocation": "NOASSERTION",
                "filesAnalyzed": false,
                "primaryPackagePurpose": "OPERATING-SYSTEM",
                "externalRefs": [{
                    "referenceCategory": "PACKAGE-MANAGER",
                    "referenceType": "purl",
                    "referenceLocator": package.purl,
                }],
            }));
        }
        if let Some(list) = document["relationships"].as_array_mut() {
            list.push(json!({
                "spdxElementId": "SPDXRef-DOCUMENT",
                "relationshipType": "DESCRIBES",
                "relatedSpdxElement": id,
            }));
        }
    }
}

/// `document` (CycloneDX 1.6 JSON from [`crate::cyclonedx::document`]) with
/// `packages` added as components.
pub fn add_to_cyclonedx(document: &mut Value, packages: &[OsPackage]) {
    if document["components"].is_null() {
        document["components"] = json!([]);
    }
    if let Some(list) = document["components"].as_array_mut() {
        for package in packages {
            list.push(json!({
                "type": "library",
                "bom-ref": package.purl,
                "name": package.name,
                "version": package.version,
                "purl": package.purl,
            }));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn files(entries: &[(&str, &str)]) -> BTreeMap<String, Vec<u8>> {
        entries
            .iter()
            .map(|(p, t)| (p.to_string(), t.as_bytes().to_vec()))
            .collect()
    }

    #[test]
    fn reads_dpkg_and_apk_databases() {
        let debian = files(&[
            (
                "etc/os-release",
                "PRETTY_NAME=\"Debian GNU/Linux 12 (bookworm)\"\nID=debian\nVERSION_ID=\"12\"\n",
            ),
            (
                DPKG_STATUS,
                "Package: libc6\nStatus: install ok installed\nArchitecture: amd64\nVersion: 2.36-9+deb12u9\nDescription: GNU C Library\n two lines\n\n\
                 Package: gone\nStatus: deinstall ok config-files\nArchitecture: amd64\nVersion: 1.0\n\n\
                 Package: tzdata\nStatus: install ok installed\nArchitecture: all\nVersion: 2024a-0+deb12u1\n",
            ),
            (
                "var/lib/dpkg/status.d/base-files",
                "Package: base-files\nVersion: 12.4+deb12u5\nArchitecture: amd64\n",
            ),
            ("var/lib/dpkg/status.d/base-files.md5sums", "x"),
        ]);
        let purls: Vec<String> = read(&debian).into_iter().map(|p| p.purl).collect();
        assert_eq!(
            purls,
            [
                "pkg:deb/debian/base-files@12.4%2Bdeb12u5?arch=amd64&distro=debian-12",
                "pkg:deb/debian/libc6@2.36-9%2Bdeb12u9?arch=amd64&distro=debian-12",
                "pkg:deb/debian/tzdata@2024a-0%2Bdeb12u1?arch=all&distro=debian-12",
            ]
        );
        let alpine = files(&[
            (
                "etc/os-release",
                "NAME=\"Alpine Linux\"\nID=alpine\nVERSION_ID=3.20.3\n",
            ),
            (
                APK_INSTALLED,
                "C:Q1abc=\nP:musl\nV:1.2.5-r0\nA:x86_64\n\nP:busybox\nV:1.36.1-r29\nA:x86_64\n",
            ),
        ]);
        let purls: Vec<String> = read(&alpine).into_iter().map(|p| p.purl).collect();
        assert_eq!(
            purls,
            [
                "pkg:apk/alpine/busybox@1.36.1-r29?arch=x86_64&distro=3.20.3",
                "pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=3.20.3",
            ]
        );
        assert!(read(&files(&[("etc/passwd", "root:x:0:0")])).is_empty());
        assert!(
            wanted("var/lib/dpkg/status.d/libc6") && !wanted("var/lib/dpkg/status.d/x.md5sums")
        );
    }
}
