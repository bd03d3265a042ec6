//! `xhost report`: a release as one self-contained HTML page — what was built, how each
//! stage went (cached or run, and why), every file with its size and digest, what the
//! SBOMs list, the signatures made, and with a build's trace (`--trace`) a timeline, one
//! track per thread with its stages and the programs inside them. Everything comes from
//! `dist/` (its `artifacts.json`, its SBOM files) and the trace, and every text is escaped:
//! file names and SBOM entries are the release's, not the page's.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use super::human_size;

/// How many packages of an SBOM the page lists.
const SBOM_PACKAGES_SHOWN: usize = 50;

/// The page for the release in `dist`, with the timeline of `trace` if given.
pub fn render(dist: &Path, trace: Option<&Path>) -> Result<String> {
    let file = dist.join(crate::artifacts::manifest::FILE_NAME);
    let text = std::fs::read_to_string(&file).with_context(|| {
        format!(
            "reading {} (is {} a release?)",
            file.display(),
            dist.display()
        )
    })?;
    let manifest: Value =
        serde_json::from_str(&text).with_context(|| format!("{}: not JSON", file.display()))?;
    let project = &manifest["project"];
    let title = format!(
        "{} {}",
        str_of(&project["name"]),
        str_of(&project["version"])
    );
    let mut page = String::new();
    let _ = write!(
        page,
        "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'\">\
         <title>{}</title><style>{STYLE}</style></head><body>\n<h1>{}</h1>\n<p>commit {} · built by xhost {}{}</p>\n",
        escape(&title),
        escape(&title),
        escape(project["commit"].as_str().unwrap_or("(none)")),
        escape(str_of(&manifest["xhost"]["version"])),
        if manifest.get("partial").is_some() {
            " · a partial release"
        } else {
            ""
        }
    );
    if let Some(trace) = trace {
        let events = read_trace(trace)?;
        page.push_str(&timeline(&events));
    }
    page.push_str(&stages(&manifest["cache"]));
    page.push_str(&artifacts(&manifest["artifacts"]));
    page.push_str(&sboms(dist, &manifest["artifacts"]));
    page.push_str(&signatures(&manifest["signatures"]));
    let _ = write!(page, "<script>{SCRIPT}</script>\n</body></html>\n");
    Ok(page)
}

const STYLE: &str = "body{font:14px system-ui,sans-serif;margin:2em;color:#222}\
table{border-collapse:collapse;margin:.5em 0 2em}td,th{border-bottom:1px solid #ddd;padding:.2em .6em;text-align:left}\
td.num{text-align:right;white-space:nowrap}.legend span{display:inline-block;width:1em;height:.8em;margin:0 .3em 0 1em}code{font-size:12px}.hit{color:#070}.miss{color:#a50}svg text{font-size:11px}";

/// Counts the rows of each table into its heading, and marks the page ready: a page
/// whose script ran says so in its DOM.
const SCRIPT: &str = "for(const t of document.querySelectorAll('table[data-rows]')){\
const n=t.querySelectorAll('tbody tr').length;t.dataset.rows=n;\
const c=document.getElementById(t.id+'-count');if(c)c.textContent=n;}\
document.body.dataset.ready='yes';";

fn stages(cache: &Value) -> String {
    let Some(uses) = cache["stages"].as_array() else {
        return "<h2>Stages</h2><p>No action cache record (xhost plugin run).</p>\n".into();
    };
    let mut html = format!(
        "<h2>Stages (<span id=\"stages-count\"></span>): {} hits ({} remote), {} misses</h2>\n\
         <table id=\"stages\" data-rows=\"\"><thead><tr><th>target</th><th>stage</th><th>result</th><th>why it ran</th></tr></thead><tbody>\n",
        cache["hits"], cache["remote_hits"], cache["misses"]
    );
    for stage in uses {
        let result = str_of(&stage["result"]);
        let mut shown = result.to_string();
        if stage["remote"] == true {
            shown.push_str(" (remote cache)");
        }
        if stage["executed_remotely"] == true {
            shown.push_str(" (remote worker)");
        }
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td class=\"{}\">{}</td><td>{}</td></tr>",
            escape(str_of(&stage["target"])),
            escape(str_of(&stage["stage"])),
            if result == "hit" { "hit" } else { "miss" },
            escape(&shown),
            escape(stage["why"].as_str().unwrap_or(""))
        );
    }
    html.push_str("</tbody></table>\n");
    html
}

fn artifacts(list: &Value) -> String {
    let mut html = String::from(
        "<h2>Files (<span id=\"artifacts-count\"></span>)</h2>\n<table id=\"artifacts\" data-rows=\"\"><thead><tr><th>path</th><th>kind</th><th>target</th><th>size</th><th>sha256</th><th>made by</th></tr></thead><tbody>\n",
    );
    for artifact in list.as_array().into_iter().flatten() {
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td class=\"num\">{}</td><td><code>{}</code></td><td>{} ({})</td></tr>",
            escape(&super::sanitize::shown_name(str_of(&artifact["path"]))),
            escape(str_of(&artifact["kind"])),
            escape(artifact["target"].as_str().unwrap_or("release")),
            human_size(artifact["size"].as_u64().unwrap_or(0)),
            escape(str_of(&artifact["sha256"])),
            escape(str_of(&artifact["stage"])),
            escape(str_of(&artifact["plugin"]["name"]))
        );
    }
    html.push_str("</tbody></table>\n");
    html
}

