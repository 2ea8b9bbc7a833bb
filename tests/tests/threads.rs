//! What users spawn and share across threads compiles as such: the client, every handle
//! (account, catalog, namespace, table, their credential and maintenance) and every listing is
//! `Send + Sync + 'static`, every call's future is
//! `Send`, every paged stream is `Send + 'static`, and the calls made through a handle cloned
//! into a task are `'static + Send`, so `tokio::spawn` takes them. Checked by the compiler: a
//! change that makes any of them `!Send`, or ties one to a borrow, fails to build this file.

mod common;

use std::future::Future;

use cloudflare_r2_catalog::{
    Client, Error, ListOptions, MaintenanceKind, RequestId,
    error::ValidationError,
    handles::{
        AccountHandle, CatalogHandle, CatalogMaintenanceHandle, CredentialHandle, DeleteCatalog,
        NamespaceHandle, NamespaceListing, RunListing, TableHandle, TableListing,
        TableMaintenanceHandle,
    },
    input::Namespace,
    models::MaintenanceUpdate,
    wait::Waiting,
};
use common::*;
use futures_util::{Stream, TryStreamExt};

fn send_sync<T: Send + Sync + 'static>() {}

fn send<T: Send>(_: &T) {}

fn spawnable<F: Future + Send + 'static>(_: F) {}

/// What users poll with `.next().await` as it is, or move into a task.
fn static_stream<S: Stream + Unpin + Send + 'static>(_: S) {}

#[test]
fn the_client_and_every_handle_are_send_sync_and_static() {
    send_sync::<Client>();
    send_sync::<AccountHandle>();
    send_sync::<CatalogHandle>();
    send_sync::<NamespaceHandle>();
    send_sync::<TableHandle>();
    send_sync::<Error>();
    send_sync::<ValidationError>();
    send_sync::<CredentialHandle>();
    send_sync::<CatalogMaintenanceHandle>();
    send_sync::<DeleteCatalog>();
    send_sync::<NamespaceListing>();
    send_sync::<TableListing>();
    send_sync::<TableMaintenanceHandle>();
    send_sync::<RunListing>();
    send_sync::<Waiting>();
}

#[test]
fn every_call_is_send_and_every_stream_is_send_and_static() {
    let client = Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .build()
        .expect("a client");
    let account = client.account(ACCOUNT_ID).expect("a valid account");
    let catalog = account.catalog(BUCKET).expect("a valid bucket");
    let namespace = Namespace::new(["bronze"]).expect("a namespace");
    let bronze = catalog.namespace(&namespace).expect("a valid namespace");
    let events = catalog.table(&namespace, "events").expect("a valid table");
    let update = MaintenanceUpdate::default();
    let options = ListOptions::new();
    let request_id = RequestId::random();

    // Borrowing calls: Send, as an `async fn` holding them across an await needs.
    send(&client.list_catalogs());
    send(&account.list_catalogs());
    send(&catalog.get());
    send(&catalog.enable());
    send(&catalog.disable());
    send(&catalog.delete().into_future());
    send(&catalog.delete().force(true).into_future());
    send(&catalog.credential().store(CATALOG_TOKEN));
    send(&catalog.credential().status());
    send(&catalog.maintenance().get());
    send(&catalog.maintenance().update(&update));
    send(&catalog.namespaces().list(options.clone()));
    send(&bronze.namespaces().list(options.clone()));
    send(&bronze.tables().list(options.clone()));
    send(&events.get());
    send(&events.maintenance().get());
    send(&events.maintenance().update(&update));
    send(
        &events
            .maintenance()
            .queue(MaintenanceKind::Compaction, &request_id),
    );
    send(&events.maintenance().runs().list(options.clone()));
    send(&events.maintenance().wait_for(&request_id, &Waiting::new()));

    // Streams own what they need: Send, and 'static, so they outlive the handle they came from;
    // and Unpin, so .next().await polls them as they are.
    static_stream(catalog.namespaces().pages(options.clone()));
    static_stream(catalog.namespaces().items(options.clone()));
    static_stream(bronze.namespaces().pages(options.clone()));
    static_stream(bronze.namespaces().items(options.clone()));
    static_stream(bronze.tables().pages(options.clone()));
    static_stream(bronze.tables().items(options.clone()));
    static_stream(events.maintenance().runs().pages(options.clone()));
    static_stream(events.maintenance().runs().items(options.clone()));
    static_stream(catalog.sweep().get_maintenance());
    static_stream(catalog.sweep().update_maintenance(update).expect("valid"));
    static_stream(
        catalog
            .sweep()
            .queue_maintenance(MaintenanceKind::Compaction)
            .expect("valid"),
    );
    static_stream(catalog.sweep().runs(options.clone()).expect("valid"));
    static_stream(
        catalog
            .sweep()
            .run(|table| async move { table.get().await }),
    );
    static_stream(events.maintenance().follow(&request_id, &Waiting::new()));
    static_stream(Waiting::new().all([(events.clone(), request_id.clone())]));
}

