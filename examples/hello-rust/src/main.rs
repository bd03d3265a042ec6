//! `hello-rust [--shout] [--case snake|kebab|title] NAME…`: greets, to show a Rust
//! release built by xhost.

use heck::{ToKebabCase, ToSnakeCase, ToTitleCase};

fn main() {
    let mut args = pico_args::Arguments::from_env();
    if args.contains(["-V", "--version"]) {
        println!("hello-rust {}", env!("CARGO_PKG_VERSION"));
        return;
    }
    let shout = args.contains("--shout");
    let case: Option<String> = match args.opt_value_from_str("--case") {
        Ok(case) => case,
        Err(e) => fail(&e.to_string()),
    };
    let names: Vec<String> = args
        .finish()
        .into_iter()
        .map(|name| name.to_string_lossy().into_owned())
        .collect();
    let name = if names.is_empty() {
        "world".to_string()
    } else {
        names.join(" ")
    };
    let name = match case.as_deref() {
        None => name,
        Some("snake") => name.to_snake_case(),
        Some("kebab") => name.to_kebab_case(),
        Some("title") => name.to_title_case(),
        Some(other) => fail(&format!("unknown case `{other}`: snake, kebab or title")),
    };
    // WASI targets name no operating system.
    let os = match std::env::consts::OS {
        "" => "wasi",
        os => os,
    };
    let greeting = format!("Hello, {name}! (from {os}/{})", std::env::consts::ARCH);
    if shout {
        println!("{}", greeting.to_uppercase());
    } else {
        println!("{greeting}");
    }
}

fn fail(message: &str) -> ! {
    eprintln!("hello-rust: {message}");
    std::process::exit(2)
}
