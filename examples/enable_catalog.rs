//! Turns a bucket into an Iceberg catalog and prints what an Iceberg engine needs to reach it.
//!
//! ```text
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… \
//!     cargo run -p r2-catalog-examples --example enable_catalog -- my-data-bucket
//! ```
//!
//! A catalog that is already enabled is not an error here: its details are read instead.

use std::process::ExitCode;

use cloudflare_r2_catalog::{AccountId, BucketName, Client};

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
    let account = AccountId::new(
        std::env::var("CLOUDFLARE_ACCOUNT_ID").map_err(|_| "CLOUDFLARE_ACCOUNT_ID is not set")?,
    )?;
    let bucket = BucketName::new(
        std::env::args()
            .nth(1)
            .ok_or("usage: enable_catalog <BUCKET>")?,
    )?;
    let client = Client::from_env()?;
    let catalogs = client.catalogs();

    let connection = match catalogs.enable(&account, &bucket).await {
        // Cloudflare may answer success without the activation; the catalog is enabled all the
        // same, so read it.
        Ok(enabled) => match enabled.result {
            Some(activation) => {
                println!("enabled catalog {} on bucket {bucket}", activation.id);
                activation.connection(&account, &bucket)
            }
            None => catalogs
                .get(&account, &bucket)
                .await?
                .result
                .connection(&account)?,
        },
        Err(error) if error.is_conflict() => {
            println!("the catalog of bucket {bucket} was already enabled");
            catalogs
                .get(&account, &bucket)
                .await?
                .result
                .connection(&account)?
        }
        Err(error) => return Err(error.into()),
    };

    println!("Iceberg REST URI: {}", connection.uri);
    println!("warehouse:        {}", connection.warehouse);
    println!("token:            an API token with R2 Data Catalog and R2 storage permissions");
    Ok(())
}
