//! The functions GoReleaser templates use beyond Go's built-ins (`eq ne lt le gt ge
//! and or not len index printf print println` come with gtmpl).

use std::cell::Cell;

use gtmpl::{Func, FuncError, Value};

pub const ALL: &[(&str, Func)] = &[
    ("tolower", tolower),
    ("toupper", toupper),
    ("title", title),
    ("replace", replace),
    ("trim", trim),
    ("trimprefix", trimprefix),
    ("trimsuffix", trimsuffix),
    ("contains", contains),
    ("incmajor", incmajor),
    ("incminor", incminor),
    ("incpatch", incpatch),
    ("time", time_now),
];

/// The function names, with the built-ins, for messages.
pub fn names() -> Vec<&'static str> {
    let builtin = [
        "eq", "ne", "lt", "le", "gt", "ge", "and", "or", "not", "len", "index", "printf", "print",
        "println",
    ];
    builtin
        .into_iter()
        .chain(ALL.iter().map(|(n, _)| *n))
        .collect()
}

fn string_arg(name: &str, args: &[Value], index: usize, count: usize) -> Result<String, FuncError> {
    if args.len() != count {
        return Err(FuncError::ExactlyXArgs(name.to_string(), count));
    }
    match &args[index] {
        Value::String(s) => Ok(s.clone()),
        Value::Number(n) => Ok(n.to_string()),
        Value::Bool(b) => Ok(b.to_string()),
        other => Err(FuncError::Generic(format!(
            "{name}: argument {} is not a string: {other}",
            index + 1
        ))),
    }
}

fn tolower(args: &[Value]) -> Result<Value, FuncError> {
    Ok(string_arg("tolower", args, 0, 1)?.to_lowercase().into())
}

fn toupper(args: &[Value]) -> Result<Value, FuncError> {
    Ok(string_arg("toupper", args, 0, 1)?.to_uppercase().into())
}

/// Each word's first letter upper-cased, as Go's `strings.Title` (which GoReleaser's
/// `title` uses) does.
fn title(args: &[Value]) -> Result<Value, FuncError> {
    let text = string_arg("title", args, 0, 1)?;
    let mut out = String::with_capacity(text.len());
    let mut start = true;
    for c in text.chars() {
        if start && c.is_alphabetic() {
            out.extend(c.to_uppercase());
        } else {
            out.push(c);
        }
        start = !(c.is_alphanumeric() || c == '_' || c == '\'');
    }
    Ok(out.into())
}

/// `replace TEXT OLD NEW`, every occurrence (GoReleaser's `strings.ReplaceAll`).
fn replace(args: &[Value]) -> Result<Value, FuncError> {
    let text = string_arg("replace", args, 0, 3)?;
    let old = string_arg("replace", args, 1, 3)?;
    let new = string_arg("replace", args, 2, 3)?;
    Ok(text.replace(&old, &new).into())
}

fn trim(args: &[Value]) -> Result<Value, FuncError> {
    Ok(string_arg("trim", args, 0, 1)?.trim().to_string().into())
}

fn trimprefix(args: &[Value]) -> Result<Value, FuncError> {
    let text = string_arg("trimprefix", args, 0, 2)?;
    let prefix = string_arg("trimprefix", args, 1, 2)?;
    Ok(text
        .strip_prefix(prefix.as_str())
        .unwrap_or(&text)
        .to_string()
        .into())
}

fn trimsuffix(args: &[Value]) -> Result<Value, FuncError> {
    let text = string_arg("trimsuffix", args, 0, 2)?;
    let suffix = string_arg("trimsuffix", args, 1, 2)?;
    Ok(text
        .strip_suffix(suffix.as_str())
        .unwrap_or(&text)
        .to_string()
        .into())
}

fn contains(args: &[Value]) -> Result<Value, FuncError> {
    let text = string_arg("contains", args, 0, 2)?;
    let part = string_arg("contains", args, 1, 2)?;
    Ok(text.contains(&part).into())
}

fn bump(name: &str, args: &[Value], part: u8) -> Result<Value, FuncError> {
    let text = string_arg(name, args, 0, 1)?;
    let prefix = if text.starts_with('v') { "v" } else { "" };
    let mut v = semver::Version::parse(text.trim_start_matches('v'))
        .map_err(|e| FuncError::Generic(format!("{name}: `{text}` is not a version: {e}")))?;
    match part {
        0 => (v.major, v.minor, v.patch) = (v.major + 1, 0, 0),
        1 => (v.minor, v.patch) = (v.minor + 1, 0),
        _ => v.patch += 1,
    }
    Ok(format!("{prefix}{}.{}.{}", v.major, v.minor, v.patch).into())
}

fn incmajor(args: &[Value]) -> Result<Value, FuncError> {
    bump("incmajor", args, 0)
}

fn incminor(args: &[Value]) -> Result<Value, FuncError> {
    bump("incminor", args, 1)
}

