//! What a build writes where a CI system reads it: on GitHub Actions each target's
//! lines in a `::group::`, the job summary in Markdown, and errors as annotations on the
//! project's files (the configuration's, and Go's `file:line:col`); on GitLab, collapsed
//! sections; with `--json`, events (NDJSON) that tell the whole build.

mod support;

use support::*;

fn hello(name: &str) -> Project {
    let project = Project::from_example(name, "hello-go");
    project.set_targets(&["linux/amd64", "windows/amd64"]);
    project
}

/// The lines of each `::group::NAME` … `::endgroup::` block.
fn groups(log: &str) -> Vec<(String, Vec<String>)> {
    let mut found = Vec::new();
    let mut open: Option<(String, Vec<String>)> = None;
    for line in log.lines() {
        if let Some(name) = line.strip_prefix("::group::") {
            assert!(open.is_none(), "a group inside a group:\n{log}");
            open = Some((name.to_string(), Vec::new()));
        } else if line == "::endgroup::" {
            found.push(open.take().expect("an end without a start"));
        } else if let Some((_, lines)) = &mut open {
            lines.push(line.to_string());
        }
    }
    assert!(open.is_none(), "a group left open:\n{log}");
    found
}

#[test]
fn on_github_actions_targets_fold_the_summary_lists_the_release_and_errors_annotate() {
    let project = hello("ci-output-github");
    let workspace = project.dir.parent().unwrap();
    let summary = project.dir.with_extension("summary.md");
    let _ = std::fs::remove_file(&summary);
    let env = [
        ("GITHUB_ACTIONS", "true"),
        ("GITHUB_WORKSPACE", workspace.to_str().unwrap()),
        ("GITHUB_STEP_SUMMARY", summary.to_str().unwrap()),
    ];
    let build = project.xhost_planned(&["build", "--no-cache"], &env);
    build.assert_ok();
    let folded = groups(&build.stderr);
    let names: Vec<&str> = folded.iter().map(|(n, _)| n.as_str()).collect();
    for lane in ["linux/amd64", "windows/amd64", "release"] {
        assert!(
            names.contains(&lane),
            "no group {lane}: {names:?}\n{}",
            build.stderr
        );
    }
    for (name, lines) in &folded {
        assert!(!lines.is_empty());
        for line in lines {
            assert!(
                line.trim_start().starts_with(name.as_str()),
                "{name}'s group holds {line:?}"
            );
        }
    }
    let markdown = std::fs::read_to_string(&summary).unwrap();
    let sums = std::fs::read_to_string(project.path("dist/hello_1.0.0_checksums.txt")).unwrap();
    let (digest, _) = sums.split_once("  ").unwrap();
    assert!(markdown.starts_with("### hello 1.0.0\n"), "{markdown}");
    assert!(
        markdown.contains("hello\\_1.0.0\\_checksums.txt")
            && markdown.contains(&format!("| {digest} |"))
            && markdown.contains("Action cache: "),
        "{markdown}"
    );

    // A compile error: annotated on the line of the Go file, relative to the workspace.
    let main = project.path("cmd/hello/main.go");
    let mut source = std::fs::read_to_string(&main).unwrap();
    source.push_str("\nvar broken int = \"text\"\n");
    std::fs::write(&main, &source).unwrap();
    let line = source.lines().count();
    let failed = project.xhost_planned(&["build"], &env);
    assert_eq!(failed.code, Some(1));
    let expected = format!("::error file=ci-output-github/cmd/hello/main.go,line={line},col=");
    assert!(
        failed
            .stdout
            .lines()
            .any(|l| l.starts_with(&expected) && l.contains("cannot use \"text\"")),
        "no annotation {expected}…:\n{}\n{}",
        failed.stdout,
        failed.stderr
    );

    // A configuration error: on xhost.toml's line.
    std::fs::write(&main, source.replace("\nvar broken int = \"text\"\n", "")).unwrap();
    let config = std::fs::read_to_string(project.path("xhost.toml")).unwrap();
    project.write("xhost.toml", config.replacen("binary = ", "binray = ", 1));
    let line = config
        .lines()
        .position(|l| l.starts_with("binary = "))
        .unwrap()
        + 1;
    let failed = project.xhost_planned(&["build"], &env);
    assert_eq!(failed.code, Some(1));
    let expected = format!("::error file=ci-output-github/xhost.toml,line={line},col=1::");
    assert!(
        failed
            .stdout
            .lines()
            .any(|l| l.starts_with(&expected) && l.contains("binray")),
        "no annotation {expected}…:\n{}\n{}",
        failed.stdout,
        failed.stderr
    );
}

