//! The `cscaudit` binary: parse arguments and run; errors are one sentence.
#![forbid(unsafe_code)]

use clap::Parser;

fn main() {
    let cli = cscaudit::cli::args::Cli::parse();
    let lang = cscaudit::cli::lang_for(&cli);
    match cscaudit::cli::run(cli) {
        Ok(()) => {}
        Err(e) if e.is_silent() => {}
        Err(e) => {
            eprintln!("{}{}", lang.pick("error: ", "错误："), e.text(lang));
            std::process::exit(1);
        }
    }
}
