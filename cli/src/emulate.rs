//! `r2-catalog emulate`: the emulator (crate `cloudflare-r2-catalog-emulator`) of the Basin Catalog
//! (formerly R2 Data Catalog) API, serving both path families (`basin-catalog`, `r2-catalog`) until
//! stopped.

use std::io::Read;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::time::Duration;

use cloudflare_r2_catalog::error::Report;
use cloudflare_r2_catalog_emulator::{
    DAILY_QUEUE_LIMIT, Emulator, MAX_RUN_DURATION, RateLimit, RunOutcome, Seed,
};

use crate::output::{Failure, note, print_bytes};

/// The largest seed file read: namespaces and tables by name, so a few MiB is already plenty.
const MAX_SEED_BYTES: u64 = 16 * 1024 * 1024;

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Where to listen: a loopback address (port 0 picks a free one; the URL is printed).
    #[arg(long, default_value = "127.0.0.1:8787", value_name = "ADDRESS")]
    listen: SocketAddr,
    /// A bucket that exists, in whatever account a request names (repeat for more).
    #[arg(long = "bucket", value_name = "NAME")]
    buckets: Vec<String>,
    /// Serve only this account; others get 403 (repeat for more). By default, every account.
    #[arg(long = "account", value_name = "ID")]
    accounts: Vec<String>,
    /// A JSON file of buckets and their namespaces and tables to start with:
    /// {"buckets": {"NAME": {"namespaces": [["bronze"]], "tables": [{"namespace": ["bronze"], "name": "events"}]}}}
    /// A table may add its past runs, newest first: "runs": [{"kind": "compaction",
    /// "status": "failed", "started_at": "2026-11-24T14:30:45Z", "duration_ms": 4200,
    /// "error_code": 50002, "customer_message": "…"}] (docs/emulator.md).
    #[arg(long, value_name = "FILE")]
    seed: Option<PathBuf>,
    /// Accept only this API token (repeat for more); by default any non-empty credentials.
    /// Meant for test tokens: other local users can see a command line.
    #[arg(long = "accept-token", value_name = "TOKEN")]
    tokens: Vec<String>,
    /// Cloudflare's global API rate limit, per credential: QUOTA requests per SECONDS, after
    /// which every request of that credential is refused (429, code 971) for SECONDS; `off`
    /// for none. By default Cloudflare's, 1200/300.
    #[arg(
        long = "rate-limit",
        value_name = "QUOTA/SECONDS|off",
        default_value = "1200/300",
        value_parser = parse_rate_limit
    )]
    rate_limit: RateLimitSetting,
    /// Accept at most N maintenance queue requests per table per UTC day; the next answer 429
    /// with code 42901, as Cloudflare's daily limit does; `off` for no limit. By default
    /// Cloudflare's, 24.
    #[arg(
        long = "daily-queue-limit",
        value_name = "N|off",
        default_value = "24",
        value_parser = parse_daily_queue_limit
    )]
    daily_queue_limit: DailyQueueLimit,
    /// How long each queued maintenance run runs, in seconds (0.05 for 50 ms; 0 ends it at
    /// once; at most 86400, a day): it is listed `running` until then, then ended as
    /// --runs-end-as says. By default 2.
    #[arg(
        long = "run-duration",
        value_name = "SECONDS",
        default_value = "2",
        value_parser = parse_run_duration
    )]
    run_duration: Duration,
    /// How queued maintenance runs end: `succeeded` (each step skipped: the emulator's tables
    /// hold no data) or `failed` (code 50002, with a customer_message), to see how a program
    /// meets a failed run. By default succeeded.
    #[arg(
        long = "runs-end-as",
        value_name = "succeeded|failed",
        default_value = "succeeded",
        value_parser = parse_run_outcome
    )]
    runs_end_as: RunOutcome,
}

/// `--rate-limit`: a limit, or none.
#[derive(Debug, Clone, Copy)]
struct RateLimitSetting(Option<RateLimit>);

/// `--daily-queue-limit`: a limit, or none.
#[derive(Debug, Clone, Copy)]
struct DailyQueueLimit(Option<u32>);

