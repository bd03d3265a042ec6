//! Checksums files, known by their content: every line `<sha256 hex>  <file>` (or
//! `<hex> *<file>`, binary mode), as `sha256sum` writes and `sha256sum -c` reads.

/// One line of a checksums file.
pub struct Line {
    pub number: usize,
    pub sha256: String,
    pub path: String,
}

/// The lines of `bytes` if it is a checksums file: UTF-8, at least one line, and every
/// non-empty line in the format.
pub fn parse(bytes: &[u8]) -> Option<Vec<Line>> {
    let text = std::str::from_utf8(bytes).ok()?;
    let mut lines = Vec::new();
    for (index, line) in text.lines().enumerate() {
        if line.is_empty() {
            continue;
        }
        let (sum, rest) = line.split_at_checked(64)?;
        let path = rest
            .strip_prefix("  ")
            .or_else(|| rest.strip_prefix(" *"))?;
        if !crate::digest::is_sha256_hex(sum) || path.is_empty() {
            return None;
        }
        lines.push(Line {
            number: index + 1,
            sha256: sum.to_string(),
            path: path.to_string(),
        });
    }
    (!lines.is_empty()).then_some(lines)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recognises_sha256sum_output_only() {
        let sum = "a".repeat(64);
        let lines = parse(format!("{sum}  a.tar.gz\n{sum} *b.zip\n").as_bytes()).unwrap();
        assert_eq!(lines.len(), 2);
        assert_eq!((lines[1].number, lines[1].path.as_str()), (2, "b.zip"));
        for not in [
            "".to_string(),
            "hello world\n".to_string(),
            format!("{sum}  a\nsomething else\n"),
            format!("{}  a\n", "A".repeat(64)),
            format!("{sum} a\n"),
            format!("{sum}  \n"),
        ] {
            assert!(parse(not.as_bytes()).is_none(), "{not:?}");
        }
        assert!(parse(&[0xff, 0xfe]).is_none());
    }
}
