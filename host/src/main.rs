fn main() -> std::process::ExitCode {
    xhost::cli::main()
}
