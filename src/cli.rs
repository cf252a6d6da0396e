//! The command line: `new`, `build`, `report`, `serve` and `publish`, with their help texts, and what each prints.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand};

use crate::build::{build, root_or_current, BuildOptions};
use crate::edit::{self, EditOptions};
use crate::error::{print_warnings, Error};
use crate::publish::{self, PublishOptions};
use crate::report::Report;
use crate::scaffold;
use crate::serve::{self, ServeOptions};

#[derive(Parser)]
#[command(
    name = "capsule",
    version,
    about = "Publish photo albums and music playlists as a Gemini capsule and a small HTML site, from Markdown files.",
    long_about = "capsule turns a folder of Markdown files, photos and music into two small websites: \
a Gemini capsule in public/gemini/ and an HTML site with no JavaScript in public/html/. \
Start with `capsule new my-site`, then `capsule build` inside it."
)]
pub(crate) struct Cli {
    /// Without a command: the welcome page of `capsule edit --welcome` on Windows (where capsule.exe is
    /// started by a double-click), this help elsewhere.
    #[command(subcommand)]
    pub command: Option<Command>,
}

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Create a new site folder with an example page, album and playlist to edit.
    New {
        /// The folder to create, for example my-site.
        dir: PathBuf,
    },
    /// Build both sites (Gemini and HTML) from the content/ folder and print their sizes.
    Build(BuildArgs),
    /// Print the size report of the last build, without building.
    Report(ReportArgs),
    /// Preview the site while you edit it: the HTML site over HTTP, the capsule over Gemini.
    Serve(ServeArgs),
    /// Edit your site in your web browser: make albums, playlists and pages by clicking. Also previews
    /// the site like `capsule serve`.
    Edit(EditArgs),
    /// Send the built sites to their hosts: `publish html` (an S3 bucket, such as Deuxfleurs'),
    /// `publish gemini` (a tarball, a folder or rsync).
    #[command(subcommand)]
    Publish(PublishCommand),
}

#[derive(Subcommand)]
pub(crate) enum PublishCommand {
    /// Upload public/html/ to the bucket of [publish.html] in capsule.toml: only what changed.
    Html(PublishArgs),
    /// Send public/gemini/ as [publish.gemini] in capsule.toml says (tarball, directory or rsync).
    Gemini(PublishArgs),
}

#[derive(Args)]
pub(crate) struct PublishArgs {
    /// The site folder, the one that holds content/ (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Show what would be uploaded and deleted, and change nothing.
    #[arg(long)]
    pub dry_run: bool,
    /// Also remove the files of the host that the site no longer has.
    #[arg(long)]
    pub delete: bool,
    /// Print every request (secrets are never printed).
    #[arg(long, short)]
    pub verbose: bool,
}

#[derive(Args)]
pub(crate) struct ServeArgs {
    /// The site folder, the one that holds content/ (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The address to listen on. Only this computer can see the preview unless you change it.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port of the HTML preview (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = 8000)]
    pub http_port: u16,
    /// The port of the Gemini capsule (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = 1965)]
    pub gemini_port: u16,
    /// Serve only the HTML preview, no Gemini.
    #[arg(long)]
    pub no_gemini: bool,
    /// Also show pages, albums and playlists marked draft = true.
    #[arg(long)]
    pub drafts: bool,
}

#[derive(Args)]
pub(crate) struct EditArgs {
    /// The site folder, the one that holds content/ (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// The address to listen on: only this computer's (127.0.0.1 or ::1) are allowed.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1")]
    pub bind: std::net::IpAddr,
    /// The port of the editor and the HTML preview (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = 8000)]
    pub http_port: u16,
    /// The port of the Gemini capsule (0 picks a free one).
    #[arg(long, value_name = "N", default_value_t = 1965)]
    pub gemini_port: u16,
    /// Serve no Gemini capsule.
    #[arg(long)]
    pub no_gemini: bool,
    /// Do not open the editor in the web browser; only print its address.
    #[arg(long)]
    pub no_browser: bool,
    /// Open the welcome page (your sites, a new site) even in a site's folder; where capsule already
    /// runs, open that one instead. The applications menu starts capsule this way.
    #[arg(long, conflicts_with = "root")]
    pub welcome: bool,
}

