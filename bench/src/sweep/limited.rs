//! The rate-limited part: emulators enforcing Cloudflare's limit scaled down, and what this SDK's
//! sweep and the Python SDK's loop make of it.

use std::path::Path;
use std::time::{Duration, Instant};

use cloudflare_r2_catalog::{
    config::{DEFAULT_RATE_SHARE, RateShare},
    sweep::Swept,
};
use cloudflare_r2_catalog_emulator::{Emulator, RECORDED_BYTES, RECORDED_REQUESTS, RateLimit};
use futures_util::StreamExt;

use super::emulators::{client_as, client_of, seed, serve_apart};
use super::python_sdk::python_run;
use super::sdk::compaction_on;
use crate::BUCKET;

/// The rate-limited part's catalog: a third of the unlimited one, so that a run at the scaled
/// limit (about 310 requests at 15/s) takes some 20 s.
const LIMITED_NAMESPACES: usize = 3;
const LIMITED_TABLES_PER_NAMESPACE: usize = 100;
const LIMITED_TABLES: usize = LIMITED_NAMESPACES * LIMITED_TABLES_PER_NAMESPACE;

/// Cloudflare's limit (1,200 requests per 300 s, a 300 s block) scaled down so that a run
/// meets several windows in seconds: what the measurements used.
const SCALED_QUOTA: u32 = 60;
const SCALED_WINDOW: Duration = Duration::from_secs(4);
const SCALED_BLOCK: Duration = Duration::from_secs(4);

/// The token the rate-limited runs enable their catalog with: the emulator counts each
/// credential apart, so the token under test starts its first window with its first request.
const SETUP_TOKEN: &str = "bench-setup-token";

/// A fresh emulator over TLS (HTTP/2) with the scaled limit, holding `namespaces` namespaces
/// of `per_namespace` tables each, its catalog enabled with [`SETUP_TOKEN`].
async fn limited_catalog(namespaces: usize, per_namespace: usize) -> Emulator {
    let emulator = serve_apart(async move {
        let limit = RateLimit::new(SCALED_QUOTA, SCALED_WINDOW)
            .and_then(|limit| limit.with_block(SCALED_BLOCK))
            .expect("a valid limit");
        let emulator = Emulator::builder()
            .rate_limit(limit)
            .bucket(BUCKET)
            .tls()
            .start()
            .await
            .expect("the emulator starts");
        seed(&emulator, namespaces, per_namespace);
        emulator
    });
    client_as(&emulator, SETUP_TOKEN)
        .catalog(BUCKET)
        .expect("a valid bucket")
        .enable()
        .await
        .expect("enabled");
    emulator
}

/// How many requests `emulator` has recorded so far. The record keeps only the most recent
/// ([`RECORDED_REQUESTS`], [`RECORDED_BYTES`]): a count near either bound may have lost some,
/// and is refused rather than reported short.
fn recorded(emulator: &Emulator) -> usize {
    let requests = emulator.requests();
    let bytes: usize = requests
        .iter()
        .map(|request| {
            let query = request.query.as_ref().map_or(0, String::len);
            request.method.len() + request.path.len() + query + request.body.len()
        })
        .sum();
    // A request dropped for the bytes leaves the record within one request (at most ~128 KiB)
    // of the bound; half of it is far from that.
    assert!(
        requests.len() < RECORDED_REQUESTS && bytes < RECORDED_BYTES / 2,
        "the emulator's record of requests is full ({} requests, {bytes} bytes): counts from it \
         would be short",
        requests.len()
    );
    requests.len()
}

/// What one run at the scaled limit came to.
pub(super) struct LimitedRun {
    time: Duration,
    /// The requests the emulator received during the run, those refused for the limit included.
    requests: usize,
    /// Those refused for the limit (429).
    pub(super) throttled: u64,
    updated: usize,
    /// Tables not updated, and listings that failed (their tables not reached).
    failed: usize,
}

impl LimitedRun {
    /// The least time the scaled quota allows for the requests it accepted.
    fn minimum(&self) -> Duration {
        let accepted = self.requests as f64 - self.throttled as f64;
        let per_second = f64::from(SCALED_QUOTA) / SCALED_WINDOW.as_secs_f64();
        Duration::from_secs_f64(accepted / per_second)
    }

    /// Its time over [`LimitedRun::minimum`]: 1.0 is the quota used to the full.
    pub(super) fn ratio(&self) -> f64 {
        self.time.as_secs_f64() / self.minimum().as_secs_f64()
    }

