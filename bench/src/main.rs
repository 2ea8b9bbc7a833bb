//! The SDK's cost over the HTTP call itself: its store-credential call against a bare reqwest
//! client sending the same request and parsing the same envelope, against a loopback server,
//! sequentially and with 64 calls in flight, in interleaved rounds. A second baseline, bare
//! reqwest with the SDK's default timeouts, shows how much of the cost is those timeouts (a
//! timer per call). Run it with `cargo xtask bench` (release build); `-- --calls N --rounds R`
//! changes the sizes, and `-- --profile sdk|raw --calls N` runs one client alone for a profiler.
//! `-- --sweep [--rounds R]` runs the sweep bench instead (see `sweep.rs`), unlimited and
//! against a scaled rate limit; `-- --endless-listing [--pages K]` runs the release CLI against
//! a listing that never ends and reports its peak memory (see `endless.rs`).

mod endless;
mod server;
mod sweep;

use std::sync::Arc;
use std::time::{Duration, Instant};

use cloudflare_r2_catalog::{
    Client,
    config::{DEFAULT_CONNECT_TIMEOUT, DEFAULT_TIMEOUT},
    handles::CatalogHandle,
};
use futures_util::StreamExt;
use reqwest::header::{ACCEPT, AUTHORIZATION, CONTENT_TYPE, HeaderMap, HeaderValue};
use serde::{Deserialize, Serialize};

const ACCOUNT_ID: &str = "0123456789abcdef0123456789abcdef";
const BUCKET: &str = "my-data-bucket";
const API_TOKEN: &str = "bench-api-token";
const CATALOG_TOKEN: &str = "bench-catalog-token";
const IN_FLIGHT: usize = 64;

/// The body the raw client sends: what the SDK sends.
#[derive(Serialize)]
struct StoreCredential<'a> {
    token: &'a str,
}

/// The envelope the raw client parses: what the SDK parses.
#[derive(Deserialize)]
#[allow(dead_code)] // parsed to cost the same as the SDK's parse, not read
struct Envelope {
    success: bool,
    errors: Vec<serde_json::Value>,
    messages: Vec<serde_json::Value>,
    result: Option<serde_json::Map<String, serde_json::Value>>,
}

/// The floor: bare reqwest with the SDK's headers, body and envelope parse.
struct Raw {
    http: reqwest::Client,
    base_url: String,
}

/// The SDK's default timeouts (total, connect), which bare reqwest does not have.
const SDK_TIMEOUTS: (Duration, Duration) = (DEFAULT_TIMEOUT, DEFAULT_CONNECT_TIMEOUT);

impl Raw {
    /// Bare reqwest; with `timeouts`, also the SDK's `(total, connect)` timeouts, to show what
    /// they cost.
    fn new(base_url: &str, timeouts: Option<(Duration, Duration)>) -> Self {
        let mut headers = HeaderMap::new();
        let mut auth = HeaderValue::from_str(&format!("Bearer {API_TOKEN}")).expect("ASCII");
        auth.set_sensitive(true);
        headers.insert(AUTHORIZATION, auth);
        headers.insert(ACCEPT, HeaderValue::from_static("application/json"));
        // reqwest is built without a crypto provider of its own (the SDK names one explicitly),
        // so this client gets one too. The bench speaks plain HTTP on loopback: the TLS
        // configuration only has to exist, and trusts no certificate at all.
        let tls = rustls::ClientConfig::builder_with_provider(Arc::new(ring_provider()))
            .with_safe_default_protocol_versions()
            .expect("ring supports TLS 1.2 and 1.3")
            .with_root_certificates(rustls::RootCertStore::empty())
            .with_no_client_auth();
        let mut builder = reqwest::Client::builder().tls_backend_preconfigured(tls);
        if let Some((total, connect)) = timeouts {
            builder = builder.timeout(total).connect_timeout(connect);
        }
        let http = builder
            .default_headers(headers)
            .user_agent(concat!("cloudflare-r2-catalog/", env!("CARGO_PKG_VERSION")))
            .build()
            .expect("a client");
        Self {
            http,
            base_url: base_url.to_owned(),
        }
    }

    async fn store(&self) {
        // The URL is built per call, as any client must when account and bucket vary.
        let url = format!(
            "{}/accounts/{ACCOUNT_ID}/basin-catalog/{BUCKET}/credential",
            self.base_url
        );
        let body = serde_json::to_vec(&StoreCredential {
            token: CATALOG_TOKEN,
        })
        .expect("JSON");
        let response = self
            .http
            .post(url)
            .header(CONTENT_TYPE, "application/json")
            .body(body)
            .send()
            .await
            .expect("sent");
        let bytes = response.bytes().await.expect("body");
        let envelope: Envelope = serde_json::from_slice(&bytes).expect("envelope");
        assert!(envelope.success);
    }
}

