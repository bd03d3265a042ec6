//! The project's version written as each format wants it. A pre-release (`1.2.3-rc.1`)
//! must sort before its release everywhere: `1.2.3~rc.1` for dpkg and rpm, `1.2.3_rc1`
//! for apk.

use crate::{Package, Result, error};

/// Debian's `[epoch:]upstream[-revision]`.
pub fn deb(package: &Package) -> Result<String> {
    let upstream = tilde_prerelease(&package.version);
    let plain = |c: char| c.is_ascii_alphanumeric() || ".+~".contains(c);
    if !upstream.starts_with(|c: char| c.is_ascii_digit()) || !upstream.chars().all(plain) {
        return Err(error(format!(
            "version `{}`: a Debian version starts with a digit and holds only letters, digits and `.+~-` (written `{upstream}` for dpkg)",
            package.version
        )));
    }
    let mut version = upstream;
    if let Some(release) = &package.release {
        if release.is_empty() || !release.chars().all(plain) {
            return Err(error(format!(
                "release `{release}`: a Debian revision holds only letters, digits and `.+~`"
            )));
        }
        version = format!("{version}-{release}");
    }
    if let Some(epoch) = package.epoch {
        version = format!("{epoch}:{version}");
    }
    Ok(version)
}

/// RPM's `Version` and `Release` (`1` unless set).
pub fn rpm(package: &Package) -> Result<(String, String)> {
    let version = tilde_prerelease(&package.version);
    let plain = |c: char| c.is_ascii_alphanumeric() || "._+~^".contains(c);
    if version.is_empty() || !version.chars().all(plain) {
        return Err(error(format!(
            "version `{}`: an RPM version holds only letters, digits and `._+~^` (written `{version}` for rpm)",
            package.version
        )));
    }
    let release = package.release.clone().unwrap_or_else(|| "1".into());
    if release.is_empty() || !release.chars().all(plain) {
        return Err(error(format!(
            "release `{release}`: an RPM release holds only letters, digits and `._+~^`"
        )));
    }
    Ok((version, release))
}

/// Alpine's `digits{.digits}[letter]{_suffix[digits]}-rN` (release `0` unless set).
pub fn apk(package: &Package) -> Result<String> {
    let (base, prerelease) = match package.version.split_once('-') {
        Some((base, pre)) => (base, Some(pre)),
        None => (package.version.as_str(), None),
    };
    let refuse = |why: &str| {
        error(format!(
            "version `{}`: {why}; Alpine versions are like `1.2.3`, `1.2.3a` or `1.2.3_rc1`",
            package.version
        ))
    };
    if base.contains('+') {
        return Err(refuse("an apk version has no build metadata (`+…`)"));
    }
    let numbers = base.trim_end_matches(|c: char| c.is_ascii_lowercase());
    if base.len() - numbers.len() > 1
        || numbers.is_empty()
        || !numbers
            .split('.')
            .all(|n| !n.is_empty() && n.chars().all(|c| c.is_ascii_digit()))
    {
        return Err(refuse("it does not start with numbers separated by dots"));
    }
    let mut version = base.to_string();
    if let Some(pre) = prerelease {
        let suffix: String = pre.chars().filter(|c| *c != '.').collect();
        let word = suffix.trim_end_matches(|c: char| c.is_ascii_digit());
        const SUFFIXES: [&str; 9] = ["alpha", "beta", "pre", "rc", "cvs", "svn", "git", "hg", "p"];
        if !SUFFIXES.contains(&word) {
            return Err(refuse(&format!(
                "the pre-release `{pre}` is not one of apk's suffixes ({})",
                SUFFIXES.join(", ")
            )));
        }
        version = format!("{version}_{suffix}");
    }
    let release = package.release.clone().unwrap_or_else(|| "0".into());
    if release.is_empty() || !release.chars().all(|c| c.is_ascii_digit()) {
        return Err(error(format!(
            "release `{release}`: an apk release is a number (written `-r{release}`)"
        )));
    }
    Ok(format!("{version}-r{release}"))
}

/// `1.2.3-rc.1` as `1.2.3~rc.1`: a semver pre-release sorts before its release.
fn tilde_prerelease(version: &str) -> String {
    version.replace('-', "~")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn package(version: &str, release: Option<&str>) -> Package {
        Package {
            version: version.into(),
            release: release.map(String::from),
            ..Package::default()
        }
    }

    #[test]
    fn versions_per_format() {
        let p = package("1.2.3", None);
        assert_eq!(deb(&p).unwrap(), "1.2.3");
        assert_eq!(rpm(&p).unwrap(), ("1.2.3".into(), "1".into()));
        assert_eq!(apk(&p).unwrap(), "1.2.3-r0");
        let p = package("1.2.3-rc.1", Some("2"));
        assert_eq!(deb(&p).unwrap(), "1.2.3~rc.1-2");
        assert_eq!(rpm(&p).unwrap(), ("1.2.3~rc.1".into(), "2".into()));
        assert_eq!(apk(&p).unwrap(), "1.2.3_rc1-r2");
        let mut p = package("2.0.0", None);
        p.epoch = Some(1);
        assert_eq!(deb(&p).unwrap(), "1:2.0.0");
    }

    #[test]
    fn bad_versions_name_the_field() {
        let why = deb(&package("v1.0", None)).unwrap_err().0;
        assert!(
            why.starts_with("version `v1.0`: a Debian version starts with a digit"),
            "{why}"
        );
        let why = rpm(&package("1.0", Some("1-2"))).unwrap_err().0;
        assert!(why.starts_with("release `1-2`"), "{why}");
        let why = apk(&package("1.0.0-nightly", None)).unwrap_err().0;
        assert!(why.contains("pre-release `nightly`"), "{why}");
        let why = apk(&package("1.0.0+git", None)).unwrap_err().0;
        assert!(why.contains("build metadata"), "{why}");
    }
}
