//! The `cscaudit` binary: parse arguments and run; errors are one sentence.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = cscaudit::cli::args::Cli::parse();
    match cscaudit::cli::run(cli) {
        Ok(()) => {}
        Err(e) if e.is_silent() => {}
        Err(e) => {
            eprintln!("error: {e}");
            std::process::exit(1);
        }
    }
}
