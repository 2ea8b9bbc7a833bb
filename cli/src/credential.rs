//! `r2-catalog credential …`

use std::io::BufRead;

use clap::{Args, Subcommand};
use cloudflare_r2_catalog::SecretString;
use zeroize::Zeroizing;

use crate::Context;
use crate::output::{self, Failure, print_json};

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Store the catalog's maintenance token, read as one line from stdin.
    Store(Store),
    /// Check the stored token: valid, invalid (stored but refused), or absent.
    Status {
        /// The R2 bucket whose catalog's credential to check.
        bucket: String,
    },
}

#[derive(Args)]
pub(crate) struct Store {
    /// The R2 bucket whose catalog gets the token.
    bucket: String,
}

impl Command {
    /// The bucket the command acts on.
    pub(crate) fn bucket(&self) -> &str {
        match self {
            Self::Store(Store { bucket }) | Self::Status { bucket } => bucket,
        }
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        match self {
            Self::Store(store) => {
                let catalog = context.catalog(store.bucket)?;
                let token = read_token()?;
                let stored = catalog.credential().store(token).await?;
                // `null` is Cloudflare's usual answer here: nothing to remark on.
                match &stored.unparsed_result {
                    Some(unparsed) => print_json(unparsed),
                    None => print_json(&stored.result),
                }
            }
            Self::Status { bucket } => {
                let status = context.catalog(bucket)?.credential().status().await?;
                print_json(&status.result)
            }
        }
    }
}

/// The first line of stdin, without its line ending; the token never touches argv, and the
/// line it was read into is wiped.
fn read_token() -> Result<SecretString, Failure> {
    let mut line = Zeroizing::new(String::new());
    std::io::stdin()
        .lock()
        .read_line(&mut line)
        .map_err(|error| Failure::Setup(format!("cannot read the token from stdin: {error}")))?;
    let token = line.strip_suffix('\n').unwrap_or(&line);
    let token = token.strip_suffix('\r').unwrap_or(token);
    output::hide(token);
    Ok(SecretString::from(token))
}
