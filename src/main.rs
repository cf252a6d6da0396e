//! capsule: parse the command line, run the command, print any error and exit with its code.

mod budget;
mod build;
mod cli;
mod config;
mod content;
mod error;
mod fit;
mod media;
mod mime;
mod output;
mod publish;
mod render;
mod report;
mod scaffold;
mod serve;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    if let Err(e) = cli::run(cli) {
        cli::print_warnings(e.warnings());
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