async fn sdk_store(catalog: &CatalogHandle) {
    catalog
        .credential()
        .store(CATALOG_TOKEN)
        .await
        .expect("stored");
}

/// Runs `calls` calls of `call`, one at a time or `IN_FLIGHT` at once, and returns the time.
async fn timed<F: Future<Output = ()>>(
    calls: usize,
    concurrent: bool,
    call: impl Fn() -> F,
) -> Duration {
    let started = Instant::now();
    if concurrent {
        futures_util::stream::iter(0..calls)
            .map(|_| call())
            .buffer_unordered(IN_FLIGHT)
            .collect::<()>()
            .await;
    } else {
        for _ in 0..calls {
            call().await;
        }
    }
    started.elapsed()
}

/// The clients timed against each other.
struct Contenders {
    /// The SDK's handle of the catalog the calls store a credential on, made once, as a user
    /// of the SDK would.
    sdk: CatalogHandle,
    raw: Raw,
    raw_with_timeouts: Raw,
}

/// Indexes into a block's times: the SDK, raw reqwest, raw reqwest with the SDK's timeouts.
const SDK: usize = 0;
const RAW: usize = 1;
const RAW_WITH_TIMEOUTS: usize = 2;

impl Contenders {
    /// The three clients, each aimed at the server at `base_url`.
    fn new(base_url: &str) -> Self {
        Self {
            sdk: Client::builder()
                .api_token(API_TOKEN)
                .account_id(ACCOUNT_ID)
                .base_url(base_url)
                .build()
                .expect("an SDK client")
                .catalog(BUCKET)
                .expect("a valid bucket"),
            raw: Raw::new(base_url, None),
            raw_with_timeouts: Raw::new(base_url, Some(SDK_TIMEOUTS)),
        }
    }

    /// The time per call of `n` calls of contender `which`.
    async fn block(&self, which: usize, n: usize, concurrent: bool) -> f64 {
        let elapsed = match which {
            SDK => timed(n, concurrent, || sdk_store(&self.sdk)).await,
            RAW => timed(n, concurrent, || self.raw.store()).await,
            _ => timed(n, concurrent, || self.raw_with_timeouts.store()).await,
        };
        elapsed.as_secs_f64() / n as f64
    }

    /// One round: `calls` calls of each contender in short blocks, taking turns (and turns at
    /// going first), so that whatever else the machine does falls on all alike. Returns each
    /// set of adjacent blocks' times per call.
    async fn round(&self, calls: usize, concurrent: bool) -> Vec<[f64; 3]> {
        let block = if concurrent { IN_FLIGHT * 4 } else { 100 };
        let mut sets = Vec::new();
        for index in 0..calls.div_ceil(block) {
            let n = block.min(calls - index * block);
            let mut times = [0.0; 3];
            for turn in 0..3 {
                let which = (index + turn) % 3;
                times[which] = self.block(which, n, concurrent).await;
            }
            sets.push(times);
        }
        sets
    }
}

/// rustls' *ring* provider, the SDK's default, for the bench's own reqwest clients (reqwest is
/// compiled without a provider of its own: the SDK names one).
#[allow(
    deprecated,
    reason = "rustls 0.23.48 deprecates ring's provider (no post-quantum key exchange) and has \
              no other way to build it; ring is what the SDK's default build uses"
)]
fn ring_provider() -> rustls::crypto::CryptoProvider {
    rustls::crypto::ring::default_provider()
}

/// The `q` quantile (0.0 to 1.0) of `samples`, nearest rank.
fn quantile(mut samples: Vec<f64>, q: f64) -> f64 {
    samples.sort_by(f64::total_cmp);
    let rank = ((samples.len() - 1) as f64 * q).round() as usize;
    samples[rank]
}

/// The SDK against one baseline, from the sets of adjacent blocks: the median time per call of
/// each, and the median and quartiles of the SDK/baseline ratios within sets. Comparing within
/// a set cancels slow drifts of the machine; the median ignores the sets a burst of outside work
/// fell on.
struct Summary {
    sdk: Duration,
    baseline: Duration,
    ratio: f64,
    ratio_quartiles: (f64, f64),
}

impl Summary {
    fn of(sets: &[[f64; 3]], baseline: usize) -> Self {
        let ratios: Vec<f64> = sets.iter().map(|set| set[SDK] / set[baseline]).collect();
        let median_of = |which: usize| {
            Duration::from_secs_f64(quantile(sets.iter().map(|set| set[which]).collect(), 0.5))
        };
        Self {
            sdk: median_of(SDK),
            baseline: median_of(baseline),
            ratio: quantile(ratios.clone(), 0.5),
            ratio_quartiles: (quantile(ratios.clone(), 0.25), quantile(ratios, 0.75)),
        }
    }

    fn print(&self, mode: &str, baseline: &str) {
        let (low, high) = self.ratio_quartiles;
        println!(
            "{mode:<26} {baseline:<24} {:>10.2?} {:>10.2?} {:>6.2}   {low:.2}-{high:.2}",
            self.sdk, self.baseline, self.ratio
        );
    }
}

