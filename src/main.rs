//! The `cscaudit` binary: parse arguments and run; errors are one sentence.
#![forbid(unsafe_code)]

use clap::Parser;
use std::io::Write;

fn main() {
    let cli = cscaudit::cli::args::Cli::parse();
    let (lang, outcome) = cscaudit::cli::run(cli);
    match outcome {
        Ok(()) => {}
        Err(e) if e.is_silent() => {}
        Err(e) => {
            // Errors quote user data (references, file names, values): shown inert.
            let text = cscaudit::text::visible_lines(e.text(lang)).into_owned();
            // Not eprintln!: it panics when stderr is gone (a closed terminal).
            let _ = writeln!(std::io::stderr(), "{}{}", lang.pick("error: ", "错误："), text);
            std::process::exit(1);
        }
    }
}
