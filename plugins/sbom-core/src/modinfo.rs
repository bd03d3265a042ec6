//! The module information text inside Go build information (tab-separated lines:
//! `path`, `mod`, `dep`, `=>` for the replacement of the line before, `build`).

use crate::{BuildInfo, Error, Module};

pub fn parse(go_version: &str, text: &str) -> Result<BuildInfo, Error> {
    let mut path = String::new();
    let mut main: Option<Module> = None;
    let mut deps: Vec<Module> = Vec::new();
    let mut settings = Vec::new();
    for line in text.lines() {
        let mut fields = line.split('\t');
        match fields.next() {
            Some("path") => path = fields.next().unwrap_or_default().to_string(),
            Some("mod") => main = Some(module(fields)?),
            Some("dep") => deps.push(module(fields)?),
            Some("=>") => {
                let replaced = deps
                    .last_mut()
                    .or(main.as_mut())
                    .ok_or_else(|| bad("a replacement with nothing to replace"))?;
                replaced.replace = Some(Box::new(module(fields)?));
            }
            Some("build") => {
                let setting = fields.next().unwrap_or_default();
                let (key, value) = setting.split_once('=').unwrap_or((setting, ""));
                settings.push((key.to_string(), value.to_string()));
            }
            Some("") | None => {}
            Some(other) => return Err(bad(&format!("unknown line kind `{other}`"))),
        }
    }
    let main = main.ok_or_else(|| bad("no main module"))?;
    Ok(BuildInfo {
        go_version: go_version.to_string(),
        path,
        main,
        deps,
        settings,
    })
}

fn module<'a>(mut fields: impl Iterator<Item = &'a str>) -> Result<Module, Error> {
    let path = fields
        .next()
        .filter(|p| !p.is_empty())
        .ok_or_else(|| bad("a module without a path"))?;
    let version = fields.next().unwrap_or_default();
    let sum = fields.next().filter(|s| !s.is_empty());
    Ok(Module {
        path: path.to_string(),
        version: version.to_string(),
        sum: sum.map(str::to_string),
        replace: None,
    })
}

fn bad(what: &str) -> Error {
    Error::Malformed(format!("Go module information: {what}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_what_go_writes() {
        let text = "path\texample.com/app/cmd/app\n\
                    mod\texample.com/app\t(devel)\t\n\
                    dep\tgolang.org/x/text\tv0.14.0\th1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=\n\
                    dep\texample.com/quotes\tv1.2.0\t\n\
                    =>\t./third_party/quotes\t(devel)\t\n\
                    build\t-buildmode=exe\n\
                    build\tGOOS=linux\n";
        let info = parse("go1.22.1", text).unwrap();
        assert_eq!(info.path, "example.com/app/cmd/app");
        assert_eq!(info.main.version, "(devel)");
        assert_eq!(info.deps.len(), 2);
        assert_eq!(
            info.deps[0].sum.as_deref(),
            Some("h1:ScX5w1eTa3QqT8oi6+ziP7dTV1S2+ALU0bI+0zXKWiQ=")
        );
        assert_eq!(
            info.deps[1].replace.as_ref().unwrap().path,
            "./third_party/quotes"
        );
        assert_eq!(info.settings[1], ("GOOS".to_string(), "linux".to_string()));
        assert!(parse("go1", "dep\t\tv1\n").is_err());
        assert!(parse("go1", "path\tx\n").is_err(), "no main module");
    }
}