/// Each SPDX document's packages, read from `dist`; an SBOM that cannot be read is
/// said to be so, not skipped.
fn sboms(dist: &Path, list: &Value) -> String {
    let mut html = String::from("<h2>SBOMs</h2>\n");
    let spdx = list
        .as_array()
        .into_iter()
        .flatten()
        .filter(|a| a["kind"] == "sbom" && str_of(&a["path"]).ends_with(".spdx.json"));
    let mut any = false;
    for artifact in spdx {
        any = true;
        let path = str_of(&artifact["path"]);
        let shown = escape(&super::sanitize::shown_name(path));
        let document = (crate::plugin_sandbox::outputs::is_plain_relative(path))
            .then(|| std::fs::read(dist.join(path)).ok())
            .flatten()
            .and_then(|bytes| serde_json::from_slice::<Value>(&bytes).ok());
        let Some(document) = document else {
            let _ = writeln!(html, "<p>{shown}: not readable as SPDX JSON</p>");
            continue;
        };
        let packages = document["packages"].as_array().cloned().unwrap_or_default();
        let _ = writeln!(
            html,
            "<h3>{shown}: {} packages</h3>\n<ul class=\"sbom\">",
            packages.len()
        );
        for package in packages.iter().take(SBOM_PACKAGES_SHOWN) {
            let _ = writeln!(
                html,
                "<li>{} {}</li>",
                escape(str_of(&package["name"])),
                escape(package["versionInfo"].as_str().unwrap_or(""))
            );
        }
        if packages.len() > SBOM_PACKAGES_SHOWN {
            let _ = writeln!(
                html,
                "<li>… {} more</li>",
                packages.len() - SBOM_PACKAGES_SHOWN
            );
        }
        html.push_str("</ul>\n");
    }
    if !any {
        html.push_str("<p>None.</p>\n");
    }
    html
}

fn signatures(list: &Value) -> String {
    let mut html = String::from(
        "<h2>Signatures (<span id=\"signatures-count\"></span>)</h2>\n<table id=\"signatures\" data-rows=\"\"><thead><tr><th>stage</th><th>target</th><th>key</th><th>algorithm</th><th>what</th></tr></thead><tbody>\n",
    );
    for signed in list.as_array().into_iter().flatten() {
        let what = signed["artifact"]
            .as_str()
            .map(super::sanitize::shown_name)
            .unwrap_or_else(|| format!("sha256:{}", str_of(&signed["message_sha256"])));
        let _ = writeln!(
            html,
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            escape(str_of(&signed["stage"])),
            escape(signed["target"].as_str().unwrap_or("release")),
            escape(str_of(&signed["key"])),
            escape(str_of(&signed["algorithm"])),
            escape(&what)
        );
    }
    html.push_str("</tbody></table>\n");
    html
}

/// A trace's complete events (`ph` `X`), with thread names.
struct Trace {
    spans: Vec<Value>,
    threads: BTreeMap<u64, String>,
}

fn read_trace(path: &Path) -> Result<Trace> {
    let bytes =
        std::fs::read(path).with_context(|| format!("reading the trace {}", path.display()))?;
    let document: Value = serde_json::from_slice(&bytes)
        .with_context(|| format!("{}: not a trace xhost wrote", path.display()))?;
    let events = document["traceEvents"]
        .as_array()
        .cloned()
        .unwrap_or_default();
    let mut threads = BTreeMap::new();
    let mut spans = Vec::new();
    for event in events {
        match event["ph"].as_str() {
            Some("M") => {
                if let Some(tid) = event["tid"].as_u64() {
                    threads.insert(tid, str_of(&event["args"]["name"]).to_string());
                }
            }
            Some("X") => spans.push(event),
            _ => {}
        }
    }
    Ok(Trace { spans, threads })
}

