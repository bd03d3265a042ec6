//! Package URLs for Go modules (`pkg:golang/<module path>@<version>`) and Rust crates
//! (`pkg:cargo/<name>@<version>`, qualified by `repository_url` for a registry other
//! than crates.io and by `vcs_url` for a git repository), each part percent-encoded as
//! the purl specification requires.

pub fn golang(path: &str, version: &str) -> String {
    let path: Vec<String> = path.split('/').map(encode).collect();
    format!("pkg:golang/{}@{}", path.join("/"), encode(version))
}

/// `qualifier` is a key and its value, e.g. `("vcs_url", "git+https://…@<commit>")`.
pub fn cargo(name: &str, version: &str, qualifier: Option<(&str, &str)>) -> String {
    let mut purl = format!("pkg:cargo/{}@{}", encode(name), encode(version));
    if let Some((key, value)) = qualifier {
        purl.push_str(&format!("?{key}={}", encode_qualifier(value)));
    }
    purl
}

pub(crate) fn encode(part: &str) -> String {
    part.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' | b'~' => {
                (b as char).to_string()
            }
            other => format!("%{other:02X}"),
        })
        .collect()
}

/// A qualifier value keeps `:` (never encoded) and `/` unencoded, as the specification's
/// own examples write URLs (`vcs_url=git%2Bhttps://host/repo%40<commit>`); the rest is
/// encoded as in any other part.
fn encode_qualifier(value: &str) -> String {
    value
        .split('/')
        .map(|segment| segment.split(':').map(encode).collect::<Vec<_>>().join(":"))
        .collect::<Vec<_>>()
        .join("/")
}

#[cfg(test)]
mod tests {
    #[test]
    fn encodes() {
        assert_eq!(
            super::golang("github.com/gorilla/mux", "v1.8.0"),
            "pkg:golang/github.com/gorilla/mux@v1.8.0"
        );
        assert_eq!(
            super::golang("example.com/app", "(devel)"),
            "pkg:golang/example.com/app@%28devel%29"
        );
        assert_eq!(
            super::golang("stdlib", "go1.22.1"),
            "pkg:golang/stdlib@go1.22.1"
        );
        assert_eq!(
            super::golang("x.io/a+b", "v1.0.0+incompatible"),
            "pkg:golang/x.io/a%2Bb@v1.0.0%2Bincompatible"
        );
    }

    #[test]
    fn encodes_cargo() {
        assert_eq!(
            super::cargo("pico-args", "0.5.0", None),
            "pkg:cargo/pico-args@0.5.0"
        );
        assert_eq!(
            super::cargo("x", "1.0.0+build.1", None),
            "pkg:cargo/x@1.0.0%2Bbuild.1"
        );
        assert_eq!(
            super::cargo(
                "bar",
                "0.1.0",
                Some(("vcs_url", "git+https://git.example/a/bar@0123abc"))
            ),
            "pkg:cargo/bar@0.1.0?vcs_url=git%2Bhttps://git.example/a/bar%400123abc"
        );
    }
}
