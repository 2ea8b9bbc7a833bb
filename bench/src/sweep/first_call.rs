//! The first call of a fresh process, connection and TLS handshake included: this SDK against
//! bare reqwest, each in a child process of the bench's own binary.

use std::path::Path;
use std::process::Command;
use std::sync::Arc;
use std::time::Instant;

use cloudflare_r2_catalog::Client;
use cloudflare_r2_catalog_emulator::Emulator;

use crate::{ACCOUNT_ID, API_TOKEN, BUCKET, quantile};

/// The first call of a fresh process, `--first-call sdk|raw`, against `emulator`: each run a
/// process of its own, taking turns; the child's own time (from `main` to the parsed answer,
/// building the client, connecting and the TLS handshake included) and the whole process's.
pub(super) async fn first_call(emulator: &Emulator, runs: usize) {
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
