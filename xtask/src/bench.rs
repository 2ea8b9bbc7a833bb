//! `cargo xtask bench`: what the SDK costs. Reports the warm time of `cargo xtask codegen` and
//! the size of the generated module, then runs the release-built `r2-catalog-bench` (the SDK's
//! call against bare reqwest on a loopback server), whose last line is the verdict.

use std::process::{Command, ExitStatus};
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

use crate::Workspace;
use crate::codegen::OUTPUT;

/// Runs the whole benchmark; `bench_args` go to the bench binary (`--calls N --rounds R`).
pub fn run(workspace: &Workspace, bench_args: &[String]) -> Result<ExitStatus> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());

    // `--check` runs the whole pipeline (read spec, generate, format, compare) without writing.
    let codegen = || {
        let started = Instant::now();
        let status = Command::new(&cargo)
            .args(["xtask", "codegen", "--check"])
            .current_dir(workspace.root())
            .output()
            .context("running cargo xtask codegen --check")?
            .status;
        if !status.success() {
            bail!("cargo xtask codegen --check failed; run cargo xtask codegen first");
        }
        Ok(started.elapsed())
    };
    codegen()?; // cold: builds xtask if needed
    let mut warm: Vec<Duration> = (0..5).map(|_| codegen()).collect::<Result<_>>()?;
    warm.sort();
    let generated = std::fs::read_to_string(workspace.path(OUTPUT))
        .with_context(|| format!("reading {OUTPUT}"))?;
    println!(
        "codegen: warm `cargo xtask codegen --check` median {:.0?} (5 runs)",
        warm[warm.len() / 2]
    );
    println!(
        "codegen: {OUTPUT} is {} bytes, {} lines",
        generated.len(),
        generated.lines().count()
    );

    Command::new(&cargo)
        .args([
            "run",
            "--release",
            "--quiet",
            "-p",
            "r2-catalog-bench",
            "--",
        ])
        .args(bench_args)
        .current_dir(workspace.root())
        .status()
        .context("running the bench")
}
