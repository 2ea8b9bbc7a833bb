//! The bench's emulators: seeded with its catalog, serving on a runtime of their own, and the
//! fresh SDK clients that call them.

use std::sync::OnceLock;

use cloudflare_r2_catalog::Client;
use cloudflare_r2_catalog_emulator::Emulator;

use super::{NAMESPACES, TABLES_PER_NAMESPACE};
use crate::{ACCOUNT_ID, API_TOKEN, BUCKET};

/// An emulator seeded with the bench's catalog (not yet enabled), without the rate limit: the
/// bench times what the clients themselves cost, sweeping its 1,000 tables many times over
/// with one token, far past Cloudflare's 1,200 requests per 5 minutes. (Its sweeps turn
/// compaction on, which a new catalog has on, so no table's update is refused for that.)
async fn seeded_unenabled(http2: bool) -> Emulator {
    let builder = Emulator::builder().no_rate_limit().bucket(BUCKET);
    let builder = if http2 {
        builder.tls()
    } else {
        builder.tls_http1_only()
    };
    let emulator = builder.start().await.expect("the emulator starts");
    seed(&emulator, NAMESPACES, TABLES_PER_NAMESPACE);
    emulator
}

/// Adds `per_namespace` tables to each of `namespaces` namespaces of the bench's bucket.
pub(super) fn seed(emulator: &Emulator, namespaces: usize, per_namespace: usize) {
    for namespace in 0..namespaces {
        for table in 0..per_namespace {
            let (namespace, table) = (format!("ns{namespace:02}"), format!("table{table:03}"));
            emulator
                .add_table(BUCKET, namespace.as_str(), table.as_str())
                .expect("a valid table");
        }
    }
}

/// A fresh SDK client on `emulator` with the bench's token, trusting its root.
pub(super) fn client_of(emulator: &Emulator) -> Client {
    client_as(emulator, API_TOKEN)
}

/// A fresh SDK client on `emulator` with `token`, trusting its root.
pub(super) fn client_as(emulator: &Emulator, token: &str) -> Client {
    Client::builder()
        .api_token(token)
        .account_id(ACCOUNT_ID)
        .base_url(emulator.base_url())
        .add_root_certificate(emulator.root_certificate_pem().expect("a TLS emulator"))
        .build()
        .expect("an SDK client")
}

/// The runtime the bench's emulators serve on, on a thread of its own, as a server on another
/// machine would: the clients' work and theirs do not share a scheduler.
fn servers() -> &'static tokio::runtime::Handle {
    static SERVERS: OnceLock<tokio::runtime::Handle> = OnceLock::new();
    SERVERS.get_or_init(|| {
        let (sender, receiver) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime");
            sender
                .send(runtime.handle().clone())
                .expect("the bench waits");
            runtime.block_on(std::future::pending::<()>());
        });
        receiver.recv().expect("the servers' runtime starts")
    })
}

/// Runs `start` (starting emulators) on the servers' runtime, and returns what it gives.
pub(super) fn serve_apart<T: Send + 'static>(start: impl Future<Output = T> + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    servers().spawn(async move {
        // The bench waits for it; if it has gone, nobody needs the emulators.
        let _ = sender.send(start.await);
    });
    receiver.recv().expect("the emulators start")
}

/// The two unlimited emulators, serving on the servers' runtime.
pub(super) fn emulators() -> (Emulator, Emulator) {
    serve_apart(async { (seeded_unenabled(true).await, seeded_unenabled(false).await) })
}
