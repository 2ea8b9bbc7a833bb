//! The official Python SDK's contender (`cloudflare` on PyPI), run in a virtualenv under
//! `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use cloudflare_r2_catalog_emulator::Emulator;

use super::TABLES;
use crate::{ACCOUNT_ID, API_TOKEN, BUCKET};

/// What one run of the official Python SDK's loop reported: its own time (interpreter start
/// and imports left out, in its favour) and its counts.
#[derive(serde::Deserialize)]
pub(super) struct PythonReport {
    pub(super) seconds: f64,
    /// Tables whose update succeeded.
    pub(super) updated: usize,
    /// Tables whose update the rate limit still refused after the SDK's retries.
    pub(super) failed: usize,
    /// Listings the rate limit still refused after the SDK's retries: their tables were not
    /// reached.
    pub(super) unlisted: usize,
}

/// Runs the official Python SDK's loop, `mode` sequential or asyncio, against `emulator`,
/// whose root certificate is in the file `root`.
pub(super) fn python_run(
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
pub(super) fn python(
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
pub(super) fn python_environment() -> Option<PathBuf> {
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
