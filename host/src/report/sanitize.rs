//! Makes untrusted text safe to print: plugin logs must not drive the terminal
//! (escape sequences) or the CI system (workflow commands).

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
            // Bidirectional overrides can make a line display differently from what it says.
            '\u{202a}'..='\u{202e}' | '\u{2066}'..='\u{2069}' => {}
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
        assert_eq!(sanitize_line("\u{202e}evil"), "evil");
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
