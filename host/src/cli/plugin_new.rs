//! `xhost plugin new`: scaffold a plugin project.

use anyhow::Result;

use super::{Lang, NewArgs, World};
use crate::scaffold;

pub(super) fn run(args: NewArgs) -> Result<()> {
    let lang = match args.lang {
        Lang::Rust => scaffold::Lang::Rust,
        Lang::Python => scaffold::Lang::Python,
        Lang::Js => scaffold::Lang::Js,
    };
    let world = match args.world {
        World::Plugin => scaffold::World::Plugin,
        World::ToolPlugin => scaffold::World::ToolPlugin,
        World::SignerPlugin => scaffold::World::SignerPlugin,
    };
    let dir = scaffold::create(&args.dir, &args.name, lang, world)?;
    let build = match lang {
        scaffold::Lang::Rust => "cargo build --target wasm32-wasip2 --release",
        scaffold::Lang::Python | scaffold::Lang::Js => "./build.sh",
    };
    println!("created {} (world {})", dir.display(), world.name());
    println!("next:\n  cd {}\n  {build}\n  ./test.sh", dir.display());
    Ok(())
}
