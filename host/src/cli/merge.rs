//! `xhost merge`: a build whose targets' artifacts come from partial releases.

use anyhow::Result;

use super::{BuildArgs, MergeArgs, ProjectArgs};

pub(super) fn run(args: MergeArgs, verbosity: u8) -> Result<()> {
    let build = BuildArgs {
        project: ProjectArgs {
            dir: args.dir,
            targets: Vec::new(),
            snapshot: args.snapshot,
            allow_lower_tag: args.allow_lower_tag,
        },
        dist: args.dist,
        jobs: None,
        no_cache: args.no_cache,
        publish: args.publish,
        trace: args.trace,
        remote_cache: args.remote_cache,
        remote_cache_read_only: args.remote_cache_read_only,
        remote_exec: None,
        split: false,
        merge: args.partials,
        json: args.json,
        tool_sandbox: args.tool_sandbox,
    };
    super::build::run(build, verbosity)
}
