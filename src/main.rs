//! The `cscaudit` binary: parse arguments and run; errors are one sentence.
#![forbid(unsafe_code)]

use clap::Parser;

// Loading a large engagement decodes millions of small strings; mimalloc
// makes that about a quarter faster than the system allocator.
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
