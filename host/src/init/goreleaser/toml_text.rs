//! Writing `xhost.toml` text: TOML strings, lists and regular expressions.

pub(super) fn quote(text: &str) -> String {
    toml::Value::String(text.to_string()).to_string()
}

pub(super) fn quote_list(items: &[String]) -> String {
    let quoted: Vec<String> = items.iter().map(|i| quote(i)).collect();
    format!("[{}]", quoted.join(", "))
}

/// A regular expression as a TOML literal string when it can be one (no escaping).
pub(super) fn toml_pattern(pattern: &str) -> String {
    if !pattern.contains('\'') && !pattern.contains('\n') {
        format!("'{pattern}'")
    } else {
        quote(pattern)
    }
}

pub(super) fn toml_patterns(patterns: &[String]) -> String {
    let items: Vec<String> = patterns.iter().map(|p| toml_pattern(p)).collect();
    format!("[{}]", items.join(", "))
}