#[test]
fn on_gitlab_targets_are_collapsed_sections() {
    let project = hello("ci-output-gitlab");
    let build = project.xhost_planned(&["build", "--no-cache"], &[("GITLAB_CI", "true")]);
    build.assert_ok();
    for lane in ["linux_amd64", "windows_amd64", "release"] {
        let id = format!("xhost_{lane}");
        let starts = build
            .stderr
            .matches(&format!(":{id}[collapsed=true]\r\u{1b}[0K"))
            .count();
        let ends = build.stderr.matches(&format!(":{id}\r\u{1b}[0K\n")).count();
        assert!(
            starts >= 1 && starts == ends,
            "section {id}: {starts} starts, {ends} ends:\n{:?}",
            build.stderr
        );
        assert!(
            build.stderr.contains("\u{1b}[0Ksection_start:")
                && build.stderr.contains("\u{1b}[0Ksection_end:")
        );
    }
}

#[test]
fn json_events_tell_the_whole_build() {
    let project = hello("ci-output-json");
    let build = project.xhost(&["build", "--json"]);
    build.assert_ok();
    let events: Vec<serde_json::Value> = build
        .stdout
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect();
    assert!(events.iter().all(|e| e["schema"] == "xhost.events/v1"));
    let kinds: Vec<&str> = events
        .iter()
        .map(|e| e["event"].as_str().unwrap())
        .collect();
    assert_eq!(kinds.first(), Some(&"plan"), "{kinds:?}");
    assert_eq!(kinds.last(), Some(&"summary"), "{kinds:?}");
    assert_eq!(
        events[0]["targets"],
        serde_json::json!(["linux/amd64", "windows/amd64"])
    );
    let started = kinds.iter().filter(|k| **k == "stage_started").count();
    let finished = kinds.iter().filter(|k| **k == "stage_finished").count();
    assert_eq!(started, finished);
    assert_eq!(
        finished,
        2 * 4 + 1,
        "four per-target stages for two targets, one release stage"
    );
    assert_eq!(kinds.iter().filter(|k| **k == "lane_finished").count(), 4);

    // Every artifact event is a file of dist/ with that digest, and every file has one.
    let artifacts: Vec<&serde_json::Value> =
        events.iter().filter(|e| e["event"] == "artifact").collect();
    let files = files(&project.dist());
    assert_eq!(
        artifacts.len() + 1,
        files.len(),
        "every file but artifacts.json"
    );
    for artifact in &artifacts {
        let path = project.dist().join(artifact["path"].as_str().unwrap());
        assert_eq!(sha256(&path), artifact["sha256"].as_str().unwrap());
    }
    let summary = events.last().unwrap();
    assert_eq!(summary["artifacts"], artifacts.len());
    let mut lines: Vec<&str> = build.stdout.lines().collect();
    assert_eq!(summary["unchanged"], false);
    let cache = &summary["cache"];
    assert_eq!(
        cache["hits"].as_u64().unwrap() + cache["misses"].as_u64().unwrap(),
        finished as u64
    );

    // Nothing changed: the release stands, and the events say so.
    let again = project.xhost(&["build", "--json"]);
    again.assert_ok();
    let last: serde_json::Value =
        serde_json::from_str(again.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(
        (last["event"].as_str(), last["unchanged"].as_bool()),
        (Some("summary"), Some(true))
    );
    lines.extend(again.stdout.lines());

    // A failure ends in an error event.
    project.write("xhost.toml", "[project]\nname = 3\n");
    let failed = project.xhost(&["build", "--json"]);
    assert_eq!(failed.code, Some(1));
    let last: serde_json::Value =
        serde_json::from_str(failed.stdout.lines().last().unwrap()).unwrap();
    assert_eq!(last["event"], "error");
    assert!(
        last["message"].as_str().unwrap().contains("xhost.toml:2"),
        "{last}"
    );
    lines.extend(failed.stdout.lines());

    // Every event of the three builds valid against the published JSON schema, which
    // refuses an event missing a field.
    let (valid, report) = validate_events(&project, &lines);
    assert!(valid, "{report}");
    let incomplete =
        r#"{"schema":"xhost.events/v1","event":"stage_finished","lane":"release","stage":"x"}"#;
    let (valid, _) = validate_events(&project, &[incomplete]);
    assert!(
        !valid,
        "the schema accepted a stage_finished without its outcome"
    );
}

#[test]
fn the_report_page_loads_in_chromium_with_every_file_stage_and_the_timeline() {
    let project = hello("ci-output-report");
    let trace = project.dir.with_extension("trace.json");
    project
        .xhost_planned(
            &["build", "--no-cache", "--trace", trace.to_str().unwrap()],
            &[],
        )
        .assert_ok();
    let page = project.dir.with_extension("report.html");
    let dist = project.dist();
    project
        .xhost(&[
            "report",
            dist.to_str().unwrap(),
            "--trace",
            trace.to_str().unwrap(),
            "--out",
            page.to_str().unwrap(),
        ])
        .assert_ok();
    let dom = run_tool(
        "chromium",
        &[
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--dump-dom",
            &format!("file://{}", page.display()),
        ],
        &project.dir,
    );
    // The page's script ran (it counts the rows into the headings).
    assert!(dom.contains("data-ready=\"yes\""), "{dom}");
    let manifest: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dist.join("artifacts.json")).unwrap()).unwrap();
    let files = manifest["artifacts"].as_array().unwrap();
    let stages = manifest["cache"]["stages"].as_array().unwrap();
    assert!(
        dom.contains(&format!(
            "<table id=\"artifacts\" data-rows=\"{}\"",
            files.len()
        )),
        "{dom}"
    );
    assert!(
        dom.contains(&format!(
            "<table id=\"stages\" data-rows=\"{}\"",
            stages.len()
        )),
        "{dom}"
    );
    assert!(dom.contains(&format!(
        "<span id=\"artifacts-count\">{}</span>",
        files.len()
    )));
    for file in files {
        assert!(dom.contains(file["sha256"].as_str().unwrap()), "{file}");
    }
    // The timeline: a bar per stage invocation, on the lanes' threads.
    let bars = dom.matches("class=\"span stage\"").count();
    assert_eq!(bars, stages.len(), "{dom}");
    assert!(dom.contains(">xhost-lane-0</text>"), "{dom}");
    // The SBOM of the linux binary, with the Go standard library's package in it.
    assert!(dom.contains("hello_linux_amd64/hello.spdx.json: "), "{dom}");
    assert!(dom.contains("<li>stdlib "), "{dom}");
}

/// Checks each of `events` against `docs/events.schema.json` with check-jsonschema.
fn validate_events(project: &Project, events: &[&str]) -> (bool, String) {
    let dir = project.dir.with_extension("events");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let files: Vec<String> = events
        .iter()
        .enumerate()
        .map(|(n, event)| {
            let file = dir.join(format!("{n:03}.json"));
            std::fs::write(&file, event).unwrap();
            file.display().to_string()
        })
        .collect();
    run_checker(
        std::process::Command::new(dev_checker("checkers", "bin/check-jsonschema"))
            .arg("--schemafile")
            .arg(workspace().join("docs/events.schema.json"))
            .args(&files),
    )
}
