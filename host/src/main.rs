fn main() -> std::process::ExitCode {
    // The tool sandbox's launcher is this same executable; it must not start clap,
    // threads or anything else before confining itself.
    let mut args = std::env::args_os().skip(1);
    if args
        .next()
        .is_some_and(|a| a == xhost::tool_sandbox::LAUNCHER_COMMAND)
    {
        return xhost::tool_sandbox::launcher::main(args.collect());
    }
    // Whatever the process that started xhost left open is not passed on to anything
    // xhost starts (git, the launcher, programs).
    if let Err(why) = xhost::tool_sandbox::process_state::cloexec_inherited() {
        eprintln!("error: {why}");
        return std::process::ExitCode::FAILURE;
    }
    xhost::cli::main()
}
