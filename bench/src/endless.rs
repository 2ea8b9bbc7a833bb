//! `--endless-listing`: the `r2-catalog` CLI's memory against a server whose listing never
//! ends. A plain HTTP/1.1 server on loopback lists one namespace, `a`, nothing under it, and
//! for `a`'s tables page after page of 1,000 tables never listed before, each page with a
//! cursor never sent before. The release CLI runs `table maintenance get BUCKET --all-tables
//! --dry-run` against it (its stdout to `/dev/null`, so it lists for real and plans each
//! table's read) until it ends: the SDK's sweep ends a walk past `MAX_SWEEP_LISTED` tables and
//! namespaces (1,000 pages), and the server ends the listing itself after `--pages K` pages
//! (default: 100 past that, so that only a client that does not stop meets it). Reports the
//! pages served, the tables the CLI planned, the time, what ended the run and the process's
//! peak resident memory (`VmHWM` of `/proc/PID/status`, read every few milliseconds while it
//! runs), against the 200 MB the CLI documents whatever a server sends.
//!
//! Then the adversarial page: a tables page just under the CLI's 4 MiB response limit, holding
//! as many tiny tables as fit (over 100,000, far more than the 1,000 asked for), with a cursor.
//! The sweep refuses such a page as it reads it; the run reports the same figures, and that it
//! ended after that one page.

use std::fmt::Write as _;
use std::io::{Read, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitStatus, Stdio};
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use cloudflare_r2_catalog::sweep::MAX_SWEEP_LISTED;

use crate::server::complete_request;
use crate::{ACCOUNT_ID, API_TOKEN, BUCKET};

/// The memory the CLI keeps under whatever a server sends, as it documents it (README,
/// `cli/src/main.rs`): 200 MB.
const DOCUMENTED_BYTES: f64 = 200e6;

/// The CLI's limit on one response body (`MAX_RESPONSE_BYTES` in `cli/src/main.rs`): the
/// oversized page stays just under it, so that it is read whole and parsed.
const CLI_MAX_RESPONSE_BYTES: usize = 4 * 1024 * 1024;

/// Tables on each page of the endless listing: the most a sweep asks for.
const PAGE_TABLES: u64 = 1000;

/// How often the CLI's peak memory is read while it runs.
const POLL: Duration = Duration::from_millis(5);

/// The pages of tables the server serves at most, unless told otherwise: 100 past the pages
/// that `MAX_SWEEP_LISTED` lets a sweep read, so that the SDK's bound ends the run, and the
/// server's last page (without a cursor) only a run in which it did not.
pub fn default_cap() -> usize {
    MAX_SWEEP_LISTED / PAGE_TABLES as usize + 100
}

/// What the server answers the tables listing with: page `n` (from 0), the last one (without
/// a cursor) when told.
type TablesPage = dyn Fn(u64, bool) -> Vec<u8> + Send + Sync;

/// What the server has served so far.
#[derive(Default)]
struct Served {
    table_pages: AtomicU64,
    /// Requests for anything but the two listings: none are expected of a dry run.
    other: AtomicU64,
    bytes: AtomicU64,
}

/// Starts the server on an ephemeral loopback port, serving at most `cap` pages of tables;
/// returns its base URL and its counts.
fn start(page: Arc<TablesPage>, cap: u64) -> (String, Arc<Served>) {
    let listener = TcpListener::bind("127.0.0.1:0").expect("bind loopback");
    let address = listener.local_addr().expect("address");
    let served = Arc::new(Served::default());
    let counts = Arc::clone(&served);
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(stream) = stream else { continue };
            let (page, counts) = (Arc::clone(&page), Arc::clone(&counts));
            std::thread::spawn(move || serve(stream, &*page, cap, &counts));
        }
    });
    (format!("http://{address}/client/v4"), served)
}

