//! `r2-catalog credential …`

use std::io::IsTerminal;

use clap::{Args, Subcommand};
use cloudflare_r2_catalog::{config::SecretString, input::BucketName};

use crate::Context;
use crate::hidden;
use crate::output::{self, Failure, Format, print_json, print_parts, show};
use crate::render;
use crate::stdin;
use crate::views::first_fields;

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Store the catalog's maintenance token: typed at the terminal (not shown), or piped as
    /// one line on stdin.
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
                let bucket = catalog.bucket().clone();
                let at_terminal = std::io::stdin().is_terminal();
                let token = if at_terminal && context.dry_run {
                    // A dry run shows the token redacted whatever it is: no one need type one.
                    SecretString::from("not asked for in a dry run")
                } else {
                    if at_terminal {
                        // Before a person types a secret: the catalog is there to take it.
                        catalog.get().await?;
                    }
                    read_token(&bucket).await?
                };
                let stored = catalog.credential().store(token).await?;
                if context.format == Format::Text {
                    let done = stored_sentence(bucket.as_ref());
                    return print_parts([format!(
                        "{done}: maintenance runs with it. Check it with: r2-catalog credential status {bucket}"
                    )
                    .as_str()]);
                }
                // Cloudflare's usual `result` here is `null`: what happened is said around it.
                let result = match stored.unparsed_result {
                    Some(unparsed) => unparsed,
                    None => serde_json::to_value(&stored.result)?,
                };
                print_json(&serde_json::json!({
                    "bucket": bucket.as_ref(),
                    "stored": true,
                    "cf_ray": stored.cf_ray,
                    "messages": stored.messages,
                    "result": result,
                }))
            }
            Self::Status { bucket } => {
                let status = context.catalog(bucket)?.credential().status().await?;
                show(context.format, &status.result, |check| {
                    render::record(&first_fields([("credential_status", &check["status"])]))
                })
            }
        }
    }
}

/// The words that say the catalog of `bucket` has its credential stored, up to where the
/// sentence goes on (`credential store` says what it is for, the tour just ends it).
pub(crate) fn stored_sentence(bucket: &str) -> String {
    format!("Stored the catalog credential of bucket {bucket}")
}

/// The longest token read: Cloudflare's API tokens are 40 characters; this leaves room for
/// any longer kind without letting a stream without a newline grow the CLI's memory.
const MAX_TOKEN_BYTES: u64 = 4096;

/// The token, from the first line of stdin, never from argv: typed at the terminal with echo
/// off after a question, or piped. Every copy of it is wiped, and from here on it is never
/// printed.
pub(crate) async fn read_token(bucket: &BucketName) -> Result<SecretString, Failure> {
    let token = if std::io::stdin().is_terminal() {
        let question = format!("Catalog token for bucket {bucket} (typing is not shown): ");
        let cancelled = "`credential store` cancelled; nothing was sent";
        hidden::read_hidden(&question, MAX_TOKEN_BYTES, cancelled).await?
    } else {
        stdin::read_line(MAX_TOKEN_BYTES).await?
    };
    output::hide(&token);
    Ok(SecretString::from(token.as_str()))
}