/// `QUOTA/SECONDS` (the block as long as the window) or `off`.
fn parse_rate_limit(text: &str) -> Result<RateLimitSetting, String> {
    if text == "off" {
        return Ok(RateLimitSetting(None));
    }
    let (quota, seconds) = text
        .split_once('/')
        .ok_or("expected QUOTA/SECONDS, such as 1200/300, or off")?;
    let quota = quota
        .parse::<u32>()
        .ok()
        .filter(|quota| *quota >= 1)
        .ok_or("QUOTA must be a whole number of requests, at least 1")?;
    let seconds = seconds
        .parse::<u64>()
        .ok()
        .filter(|seconds| *seconds >= 1)
        .ok_or("SECONDS must be a whole number of seconds, at least 1")?;
    RateLimit::new(quota, Duration::from_secs(seconds))
        .map(|limit| RateLimitSetting(Some(limit)))
        .map_err(|error| error.to_string())
}

/// `N` (0 refuses every queue request) or `off`.
fn parse_daily_queue_limit(text: &str) -> Result<DailyQueueLimit, String> {
    if text == "off" {
        return Ok(DailyQueueLimit(None));
    }
    text.parse::<u32>()
        .map(|limit| DailyQueueLimit(Some(limit)))
        .map_err(|_| "expected a whole number of requests, or off".to_owned())
}

/// A number of seconds, whole or not, from 0 to a day ([`MAX_RUN_DURATION`]).
fn parse_run_duration(text: &str) -> Result<Duration, String> {
    text.parse::<f64>()
        .ok()
        .and_then(|seconds| Duration::try_from_secs_f64(seconds).ok())
        .filter(|duration| *duration <= MAX_RUN_DURATION)
        .ok_or_else(|| "expected a number of seconds from 0 to 86400, such as 2 or 0.05".to_owned())
}

/// `succeeded` or `failed`.
fn parse_run_outcome(text: &str) -> Result<RunOutcome, String> {
    match text {
        "succeeded" => Ok(RunOutcome::Succeeded),
        "failed" => Ok(RunOutcome::failed()),
        _ => Err("expected succeeded or failed".to_owned()),
    }
}

impl Args {
    pub(crate) async fn run(self) -> Result<(), Failure> {
        let seed = self.seed.as_deref().map(read_seed).transpose()?;
        let mut builder = Emulator::builder().listen(self.listen);
        for bucket in &self.buckets {
            builder = builder.bucket(bucket);
        }
        for account in &self.accounts {
            builder = builder.account(account);
        }
        for token in &self.tokens {
            builder = builder.accept_token(token.as_str());
        }
        builder = match self.rate_limit.0 {
            Some(limit) => builder.rate_limit(limit),
            None => builder.no_rate_limit(),
        };
        builder = match self.daily_queue_limit.0 {
            Some(limit) => builder.daily_queue_limit(limit),
            None => builder.no_daily_queue_limit(),
        };
        builder = builder
            .run_duration(self.run_duration)
            .runs_end_as(self.runs_end_as.clone());
        let unusable = |error: cloudflare_r2_catalog_emulator::EmulatorError| {
            Failure::Setup(format!("cannot emulate: {}", Report::new(&error)))
        };
        let emulator = builder.start().await.map_err(unusable)?;
        if let Some(seed) = &seed {
            emulator.seed(seed).map_err(unusable)?;
        }
        // The URL alone on stdout, for scripts that start the emulator on port 0.
        print_bytes(format!("{}\n", emulator.base_url()).as_bytes())?;
        note(&self.banner(&emulator));
        tokio::signal::ctrl_c()
            .await
            .map_err(|error| Failure::Setup(format!("cannot wait for Ctrl-C: {error}")))?;
        note("emulator stopped");
        Ok(())
    }

