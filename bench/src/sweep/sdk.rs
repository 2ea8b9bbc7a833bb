//! This SDK's contenders on the unlimited emulators: its sweep, and the loop its users would
//! write without one.

use std::num::NonZeroUsize;
use std::time::{Duration, Instant};

use cloudflare_r2_catalog::{
    ListOptions,
    input::Namespace,
    models::{CompactionUpdate, MaintenanceState, MaintenanceUpdate},
    sweep::Swept,
};
use cloudflare_r2_catalog_emulator::Emulator;
use futures_util::{StreamExt, TryStreamExt};

use super::TABLES;
use super::emulators::client_of;
use crate::BUCKET;

/// The update both sweeps make: compaction on, which a new catalog has on already.
pub(super) fn compaction_on() -> MaintenanceUpdate {
    MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            ..CompactionUpdate::default()
        }),
        ..MaintenanceUpdate::default()
    }
}

/// The SDK's sweep with a fresh client, `concurrency` tables at once.
pub(super) async fn sdk_sweep(emulator: &Emulator, concurrency: NonZeroUsize) -> usize {
    let catalog = client_of(emulator).catalog(BUCKET).expect("a valid bucket");
    let swept = catalog
        .sweep()
        .concurrency(concurrency)
        .update_maintenance(compaction_on())
        .expect("a valid update");
    swept
        .filter(|item| {
            let ok = matches!(item, Swept::Table { outcome: Ok(_), .. });
            std::future::ready(ok)
        })
        .count()
        .await
}

/// The loop an SDK user writes without a sweep: each namespace's tables, one call at a time.
pub(super) async fn sdk_loop(emulator: &Emulator) -> usize {
    let catalog = client_of(emulator).catalog(BUCKET).expect("a valid bucket");
    let update = compaction_on();
    let largest = ListOptions::new().page_size(ListOptions::MAX_PAGE_SIZE);
    let namespaces: Vec<_> = catalog
        .namespaces()
        .items(largest.clone())
        .try_collect()
        .await
        .expect("namespaces");
    let mut updated = 0;
    for listed in namespaces {
        let namespace = catalog
            .namespace(Namespace::try_from(listed.namespace).expect("valid"))
            .expect("valid");
        let tables: Vec<_> = namespace
            .tables()
            .items(largest.clone())
            .try_collect()
            .await
            .expect("tables");
        for table in tables {
            let table = namespace.table(table.identifier.name).expect("valid");
            table.maintenance().update(&update).await.expect("updated");
            updated += 1;
        }
    }
    updated
}

/// Times an async run of the SDK, checking it updated every table.
pub(super) async fn timed(run: impl Future<Output = usize>) -> Duration {
    let started = Instant::now();
    let updated = run.await;
    let elapsed = started.elapsed();
    assert_eq!(updated, TABLES);
    elapsed
}

#[cfg(test)]
mod tests {
    use cloudflare_r2_catalog::sweep::DEFAULT_SWEEP_CONCURRENCY;

    use super::*;
    use crate::sweep::emulators::emulators;

    /// The sweep bench runs nowhere in CI; this runs each of this SDK's contenders once, so that
    /// one that breaks shows up in `cargo test`, and pins the handshake counts the bench reports.
    #[tokio::test(flavor = "current_thread")]
    async fn the_sdk_contenders_update_every_table_with_the_handshakes_expected() {
        let (http2, http1) = emulators();
        for emulator in [&http2, &http1] {
            let catalog = client_of(emulator).catalog(BUCKET).expect("valid");
            catalog.enable().await.expect("enabled");
        }
        let before = http2.connections();
        timed(sdk_sweep(&http2, DEFAULT_SWEEP_CONCURRENCY)).await;
        assert_eq!(http2.connections() - before, 1);
        timed(sdk_loop(&http2)).await;
        assert_eq!(http2.connections() - before, 2);
        timed(sdk_sweep(&http1, DEFAULT_SWEEP_CONCURRENCY)).await;
        assert!(http1.connections() > 2, "{}", http1.connections());
    }
}
