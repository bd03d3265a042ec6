//! Templates in GoReleaser's language, Go's `text/template` (through `gtmpl`):
//! `[build]` `binary`, `ldflags` and `flags`, `[project] snapshot_version`, and every
//! string in a stage's `config` table (archive and checksum names, go-build's flags and
//! `env` values, a plugin's own settings) are templates, rendered by the host before the
//! stage sees them — per target for per-target stages.
//!
//! - [`fields`]: what a template sees (`.Version`, `.Os`, `.Env.NAME`, …);
//! - [`funcs`]: the functions beyond Go's built-ins (`tolower`, `replace`, `time`, …).
//!
//! A literal `{{` is written `{{ "{{" }}`, as in Go. The placeholders of earlier
//! configs (`{{version}}`, `{{name}}`, `{{commit}}`, `{{short_commit}}`) still work:
//! they are read as the fields they always meant.

pub mod fields;
mod funcs;

pub use fields::Fields;

/// A template that failed to parse or render, in words for the user (the caller adds
/// the file, line and field).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateError(pub String);

impl std::fmt::Display for TemplateError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

/// Whether `text` holds a template action at all (plain strings are used as they are).
pub fn is_template(text: &str) -> bool {
    text.contains("{{")
}

/// Renders `text` with `fields` (and the target's fields, for a per-target stage).
pub fn render(
    text: &str,
    fields: &Fields,
    target: Option<&crate::target::Target>,
) -> Result<String, TemplateError> {
    if !is_template(text) {
        return Ok(text.to_string());
    }
    let (text, fields, target) = (text.to_string(), fields.clone(), target.cloned());
    guarded(move || {
        let context = fields.value(target.as_ref());
        Template::parse(&text)?.render(&fields, &context, target.as_ref())
    })
}

/// A parsed template, to render for several targets.
pub struct Template(gtmpl::Template);

impl Template {
    pub fn parse(text: &str) -> Result<Template, TemplateError> {
        check_closed(text)?;
        let source = legacy_placeholders(text);
        let mut template = gtmpl::Template::default();
        template.add_funcs(funcs::ALL);
        template
            .parse(source.as_str())
            .map_err(|e| TemplateError(parse_message(&e.to_string())))?;
        Ok(Template(template))
    }

    /// Renders with `context`, which is `fields.value(target)` (made once per target
    /// by callers rendering many templates).
    pub fn render(
        &self,
        fields: &Fields,
        context: &gtmpl::Value,
        target: Option<&crate::target::Target>,
    ) -> Result<String, TemplateError> {
        let _time = funcs::BuildTime::set(fields.epoch);
        self.0
            .render(&gtmpl::Context::from(context.clone()))
            .map_err(|e| TemplateError(exec_message(e, fields, target)))
    }
}

/// The name of the threads templates are rendered on.
const THREAD: &str = "xhost-template";

/// How long rendering a config's templates may take; they take microseconds.
const DEADLINE: std::time::Duration = std::time::Duration::from_secs(5);

/// Runs `work`, which parses and renders templates, on a thread of its own: templates
/// come from the project (untrusted in CI), and gtmpl 0.7 panics on some (`printf` with
/// a huge width) and loops forever on others, so a panic or a missed deadline becomes
/// an error here instead of a crashed or hung build.
pub fn guarded<T: Send + 'static>(
    work: impl FnOnce() -> Result<T, TemplateError> + Send + 'static,
) -> Result<T, TemplateError> {
    quiet_panics();
    let (send, receive) = std::sync::mpsc::channel();
    std::thread::Builder::new()
        .name(THREAD.into())
        .spawn(move || {
            let _ = send.send(work());
        })
        .map_err(|e| TemplateError(format!("cannot start the template renderer: {e}")))?;
    match receive.recv_timeout(DEADLINE) {
        Ok(result) => result,
        Err(std::sync::mpsc::RecvTimeoutError::Timeout) => Err(TemplateError(format!(
            "the template engine did not finish within {} s (it never returns on some malformed templates); check the template's syntax",
            DEADLINE.as_secs()
        ))),
        Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => Err(TemplateError(
            "the template engine failed on this template (a bug in it, e.g. a `printf` width it cannot handle); write it another way".into(),
        )),
    }
}

/// Panics on template threads are reported as errors by [`guarded`]; the default hook
/// would also print a backtrace.
fn quiet_panics() {
    static HOOK: std::sync::Once = std::sync::Once::new();
    HOOK.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            if std::thread::current().name() != Some(THREAD) {
                previous(info);
            }
        }));
    });
}

