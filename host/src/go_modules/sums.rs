//! `go.sum` covering what a build downloads: for every module `go.mod` requires (or
//! the module replacing it), the hash of its `go.mod` file, which Go reads for the
//! module graph, and for a direct requirement (whose packages the project imports)
//! the hash of its zip. Directory replacements have no hashes.

use super::Problem;
use super::files::{GoMod, GoSum, ModVersion, Replacement};

const FIX: &str = "run `go mod tidy` (it adds missing checksums) and commit go.sum";

/// `provided` tells the modules a workspace member provides (not downloaded).
pub fn check(
    go_mod: &GoMod,
    sums: Option<&GoSum>,
    provided: impl Fn(&ModVersion) -> bool,
) -> Vec<Problem> {
    let mut problems = Vec::new();
    for require in go_mod.requires.iter().filter(|r| !provided(&r.module)) {
        let module = match go_mod.replacement(&require.module).map(|r| &r.new) {
            Some(Replacement::Dir(_)) => continue,
            Some(Replacement::Module(replacement)) => replacement,
            None => &require.module,
        };
        let Some(sums) = sums else {
            problems.push(Problem::new(
                "go.mod",
                require.line,
                format!("requires {}, but the project has no go.sum", require.module),
                FIX,
            ));
            continue;
        };
        let mut missing = Vec::new();
        if !require.indirect && !sums.has(module, "") {
            missing.push("its zip");
        }
        if !sums.has(module, "/go.mod") {
            missing.push("its go.mod");
        }
        if !missing.is_empty() {
            let via = if *module == require.module {
                String::new()
            } else {
                format!(" (replaced with {module})")
            };
            problems.push(Problem::new(
                "go.mod",
                require.line,
                format!(
                    "requires {}{via}, but go.sum has no checksum of {}",
                    require.module,
                    missing.join(" or ")
                ),
                FIX,
            ));
        }
    }
    problems
}
