//! The `cscaudit` binary: parse arguments and run; errors are one sentence.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = cscaudit::cli::args::Cli::parse();
    let (lang, outcome) = cscaudit::cli::run(cli);
    match outcome {
        Ok(()) => {}
        Err(e) if e.is_silent() => {}
        Err(e) => {
            // Errors quote user data (references, file names, values): shown inert.
            let text = cscaudit::text::visible_lines(e.text(lang)).into_owned();
            eprintln!("{}{}", lang.pick("error: ", "错误："), text);
            std::process::exit(1);
        }
    }
}
