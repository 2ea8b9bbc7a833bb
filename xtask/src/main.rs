//! `cargo xtask <task>`: the maintainer entry point. Each task lives in its own module of the
//! `xtask` library; this file only parses the command line and dispatches.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::{Parser, Subcommand};
use xtask::{Workspace, bench, codegen, trim};

#[derive(Parser)]
#[command(about = "Maintainer tasks for the cloudflare-r2-catalog workspace")]
struct Cli {
    #[command(subcommand)]
    task: Task,
}

#[derive(Subcommand)]
enum Task {
    /// Regenerate sdk/src/generated.rs from the trimmed spec with progenitor.
    Codegen {
        /// Write nothing; fail if the committed generated code differs from what the spec gives.
        #[arg(long)]
        check: bool,
    },
    /// Measure the SDK against bare reqwest (release build) and report codegen time and size.
    Bench {
        /// Passed to the bench binary: `--calls N` per round, `--rounds R`; `--sweep` for the
        /// sweep bench (unlimited and rate-limited), `--endless-listing [--pages K]` for the
        /// CLI's memory against a listing that never ends.
        #[arg(last = true)]
        args: Vec<String>,
    },
    /// Rewrite openapi/ from Cloudflare's full OpenAPI document and openapi/operations.txt.
    Trim {
        /// Cloudflare's full OpenAPI document (api-schemas `openapi.json`), or any superset.
        #[arg(long, value_name = "UPSTREAM_JSON")]
        from: PathBuf,
    },
}

fn main() -> ExitCode {
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    let workspace = Workspace::locate()?;
    match cli.task {
        Task::Codegen { check: false } => {
            codegen::write(&workspace)?;
            println!("codegen: wrote {}", codegen::OUTPUT);
            Ok(ExitCode::SUCCESS)
        }
        Task::Codegen { check: true } => match codegen::check(&workspace)? {
            codegen::Freshness::UpToDate => {
                println!("codegen: {} is up to date", codegen::OUTPUT);
                Ok(ExitCode::SUCCESS)
            }
            codegen::Freshness::Stale => {
                eprintln!(
                    "codegen: {} is stale relative to {}; run `cargo xtask codegen`",
                    codegen::OUTPUT,
                    codegen::SPEC
                );
                Ok(ExitCode::FAILURE)
            }
        },
        Task::Bench { args } => {
            let status = bench::run(&workspace, &args)?;
            Ok(if status.success() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Task::Trim { from } => {
            let upstream = std::fs::read_to_string(&from)
                .with_context(|| format!("reading {}", from.display()))?;
            trim::write(&workspace, &upstream)?;
            println!("trim: wrote {} from {}", trim::SPEC, from.display());
            Ok(ExitCode::SUCCESS)
        }
    }
}