/// Answers each request on the connection until the client closes it.
fn serve(mut stream: TcpStream, page: &TablesPage, cap: u64, served: &Served) {
    let _ = stream.set_nodelay(true);
    let mut buffer = Vec::with_capacity(4096);
    let mut chunk = [0u8; 4096];
    loop {
        let request_end = loop {
            if let Some(end) = complete_request(&buffer) {
                break end;
            }
            match stream.read(&mut chunk) {
                Ok(0) | Err(_) => return,
                Ok(read) => buffer.extend_from_slice(&chunk[..read]),
            }
        };
        let head = String::from_utf8_lossy(&buffer[..request_end]).into_owned();
        buffer.drain(..request_end);
        let target = head.split(' ').nth(1).unwrap_or_default();
        let (path, query) = target.split_once('?').unwrap_or((target, ""));
        let (status, body) = if path.ends_with("/tables") {
            let n = served.table_pages.fetch_add(1, Ordering::Relaxed);
            ("200 OK", page(n, n + 1 >= cap))
        } else if path.ends_with("/namespaces") {
            let under_a = query.split('&').any(|param| param.starts_with("parent="));
            let result = match under_a {
                true => r#"{"namespaces":[],"next_page_token":null}"#,
                false => r#"{"namespaces":[["a"]],"next_page_token":null}"#,
            };
            ("200 OK", envelope(result))
        } else {
            served.other.fetch_add(1, Ordering::Relaxed);
            let body = r#"{"success":false,"errors":[{"code":7003,"message":"No route for that URI"}],"messages":[],"result":null}"#;
            ("404 Not Found", body.as_bytes().to_vec())
        };
        served.bytes.fetch_add(body.len() as u64, Ordering::Relaxed);
        let head = format!(
            "HTTP/1.1 {status}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n",
            body.len()
        );
        let written = stream
            .write_all(head.as_bytes())
            .and_then(|()| stream.write_all(&body));
        if written.is_err() {
            return;
        }
    }
}