    /// What a person needs to use the emulator from another shell: which credentials and
    /// accounts it takes, and the variables to set, ready to paste. The accepted tokens are
    /// never shown: they are secrets.
    fn banner(&self, emulator: &Emulator) -> String {
        let accounts = match self.accounts.as_slice() {
            [] => "any account (any id of 32 hexadecimal characters)".to_owned(),
            [account] => format!("only account {account}"),
            accounts => format!("only accounts {}", accounts.join(", ")),
        };
        let (tokens, token) = match self.tokens.is_empty() {
            true => ("any non-empty API token", "emulator-token"),
            false => (
                "only the API tokens given with --accept-token",
                "<one of the --accept-token tokens>",
            ),
        };
        let account = self.accounts.first().map_or(ANY_ACCOUNT, String::as_str);
        let as_on_cloudflare = |cloudflares: bool| {
            if cloudflares {
                ", as on Cloudflare"
            } else {
                ""
            }
        };
        let rate_limit = match self.rate_limit.0 {
            Some(limit) => format!(
                "{} requests per {} s per credential, then all of its requests 429 for {} s{} \
                 (--rate-limit QUOTA/SECONDS or off to change it)",
                limit.quota(),
                limit.window().as_secs(),
                limit.block().as_secs(),
                as_on_cloudflare(limit == RateLimit::CLOUDFLARE),
            ),
            None => "off (--rate-limit QUOTA/SECONDS to set one)".to_owned(),
        };
        let queue_limit = match self.daily_queue_limit.0 {
            Some(limit) => format!(
                "{limit} maintenance requests per table per UTC day{} \
                 (--daily-queue-limit N or off to change it)",
                as_on_cloudflare(limit == DAILY_QUEUE_LIMIT),
            ),
            None => "off (--daily-queue-limit N to set one)".to_owned(),
        };
        let ending = match self.runs_end_as {
            RunOutcome::Failed { .. } => "failed",
            _ => "succeeded",
        };
        let runs = format!(
            "running for {} s, then {ending} (--run-duration SECONDS and --runs-end-as \
             succeeded or failed to change it)",
            self.run_duration.as_secs_f64()
        );
        format!(
            "Basin Catalog (formerly R2 Data Catalog) emulator at {base_url}, serving both \
             /accounts/<id>/basin-catalog/… and /accounts/<id>/r2-catalog/….\n\
             Rate limit: {rate_limit}.\n\
             Daily queue limit: {queue_limit}.\n\
             Maintenance runs: {runs}.\n\
             It accepts {tokens} and serves {accounts}. In another shell:\n\
             export CLOUDFLARE_BASE_URL={base_url}\n\
             export CLOUDFLARE_ICEBERG_URL={iceberg_url}\n\
             export CLOUDFLARE_ACCOUNT_ID={account}\n\
             export CLOUDFLARE_API_TOKEN={token}\n\
             Ctrl-C stops it.",
            base_url = emulator.base_url(),
            iceberg_url = emulator.iceberg_url(),
        )
    }
}

/// The account id the banner suggests when every account is served.
const ANY_ACCOUNT: &str = "0123456789abcdef0123456789abcdef";

/// Refuses the global client flags given on `emulate`'s command line: a server has no use for
/// them, and a `--dry-run` silently ignored would start a real one. Those set from the
/// environment (`CLOUDFLARE_ACCOUNT_ID` exported for other commands, say) are left alone.
pub(crate) fn refuse_client_flags(
    command: &clap::Command,
    matches: &clap::ArgMatches,
) -> Result<(), Failure> {
    let given = command.get_arguments().find(|argument| {
        argument.is_global_set()
            && matches.value_source(argument.get_id().as_str())
                == Some(clap::parser::ValueSource::CommandLine)
    });
    match given.and_then(clap::Arg::get_long) {
        Some(flag) => Err(Failure::Setup(format!(
            "`emulate` serves the API rather than calling it: it has no --{flag}"
        ))),
        None => Ok(()),
    }
}

fn read_seed(path: &std::path::Path) -> Result<Seed, Failure> {
    let unreadable = |reason: String| {
        Failure::Setup(format!(
            "cannot read the seed file {}: {reason}",
            path.display()
        ))
    };
    let file = std::fs::File::open(path).map_err(|error| unreadable(error.to_string()))?;
    let mut text = String::new();
    file.take(MAX_SEED_BYTES + 1)
        .read_to_string(&mut text)
        .map_err(|error| unreadable(error.to_string()))?;
    if text.len() as u64 > MAX_SEED_BYTES {
        return Err(unreadable(format!("over {MAX_SEED_BYTES} bytes")));
    }
    serde_json::from_str(&text).map_err(|error| unreadable(error.to_string()))
}