/// Peak resident memory of this process, from Linux's `/proc/self/status` (`VmHWM`).
fn peak_memory() -> Option<String> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    Some(line.trim_start_matches("VmHWM:").trim().to_owned())
}

/// The value after `name` on the command line, if any.
fn arg(name: &str) -> Option<String> {
    let args: Vec<String> = std::env::args().collect();
    let index = args.iter().position(|a| a == name)?;
    args.get(index + 1).cloned()
}

fn number(name: &str, default: usize) -> usize {
    arg(name).and_then(|v| v.parse().ok()).unwrap_or(default)
}

fn main() {
    let started = Instant::now();
    // `--first-call sdk|raw BASE_URL ROOT_FILE`: the sweep bench's fresh process.
    let args: Vec<String> = std::env::args().collect();
    if let [_, flag, which, base_url, root] = args.as_slice()
        && flag == "--first-call"
    {
        sweep::first_call_child(started, which, base_url, std::path::Path::new(root));
        return;
    }
    // `--endless-listing [--pages K]`: the CLI's memory against a listing that never ends.
    if std::env::args().any(|arg| arg == "--endless-listing") {
        endless::run(number("--pages", endless::default_cap()));
        return;
    }
    let calls = number("--calls", 4000);
    let rounds = number("--rounds", 7);
    // `--profile sdk|raw`: only that client, sequentially, for a profiler (valgrind, perf).
    let profile = arg("--profile");
    // A profile runs on one thread, so that a profiler's counts repeat from run to run.
    let mut runtime = match profile {
        Some(_) => tokio::runtime::Builder::new_current_thread(),
        None => tokio::runtime::Builder::new_multi_thread(),
    };
    let runtime = runtime.enable_all().build().expect("a runtime");
    if std::env::args().any(|arg| arg == "--sweep") {
        // One thread for the clients, as the CLI runs and as Python's loops run.
        let clients = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a runtime");
        clients.block_on(sweep::run(number("--rounds", 5)));
        return;
    }
    runtime.block_on(async {
        let base_url = server::start().await;
        let contenders = Contenders::new(&base_url);

        match profile.as_deref() {
            Some("sdk") => {
                timed(calls, false, || sdk_store(&contenders.sdk)).await;
                return;
            }
            Some("raw") => {
                timed(calls, false, || contenders.raw.store()).await;
                return;
            }
            Some(other) => panic!("--profile takes sdk or raw, not {other:?}"),
            None => {}
        }

        // Warm-up: connections, allocator, caches.
        contenders.round(1000, true).await;

        let mut sequential = Vec::new();
        let mut concurrent = Vec::new();
        for _ in 0..rounds {
            sequential.extend(contenders.round(calls, false).await);
            concurrent.extend(contenders.round(calls, true).await);
        }
        let concurrent_mode = format!("concurrent ({IN_FLIGHT} in flight)");

        println!(
            "{rounds} rounds x {calls} calls per client and mode, in blocks taking turns; \
             medians over sets of adjacent blocks"
        );
        println!(
            "{:<26} {:<24} {:>10} {:>10} {:>6}   quartiles",
            "time per call", "baseline", "sdk", "baseline", "ratio"
        );
        let verdict = [false, true].map(|concurrent_calls| {
            let (mode, sets) = match concurrent_calls {
                false => ("sequential", &sequential),
                true => (concurrent_mode.as_str(), &concurrent),
            };
            let against_raw = Summary::of(sets, RAW);
            against_raw.print(mode, "raw reqwest");
            Summary::of(sets, RAW_WITH_TIMEOUTS).print("", "raw + the sdk's timeouts");
            against_raw.ratio
        });
        println!(
            "future size: sdk {} bytes, raw {} bytes",
            std::mem::size_of_val(&sdk_store(&contenders.sdk)),
            std::mem::size_of_val(&contenders.raw.store())
        );
        println!(
            "peak memory (VmHWM): {}",
            peak_memory().unwrap_or_else(|| "unknown".to_owned())
        );
        println!(
            "bench: sequential sdk/raw = {:.2}  concurrent sdk/raw = {:.2}",
            verdict[0], verdict[1]
        );
    });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// `cargo xtask bench` runs in release and nowhere in CI; this runs every contender through a
    /// short round of each mode, so a client that cannot be built or a call that fails shows up in
    /// `cargo test`.
    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn every_contender_completes_a_round_in_each_mode() {
        let base_url = server::start().await;
        let contenders = Contenders::new(&base_url);
        for concurrent in [false, true] {
            let sets = contenders.round(300, concurrent).await;
            assert!(!sets.is_empty());
            for set in sets {
                assert!(set.iter().all(|time| *time > 0.0), "{set:?}");
            }
        }
    }
}
