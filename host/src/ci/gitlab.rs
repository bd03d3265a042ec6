//! The GitLab CI/CD pipeline: `.gitlab-ci.yml`.

use std::fmt::Write as _;

use super::{GENERATED, Pipeline};

pub fn render(p: &Pipeline) -> String {
    let mut y = String::new();
    let _ = writeln!(
        y,
        "{GENERATED} gitlab` from xhost.toml: change [ci] there and run it again\n\
         # rather than editing this file. Scope the signing keys' variables to the\n\
         # `release` environment: only the merge job runs in it."
    );
    // A `v*.*.*` tag releases it; a schedule or a run from the web builds a snapshot.
    y.push_str("workflow:\n  rules:\n");
    y.push_str("    - if: $CI_COMMIT_TAG =~ /^v[0-9]+[.][0-9]+[.][0-9]+/\n");
    y.push_str("      variables:\n        XHOST_SNAPSHOT: \"\"\n");
    y.push_str("    - if: $CI_PIPELINE_SOURCE == \"schedule\" || $CI_PIPELINE_SOURCE == \"web\"\n");
    y.push_str("      variables:\n        XHOST_SNAPSHOT: \"--snapshot\"\n\n");
    y.push_str("stages:\n  - plan\n  - split\n  - merge\n\n");
    let _ = writeln!(
        y,
        "default:\n  image: {}\n  before_script:\n    - {}\n",
        p.gitlab_image, p.install
    );
    y.push_str(
        "variables:\n  GIT_DEPTH: \"0\"\n  XHOST_CACHE_DIR: \"$CI_PROJECT_DIR/.xhost-cache\"\n\n",
    );

    y.push_str("plan:\n  stage: plan\n  script:\n    - xhost check $XHOST_SNAPSHOT\n\n");

    for group in &p.groups {
        let _ = writeln!(y, "split-{}:\n  stage: split\n  needs: [plan]", group.name);
        if !group.runner.is_empty() {
            let _ = writeln!(y, "  tags: [{}]", group.runner.join(", "));
        }
        if !p.remote_cache {
            let _ = writeln!(
                y,
                "  cache:\n    key: xhost-{}\n    paths:\n      - .xhost-cache/",
                group.name
            );
        }
        let _ = writeln!(
            y,
            "  script:\n    - if [ -d .xhost-cache ]; then mv .xhost-cache \"$XHOST_CACHE_DIR\"; fi\n    - xhost build --split {} $XHOST_SNAPSHOT --dist /tmp/partial\n    - mkdir -p partials && mv /tmp/partial partials/{}\n    - if [ -d \"$XHOST_CACHE_DIR\" ]; then mv \"$XHOST_CACHE_DIR\" .xhost-cache; fi\n  artifacts:\n    paths:\n      - partials/{}/\n    expire_in: 3 days\n",
            Pipeline::target_args(group),
            group.name,
            group.name
        );
    }

    let needs: Vec<String> = p
        .groups
        .iter()
        .map(|g| format!("split-{}", g.name))
        .collect();
    let _ = writeln!(y, "merge:\n  stage: merge\n  needs: [{}]", needs.join(", "));
    y.push_str("  environment:\n    name: release\n");
    if !p.key_secrets.is_empty() {
        let _ = writeln!(
            y,
            "  # Variables of the `release` environment it reads: {}",
            p.key_secrets.join(", ")
        );
    }
    y.push_str(
        "  script:\n    - mv partials /tmp/partials\n    - xhost merge /tmp/partials/* $XHOST_SNAPSHOT\n    - xhost verify dist\n",
    );
    if p.publish {
        y.push_str("    - if [ -n \"$CI_COMMIT_TAG\" ]; then xhost publish; fi\n");
    }
    y.push_str("  artifacts:\n    name: release\n    paths:\n      - dist/\n");
    y
}
