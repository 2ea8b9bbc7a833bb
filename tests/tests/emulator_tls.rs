//! The emulator over TLS, and the SDK's HTTP/2: a client that trusts the emulator's root
//! carries concurrent calls on one connection when the server offers `h2`, opens several when
//! it offers only HTTP/1.1, and sends nothing to a server it does not trust; a root given as a
//! PEM bundle is trusted whichever of its certificates it is. `.ci/run` runs this suite with
//! the default backend and again with native-tls (`--features native-tls`).

mod common;

use cloudflare_r2_catalog::{Client, Error, error::ConfigError};
use cloudflare_r2_catalog_emulator::Emulator;
use common::{BUCKET, RecordedSleeps, builder_at, client_of};
use futures_util::future::join_all;
use rcgen::{BasicConstraints, CertificateParams, DnType, IsCa, KeyPair};

const CALLS: usize = 16;

/// An emulator built by `tls`, with [`BUCKET`]'s catalog enabled, and a client trusting it.
async fn tls_emulator(
    tls: impl FnOnce(
        cloudflare_r2_catalog_emulator::EmulatorBuilder,
    ) -> cloudflare_r2_catalog_emulator::EmulatorBuilder,
) -> (Emulator, Client) {
    let emulator = tls(Emulator::builder().bucket(BUCKET))
        .start()
        .await
        .expect("starts");
    let client = client_of(&emulator, &RecordedSleeps::default());
    client
        .catalog(BUCKET)
        .expect("valid")
        .enable()
        .await
        .expect("enabled");
    (emulator, client)
}

/// `CALLS` catalog reads at once, each of which must succeed.
async fn concurrent_reads(client: &Client) {
    let catalog = client.catalog(BUCKET).expect("valid");
    let reads = join_all((0..CALLS).map(|_| catalog.get())).await;
    for read in reads {
        read.expect("read over TLS");
    }
}

#[tokio::test]
async fn http2_carries_concurrent_calls_on_one_connection() {
    let (emulator, client) = tls_emulator(|builder| builder.tls()).await;
    assert!(emulator.base_url().starts_with("https://127.0.0.1:"));
    concurrent_reads(&client).await;
    assert_eq!(emulator.connections(), 1);
    assert_eq!(emulator.requests().len(), CALLS + 1);
}

#[tokio::test]
async fn a_server_without_http2_gets_http1_connections() {
    let (emulator, client) = tls_emulator(|builder| builder.tls_http1_only()).await;
    concurrent_reads(&client).await;
    let connections = emulator.connections();
    assert!(
        connections > 1 && connections <= CALLS as u64 + 1,
        "{connections} connections"
    );
    assert_eq!(emulator.requests().len(), CALLS + 1);
}

/// A TLS emulator with [`BUCKET`], its catalog not enabled.
async fn tls_with_bucket() -> Emulator {
    let builder = Emulator::builder().tls().bucket(BUCKET);
    builder.start().await.expect("starts")
}

/// A client on `emulator` that makes one attempt per call, trusting `root` besides the
/// system's roots (and not the emulator's own).
fn one_try_client(emulator: &Emulator, root: Option<&str>) -> Client {
    let builder = builder_at(emulator.base_url(), &RecordedSleeps::default()).max_retries(0);
    let builder = match root {
        Some(root) => builder.add_root_certificate(root),
        None => builder,
    };
    builder.build().expect("valid config")
}

#[tokio::test]
async fn a_server_whose_certificate_is_not_trusted_gets_nothing() {
    let emulator = tls_with_bucket().await;
    let untrusting = one_try_client(&emulator, None);
    let error = untrusting
        .catalog(BUCKET)
        .expect("valid")
        .enable()
        .await
        .expect_err("an unknown issuer");
    assert!(matches!(error, Error::Transport(_)), "{error:?}");
    assert_eq!(emulator.connections(), 0);
    assert!(emulator.requests().is_empty());
}

#[tokio::test]
async fn another_emulators_root_is_not_trusted_for_this_one() {
    let emulator = tls_with_bucket().await;
    let other = Emulator::builder().tls().start().await.expect("starts");
    let client = one_try_client(&emulator, other.root_certificate_pem());
    let error = client.catalog(BUCKET).expect("valid").get().await;
    assert!(matches!(error, Err(Error::Transport(_))), "{error:?}");
    assert!(emulator.requests().is_empty());
}

/// A CA's certificate (PEM) that signed nothing the emulator serves, named apart from the
/// emulator's root: OpenSSL looks a certificate's issuer up by name, and would try two
/// same-named roots in turn no more than the first.
fn unrelated_root() -> String {
    let mut params = CertificateParams::new(Vec::<String>::new()).expect("valid params");
    params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    params
        .distinguished_name
        .push(DnType::CommonName, "an unrelated test CA");
    let key = KeyPair::generate().expect("a key");
    params.self_signed(&key).expect("self-signed").pem()
}

#[tokio::test]
async fn every_certificate_of_a_pem_bundle_is_trusted_not_only_the_first() {
    let emulator = tls_with_bucket().await;
    let root = emulator
        .root_certificate_pem()
        .expect("a TLS emulator's root");
    // The CA that signed the server's certificate second: trusting the first alone fails.
    let bundle = format!("{}\n{root}", unrelated_root());
    let client = one_try_client(&emulator, Some(&bundle));
    let enabled = client.catalog(BUCKET).expect("valid").enable().await;
    assert!(enabled.is_ok(), "{enabled:?}");
    assert_eq!(emulator.requests().len(), 1);
}

/// What `.ci/run`'s native-tls lane relies on: the tests crate's `native-tls` feature makes the
/// client speak it.
#[test]
fn the_client_speaks_the_backend_the_features_choose() {
    let backend = if cfg!(feature = "native-tls") {
        "native-tls"
    } else {
        "rustls-ring"
    };
    let client = builder_at("https://127.0.0.1:1/client/v4", &RecordedSleeps::default())
        .build()
        .expect("valid config");
    let shown = format!("{client:?}");
    assert!(shown.contains(&format!("tls: {backend:?}")), "{shown}");
}

#[test]
fn a_root_certificate_must_be_pem_with_a_certificate_in_it() {
    for pem in [
        "",
        "not a certificate",
        "-----BEGIN CERTIFICATE-----\nAAAA\n",
    ] {
        let built = builder_at("https://127.0.0.1:1/client/v4", &RecordedSleeps::default())
            .add_root_certificate(pem)
            .build();
        assert!(
            matches!(built, Err(ConfigError::RootCertificate { .. })),
            "{pem:?}: {built:?}"
        );
    }
}
