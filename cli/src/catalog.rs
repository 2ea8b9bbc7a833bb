//! `r2-catalog catalog …`

use clap::Subcommand;

use crate::Context;
use crate::output::{self, Failure, print_json};

#[derive(Subcommand)]
pub(crate) enum Command {
    /// List the account's catalogs.
    List,
    /// Show a bucket's catalog.
    Get {
        /// The R2 bucket.
        bucket: String,
    },
    /// Turn a bucket into an Iceberg catalog.
    Enable {
        /// The R2 bucket.
        bucket: String,
    },
    /// Turn a bucket's catalog off (the bucket and its data stay).
    Disable {
        /// The R2 bucket.
        bucket: String,
    },
}

impl Command {
    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let (catalogs, account) = (context.client.catalogs(), &context.account_id);
        match self {
            Self::List => print_json(&catalogs.list(account).await?.result),
            Self::Get { bucket } => print_json(&catalogs.get(account, bucket).await?.result),
            Self::Enable { bucket } => print_json(&catalogs.enable(account, bucket).await?.result),
            Self::Disable { bucket } => {
                let disabled = catalogs.disable(account, bucket.as_str()).await?;
                output::note(&format!("disabled the catalog of bucket {bucket}"));
                print_json(&disabled.result)
            }
        }
    }
}