/// Every `{{` closed by a `}}` after it. gtmpl 0.7's lexer never returns on some
/// unclosed actions (`{{ .Os ` with a trailing space), so they are refused first.
fn check_closed(text: &str) -> Result<(), TemplateError> {
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        let after = &rest[open + 2..];
        match after.find("}}") {
            Some(close) => rest = &after[close + 2..],
            None => {
                let column = text[..text.len() - rest.len() + open].chars().count() + 1;
                return Err(TemplateError(format!(
                    "the template does not parse: the `{{{{` at character {column} is not closed by `}}}}`"
                )));
            }
        }
    }
    Ok(())
}

/// `{{version}}`, `{{name}}`, `{{commit}}`, `{{short_commit}}` (spaces allowed) as
/// the fields they name; any other action is left alone.
fn legacy_placeholders(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(open) = rest.find("{{") {
        out.push_str(&rest[..open]);
        let after = &rest[open + 2..];
        let Some(close) = after.find("}}") else {
            out.push_str(&rest[open..]);
            return out;
        };
        let field = match after[..close].trim() {
            "version" => Some(".Version"),
            "name" => Some(".ProjectName"),
            "commit" => Some(".FullCommit"),
            "short_commit" => Some(".ShortCommit"),
            _ => None,
        };
        match field {
            Some(field) => out.push_str(&format!("{{{{ {field} }}}}")),
            None => out.push_str(&rest[open..open + 2 + close + 2]),
        }
        rest = &after[close + 2..];
    }
    out.push_str(rest);
    out
}

/// gtmpl's parse error without its `template: :LINE:` prefix (it counts lines from 2).
fn parse_message(raw: &str) -> String {
    let message = raw
        .strip_prefix("template: ")
        .and_then(|r| r.split_once(':'))
        .and_then(|(_, r)| r.split_once(':'))
        .map_or(raw, |(_, r)| r)
        .trim();
    if let Some(name) = message
        .strip_prefix("function ")
        .and_then(|m| m.strip_suffix(" not defined"))
    {
        return format!(
            "there is no template function `{name}` (fields are written with a dot: `{{{{ .Version }}}}`); functions: {}",
            funcs::names().join(", ")
        );
    }
    format!("the template does not parse: {message}")
}

