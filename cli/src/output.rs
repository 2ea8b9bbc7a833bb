//! What the CLI prints and how it exits: results as JSON on stdout, failures on stderr.

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use cloudflare_r2_catalog::Error;
use serde::Serialize;

/// Why a command did not succeed.
pub(crate) enum Failure {
    /// The SDK's error: bad input or configuration (exit 2), or the API or network (exit 1).
    Sdk(Error),
    /// The command line or its environment cannot be used; nothing was sent (exit 2).
    Setup(String),
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Sdk(error)
    }
}

/// Prints `result` as pretty JSON on stdout.
pub(crate) fn print_json(result: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(result)
        .map_err(|error| Failure::Setup(format!("cannot print the result: {error}")))?;
    let mut stdout = std::io::stdout().lock();
    writeln!(stdout, "{text}")
        .map_err(|error| Failure::Setup(format!("cannot write the result: {error}")))
}

/// Prints `failure` on stderr and returns the exit code it calls for.
pub(crate) fn report(failure: &Failure) -> ExitCode {
    let mut stderr = std::io::stderr().lock();
    // Nothing more can be done if stderr itself is gone.
    let _ = writeln!(stderr, "{}", describe(failure));
    match failure {
        Failure::Setup(_) => ExitCode::from(2),
        Failure::Sdk(Error::InvalidInput(_) | Error::Config(_)) => ExitCode::from(2),
        Failure::Sdk(_) => ExitCode::from(1),
    }
}

fn describe(failure: &Failure) -> String {
    let error = match failure {
        Failure::Setup(message) => return format!("error: {message}"),
        Failure::Sdk(error) => error,
    };
    match error {
        Error::Api(api) => {
            let mut text = format!("error: Cloudflare API error (HTTP {})", api.status);
            for item in &api.errors {
                text.push_str(&format!("\n  {item}"));
            }
            if let Some(ray) = &api.cf_ray {
                text.push_str(&format!("\n  cf-ray: {ray}"));
            }
            text
        }
        other => format!("error: {other}"),
    }
}

/// Sends the SDK's `tracing` output to stderr when `RUST_LOG` asks for it.
pub(crate) fn init_logging() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(std::io::stderr)
            // Colour codes only for a person at a terminal, not in captured or piped logs.
            .with_ansi(std::io::stderr().is_terminal())
            .init();
    }
}
