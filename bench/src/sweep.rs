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

mod emulators;
mod first_call;
mod limited;
mod python_sdk;
mod sdk;

use std::num::NonZeroUsize;
use std::time::Duration;

use cloudflare_r2_catalog::sweep::DEFAULT_SWEEP_CONCURRENCY;
use cloudflare_r2_catalog_emulator::Emulator;

use crate::{BUCKET, quantile};
use emulators::{client_of, emulators};
use first_call::first_call;
pub use first_call::first_call_child;
use limited::rate_limited;
use python_sdk::python_environment;
use sdk::{sdk_loop, sdk_sweep, timed};

const NAMESPACES: usize = 10;
const TABLES_PER_NAMESPACE: usize = 100;
const TABLES: usize = NAMESPACES * TABLES_PER_NAMESPACE;

/// One contender of the sweep: a name, and how to time one run of it.
type Run<'a> = Box<dyn Fn() -> std::pin::Pin<Box<dyn Future<Output = Duration> + 'a>> + 'a>;

/// The sweep bench: the unlimited part, then the rate-limited one (see the module's
/// documentation).
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
                let duration = python_sdk::python(&python, http2, &root, "sequential", 1);
                Box::pin(std::future::ready(duration))
            }),
        ));
        contenders.push((
            format!("python sdk, asyncio, {concurrency} at once"),
            http2,
            Box::new(move || {
                let duration =
                    python_sdk::python(&python2, http2, &root2, "asyncio", concurrency.get());
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
