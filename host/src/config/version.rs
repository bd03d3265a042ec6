//! The release version: the tag at HEAD as a semantic version (a leading `v` allowed),
//! above the tag before it; or, for a snapshot (`--snapshot`, or no tag at HEAD), the
//! snapshot version template rendered over the last tag's version.

use super::vcs::Commit;

/// GoReleaser's default `snapshot.version_template`.
pub const DEFAULT_SNAPSHOT: &str = "{{ .Version }}-SNAPSHOT-{{ .ShortCommit }}";

/// Where the version comes from, before a snapshot template is rendered.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Source {
    /// The tag at HEAD, checked.
    Tag { tag: String, version: String },
    /// A snapshot: its template renders over `base` (the last tag's version, or 0.0.0).
    Snapshot { base: String, why: String },
}

/// Decides the version's source from git's tags.
pub fn source(commit: &Commit, snapshot: bool, allow_lower: bool) -> Result<Source, String> {
    let previous = commit.previous_tag.as_deref().and_then(parse_tag);
    match (&commit.tag, snapshot) {
        (Some(tag), false) => {
            let version = parse_tag(tag).ok_or_else(|| {
                format!(
                    "the tag `{tag}` at HEAD is not a semantic version (MAJOR.MINOR.PATCH, e.g. v1.2.3 or 1.2.3-rc.1): tag the release with one, set [project] version, or build with --snapshot"
                )
            })?;
            if let (Some(before), Some(previous_tag)) = (&previous, &commit.previous_tag)
                && version <= *before
                && !allow_lower
            {
                return Err(format!(
                    "the tag `{tag}` at HEAD is not above the previous tag `{previous_tag}`: tag a higher version, or pass --allow-lower-tag to release it anyway"
                ));
            }
            Ok(Source::Tag {
                tag: tag.clone(),
                version: version.to_string(),
            })
        }
        (tag, _) => {
            // The base is the tag at HEAD when there is one, else the one before.
            let base = tag
                .as_deref()
                .and_then(parse_tag)
                .or(previous)
                .map_or_else(|| "0.0.0".to_string(), |v| v.to_string());
            let why = if snapshot {
                "--snapshot".to_string()
            } else {
                "no tag at HEAD: a snapshot".to_string()
            };
            Ok(Source::Snapshot { base, why })
        }
    }
}

/// A tag's version: `v1.2.3` or `1.2.3`, with optional pre-release and build parts.
pub fn parse_tag(tag: &str) -> Option<semver::Version> {
    semver::Version::parse(tag.strip_prefix('v').unwrap_or(tag)).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn commit(tag: Option<&str>, previous: Option<&str>) -> Commit {
        Commit {
            hash: Some("0123456789abcdef".into()),
            time: Some(1),
            tag: tag.map(String::from),
            previous_tag: previous.map(String::from),
            summary: None,
        }
    }

    #[test]
    fn tags_must_be_semver_and_rising() {
        assert_eq!(
            source(&commit(Some("v1.3.0"), Some("v1.2.9")), false, false),
            Ok(Source::Tag {
                tag: "v1.3.0".into(),
                version: "1.3.0".into()
            })
        );
        let err = source(&commit(Some("release-5"), None), false, false).unwrap_err();
        assert!(
            err.contains("`release-5` at HEAD is not a semantic version"),
            "{err}"
        );
        let err = source(&commit(Some("v1.2.0"), Some("v1.2.1")), false, false).unwrap_err();
        assert!(err.contains("not above the previous tag `v1.2.1`"), "{err}");
        assert!(source(&commit(Some("v1.2.0"), Some("v1.2.1")), false, true).is_ok());
        // A pre-release sorts below its release.
        assert!(source(&commit(Some("v1.2.1-rc.1"), Some("v1.2.1")), false, false).is_err());
    }

    #[test]
    fn snapshots_build_on_the_last_tag() {
        assert_eq!(
            source(&commit(None, Some("v0.4.1")), false, false),
            Ok(Source::Snapshot {
                base: "0.4.1".into(),
                why: "no tag at HEAD: a snapshot".into()
            })
        );
        assert_eq!(
            source(&commit(Some("v2.0.0"), Some("v1.0.0")), true, false),
            Ok(Source::Snapshot {
                base: "2.0.0".into(),
                why: "--snapshot".into()
            })
        );
        assert!(matches!(
            source(&commit(None, None), false, false),
            Ok(Source::Snapshot { base, .. }) if base == "0.0.0"
        ));
    }
}