/// An SVG timeline: a track per thread, stages and programs as bars.
fn timeline(trace: &Trace) -> String {
    const WIDTH: f64 = 1000.0;
    const LABEL: f64 = 140.0;
    const ROW: f64 = 18.0;
    let end = trace
        .spans
        .iter()
        .map(|s| s["ts"].as_u64().unwrap_or(0) + s["dur"].as_u64().unwrap_or(0))
        .max()
        .unwrap_or(1)
        .max(1) as f64;
    let tracks: Vec<u64> = {
        let mut tids: Vec<u64> = trace
            .spans
            .iter()
            .filter_map(|s| s["tid"].as_u64())
            .collect();
        tids.sort();
        tids.dedup();
        tids
    };
    // Within a track, a row per category, so programs sit under their stage.
    let categories = ["build", "plugin", "stage", "exec"];
    let rows = categories.len() as f64;
    let axis = 20.0;
    let height = tracks.len() as f64 * (rows * ROW + 6.0) + axis + 4.0;
    let mut svg = format!(
        "<h2>Timeline ({:.1} s)</h2>\n<p class=\"legend\"><span style=\"background:#68c\"></span>stage run<span style=\"background:#8c8\"></span>stage from the cache<span style=\"background:#c86\"></span>program<span style=\"background:#aaa\"></span>plugin loaded or described<span style=\"background:#ddd\"></span>build phase</p>\n<svg id=\"timeline\" width=\"{}\" height=\"{height}\" viewBox=\"0 0 {} {height}\" role=\"img\">\n",
        end / 1e6,
        WIDTH + LABEL,
        WIDTH + LABEL
    );
    // A tick at a round number of seconds, about ten across.
    let seconds = end / 1e6;
    let step = [
        0.01, 0.02, 0.05, 0.1, 0.2, 0.5, 1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0,
    ]
    .into_iter()
    .find(|s| seconds / s <= 10.0)
    .unwrap_or(600.0);
    let decimals = match step {
        s if s < 0.1 => 2,
        s if s < 1.0 => 1,
        _ => 0,
    };
    for k in 0.. {
        let tick = k as f64 * step;
        if tick > seconds {
            break;
        }
        let x = LABEL + tick / seconds * WIDTH;
        let _ = writeln!(
            svg,
            "<line x1=\"{x:.1}\" y1=\"0\" x2=\"{x:.1}\" y2=\"{:.1}\" stroke=\"#eee\"/><text x=\"{:.1}\" y=\"{:.1}\">{tick:.decimals$} s</text>",
            height - axis,
            x + 2.0,
            height - 6.0
        );
    }
    for (n, tid) in tracks.iter().enumerate() {
        let top = n as f64 * (rows * ROW + 6.0);
        let name = trace
            .threads
            .get(tid)
            .cloned()
            .unwrap_or_else(|| format!("thread {tid}"));
        let _ = writeln!(
            svg,
            "<text x=\"0\" y=\"{}\">{}</text>",
            top + ROW,
            escape(&name)
        );
        for span in trace
            .spans
            .iter()
            .filter(|s| s["tid"].as_u64() == Some(*tid))
        {
            let category = str_of(&span["cat"]);
            let row = categories.iter().position(|c| *c == category).unwrap_or(0) as f64;
            let x = LABEL + span["ts"].as_u64().unwrap_or(0) as f64 / end * WIDTH;
            let w = (span["dur"].as_u64().unwrap_or(0) as f64 / end * WIDTH).max(1.0);
            let y = top + row * ROW + 4.0;
            let colour = match category {
                "stage" if span["args"]["cached"] == true => "#8c8",
                "stage" => "#68c",
                "exec" => "#c86",
                "plugin" => "#aaa",
                _ => "#ddd",
            };
            let name = escape(str_of(&span["name"]));
            let _ = writeln!(
                svg,
                "<rect class=\"span {}\" x=\"{x:.1}\" y=\"{y:.1}\" width=\"{w:.1}\" height=\"{}\" fill=\"{colour}\" stroke=\"#fff\"><title>{name} ({:.2} s)</title></rect>",
                escape(category),
                ROW - 2.0,
                span["dur"].as_u64().unwrap_or(0) as f64 / 1e6
            );
            // Named where there is room (about 6 px a character).
            if category != "build" && w > 40.0 {
                let room = ((w - 6.0) / 6.0) as usize;
                let label: String = str_of(&span["name"]).chars().take(room).collect();
                let _ = writeln!(
                    svg,
                    "<text x=\"{:.1}\" y=\"{:.1}\" fill=\"#fff\" pointer-events=\"none\">{}</text>",
                    x + 3.0,
                    y + ROW - 6.0,
                    escape(&label)
                );
            }
        }
    }
    svg.push_str("</svg>\n");
    svg
}

fn str_of(value: &Value) -> &str {
    value.as_str().unwrap_or("")
}

/// Text shown as itself in HTML.
pub(super) fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn release_text_cannot_make_markup() {
        let dist = tempfile::tempdir().unwrap();
        let manifest = serde_json::json!({
            "project": { "name": "<script>alert(1)</script>", "version": "1", "commit": null },
            "xhost": { "version": "0" },
            "artifacts": [{ "path": "a\"><img src=x onerror=alert(1)>", "kind": "binary",
                            "target": null, "sha256": "00", "size": 1, "stage": "s",
                            "plugin": { "name": "p" } }],
            "signatures": [],
        });
        std::fs::write(dist.path().join("artifacts.json"), manifest.to_string()).unwrap();
        let page = render(dist.path(), None).unwrap();
        assert!(!page.contains("<script>alert"), "{page}");
        assert!(!page.contains("<img"), "{page}");
        assert!(page.contains("&lt;script&gt;alert(1)&lt;/script&gt;"));
    }
}
