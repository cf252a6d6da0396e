//! capsule: parse the command line, run the command, print any error and exit with its code.

mod build;
mod cli;
mod config;
mod content;
mod error;
mod media;
mod mime;
mod output;
mod render;
mod report;
mod scaffold;
mod serve;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    if let Err(e) = cli::run(cli) {
        if let error::Error::Content { warnings, .. } = &e {
            cli::print_warnings(warnings);
        }
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
