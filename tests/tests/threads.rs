//! What users spawn and share across threads compiles as such: the client is `Send + Sync`,
//! every call's future and every paged stream is `Send`, and a call made through a client moved
//! into a task is `'static`, so `tokio::spawn` takes it. Checked by the compiler: a change that
//! makes any of them `!Send` fails to build this file.

mod common;

use std::future::Future;

use cloudflare_r2_catalog::{
    Client, ListOptions, MaintenanceKind, MaintenanceUpdate, Namespace, RequestId,
};
use common::*;
use futures_util::Stream;

fn send_sync<T: Send + Sync + 'static>() {}

fn send<T: Send>(_: &T) {}

fn spawnable<F: Future + Send + 'static>(_: F) {}

fn send_stream<S: Stream + Send>(_: &S) {}

#[test]
fn the_client_its_calls_and_its_streams_are_send() {
    send_sync::<Client>();
    send_sync::<cloudflare_r2_catalog::Error>();
    let client = Client::builder()
        .api_token(API_TOKEN)
        .build()
        .expect("a client");
    let update = MaintenanceUpdate::default();
    let options = ListOptions::new();
    let namespace = Namespace::new(["bronze"]).expect("a namespace");
    let request_id = RequestId::random();

    // Borrowing calls: Send, as an `async fn` holding them across an await needs.
    send(&client.catalogs().list(ACCOUNT_ID));
    send(&client.catalogs().get(ACCOUNT_ID, BUCKET));
    send(&client.catalogs().enable(ACCOUNT_ID, BUCKET));
    send(&client.catalogs().disable(ACCOUNT_ID, BUCKET));
    send(&client.catalogs().delete(ACCOUNT_ID, BUCKET, true));
    send(
        &client
            .credentials()
            .store(ACCOUNT_ID, BUCKET, CATALOG_TOKEN),
    );
    send(&client.credentials().status(ACCOUNT_ID, BUCKET));
    send(&client.maintenance().get(ACCOUNT_ID, BUCKET));
    send(&client.maintenance().update(ACCOUNT_ID, BUCKET, &update));
    send(
        &client
            .namespaces()
            .list(ACCOUNT_ID, BUCKET, Some(&namespace), &options),
    );
    let tables = client.tables();
    send(&tables.list(ACCOUNT_ID, BUCKET, &namespace, &options));
    send(&tables.get(ACCOUNT_ID, BUCKET, &namespace, "events"));
    send(&tables.maintenance(ACCOUNT_ID, BUCKET, &namespace, "events"));
    send(&tables.update_maintenance(ACCOUNT_ID, BUCKET, &namespace, "events", &update));
    send(&tables.queue_maintenance(
        ACCOUNT_ID,
        BUCKET,
        &namespace,
        "events",
        MaintenanceKind::Compaction,
        &request_id,
    ));
    send(&tables.maintenance_runs(ACCOUNT_ID, BUCKET, &namespace, "events", &options));
    send_stream(
        &client
            .namespaces()
            .pages(ACCOUNT_ID, BUCKET, None, options.clone()),
    );
    send_stream(&tables.pages(ACCOUNT_ID, BUCKET, &namespace, options.clone()));
    send_stream(
        &client
            .namespaces()
            .items(ACCOUNT_ID, BUCKET, None, options.clone()),
    );
    send_stream(&tables.items(ACCOUNT_ID, BUCKET, &namespace, options.clone()));
    send_stream(&tables.maintenance_run_pages(
        ACCOUNT_ID,
        BUCKET,
        &namespace,
        "events",
        options.clone(),
    ));

    // What a user spawns: a task that owns its client.
    let owned = client.clone();
    spawnable(async move { owned.catalogs().list(ACCOUNT_ID).await });
    let owned = client.clone();
    spawnable(async move {
        use futures_util::TryStreamExt;
        let pages = owned
            .tables()
            .pages(ACCOUNT_ID, BUCKET, "bronze", ListOptions::new());
        pages.try_collect::<Vec<_>>().await
    });
}