fn incpatch(args: &[Value]) -> Result<Value, FuncError> {
    bump("incpatch", args, 2)
}

thread_local! {
    /// The release's time while a template renders (gtmpl's functions are plain `fn`s
    /// and cannot capture it).
    static BUILD_TIME: Cell<Option<u64>> = const { Cell::new(None) };
}

/// Sets the time `time` formats for as long as it lives.
pub struct BuildTime(Option<u64>);

impl BuildTime {
    pub fn set(epoch: Option<u64>) -> BuildTime {
        BuildTime(BUILD_TIME.with(|t| t.replace(epoch)))
    }
}

impl Drop for BuildTime {
    fn drop(&mut self) {
        BUILD_TIME.with(|t| t.set(self.0));
    }
}

/// `time LAYOUT`: GoReleaser formats the current time; xhost formats the release's time
/// (`SOURCE_DATE_EPOCH`, else the commit time) in UTC, so a rebuild gives the same.
fn time_now(args: &[Value]) -> Result<Value, FuncError> {
    let layout = string_arg("time", args, 0, 1)?;
    let seconds = BUILD_TIME.with(Cell::get).ok_or_else(|| {
        FuncError::Generic(
            "time: the release has no time (not a git checkout); set SOURCE_DATE_EPOCH".into(),
        )
    })?;
    let t = time::OffsetDateTime::from_unix_timestamp(seconds as i64)
        .map_err(|e| FuncError::Generic(format!("time: {e}")))?;
    Ok(go_layout(&layout, t).into())
}

/// Formats `t` (UTC) with a Go reference-time layout (`2006-01-02T15:04:05Z07:00`).
fn go_layout(layout: &str, t: time::OffsetDateTime) -> String {
    const MONTHS: [&str; 12] = [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ];
    const DAYS: [&str; 7] = [
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
    ];
    let month = MONTHS[usize::from(u8::from(t.month())) - 1];
    let day = DAYS[usize::from(t.weekday().number_days_from_monday())];
    let hour12 = match t.hour() % 12 {
        0 => 12,
        h => h,
    };
    // Longest tokens first, as Go's parser tries them.
    let tokens: Vec<(&str, String)> = vec![
        ("January", month.to_string()),
        ("Monday", day.to_string()),
        ("Z07:00", "Z".to_string()),
        ("-07:00", "+00:00".to_string()),
        ("Z0700", "Z".to_string()),
        ("-0700", "+0000".to_string()),
        ("2006", format!("{:04}", t.year())),
        ("Jan", month[..3].to_string()),
        ("Mon", day[..3].to_string()),
        ("MST", "UTC".to_string()),
        ("002", format!("{:03}", t.ordinal())),
        ("01", format!("{:02}", u8::from(t.month()))),
        ("02", format!("{:02}", t.day())),
        ("_2", format!("{:>2}", t.day())),
        ("15", format!("{:02}", t.hour())),
        ("03", format!("{hour12:02}")),
        ("04", format!("{:02}", t.minute())),
        ("05", format!("{:02}", t.second())),
        ("06", format!("{:02}", t.year() % 100)),
        ("PM", if t.hour() >= 12 { "PM" } else { "AM" }.to_string()),
        ("pm", if t.hour() >= 12 { "pm" } else { "am" }.to_string()),
        ("1", u8::from(t.month()).to_string()),
        ("2", t.day().to_string()),
        ("3", hour12.to_string()),
        ("4", t.minute().to_string()),
        ("5", t.second().to_string()),
    ];
    let mut out = String::new();
    let mut rest = layout;
    'outer: while !rest.is_empty() {
        for (token, value) in &tokens {
            if let Some(after) = rest.strip_prefix(token) {
                out.push_str(value);
                rest = after;
                continue 'outer;
            }
        }
        let c = rest.chars().next().expect("not empty");
        out.push(c);
        rest = &rest[c.len_utf8()..];
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn go_layouts() {
        let t = time::OffsetDateTime::from_unix_timestamp(1_700_000_000).unwrap();
        assert_eq!(go_layout(time_rfc3339(), t), "2023-11-14T22:13:20Z");
        assert_eq!(
            go_layout("Jan _2 3:04PM 06 Monday", t),
            "Nov 14 10:13PM 23 Tuesday"
        );
        assert_eq!(go_layout("20060102", t), "20231114");
    }

    fn time_rfc3339() -> &'static str {
        "2006-01-02T15:04:05Z07:00"
    }

    #[test]
    fn title_and_bumps() {
        assert_eq!(
            title(&["hello world-x".into()]).unwrap(),
            Value::from("Hello World-X")
        );
        assert_eq!(incminor(&["v1.2.3".into()]).unwrap(), Value::from("v1.3.0"));
        assert_eq!(incmajor(&["1.2.3".into()]).unwrap(), Value::from("2.0.0"));
        assert!(incpatch(&["x".into()]).is_err());
    }
}
