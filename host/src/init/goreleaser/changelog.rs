//! GoReleaser's `changelog` → `[changelog]`.

use std::fmt::Write as _;

use marked_yaml::Node;

use super::toml_text::{quote, toml_pattern, toml_patterns};
use super::yaml::{err, list, mapping, scalar, strings, truthy};
use super::{ImportError, Importer};

pub(super) fn convert_changelog(node: &Node, im: &mut Importer) -> Result<String, ImportError> {
    let map = mapping(node, "changelog")?;
    let mut out = String::from("[changelog]\n");
    let mut groups = String::new();
    for (key, value) in map.iter() {
        let path = format!("changelog.{}", key.as_str());
        match key.as_str() {
            "disable" => {
                writeln!(out, "disable = {}", truthy(value, &path)?).ok();
            }
            "sort" => {
                writeln!(out, "sort = {}", quote(&scalar(value, &path)?)).ok();
            }
            "abbrev" => {
                let n: i64 = scalar(value, &path)?
                    .parse()
                    .map_err(|_| err(value, format!("{path} must be a number")))?;
                writeln!(out, "abbrev = {n}").ok();
            }
            "use" => {
                let source = scalar(value, &path)?;
                if source != "git" {
                    im.drop(
                        key,
                        &path,
                        "release notes come from git; no forge API is called",
                    );
                }
            }
            "filters" => {
                let filters = mapping(value, &path)?;
                for (fkey, fvalue) in filters.iter() {
                    match fkey.as_str() {
                        "exclude" | "include" => {
                            writeln!(
                                out,
                                "filters.{} = {}",
                                fkey.as_str(),
                                toml_patterns(&strings(fvalue, &path)?)
                            )
                            .ok();
                        }
                        _ => im.drop(
                            fkey,
                            &format!("{path}.{}", fkey.as_str()),
                            "xhost has no such filter",
                        ),
                    }
                }
            }
            "groups" => {
                let items = list(value, &path)?;
                for item in items.iter() {
                    let g = mapping(item, "a changelog group")?;
                    let title = g
                        .get_node("title")
                        .ok_or_else(|| err(item, "a changelog group needs a title"))?;
                    writeln!(
                        groups,
                        "[[changelog.groups]]\ntitle = {}",
                        quote(&scalar(title, "title")?)
                    )
                    .ok();
                    if let Some(r) = g.get_node("regexp") {
                        writeln!(groups, "regexp = {}", toml_pattern(&scalar(r, "regexp")?)).ok();
                    }
                    if let Some(o) = g.get_node("order") {
                        let order: i64 = scalar(o, "order")?
                            .parse()
                            .map_err(|_| err(o, "order must be a number"))?;
                        writeln!(groups, "order = {order}").ok();
                    }
                    im.drop_unknown(
                        g,
                        &format!("{path}[]"),
                        &["title", "regexp", "order"],
                        "xhost has no such group setting",
                    );
                }
            }
            "format" => im.drop(key, &path, "entries are `* <hash> <subject>`"),
            _ => im.drop(key, &path, "xhost has no such changelog setting"),
        }
    }
    out.push_str(&groups);
    Ok(out)
}
