//! Turns a bucket into an Iceberg catalog and prints what an Iceberg engine needs to reach it.
//!
//! ```text
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… \
//!     cargo run -p r2-catalog-examples --example enable_catalog -- my-data-bucket
//! ```
//!
//! A catalog that is already enabled is not an error here: its details are read instead.

use std::process::ExitCode;

use cloudflare_r2_catalog::Client;

#[tokio::main]
async fn main() -> ExitCode {
    match run().await {
        Ok(()) => ExitCode::SUCCESS,
        Err(error) => {
            eprintln!("error: {error}");
            ExitCode::FAILURE
        }
    }
}

async fn run() -> Result<(), Box<dyn std::error::Error>> {
    // The credentials and the account (CLOUDFLARE_ACCOUNT_ID) from the environment.
    let client = Client::from_env()?;
    let catalog = client.catalog(
        std::env::args()
            .nth(1)
            .ok_or("usage: enable_catalog <BUCKET>")?,
    )?;
    let (account, bucket) = (catalog.account_id(), catalog.bucket());

    let connection = match catalog.enable().await {
        // Cloudflare may answer success without the activation; the catalog is enabled all the
        // same, so read it.
        Ok(enabled) => match enabled.result {
            Some(activation) => {
                println!("enabled catalog {} on bucket {bucket}", activation.id);
                activation.connection(account, bucket)
            }
            None => catalog.get().await?.result.connection(account)?,
        },
        Err(error) if error.is_conflict() => {
            println!("the catalog of bucket {bucket} was already enabled");
            catalog.get().await?.result.connection(account)?
        }
        Err(error) => return Err(error.into()),
    };

    println!("Iceberg REST URI: {}", connection.uri);
    println!("warehouse:        {}", connection.warehouse);
    println!("token:            an API token with R2 Data Catalog and R2 storage permissions");
    Ok(())
}
