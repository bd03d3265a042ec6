//! `{{name}}` placeholders in configuration strings such as `ldflags`.

/// Values placeholders expand to.
pub struct Vars<'a> {
    pub name: &'a str,
    pub version: &'a str,
    pub commit: &'a str,
    pub short_commit: &'a str,
}

/// The placeholder names `expand` knows, for error messages.
pub const KNOWN: &[&str] = &["name", "version", "commit", "short_commit"];

/// An unknown or unterminated placeholder at a byte offset of the input.
#[derive(Debug, PartialEq)]
pub struct TemplateError {
    pub offset: usize,
    pub message: String,
}

/// Expands every `{{var}}` (spaces inside the braces allowed) in `text`.
pub fn expand(text: &str, vars: &Vars) -> Result<String, TemplateError> {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let offset = text.len() - rest.len() + open;
        let Some(close) = rest[open..].find("}}") else {
            return Err(TemplateError {
                offset,
                message: "unterminated `{{` placeholder".into(),
            });
        };
        let name = rest[open + 2..open + close].trim();
        out.push_str(match name {
            "name" => vars.name,
            "version" => vars.version,
            "commit" => vars.commit,
            "short_commit" => vars.short_commit,
            _ => {
                return Err(TemplateError {
                    offset,
                    message: format!(
                        "unknown placeholder `{{{{{name}}}}}`; known: {}",
                        KNOWN.join(", ")
                    ),
                });
            }
        });
        rest = &rest[open + close + 2..];
    }
    out.push_str(rest);
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    const VARS: Vars = Vars {
        name: "hello",
        version: "1.2.3",
        commit: "abcdef0123",
        short_commit: "abcdef0",
    };

    #[test]
    fn expands_known() {
        assert_eq!(
            expand(
                "-X main.version={{version}} -X main.c={{ short_commit }}",
                &VARS
            )
            .unwrap(),
            "-X main.version=1.2.3 -X main.c=abcdef0"
        );
    }

    #[test]
    fn rejects_unknown_and_unterminated() {
        let err = expand("-X a={{nope}}", &VARS).unwrap_err();
        assert_eq!(err.offset, 5);
        assert!(
            err.message.contains("unknown placeholder `{{nope}}`"),
            "{}",
            err.message
        );
        assert_eq!(expand("x {{version", &VARS).unwrap_err().offset, 2);
    }
}