    fn print(&self, name: &str, tables: usize) {
        println!(
            "{name:<40} {:>8.2}s {:>9} {:>8.2}s {:>9.2} {:>6} {:>4}/{tables} updated, {} failed",
            self.time.as_secs_f64(),
            self.requests,
            self.minimum().as_secs_f64(),
            self.ratio(),
            self.throttled,
            self.updated,
            self.failed,
        );
    }
}

/// This SDK's sweep at `share` on a fresh emulator with the scaled limit, with a fresh client.
async fn sdk_limited(share: RateShare, namespaces: usize, per_namespace: usize) -> LimitedRun {
    let emulator = limited_catalog(namespaces, per_namespace).await;
    let (requests, throttled) = (recorded(&emulator), emulator.throttled());
    let started = Instant::now();
    let catalog = client_of(&emulator)
        .catalog(BUCKET)
        .expect("a valid bucket");
    let swept = catalog
        .sweep()
        .rate_share(share)
        .update_maintenance(compaction_on())
        .expect("a valid update");
    let mut swept = std::pin::pin!(swept);
    let (mut updated, mut failed) = (0, 0);
    while let Some(item) = swept.next().await {
        match item {
            Swept::Table { outcome: Ok(_), .. } => updated += 1,
            Swept::Table { .. } | Swept::Unlisted { .. } => failed += 1,
            _ => {}
        }
    }
    LimitedRun {
        time: started.elapsed(),
        requests: recorded(&emulator) - requests,
        throttled: emulator.throttled() - throttled,
        updated,
        failed,
    }
}

/// The official Python SDK's sequential loop on a fresh emulator with the scaled limit.
async fn python_limited(interpreter: &Path) -> LimitedRun {
    let emulator = limited_catalog(LIMITED_NAMESPACES, LIMITED_TABLES_PER_NAMESPACE).await;
    let root = std::env::temp_dir().join(format!(
        "r2-catalog-bench-limited-{}.pem",
        std::process::id()
    ));
    std::fs::write(&root, emulator.root_certificate_pem().expect("TLS")).expect("root written");
    let (requests, throttled) = (recorded(&emulator), emulator.throttled());
    let report = python_run(interpreter, &emulator, &root, "sequential", 1);
    let _ = std::fs::remove_file(&root);
    LimitedRun {
        time: Duration::from_secs_f64(report.seconds),
        requests: recorded(&emulator) - requests,
        throttled: emulator.throttled() - throttled,
        updated: report.updated,
        failed: report.failed + report.unlisted,
    }
}

/// The rate-limited part (see the `sweep` module's documentation); returns the default sweep's
/// run.
pub(super) async fn rate_limited(interpreter: Option<&Path>) -> LimitedRun {
    let per_second = f64::from(SCALED_QUOTA) / SCALED_WINDOW.as_secs_f64();
    println!(
        "rate limit: maintenance updated on {LIMITED_TABLES} tables in {LIMITED_NAMESPACES} \
         namespaces over TLS, at a limit of {SCALED_QUOTA} requests per {:?} ({per_second}/s) \
         and a {:?} block; a fresh emulator and client per run; minimum = the accepted \
         requests at {per_second}/s",
        SCALED_WINDOW, SCALED_BLOCK
    );
    println!(
        "{:<40} {:>9} {:>9} {:>9} {:>9} {:>6}",
        "contender", "time", "requests", "minimum", "time/min", "429s"
    );
    let default = sdk_limited(
        DEFAULT_RATE_SHARE,
        LIMITED_NAMESPACES,
        LIMITED_TABLES_PER_NAMESPACE,
    )
    .await;
    default.print(
        &format!("sdk sweep, {}% share (default)", DEFAULT_RATE_SHARE.get()),
        LIMITED_TABLES,
    );
    let all = RateShare::percent(100).expect("a valid share");
    sdk_limited(all, LIMITED_NAMESPACES, LIMITED_TABLES_PER_NAMESPACE)
        .await
        .print("sdk sweep, 100% share", LIMITED_TABLES);
    if let Some(interpreter) = interpreter {
        python_limited(interpreter)
            .await
            .print("python sdk, sequential loop", LIMITED_TABLES);
    }
    default
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The rate-limited part, made small (70 tables: two of the scaled windows): the sweep
    /// updates every table without meeting a 429, and the emulator counts each of its
    /// requests (the namespaces, the namespaces under the one, its tables, each table).
    #[tokio::test(flavor = "current_thread")]
    async fn the_rate_limited_sweep_updates_every_table_without_a_429() {
        let run = sdk_limited(DEFAULT_RATE_SHARE, 1, 70).await;
        assert_eq!(
            (run.updated, run.failed, run.throttled, run.requests),
            (70, 0, 0, 73)
        );
    }
}
