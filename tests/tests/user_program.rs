//! A user's program, written from the README, compiles against the SDK unchanged and runs on
//! the emulator: handles and listings it keeps, moves into tasks, and streams it polls with
//! `.next().await` as they come, without pinning them.

mod common;

use common::*;

// The user's code, exactly as written (issue 31): change the SDK so that it keeps compiling,
// never this.
use cloudflare_r2_catalog::{Client, ListOptions};
use futures_util::StreamExt as _;

async fn demo(client: Client) -> Result<(), cloudflare_r2_catalog::Error> {
    let catalog = client.catalog("lake")?;
    let mut tables = catalog
        .namespace("bronze")?
        .tables()
        .items(ListOptions::new());
    while let Some(table) = tables.next().await {
        println!("{:?}", table?);
    }
    let maintenance = catalog.table("bronze", "events")?.maintenance();
    tokio::spawn(async move { maintenance.get().await })
        .await
        .expect("task")?;
    let credential = catalog.credential();
    tokio::spawn(async move { credential.status().await })
        .await
        .expect("task")?;
    Ok(())
}

#[tokio::test]
async fn the_readme_users_program_runs_on_the_emulator() {
    let emulator = cloudflare_r2_catalog_emulator::Emulator::builder()
        .bucket("lake")
        .start()
        .await
        .expect("starts");
    emulator
        .add_table("lake", "bronze", "events")
        .expect("a valid table");
    let client = client_of(&emulator, &RecordedSleeps::default());
    client
        .catalog("lake")
        .expect("a bucket")
        .enable()
        .await
        .expect("enabled");
    let before = emulator.requests().len();

    demo(client).await.expect("the program runs");

    let paths: Vec<String> = emulator.requests()[before..]
        .iter()
        .map(|request| format!("{} {}", request.method, request.path))
        .collect();
    let lake = format!("/client/v4/accounts/{ACCOUNT_ID}/basin-catalog/lake");
    assert_eq!(
        paths,
        [
            format!("GET {lake}/namespaces/bronze/tables"),
            format!("GET {lake}/namespaces/bronze/tables/events/maintenance-configs"),
            format!("GET {lake}/credential/status"),
        ]
    );
}
