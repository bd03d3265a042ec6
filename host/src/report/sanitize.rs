//! Makes untrusted text safe to print: plugin logs, plugin errors, artifact names and
//! the files of a release being verified must not drive the terminal (escape
//! sequences), break a line where none is (U+2028/U+2029), read differently from what
//! they say (bidi controls and other invisible format characters), or drive the CI
//! system (workflow commands).

use unicode_properties::{GeneralCategory, UnicodeGeneralCategory};

/// Longest line kept, in characters; the rest is cut with a marker.
pub const MAX_LINE_CHARS: usize = 4096;

/// Prefix put before a line a CI system would take as a command.
pub const NEUTRALISED: &str = "(ci command neutralised) ";

/// Removes terminal control sequences and control characters, neutralises CI
/// workflow commands (`::set-env …`, `##[…]`, `##vso[…]`), and caps the length.
pub fn sanitize_line(line: &str) -> String {
    let mut out = String::with_capacity(line.len().min(MAX_LINE_CHARS));
    let mut chars = line.chars().peekable();
    let mut kept = 0;
    while let Some(c) = chars.next() {
        match c {
            '\u{1b}' => skip_escape(&mut chars),
            // C1 control introducers (CSI, OSC, DCS, …) act like ESC sequences on some terminals.
            '\u{9b}' => skip_csi(&mut chars),
            '\u{9d}' | '\u{90}' | '\u{98}' | '\u{9e}' | '\u{9f}' => skip_string(&mut chars),
            '\t' => push(&mut out, &mut kept, ' '),
            c if c.is_control() => {}
            // Shown as what they are, so a reader sees something was there.
            c if is_invisible(c) => {
                for shown in escaped(c).chars() {
                    push(&mut out, &mut kept, shown);
                }
            }
            c => push(&mut out, &mut kept, c),
        }
        if kept >= MAX_LINE_CHARS {
            out.push_str(" …[line cut]");
            break;
        }
    }
    let trimmed = out.trim_start();
    if trimmed.starts_with("::") || trimmed.starts_with("##[") || trimmed.starts_with("##vso[") {
        out.insert_str(0, NEUTRALISED);
    }
    out
}

/// Characters that change how text around them displays without showing themselves:
/// format characters (bidi embeddings, overrides and isolates, marks, zero-width
/// joiners and spaces, …) and the line and paragraph separators, which some
/// terminals, editors and CI log viewers render as line breaks.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c.general_category(),
        GeneralCategory::Format
            | GeneralCategory::LineSeparator
            | GeneralCategory::ParagraphSeparator
    )
}

/// Whether a name (an artifact path, a file in a release) may be shown and used as it
/// is: no control characters and nothing [`is_invisible`].
pub fn is_plain_name(name: &str) -> bool {
    !name.chars().any(|c| c.is_control() || is_invisible(c))
}

/// A name as it can be printed: control and invisible characters shown as `<U+XXXX>`.
pub fn shown_name(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for c in name.chars() {
        if c.is_control() || is_invisible(c) {
            out.push_str(&escaped(c));
        } else {
            out.push(c);
        }
    }
    out
}

/// Every line of untrusted multi-line text, sanitised.
pub fn sanitize_text(text: &str) -> String {
    text.split('\n')
        .map(sanitize_line)
        .collect::<Vec<_>>()
        .join("\n")
}

fn escaped(c: char) -> String {
    format!("<U+{:04X}>", c as u32)
}

fn push(out: &mut String, kept: &mut usize, c: char) {
    out.push(c);
    *kept += 1;
}

fn skip_escape(chars: &mut std::iter::Peekable<std::str::Chars>) {
    match chars.next() {
        Some('[') => skip_csi(chars),
        Some(']' | 'P' | 'X' | '^' | '_') => skip_string(chars),
        // Two-character sequences (ESC c, ESC 7, …): the one character is consumed.
        _ => {}
    }
}

/// CSI: parameter and intermediate bytes, then one final byte in `@`..=`~`.
fn skip_csi(chars: &mut std::iter::Peekable<std::str::Chars>) {
    for c in chars.by_ref() {
        if ('@'..='~').contains(&c) {
            break;
        }
    }
}

/// OSC/DCS/…: up to BEL or the string terminator `ESC \`.
fn skip_string(chars: &mut std::iter::Peekable<std::str::Chars>) {
    while let Some(c) = chars.next() {
        match c {
            '\u{7}' | '\u{9c}' => break,
            '\u{1b}' if chars.peek() == Some(&'\\') => {
                chars.next();
                break;
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strips_escapes() {
        assert_eq!(sanitize_line("\u{1b}[31mred\u{1b}[0m plain"), "red plain");
        assert_eq!(sanitize_line("\u{1b}]0;title\u{7}after"), "after");
        assert_eq!(sanitize_line("\u{1b}]8;;http://x\u{1b}\\link"), "link");
        assert_eq!(sanitize_line("a\rb\u{8}c\td"), "abc d");
        assert_eq!(sanitize_line("\u{9b}2Jx"), "x");
    }

    #[test]
    fn shows_invisible_characters() {
        assert_eq!(sanitize_line("\u{202e}evil"), "<U+202E>evil");
        assert_eq!(sanitize_line("a\u{2028}b\u{2029}c"), "a<U+2028>b<U+2029>c");
        assert_eq!(
            sanitize_line("x\u{200f}\u{2066}\u{feff}y"),
            "x<U+200F><U+2066><U+FEFF>y"
        );
        assert_eq!(sanitize_line("plain ünïcödé 名前"), "plain ünïcödé 名前");
        assert_eq!(
            sanitize_text("one\n\u{1b}[2Jtwo\n::error::x"),
            format!("one\ntwo\n{NEUTRALISED}::error::x")
        );
    }

    #[test]
    fn names() {
        assert!(is_plain_name("hello_1.0.0_linux_amd64.tar.gz"));
        assert!(is_plain_name("名前/ünï.txt"));
        for bad in [
            "a\u{2028}b",
            "evil\u{202e}zip.exe",
            "x\u{200b}",
            "\u{61c}a",
            "a\u{85}b",
            "a\tb",
        ] {
            assert!(!is_plain_name(bad), "{bad:?}");
        }
        assert_eq!(shown_name("evil\u{202e}piz.exe"), "evil<U+202E>piz.exe");
        assert_eq!(shown_name("a\u{1b}[31m"), "a<U+001B>[31m");
    }

    #[test]
    fn neutralises_ci_commands() {
        assert_eq!(
            sanitize_line("::add-mask::secret"),
            format!("{NEUTRALISED}::add-mask::secret")
        );
        assert!(sanitize_line("  ::set-env name=X::1").starts_with(NEUTRALISED));
        assert!(sanitize_line("##vso[task.setvariable]x").starts_with(NEUTRALISED));
        assert!(sanitize_line("\u{1b}[0m::error::x").starts_with(NEUTRALISED));
        assert_eq!(sanitize_line("a :: b"), "a :: b");
    }

    #[test]
    fn caps_length() {
        let long = "x".repeat(MAX_LINE_CHARS * 2);
        let out = sanitize_line(&long);
        assert!(out.len() < MAX_LINE_CHARS + 20);
        assert!(out.ends_with("[line cut]"));
    }
}
