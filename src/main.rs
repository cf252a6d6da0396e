//! capsule: parse the command line, run the command, print any error and exit with its code.
//!
//! The modules stand on floors, and a module only uses (`use crate::…`) modules of its own floor or
//! lower ones, never a higher one:
//! 1. `error`, `units`, `locks`, `counter`, `output`, `formats`, `mime`, `say`: words every other floor speaks;
//! 2. `config`, `userconf`: `capsule.toml`, and the user's own folder (known sites, the running editor);
//! 3. `content`: the site model, loaded from `content/`;
//! 4. `media`: photo and audio jobs, and their cache;
//! 5. `library`: the music library across all playlists, and its recommendations;
//! 6. `render`: gemtext and HTML, as pure functions of the model, the media and the library;
//! 7. `report`, `budget`, `fit`: sizes, budgets and the settings that fit them;
//! 8. `build`: the phases of one build;
//! 9. `serve`, `publish`, `scaffold`, `edit`: the commands' own work;
//! 10. `cli`: the command line.

mod budget;
mod build;
mod cli;
mod config;
mod content;
mod counter;
mod edit;
mod error;
mod fit;
mod formats;
mod library;
mod locks;
mod media;
mod mime;
mod output;
mod publish;
mod render;
mod report;
mod say;
mod scaffold;
mod serve;
mod units;
mod userconf;

use clap::Parser;

fn main() {
    let cli = cli::Cli::parse();
    if let Err(e) = cli::run(cli) {
        eprintln!("{e}");
        std::process::exit(e.exit_code());
    }
}
