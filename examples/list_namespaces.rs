//! Lists every namespace of a bucket's catalog, nested ones included, with the paging stream.
//!
//! ```text
//! CLOUDFLARE_API_TOKEN=… CLOUDFLARE_ACCOUNT_ID=… \
//!     cargo run -p r2-catalog-examples --example list_namespaces -- my-data-bucket
//! ```
//!
//! `pages(…)` follows `next_page_token` lazily, one request per page, each retried on its own;
//! a server that repeats a cursor ends the stream with an error instead of looping.

use std::collections::VecDeque;
use std::pin::pin;
use std::process::ExitCode;

use cloudflare_r2_catalog::{AccountId, BucketName, Client, ListOptions, Namespace, PageSize};
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
    let account = AccountId::new(
        std::env::var("CLOUDFLARE_ACCOUNT_ID").map_err(|_| "CLOUDFLARE_ACCOUNT_ID is not set")?,
    )?;
    let bucket = BucketName::new(
        std::env::args()
            .nth(1)
            .ok_or("usage: list_namespaces <BUCKET>")?,
    )?;
    let client = Client::from_env()?;
    let options = ListOptions::new().page_size(PageSize::new(1000)?);

    // Breadth first: the top level (no parent), then the children of each namespace found.
    let mut parents: VecDeque<Option<Namespace>> = VecDeque::from([None]);
    let mut found = 0_usize;
    while let Some(parent) = parents.pop_front() {
        let mut pages = pin!(client.namespaces().pages(
            &account,
            &bucket,
            parent.as_ref(),
            options.clone(),
        ));
        while let Some(page) = pages.try_next().await? {
            for identifier in page.namespaces {
                let namespace = Namespace::try_from(identifier)?;
                println!("{namespace}");
                found += 1;
                parents.push_back(Some(namespace));
            }
        }
    }
    eprintln!("{found} namespace(s)");
    Ok(())
}
