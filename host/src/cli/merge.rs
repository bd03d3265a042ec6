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
        jobs: None,
        remote_exec: None,
        split: false,
        merge: args.partials,
        release: args.release,
    };
    super::build::run(build, verbosity)
}