/// A render error in the user's terms: an unknown field or an `.Env` variable not
/// allowed name what is known and how to allow it.
fn exec_message(
    error: gtmpl::error::ExecError,
    fields: &Fields,
    target: Option<&crate::target::Target>,
) -> String {
    if let gtmpl::error::ExecError::NoFiledFor(name, _) = &error {
        if fields::TARGET_FIELDS.contains(&name.as_str()) && target.is_none() {
            return format!(
                "`.{name}` is a target's field, and this template is rendered once for the whole release"
            );
        }
        if fields::is_known(name) {
            // A known field looked up on something else: `.Env.Version`, `.Os.Arch`.
            return format!("`.{name}` is not a field of the value it is looked up on");
        }
        if name.chars().next().is_some_and(|c| c.is_ascii_uppercase()) && fields.env_like(name) {
            return format!(
                "`.Env.{name}` is not available: templates see only the variables listed in `[template] env` (and those set in `[template.set]`); add \"{name}\" to `[template] env`"
            );
        }
        return format!(
            "there is no field `.{name}`; fields: {}",
            fields::names(target.is_some()).join(" ")
        );
    }
    format!("the template failed: {error}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::target::Target;

    fn fields() -> Fields {
        Fields {
            project_name: "hello".into(),
            version: "1.2.3-rc.1".into(),
            tag: "v1.2.3-rc.1".into(),
            previous_tag: "v1.2.2".into(),
            commit: "0123456789abcdef0123456789abcdef01234567".into(),
            summary: "v1.2.3-rc.1".into(),
            commit_time: Some(1_700_000_000),
            epoch: Some(1_700_000_000),
            is_snapshot: false,
            binary: "hello".into(),
            env: [("TAP".to_string(), "acme/tap".to_string())].into(),
        }
    }

    fn target(name: &str) -> Target {
        name.parse().unwrap()
    }

    #[test]
    fn goreleaser_name_templates() {
        let name = r#"{{ .ProjectName }}_{{ title .Os }}_{{ if eq .Arch "amd64" }}x86_64{{ else if eq .Arch "386" }}i386{{ else }}{{ .Arch }}{{ end }}{{ with .Arm }}v{{ . }}{{ end }}"#;
        let f = fields();
        assert_eq!(
            render(name, &f, Some(&target("linux/amd64"))).unwrap(),
            "hello_Linux_x86_64"
        );
        assert_eq!(
            render(name, &f, Some(&target("linux/arm/v7"))).unwrap(),
            "hello_Linux_armv7"
        );
        assert_eq!(
            render(name, &f, Some(&target("windows/386"))).unwrap(),
            "hello_Windows_i386"
        );
        let default = r#"{{ .ProjectName }}_{{ .Version }}_{{ .Os }}_{{ .Arch }}{{ with .Arm }}v{{ . }}{{ end }}{{ with .Mips }}_{{ . }}{{ end }}{{ if not (eq .Amd64 "v1") }}{{ .Amd64 }}{{ end }}"#;
        assert_eq!(
            render(default, &f, Some(&target("linux/amd64/v3"))).unwrap(),
            "hello_1.2.3-rc.1_linux_amd64v3"
        );
        assert_eq!(
            render(default, &f, Some(&target("linux/amd64"))).unwrap(),
            "hello_1.2.3-rc.1_linux_amd64"
        );
        assert_eq!(
            render(
                "{{ .Target }} {{ .Binary }}",
                &f,
                Some(&target("linux/arm64"))
            )
            .unwrap(),
            "linux_arm64_v8.0 hello"
        );
    }

    #[test]
    fn version_fields_and_functions() {
        let f = fields();
        let text = "{{.Major}}.{{.Minor}}.{{.Patch}} {{.RawVersion}} {{.Prerelease}} {{.Tag}} {{.PreviousTag}} {{.ShortCommit}} {{.IsSnapshot}}";
        assert_eq!(
            render(text, &f, None).unwrap(),
            "1.2.3 1.2.3 rc.1 v1.2.3-rc.1 v1.2.2 0123456 false"
        );
        assert_eq!(
            render(
                "{{ .Date }} {{ .CommitDate }} {{ .Timestamp }} {{ .CommitTimestamp }}",
                &f,
                None
            )
            .unwrap(),
            "2023-11-14T22:13:20Z 2023-11-14T22:13:20Z 1700000000 1700000000"
        );
        assert_eq!(
            render(r#"{{ time "2006-01-02 15:04:05 Jan Mon" }}"#, &f, None).unwrap(),
            "2023-11-14 22:13:20 Nov Tue"
        );
        assert_eq!(
            render(
                r#"{{ toupper .ProjectName }} {{ replace .Version "." "_" }} {{ trimprefix .Tag "v" }} {{ trimsuffix "a.exe" ".exe" }} {{ trim "  x " }} {{ tolower "ABC" }}"#,
                &f,
                None
            )
            .unwrap(),
            "HELLO 1_2_3-rc_1 1.2.3-rc.1 a x abc"
        );
        assert_eq!(render("{{ .Env.TAP }}", &f, None).unwrap(), "acme/tap");
        assert_eq!(render(r#"{{ "{{" }}x}}"#, &f, None).unwrap(), "{{x}}");
    }

    #[test]
    fn earlier_placeholders_still_work() {
        let f = fields();
        assert_eq!(
            render(
                "-X main.version={{version}} -X main.c={{ short_commit }} {{name}}",
                &f,
                None
            )
            .unwrap(),
            "-X main.version=1.2.3-rc.1 -X main.c=0123456 hello"
        );
    }

    #[test]
    fn errors_say_what_is_known() {
        let f = fields();
        let err = render("{{ .Nope }}", &f, None).unwrap_err().0;
        assert!(
            err.contains("there is no field `.Nope`") && err.contains(".Version"),
            "{err}"
        );
        let err = render("{{ .Env.SECRET }}", &f, None).unwrap_err().0;
        assert!(err.contains("add \"SECRET\" to `[template] env`"), "{err}");
        let err = render("{{ .Os }}", &f, None).unwrap_err().0;
        assert!(err.contains("target's field"), "{err}");
        let err = render("{{ nofunc .Os }}", &f, None).unwrap_err().0;
        assert!(err.contains("no template function `nofunc`"), "{err}");
        let err = render("{{ .Os ", &f, None).unwrap_err().0;
        assert!(
            err.contains("the `{{` at character 1 is not closed"),
            "{err}"
        );
        let err = render("{{ if .Tag }}x", &f, None).unwrap_err().0;
        assert!(err.starts_with("the template does not parse"), "{err}");
        // gtmpl panics on this one: an error, not a crash.
        let err = render(r#"{{ printf "%0999999999d" 1 }}"#, &f, None)
            .unwrap_err()
            .0;
        assert!(err.contains("the template engine failed"), "{err}");
    }
}
