//! The `amtsweg` binary: parses the command line and runs one command.
//! Everything else lives in the `amtsweg_server` library.

use std::{path::PathBuf, process::ExitCode};

use amtsweg_server::{commands, config::Config, definitions, error::StartError};
use clap::{Parser, Subcommand};
use tracing_subscriber::EnvFilter;

/// mimalloc instead of glibc's malloc: a step render allocates many small
/// strings, and glibc's allocator took a quarter of its time
/// (docs/benchmarks.md).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Amtsweg – Online-Antragsportal / online application portal (OZG).
#[derive(Debug, Parser)]
#[command(name = "amtsweg", version, about)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Run the web portal (the default).
    Serve,
    /// Apply the database migrations and exit.
    Migrate,
    /// Run the delivery worker alone (for `AMTSWEG_WORKER=off` servers, or
    /// more workers on one PostgreSQL).
    Worker,
    /// List the delivery jobs that are not done, or send dead ones again.
    #[command(args_conflicts_with_subcommands = true)]
    Outbox {
        /// Only the dead letters (short for `outbox list --dead`).
        #[arg(long)]
        dead: bool,
        #[command(subcommand)]
        action: Option<OutboxAction>,
    },
    /// Form definitions for editors: import a FIM Stammdatenschema, check
    /// a definition before publishing.
    Forms {
        #[command(subcommand)]
        action: FormsAction,
    },
    /// Check form definition files and print every problem with its JSON path.
    CheckDefinition {
        /// Definition files (JSON).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum FormsAction {
    /// Import a FIM Stammdatenschema (XDatenfelder 2.0 or 3.0.0 XML) as a
    /// draft definition: prints the import report, writes the JSON.
    ImportFim {
        /// The XDatenfelder XML file.
        #[arg(value_name = "FILE")]
        file: PathBuf,
        /// Where to write the definition JSON (default: standard output,
        /// with the report on standard error).
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check definitions before publishing: the JSON Schema, the engine's
    /// definition check and the quality check, every problem with its place.
    Check {
        /// Definition files (JSON).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
    },
}

#[derive(Debug, Subcommand)]
enum OutboxAction {
    /// List pending, running and dead jobs (the default).
    List {
        /// Only the dead letters.
        #[arg(long)]
        dead: bool,
    },
    /// Send dead jobs again.
    Retry {
        /// Job ids (the first column of `amtsweg outbox list`).
        #[arg(value_name = "ID")]
        ids: Vec<i64>,
        /// Every dead job.
        #[arg(long)]
        all_dead: bool,
    },
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    match cli.command.unwrap_or(Command::Serve) {
        Command::CheckDefinition { files } => check_definition(&files),
        Command::Forms { action } => forms(action),
        Command::Worker => run(|config| async move { commands::worker(&config).await }),
        Command::Outbox { dead, action } => match action.unwrap_or(OutboxAction::List { dead }) {
            OutboxAction::List { dead } => {
                run(move |config| async move { commands::outbox_list(&config, dead).await })
            }
            OutboxAction::Retry { ids, all_dead } => {
                if ids.is_empty() && !all_dead {
                    eprintln!("amtsweg outbox retry: name job ids or --all-dead");
                    return ExitCode::from(2);
                }
                run(
                    move |config| async move { commands::outbox_retry(&config, &ids, all_dead).await },
                )
            }
        },
        Command::Serve => run(|config| async move { commands::serve(&config).await }),
        Command::Migrate => run(|config| async move { commands::migrate(&config).await }),
    }
}

fn check_definition(files: &[PathBuf]) -> ExitCode {
    let mut out = std::io::stdout().lock();
    match definitions::check_files(files, &mut out) {
        Ok(status) => ExitCode::from(u8::try_from(status).unwrap_or(1)),
        Err(e) => {
            eprintln!("amtsweg check-definition: cannot write the report: {e}");
            ExitCode::from(2)
        }
    }
}

fn forms(action: FormsAction) -> ExitCode {
    let mut out = std::io::stdout().lock();
    let result = match action {
        FormsAction::ImportFim {
            file,
            out: out_file,
        } => commands::forms_import_fim(
            &file,
            out_file.as_deref(),
            &mut out,
            &mut std::io::stderr().lock(),
        ),
        FormsAction::Check { files } => commands::forms_check(&files, &mut out),
    };
    match result {
        Ok(status) => ExitCode::from(status),
        Err(e) => {
            eprintln!("amtsweg forms: cannot write the output: {e}");
            ExitCode::from(2)
        }
    }
}

/// Sets up logging, reads the config, and runs `command` on a runtime.
fn run<F, Fut>(command: F) -> ExitCode
where
    F: FnOnce(Config) -> Fut,
    Fut: Future<Output = Result<(), StartError>>,
{
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| EnvFilter::new("info,sqlx=warn,tower_http=warn")),
        )
        .with_target(false)
        // Logs on stderr: stdout is for what a command prints (`outbox`).
        .with_writer(std::io::stderr)
        .init();
    let result = Config::from_env()
        .map_err(StartError::from)
        .and_then(|config| {
            tracing::info!(config = ?config, "configuration");
            let runtime = tokio::runtime::Builder::new_multi_thread()
                .enable_all()
                .build()
                .map_err(StartError::Serve)?;
            runtime.block_on(command(config))
        });
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("amtsweg: {e}");
            ExitCode::FAILURE
        }
    }
}
