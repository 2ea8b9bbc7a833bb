//! The same job's shape on cloudflare-rs 0.14, which has no R2 Data Catalog endpoint: one
//! authenticated R2 call, reading everything from the environment.

use cloudflare::endpoints::r2::r2::ListBuckets;
use cloudflare::framework::Environment;
use cloudflare::framework::auth::Credentials;
use cloudflare::framework::client::ClientConfig;
use cloudflare::framework::client::async_api::Client;

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let token = std::env::var("CLOUDFLARE_API_TOKEN")?;
    let account = std::env::var("CLOUDFLARE_ACCOUNT_ID")?;
    let credentials = Credentials::UserAuthToken { token };
    let client = Client::new(credentials, ClientConfig::default(), Environment::Production)?;
    let buckets = client
        .request(&ListBuckets {
            account_identifier: &account,
        })
        .await?;
    println!("{} bucket(s)", buckets.result.buckets.len());
    Ok(())
}
