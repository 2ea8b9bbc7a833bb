//! `--sweep`: a catalog-wide maintenance update over TLS, in two parts.
//!
//! **Unlimited**, what the clients themselves cost: two emulators (one offering HTTP/2 and
//! HTTP/1.1, one HTTP/1.1 only) with the rate limit off, each holding 1,000 tables in 10
//! namespaces. Timed in one run, in turns, each with a fresh client (so connections and
//! handshakes are paid each time): this SDK's sweep over HTTP/2 and over HTTP/1.1, a plain loop
//! of sequential SDK calls, and the official Python SDK (`cloudflare` on PyPI, in a virtualenv
//! under `target/`) as its users would write the loop, sequentially and with asyncio at the
//! sweep's concurrency. Reports medians, ratios (the Python loop over this SDK's sweep, which
//! should stay at 20 or more) and the TLS handshakes each made; then the sweep's time at 1 to
//! 64 tables at once, and the first call of a fresh process, connection and handshake
//! included, for this SDK against bare reqwest.
//!
//! **Rate-limited**, what the clients make of Cloudflare's limit: emulators enforcing it
//! scaled down to 60 requests per 4 s (15/s) with a 4 s block, each holding 300 tables in 3
//! namespaces, a fresh one per run (the limit's windows are per credential and start at its
//! first request, so runs on one emulator would share them). This SDK's sweep at its default
//! rate share and at 100%: its time, the requests it made, the least time the quota allows for
//! them (requests ÷ 15/s), the ratio of the two (the goal is at most 1.3) and the 429s it met
//! (the goal is none). Then the Python SDK's sequential loop: its time, requests and 429s, and
//! how many tables it updated (it retries a 429 twice, honouring `Retry-After` up to 60 s,
//! which a 4 s block is within and Cloudflare's 300 s block is not).

use std::num::NonZeroUsize;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::{Arc, OnceLock};
use std::time::{Duration, Instant};

use cloudflare_r2_catalog::{
    Client, CompactionUpdate, DEFAULT_RATE_SHARE, DEFAULT_SWEEP_CONCURRENCY, ListOptions,
    MaintenanceState, MaintenanceUpdate, Namespace, PageSize, RateShare, Swept,
};
use cloudflare_r2_catalog_emulator::{Emulator, RECORDED_BYTES, RECORDED_REQUESTS, RateLimit};
use futures_util::{StreamExt, TryStreamExt};

use crate::{ACCOUNT_ID, API_TOKEN, BUCKET, quantile};

const NAMESPACES: usize = 10;
const TABLES_PER_NAMESPACE: usize = 100;
const TABLES: usize = NAMESPACES * TABLES_PER_NAMESPACE;

/// The rate-limited part's catalog: a third of the unlimited one, so that a run at the scaled
/// limit (about 310 requests at 15/s) takes some 20 s.
const LIMITED_NAMESPACES: usize = 3;
const LIMITED_TABLES_PER_NAMESPACE: usize = 100;
const LIMITED_TABLES: usize = LIMITED_NAMESPACES * LIMITED_TABLES_PER_NAMESPACE;

/// Cloudflare's limit (1,200 requests per 300 s, a 300 s block) scaled down so that a run
/// meets several windows in seconds: what the issue's measurements used.
const SCALED_QUOTA: u32 = 60;
const SCALED_WINDOW: Duration = Duration::from_secs(4);
const SCALED_BLOCK: Duration = Duration::from_secs(4);