#[test]
fn a_handle_cloned_into_a_task_makes_spawnable_calls() {
    let client = Client::builder()
        .api_token(API_TOKEN)
        .account_id(ACCOUNT_ID)
        .build()
        .expect("a client");
    let catalog = client.catalog(BUCKET).expect("a valid bucket");

    // What a user spawns: a task that owns its client or handle, and calls through it.
    let owned = client.clone();
    spawnable(async move { owned.list_catalogs().await });
    let owned = client.clone();
    spawnable(async move {
        let account = owned.account(ACCOUNT_ID)?;
        account.list_catalogs().await?;
        account.catalog(BUCKET)?.get().await?;
        owned.catalog(BUCKET)?.get().await?;
        Ok::<_, Error>(())
    });

    let owned = client.account(ACCOUNT_ID).expect("a valid account");
    spawnable(async move { owned.list_catalogs().await });

    let owned = catalog.clone();
    spawnable(async move { owned.delete().force(true).await });
    let owned = catalog.clone();
    spawnable(async move { owned.delete().await });
    let owned = catalog.clone();
    spawnable(async move {
        owned.get().await?;
        owned.enable().await?;
        owned.disable().await?;
        owned.delete().await?;
        owned.delete().force(true).await?;
        owned.credential().store(CATALOG_TOKEN).await?;
        owned.credential().status().await?;
        owned.maintenance().get().await?;
        owned
            .maintenance()
            .update(&MaintenanceUpdate::default())
            .await?;
        owned.namespaces().list(ListOptions::new()).await?;
        owned
            .namespaces()
            .pages(ListOptions::new())
            .try_collect::<Vec<_>>()
            .await?;
        owned
            .namespaces()
            .items(ListOptions::new())
            .try_collect::<Vec<_>>()
            .await?;
        Ok::<_, Error>(())
    });

    let owned = catalog.namespace("bronze.raw").expect("a valid namespace");
    spawnable(async move {
        owned.namespaces().list(ListOptions::new()).await?;
        owned
            .namespaces()
            .pages(ListOptions::new())
            .try_collect::<Vec<_>>()
            .await?;
        owned
            .namespaces()
            .items(ListOptions::new())
            .try_collect::<Vec<_>>()
            .await?;
        owned.tables().list(ListOptions::new()).await?;
        owned
            .tables()
            .pages(ListOptions::new())
            .try_collect::<Vec<_>>()
            .await?;
        owned
            .tables()
            .items(ListOptions::new())
            .try_collect::<Vec<_>>()
            .await?;
        owned.table("events")?.get().await?;
        Ok::<_, Error>(())
    });

    let owned = catalog.table("bronze", "events").expect("a valid table");
    spawnable(async move {
        let request_id = RequestId::random();
        owned.get().await?;
        owned.maintenance().get().await?;
        owned
            .maintenance()
            .update(&MaintenanceUpdate::default())
            .await?;
        owned
            .maintenance()
            .queue(MaintenanceKind::Compaction, &request_id)
            .await?;
        owned.maintenance().runs().list(ListOptions::new()).await?;
        owned
            .maintenance()
            .runs()
            .pages(ListOptions::new())
            .try_collect::<Vec<_>>()
            .await?;
        Ok::<_, Error>(())
    });

    // A sub-handle or listing made in the task's caller and moved into it, its parent
    // dropped first: each owns what it names.
    let table = catalog.table("bronze", "events").expect("a valid table");
    let (maintenance, runs) = (table.maintenance(), table.maintenance().runs());
    let (credential, settings) = (catalog.credential(), catalog.maintenance());
    let (namespaces, deletion) = (catalog.namespaces(), catalog.delete().force(true));
    let tables = catalog.namespace("bronze").expect("a namespace").tables();
    drop(table);
    spawnable(async move { maintenance.get().await });
    spawnable(async move { runs.list(ListOptions::new()).await });
    spawnable(async move { credential.status().await });
    spawnable(async move { settings.get().await });
    spawnable(async move { namespaces.list(ListOptions::new()).await });
    spawnable(async move { tables.list(ListOptions::new()).await });
    spawnable(deletion.into_future());

    // A stream made in the task's caller and handed to it, its handle dropped first.
    let pages = catalog.namespaces().pages(ListOptions::new());
    drop(catalog);
    spawnable(async move { pages.try_collect::<Vec<_>>().await });
}
