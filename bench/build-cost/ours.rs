//! A user of the SDK: store a catalog credential, reading everything from the environment.

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let client = cloudflare_r2_catalog::Client::from_env()?;
    let token = std::env::var("CATALOG_TOKEN")?;
    let stored = client
        .catalog("my-data-bucket")?
        .credential()
        .store(token)
        .await?;
    println!("stored (cf-ray {:?})", stored.cf_ray);
    Ok(())
}
