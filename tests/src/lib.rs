//! Test-only crate: the suites live in `tests/tests/`. What they share that the CLI's suites
//! (which include `tests/tests/common` by path) cannot build lives here, and the doctests of the
//! README and the guides, which use the SDK and the emulator both.

/// A plain HTTP client, for requests the SDK would not send as they are (past a rate limit,
/// say).
pub fn plain_http() -> reqwest::Client {
    // reqwest is built here without a rustls provider (the SDK hands it one); the emulator
    // speaks plain HTTP, but reqwest wants one to build a client.
    #[allow(
        deprecated,
        reason = "rustls 0.23.48 deprecates ring's provider (no post-quantum key exchange) and \
                  has no other way to build it; this client speaks plain HTTP"
    )]
    let _ = rustls::crypto::ring::default_provider().install_default();
    reqwest::Client::builder()
        .no_proxy()
        .build()
        .expect("a plain HTTP client")
}

// The Rust blocks of the README and of docs/*.md, compiled as doctests so that they cannot drift
// from the API: `cargo test -p integration-tests --doc`. This crate's dev-dependencies (the SDK
// with its emulator, tokio, futures-util, serde_json) are theirs. A page without Rust blocks
// needs no item here.

/// The README's Rust examples.
#[cfg(doctest)]
#[doc = include_str!("../../README.md")]
pub struct ReadmeDoctests;

/// The library guide's Rust examples.
#[cfg(doctest)]
#[doc = include_str!("../../docs/library.md")]
pub struct LibraryDoctests;

/// The emulator guide's Rust examples.
#[cfg(doctest)]
#[doc = include_str!("../../docs/emulator.md")]
pub struct EmulatorDoctests;

/// The rate-limits guide's Rust examples.
#[cfg(doctest)]
#[doc = include_str!("../../docs/rate-limits.md")]
pub struct RateLimitsDoctests;
