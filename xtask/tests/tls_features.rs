//! The SDK's TLS features decide what crypto a user's build compiles: the default exactly one
//! provider, `ring`, and each other backend its own and nothing of the others. A dependency
//! update that turned reqwest's default TLS back on would put `aws-lc-sys` (27 s of build
//! script) into every default build; this catches it.

use std::collections::BTreeSet;
use std::path::Path;
use std::process::Command;

/// The names of the crates a build of the SDK with `features` compiles for this machine.
fn compiled_crates(features: &[&str]) -> BTreeSet<String> {
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut command = Command::new(env!("CARGO"));
    command
        .current_dir(workspace)
        .args(["tree", "--locked", "-p", "cloudflare-r2-catalog"])
        .args(["-e", "normal,build", "--prefix", "none", "--format", "{p}"]);
    if !features.is_empty() {
        command.args(["--no-default-features", "--features", &features.join(",")]);
    }
    let output = command.output().expect("cargo tree runs");
    assert!(
        output.status.success(),
        "cargo tree failed: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8_lossy(&output.stdout)
        .lines()
        .filter_map(|line| line.split_whitespace().next())
        .map(str::to_owned)
        .collect()
}

const PROVIDERS: [&str; 4] = ["ring", "aws-lc-rs", "aws-lc-sys", "openssl-sys"];

fn providers_in(crates: &BTreeSet<String>) -> Vec<&'static str> {
    PROVIDERS
        .into_iter()
        .filter(|provider| crates.contains(*provider))
        .collect()
}

#[test]
fn the_default_build_compiles_ring_and_no_other_crypto() {
    let crates = compiled_crates(&[]);
    assert_eq!(providers_in(&crates), ["ring"]);
    assert!(!crates.contains("native-tls"));
}

#[test]
fn rustls_aws_lc_compiles_aws_lc_alone() {
    let crates = compiled_crates(&["rustls-aws-lc"]);
    assert_eq!(providers_in(&crates), ["aws-lc-rs", "aws-lc-sys"]);
    assert!(!crates.contains("native-tls"));
}

#[test]
fn native_tls_compiles_no_rustls_at_all() {
    let crates = compiled_crates(&["native-tls"]);
    assert!(crates.contains("native-tls"), "{crates:?}");
    assert!(!crates.contains("rustls"), "{crates:?}");
    assert!(
        !crates.contains("ring") && !crates.contains("aws-lc-rs"),
        "{crates:?}"
    );
}