#[derive(Args)]
pub(crate) struct BuildArgs {
    /// The site folder, the one that holds content/ (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Where to write the sites (default: ROOT/public). It is replaced on each build.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,
    /// Also publish pages, albums and playlists marked draft = true.
    #[arg(long)]
    pub drafts: bool,
    /// Print only warnings and errors.
    #[arg(long, short)]
    pub quiet: bool,
    /// Leave out photos and tracks that cannot be read (each gets a warning) and build the rest.
    #[arg(long)]
    pub keep_going: bool,
    /// Write the site even when it is over a budget of capsule.toml's [budget].
    #[arg(long)]
    pub allow_over_budget: bool,
    /// Choose photo sizes, quality targets and audio bitrates that keep every budget, with the best
    /// quality that fits; they are saved in capsule-fit.toml and reused by the next builds.
    #[arg(long, conflicts_with = "allow_over_budget")]
    pub fit: bool,
}

#[derive(Args)]
pub(crate) struct ReportArgs {
    /// The site folder, the one that holds content/ (default: the current folder).
    #[arg(long, value_name = "DIR")]
    pub root: Option<PathBuf>,
    /// Print the report as one JSON object, for scripts.
    #[arg(long)]
    pub json: bool,
}

pub(crate) fn run(cli: Cli) -> Result<(), Error> {
    let Some(command) = cli.command else {
        if cfg!(windows) {
            return run_edit(
                <EditArgs as clap::FromArgMatches>::from_arg_matches(
                    &<EditArgs as clap::Args>::augment_args(clap::Command::new("edit"))
                        .get_matches_from(["edit", "--welcome"]),
                )
                .map_err(|e| Error::Usage(e.to_string()))?,
            );
        }
        let _ = <Cli as clap::CommandFactory>::command().print_help();
        return Ok(());
    };
    match command {
        Command::New { dir } => {
            scaffold::create(&dir)?;
            println!("Created a new site in {}.", dir.display());
            println!("Next: cd {} && capsule build", dir.display());
            Ok(())
        }
        Command::Build(args) => {
            let opts = BuildOptions {
                root: root_or_current(args.root.as_deref()),
                out: args.out,
                drafts: args.drafts,
                keep_going: args.keep_going,
                progress: !args.quiet,
                allow_over_budget: args.allow_over_budget,
                fit: args.fit,
                counter: None,
                follow_fresh_for: None,
            };
            let run = build(&opts);
            print_warnings(&run.warnings);
            let outcome = run.result?;
            for note in &outcome.notes {
                println!("{note}");
            }
            if !args.quiet {
                print!("{}", outcome.report.table());
            }
            Ok(())
        }
        Command::Serve(args) => serve::run(ServeOptions {
            root: Some(root_or_current(args.root.as_deref())),
            bind: args.bind,
            http_port: args.http_port,
            gemini_port: args.gemini_port,
            gemini: !args.no_gemini,
            drafts: args.drafts,
            any_free_port: false,
        }),
        Command::Edit(args) => run_edit(args),
        Command::Publish(which) => {
            let (args, html) = match which {
                PublishCommand::Html(a) => (a, true),
                PublishCommand::Gemini(a) => (a, false),
            };
            let opts = PublishOptions {
                root: root_or_current(args.root.as_deref()),
                dry_run: args.dry_run,
                delete: args.delete,
                verbose: args.verbose,
                counter: None,
            };
            if html {
                publish::html(&opts)
            } else {
                publish::gemini(&opts)
            }
        }
        Command::Report(args) => {
            let report = Report::load(&root_or_current(args.root.as_deref()))?;
            if args.json {
                let json = serde_json::to_string_pretty(&report)
                    .map_err(Error::internal("print the report as JSON"))?;
                println!("{json}");
            } else {
                print!("{}", report.table());
            }
            Ok(())
        }
    }
}

fn run_edit(args: EditArgs) -> Result<(), Error> {
    edit::run(EditOptions {
        root: args.root,
        welcome: args.welcome,
        bind: args.bind,
        http_port: args.http_port,
        gemini_port: args.gemini_port,
        gemini: !args.no_gemini,
        open_browser: !args.no_browser,
    })
}