/// The token the rate-limited runs enable their catalog with: the emulator counts each
/// credential apart, so the token under test starts its first window with its first request.
const SETUP_TOKEN: &str = "bench-setup-token";

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
fn seed(emulator: &Emulator, namespaces: usize, per_namespace: usize) {
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
fn client_of(emulator: &Emulator) -> Client {
    client_as(emulator, API_TOKEN)
}

/// A fresh SDK client on `emulator` with `token`, trusting its root.
fn client_as(emulator: &Emulator, token: &str) -> Client {
    Client::builder()
        .api_token(token)
        .account_id(ACCOUNT_ID)
        .base_url(emulator.base_url())
        .add_root_certificate(emulator.root_certificate_pem().expect("a TLS emulator"))
        .build()
        .expect("an SDK client")
}

fn compaction_on() -> MaintenanceUpdate {
    MaintenanceUpdate {
        compaction: Some(CompactionUpdate {
            state: Some(MaintenanceState::Enabled),
            ..CompactionUpdate::default()
        }),
        ..MaintenanceUpdate::default()
    }
}

/// The SDK's sweep with a fresh client, `concurrency` tables at once.
async fn sdk_sweep(emulator: &Emulator, concurrency: NonZeroUsize) -> usize {
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
async fn sdk_loop(emulator: &Emulator) -> usize {
    let catalog = client_of(emulator).catalog(BUCKET).expect("a valid bucket");
    let update = compaction_on();
    let largest = ListOptions::new().page_size(PageSize::new(PageSize::MAX).expect("in range"));
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

/// What one run of the official Python SDK's loop reported: its own time (interpreter start
/// and imports left out, in its favour) and its counts.
#[derive(serde::Deserialize)]
struct PythonReport {
    seconds: f64,
    /// Tables whose update succeeded.
    updated: usize,
    /// Tables whose update the rate limit still refused after the SDK's retries.
    failed: usize,
    /// Listings the rate limit still refused after the SDK's retries: their tables were not
    /// reached.
    unlisted: usize,
}

/// Runs the official Python SDK's loop, `mode` sequential or asyncio, against `emulator`,
/// whose root certificate is in the file `root`.
fn python_run(
    python: &Path,
    emulator: &Emulator,
    root: &Path,
    mode: &str,
    concurrency: usize,
) -> PythonReport {
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("python/sweep.py");
    let output = Command::new(python)
        .arg(script)
        .args([mode, emulator.base_url()])
        .arg(root)
        .args([ACCOUNT_ID, BUCKET, &concurrency.to_string()])
        .env("CLOUDFLARE_API_TOKEN", API_TOKEN)
        .output()
        .expect("python runs");
    assert!(
        output.status.success(),
        "the Python sweep failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    serde_json::from_slice(&output.stdout).expect("the Python sweep's report")
}

/// The official Python SDK's loop on the unlimited emulator, which must update every table:
/// its time.
fn python(
    python: &Path,
    emulator: &Emulator,
    root: &Path,
    mode: &str,
    concurrency: usize,
) -> Duration {
    let report = python_run(python, emulator, root, mode, concurrency);
    assert_eq!(
        (report.updated, report.failed, report.unlisted),
        (TABLES, 0, 0),
        "the Python sweep ({mode}) did not update every table"
    );
    Duration::from_secs_f64(report.seconds)
}

/// The virtualenv's interpreter, with the official SDK installed from
/// `bench/python/requirements.txt` the first time; `None` (with the reason printed) when this
/// machine cannot make one.
fn python_environment() -> Option<PathBuf> {
    let bench = Path::new(env!("CARGO_MANIFEST_DIR"));
    let venv = bench.join("../target/bench-python");
    let interpreter = venv.join("bin/python");
    if interpreter.exists() {
        return Some(interpreter);
    }
    let made = Command::new("python3")
        .args(["-m", "venv"])
        .arg(&venv)
        .status()
        .is_ok_and(|status| status.success())
        && Command::new(&interpreter)
            .args(["-m", "pip", "install", "--quiet", "-r"])
            .arg(bench.join("python/requirements.txt"))
            .status()
            .is_ok_and(|status| status.success());
    if !made {
        println!(
            "python: no virtualenv with the official SDK could be made; its rows are left out"
        );
        let _ = std::fs::remove_dir_all(&venv);
        return None;
    }
    Some(interpreter)
}

/// One contender of the sweep: a name, and how to time one run of it.
type Run<'a> = Box<dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Duration> + 'a>> + 'a>;

/// Times an async run of the SDK, checking it updated every table.
async fn timed(run: impl Future<Output = usize>) -> Duration {
    let started = Instant::now();
    let updated = run.await;
    let elapsed = started.elapsed();
    assert_eq!(updated, TABLES);
    elapsed
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
fn serve_apart<T: Send + 'static>(start: impl Future<Output = T> + Send + 'static) -> T {
    let (sender, receiver) = std::sync::mpsc::channel();
    servers().spawn(async move {
        // The bench waits for it; if it has gone, nobody needs the emulators.
        let _ = sender.send(start.await);
    });
    receiver.recv().expect("the emulators start")
}

/// The two unlimited emulators, serving on the servers' runtime.
fn emulators() -> (Emulator, Emulator) {
    serve_apart(async { (seeded_unenabled(true).await, seeded_unenabled(false).await) })
}

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
struct LimitedRun {
    time: Duration,
    /// The requests the emulator received during the run, those refused for the limit included.
    requests: usize,
    /// Those refused for the limit (429).
    throttled: u64,
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
    fn ratio(&self) -> f64 {
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

/// The rate-limited part (see the module's documentation); returns the default sweep's run.
async fn rate_limited(interpreter: Option<&Path>) -> LimitedRun {
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

pub async fn run(rounds: usize) {
    let (http2, http1) = emulators();
    for emulator in [&http2, &http1] {
        client_of(emulator)
            .catalog(BUCKET)
            .expect("a valid bucket")
            .enable()
            .await
            .expect("enabled");
    }
    let root =
        std::env::temp_dir().join(format!("r2-catalog-bench-root-{}.pem", std::process::id()));
    std::fs::write(&root, http2.root_certificate_pem().expect("TLS")).expect("root written");
    let python = python_environment();
    let concurrency = DEFAULT_SWEEP_CONCURRENCY;

    let mut contenders: Vec<(String, &Emulator, Run<'_>)> = vec![
        (
            format!("sdk sweep, HTTP/2, {concurrency} at once"),
            &http2,
            Box::new(|| Box::pin(timed(sdk_sweep(&http2, concurrency)))),
        ),
        (
            format!("sdk sweep, HTTP/1.1, {concurrency} at once"),
            &http1,
            Box::new(|| Box::pin(timed(sdk_sweep(&http1, concurrency)))),
        ),
        (
            "sdk, sequential loop".to_owned(),
            &http2,
            Box::new(|| Box::pin(timed(sdk_loop(&http2)))),
        ),
    ];
    if let Some(python) = &python {
        let (root, python) = (root.clone(), python.clone());
        let (root2, python2) = (root.clone(), python.clone());
        let http2 = &http2;
        contenders.push((
            "python sdk, sequential loop".to_owned(),
            http2,
            Box::new(move || {
                let duration = self::python(&python, http2, &root, "sequential", 1);
                Box::pin(std::future::ready(duration))
            }),
        ));
        contenders.push((
            format!("python sdk, asyncio, {concurrency} at once"),
            http2,
            Box::new(move || {
                let duration = self::python(&python2, http2, &root2, "asyncio", concurrency.get());
                Box::pin(std::future::ready(duration))
            }),
        ));
    }

    // Warm-up, and each contender's handshakes in one run.
    let mut handshakes = Vec::new();
    for (_, emulator, run) in &contenders {
        let before = emulator.connections();
        run().await;
        handshakes.push(emulator.connections() - before);
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); contenders.len()];
    for round in 0..rounds {
        for turn in 0..contenders.len() {
            let which = (round + turn) % contenders.len();
            times[which].push((contenders[which].2)().await.as_secs_f64());
        }
    }
    let medians: Vec<f64> = times.into_iter().map(|t| quantile(t, 0.5)).collect();
    println!(
        "sweep: maintenance updated on {TABLES} tables in {NAMESPACES} namespaces over TLS, \
         median of {rounds} rounds taking turns, a fresh client each run"
    );
    println!(
        "{:<40} {:>10} {:>12} {:>11}",
        "contender", "time", "tables/s", "handshakes"
    );
    for ((name, _, _), (median, handshakes)) in
        contenders.iter().zip(medians.iter().zip(&handshakes))
    {
        println!(
            "{name:<40} {:>9.3}s {:>12.0} {handshakes:>11}",
            median,
            TABLES as f64 / median
        );
    }
    let sdk = medians[0];
    for (index, (name, _, _)) in contenders.iter().enumerate().skip(1) {
        println!(
            "sweep: {name} / sdk sweep HTTP/2 = {:.1}",
            medians[index] / sdk
        );
    }
    // The Python loop follows the three SDK contenders when there is one.
    let python_over_sdk = (python.is_some()).then(|| medians[3] / sdk);

    // How the time goes with the number at once, to pick the default.
    println!("sweep concurrency, HTTP/2 (median of {rounds}):");
    for at_once in [1, 4, 8, 16, 32, 64] {
        let at_once = NonZeroUsize::new(at_once).expect("not zero");
        let mut samples = Vec::new();
        for _ in 0..rounds {
            samples.push(timed(sdk_sweep(&http2, at_once)).await.as_secs_f64());
        }
        println!("  {at_once:>3} at once: {:.3}s", quantile(samples, 0.5));
    }
    let _ = std::fs::remove_file(&root);
    first_call(&http2, rounds.max(9)).await;

    let limited = rate_limited(python.as_deref()).await;
    let unlimited = python_over_sdk.map_or_else(
        || "no python".to_owned(),
        |ratio| format!("{ratio:.1} (goal >= 20)"),
    );
    println!(
        "sweep: unlimited python sequential loop / sdk sweep = {unlimited}; rate-limited sdk \
         sweep time/minimum = {:.2} (goal <= 1.3), 429s = {} (goal 0)",
        limited.ratio(),
        limited.throttled
    );
}

/// The first call of a fresh process, `--first-call sdk|raw`, against `emulator`: each run a
/// process of its own, taking turns; the child's own time (from `main` to the parsed answer,
/// building the client, connecting and the TLS handshake included) and the whole process's.
async fn first_call(emulator: &Emulator, runs: usize) {
    let root =
        std::env::temp_dir().join(format!("r2-catalog-bench-first-{}.pem", std::process::id()));
    std::fs::write(&root, emulator.root_certificate_pem().expect("TLS")).expect("root written");
    let me = std::env::current_exe().expect("this binary");
    let mut inside = [Vec::new(), Vec::new()];
    let mut whole = [Vec::new(), Vec::new()];
    for run in 0..runs {
        for turn in 0..2 {
            let which = (run + turn) % 2;
            let started = Instant::now();
            let output = Command::new(&me)
                .args(["--first-call", ["sdk", "raw"][which], emulator.base_url()])
                .arg(&root)
                .output()
                .expect("the bench runs");
            whole[which].push(started.elapsed().as_secs_f64());
            assert!(
                output.status.success(),
                "{}",
                String::from_utf8_lossy(&output.stderr)
            );
            let micros: f64 = String::from_utf8_lossy(&output.stdout)
                .trim()
                .parse()
                .expect("µs");
            inside[which].push(micros / 1e6);
        }
    }
    let _ = std::fs::remove_file(&root);
    let [sdk_inside, raw_inside] = inside.map(|t| quantile(t, 0.5));
    let [sdk_whole, raw_whole] = whole.map(|t| quantile(t, 0.5));
    println!("first call of a fresh process over TLS (median of {runs}):");
    println!(
        "  main to answer: sdk {:.1} ms, raw reqwest {:.1} ms, ratio {:.2}",
        sdk_inside * 1e3,
        raw_inside * 1e3,
        sdk_inside / raw_inside
    );
    println!(
        "  whole process:  sdk {:.1} ms, raw reqwest {:.1} ms, ratio {:.2}",
        sdk_whole * 1e3,
        raw_whole * 1e3,
        sdk_whole / raw_whole
    );
}

/// `--first-call sdk|raw BASE_URL ROOT_FILE`: one catalog read in a fresh process, printing the
/// microseconds from `started` to the parsed answer.
pub fn first_call_child(started: Instant, which: &str, base_url: &str, root: &Path) {
    let pem = std::fs::read(root).expect("the root");
    let runtime = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .expect("a runtime");
    runtime.block_on(async {
        match which {
            "sdk" => {
                let client = Client::builder()
                    .api_token(API_TOKEN)
                    .account_id(ACCOUNT_ID)
                    .base_url(base_url)
                    .add_root_certificate(&pem)
                    .build()
                    .expect("an SDK client");
                client
                    .catalog(BUCKET)
                    .expect("valid")
                    .get()
                    .await
                    .expect("read");
            }
            "raw" => raw_first_call(base_url, &pem).await,
            other => panic!("--first-call takes sdk or raw, not {other:?}"),
        }
    });
    println!("{}", started.elapsed().as_micros());
}

/// Bare reqwest as the SDK configures TLS (ring, the platform's verifier with the emulator's
/// root added, HTTP/2 and HTTP/1.1 by ALPN), reading the catalog and parsing the envelope.
async fn raw_first_call(base_url: &str, pem: &[u8]) {
    use rustls::pki_types::CertificateDer;
    use rustls::pki_types::pem::PemObject;

    let provider = Arc::new(crate::ring_provider());
    let roots: Vec<_> = CertificateDer::pem_slice_iter(pem)
        .collect::<Result<_, _>>()
        .expect("PEM");
    let verifier =
        rustls_platform_verifier::Verifier::new_with_extra_roots(roots, provider.clone())
            .expect("a verifier");
    let mut tls = rustls::ClientConfig::builder_with_provider(provider)
        .with_safe_default_protocol_versions()
        .expect("TLS 1.2 and 1.3")
        .dangerous()
        .with_custom_certificate_verifier(Arc::new(verifier))
        .with_no_client_auth();
    tls.alpn_protocols = vec![b"h2".to_vec(), b"http/1.1".to_vec()];
    let http = reqwest::Client::builder()
        .tls_backend_preconfigured(tls)
        .build()
        .expect("a client");
    let url = format!("{base_url}/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}");
    let body = http
        .get(url)
        .bearer_auth(API_TOKEN)
        .send()
        .await
        .expect("sent")
        .bytes()
        .await
        .expect("body");
    let envelope: crate::Envelope = serde_json::from_slice(&body).expect("envelope");
    assert!(envelope.success);
}

#[cfg(test)]
mod tests {
    use super::*;

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