/// `result` in Cloudflare's v4 envelope.
fn envelope(result: &str) -> Vec<u8> {
    format!(r#"{{"success":true,"errors":[],"messages":[],"result":{result}}}"#).into_bytes()
}

/// A tables page of `names` in namespace `a`, with the cursor `p{n + 1}` unless `last`.
fn tables_page(names: impl Iterator<Item = String>, n: u64, last: bool) -> Vec<u8> {
    let mut result = String::from(r#"{"identifiers":["#);
    for (index, name) in names.enumerate() {
        if index > 0 {
            result.push(',');
        }
        let _ = write!(result, r#"{{"namespace":["a"],"name":"{name}"}}"#);
    }
    result.push_str(r#"],"next_page_token":"#);
    match last {
        true => result.push_str("null}"),
        false => {
            let _ = write!(result, r#""p{}"}}"#, n + 1);
        }
    }
    envelope(&result)
}

/// Page `n` of the endless listing: 1,000 tables never listed before.
fn endless_page(n: u64, last: bool) -> Vec<u8> {
    tables_page((0..PAGE_TABLES).map(|i| format!("t{n}_{i}")), n, last)
}

/// The oversized page: as many tiny tables as keep the body under the CLI's response limit,
/// with a cursor; and how many that is.
fn oversized_page() -> (Vec<u8>, usize) {
    // Each table takes its name and 30 bytes: `{"namespace":["a"],"name":""},`; the envelope
    // and cursor under 100.
    let room = CLI_MAX_RESPONSE_BYTES - 100;
    let mut used = 0;
    let tables = (0..)
        .take_while(|i: &usize| {
            used += format!("t{i}").len() + 30;
            used <= room
        })
        .count();
    let page = tables_page((0..tables).map(|i| format!("t{i}")), 0, false);
    assert!(page.len() < CLI_MAX_RESPONSE_BYTES, "{} bytes", page.len());
    (page, tables)
}

/// The CLI binary next to this one, built first (in this binary's profile) so that it is not
/// stale.
fn cli_binary() -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let mut build = Command::new(cargo);
    build
        .args(["build", "--quiet", "-p", "r2-catalog-cli"])
        .current_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join(".."));
    if !cfg!(debug_assertions) {
        build.arg("--release");
    }
    let built = build.status().expect("cargo runs");
    assert!(built.success(), "the CLI did not build");
    let me = std::env::current_exe().expect("this binary");
    me.with_file_name(format!("r2-catalog{}", std::env::consts::EXE_SUFFIX))
}

/// What one run of the CLI came to.
struct CliRun {
    time: Duration,
    status: ExitStatus,
    /// The highest `VmHWM` read, in KiB.
    peak_kib: Option<u64>,
    stderr: String,
}

impl CliRun {
    /// The tables its summary says it planned: the summary starts `Dry run: N` when it
    /// planned any; `None` when there is no summary at all.
    fn planned(&self) -> Option<u64> {
        let summary = self.stderr.lines().last()?;
        match summary.split_once("Dry run: ") {
            Some((_, after)) => after.split(' ').next()?.parse().ok(),
            None => Some(0),
        }
    }

    fn peak_mb(&self) -> Option<f64> {
        self.peak_kib.map(|kib| kib as f64 * 1024.0 / 1e6)
    }
}

/// `VmHWM` (peak resident memory) in `status`, a `/proc/PID/status`, in KiB; `None` once the
/// process has exited.
fn vm_hwm(status: &Path) -> Option<u64> {
    let status = std::fs::read_to_string(status).ok()?;
    let line = status.lines().find(|line| line.starts_with("VmHWM:"))?;
    line.trim_start_matches("VmHWM:")
        .trim()
        .trim_end_matches("kB")
        .trim()
        .parse()
        .ok()
}

/// Runs the CLI's dry-run sweep against `base_url` until it ends, reading its peak memory as
/// it goes.
fn run_cli(cli: &Path, base_url: &str) -> CliRun {
    let started = Instant::now();
    let mut child = Command::new(cli)
        .args([
            "table",
            "maintenance",
            "get",
            BUCKET,
            "--all-tables",
            "--dry-run",
        ])
        .env_clear()
        .env("CLOUDFLARE_API_TOKEN", API_TOKEN)
        .env("CLOUDFLARE_ACCOUNT_ID", ACCOUNT_ID)
        .env("CLOUDFLARE_BASE_URL", base_url)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the CLI starts");
    let mut stderr = child.stderr.take().expect("piped");
    let reading = std::thread::spawn(move || {
        let mut text = String::new();
        let _ = stderr.read_to_string(&mut text);
        text
    });
    let status_file = PathBuf::from(format!("/proc/{}/status", child.id()));
    let mut peak_kib = None;
    // Read before each look at whether it has exited: the last reading is at most one poll
    // before its end.
    let status = loop {
        peak_kib = peak_kib.max(vm_hwm(&status_file));
        match child.try_wait().expect("the CLI's status") {
            Some(status) => break status,
            None => std::thread::sleep(POLL),
        }
    };
    CliRun {
        time: started.elapsed(),
        status,
        peak_kib,
        stderr: reading.join().expect("stderr read"),
    }
}

/// One case: the server serving `page`, at most `cap` pages of tables, and the CLI against it.
fn case(name: &str, cli: &Path, page: Arc<TablesPage>, cap: u64) -> (CliRun, u64) {
    let (base_url, served) = start(page, cap);
    let run = run_cli(cli, &base_url);
    let pages = served.table_pages.load(Ordering::Relaxed);
    let mb = |bytes: u64| bytes as f64 / 1e6;
    println!(
        "{name:<44} {pages:>6} {:>10.1} MB {:>14} {:>8.2}s {:>9} {:>5}",
        mb(served.bytes.load(Ordering::Relaxed)),
        run.planned()
            .map_or_else(|| "?".to_owned(), |planned| planned.to_string()),
        run.time.as_secs_f64(),
        run.peak_mb()
            .map_or_else(|| "?".to_owned(), |peak| format!("{peak:.1} MB")),
        run.status
            .code()
            .map_or_else(|| "signal".to_owned(), |code| code.to_string()),
    );
    let other = served.other.load(Ordering::Relaxed);
    if other > 0 {
        println!("  (and {other} request(s) for neither listing, answered 404)");
    }
    if let Some(summary) = run.stderr.lines().last() {
        println!("  its last line on stderr: {summary}");
    }
    (run, pages)
}

/// Runs both cases, the endless listing capped at `cap` pages of tables.
pub fn run(cap: usize) {
    let cap = cap.max(1) as u64;
    let cli = cli_binary();
    println!(
        "endless listing: `r2-catalog table maintenance get {BUCKET} --all-tables --dry-run` \
         ({}), stdout to /dev/null, against a loopback server listing one namespace whose \
         tables never end",
        if cfg!(debug_assertions) {
            "debug"
        } else {
            "release"
        }
    );
    println!(
        "{:<44} {:>6} {:>13} {:>14} {:>9} {:>9} {:>5}",
        "case", "pages", "served", "tables planned", "time", "peak RSS", "exit"
    );
    let (endless, pages) = case(
        &format!("endless, {PAGE_TABLES} new tables a page"),
        &cli,
        Arc::new(endless_page),
        cap,
    );
    let (page, tables) = oversized_page();
    let bytes = page.len();
    // Were the page followed, its cursor would lead to two more ordinary pages, then an end.
    let oversized_cap = 3;
    let (oversized, oversized_pages) = case(
        &format!("oversized: {tables} tables in {bytes} bytes"),
        &cli,
        Arc::new(move |n, last| match n {
            0 => page.clone(),
            _ => endless_page(n, last),
        }),
        oversized_cap,
    );
    let sweep_bound = (MAX_SWEEP_LISTED as u64).div_ceil(PAGE_TABLES);
    let ended = if pages >= cap {
        format!("by the server's last page (--pages {cap}), not by the CLI")
    } else if pages == sweep_bound {
        format!("by the CLI itself, at the sweep's bound of {MAX_SWEEP_LISTED} listed")
    } else {
        "by the CLI itself (the server's cursor went on)".to_owned()
    };
    let after_one = match oversized_pages {
        1 => "after that one page".to_owned(),
        pages => format!("after {pages} pages, NOT at the first"),
    };
    let peak = |run: &CliRun| {
        run.peak_mb()
            .map_or_else(|| "?".to_owned(), |peak| format!("{peak:.1} MB"))
    };
    println!(
        "endless listing: the endless run ended {ended} after {pages} pages; the oversized \
         one ended {after_one}; peak RSS {} and {} against the documented {:.0} MB",
        peak(&endless),
        peak(&oversized),
        DOCUMENTED_BYTES / 1e6
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The pages parse as the SDK's envelope of a tables page, with fresh names and cursors,
    /// and the oversized one stays under the CLI's limit with far more than 1,000 tables.
    #[test]
    fn the_pages_are_tables_pages_in_the_envelope() {
        let parse =
            |body: &[u8]| -> serde_json::Value { serde_json::from_slice(body).expect("JSON") };
        let first = parse(&endless_page(0, false));
        let second = parse(&endless_page(1, true));
        assert_eq!(first["success"], true);
        let identifiers = first["result"]["identifiers"].as_array().expect("a list");
        assert_eq!(identifiers.len(), 1000);
        assert_eq!(
            identifiers[0],
            serde_json::json!({"namespace": ["a"], "name": "t0_0"})
        );
        assert_eq!(first["result"]["next_page_token"], "p1");
        assert_eq!(second["result"]["identifiers"][0]["name"], "t1_0");
        assert_eq!(second["result"]["next_page_token"], serde_json::Value::Null);

        let (page, tables) = oversized_page();
        assert!(tables > 100_000, "{tables}");
        assert!(page.len() > CLI_MAX_RESPONSE_BYTES - 200, "{}", page.len());
        let oversized = parse(&page);
        assert_eq!(
            oversized["result"]["identifiers"]
                .as_array()
                .expect("a list")
                .len(),
            tables
        );
    }
}
