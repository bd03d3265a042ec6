//! Package URLs for Go modules: `pkg:golang/<module path>@<version>`, each path segment
//! and the version percent-encoded as the purl specification requires.

pub fn golang(path: &str, version: &str) -> String {
    let path: Vec<String> = path.split('/').map(encode).collect();
    format!("pkg:golang/{}@{}", path.join("/"), encode(version))
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
}
