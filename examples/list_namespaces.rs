//! Lists every namespace of a bucket's catalog, nested ones included, with the paging stream.
//!
//! ```text
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… \
//!     cargo run -p r2-catalog-examples --example list_namespaces -- my-data-bucket
//! ```
//!
//! `items(…)` follows `next_page_token` lazily, one request per page, each retried on its own;
//! a server that repeats a cursor ends the stream with an error instead of looping.

use std::collections::VecDeque;
use std::process::ExitCode;

use cloudflare_r2_catalog::{Client, ListOptions};
use futures_util::TryStreamExt;

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
            .ok_or("usage: list_namespaces <BUCKET>")?,
    )?;
    let options = ListOptions::new().page_size(1000);

    // Breadth first: the top level, then the children of each namespace found.
    let mut listings = VecDeque::from([catalog.namespaces()]);
    let mut found = 0_usize;
    while let Some(namespaces) = listings.pop_front() {
        let mut items = namespaces.items(options.clone());
        while let Some(listed) = items.try_next().await? {
            // A listed namespace goes straight back to the catalog, checked as any other.
            let namespace = catalog.namespace(&listed.namespace)?;
            println!("{}", namespace.namespace());
            found += 1;
            listings.push_back(namespace.namespaces());
        }
    }
    eprintln!("{found} namespace(s)");
    Ok(())
}
