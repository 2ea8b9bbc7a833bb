//! A user of the SDK: store a catalog credential, reading everything from the environment.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = cloudflare_r2_catalog::Client::from_env()?;
    let account = std::env::var("CLOUDFLARE_ACCOUNT_ID")?;
    let token = std::env::var("CATALOG_TOKEN")?;
    let stored = client
        .credentials()
        .store(account.as_str(), "my-data-bucket", token)
        .await?;
    println!("stored (cf-ray {:?})", stored.cf_ray);
    Ok(())
}
