//! Stores the token R2 Data Catalog uses for maintenance jobs on a bucket's catalog.
//!
//! ```text
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… R2_CATALOG_TOKEN=… \
//!     cargo run -p r2-catalog-examples --example store_credential -- my-data-bucket
//! ```
//!
//! The token to store comes from the environment, never the command line (where `ps` and shell
//! history would show it), and is wrapped in a `CatalogToken` at once: its `Debug` is redacted
//! and its memory wiped when dropped.

use std::process::ExitCode;

use cloudflare_r2_catalog::{Client, input::CatalogToken};

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            // The SDK's errors never show a secret, and show server text escaped.
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // CLOUDFLARE_API_TOKEN (or CLOUDFLARE_EMAIL + CLOUDFLARE_API_KEY), and the account the
    // client acts on, CLOUDFLARE_ACCOUNT_ID.
    let client = Client::from_env()?;
    // The bucket name is checked here, before the token is read.
    let catalog = client.catalog(
        std::env::args()
            .nth(1)
            .ok_or("usage: store_credential <BUCKET>")?,
    )?;
    let token = CatalogToken::new(
        std::env::var("R2_CATALOG_TOKEN").map_err(|_| "R2_CATALOG_TOKEN is not set")?,
    )?;

    let stored = catalog.credential().store(token).await?;
    println!(
        "stored the catalog credential of bucket {} (cf-ray {})",
        catalog.bucket(),
        stored.cf_ray.as_deref().unwrap_or("none")
    );
    Ok(())
}
