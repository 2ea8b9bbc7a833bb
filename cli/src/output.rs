//! What the CLI prints and how it exits: results on stdout (text for a person, JSON for
//! scripts: [`Format`]), failures on stderr. Every byte it prints passes [`sanitize`] first: the
//! secrets it holds are replaced wherever they show (a server may echo them back), and
//! characters that would act on a terminal are escaped.

use std::borrow::Cow;
use std::io::{IsTerminal, Write};
use std::process::ExitCode;
use std::sync::{Mutex, MutexGuard};

use cloudflare_r2_catalog::{
    __cli::{Redactions, acts_on_display},
    Error,
    error::{ConfigError, DryRun, ValidationError},
};
use serde::Serialize;
use serde_json::Value;

use crate::render;
use crate::signals::Stop;

/// How results are printed.
#[derive(Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub(crate) enum Format {
    /// Pretty JSON, exactly the API's models (what scripts read).
    Json,
    /// Labelled values, tables and sentences for a person.
    Text,
}

impl Format {
    /// Text for a person when stdout is a terminal; JSON when it is a pipe or a file, so that
    /// scripts keep getting JSON.
    pub(crate) fn for_stdout() -> Self {
        if std::io::stdout().is_terminal() {
            Self::Text
        } else {
            Self::Json
        }
    }
}

/// Why a command did not succeed.
pub(crate) enum Failure {
    /// The SDK's error: bad input (exit 2), or the API or network (exit 1).
    Sdk(Error),
    /// The client cannot be configured as asked; nothing was sent (exit 2).
    Config(ConfigError),
    /// The command line or its environment cannot be used; nothing was sent (exit 2).
    Setup(String),
    /// The API answered, but the command stopped short of what it was asked (a listing over
    /// its page or size limit); nothing was printed on stdout (exit 1).
    Stopped(String),
    /// The person at the terminal declined a confirmation; nothing was sent (exit 2).
    Cancelled(String),
    /// `catalog check` found a step that does not hold, and printed which (exit 1).
    Unready,
    /// `catalog check` found no step that fails, but could not check one that matters for an
    /// engine, and printed which (exit 8).
    Unchecked,
    /// The command did its work and printed what it found; what it found calls for this exit
    /// code (a run that failed, say).
    Verdict(u8),
    /// The result could not be written (stdout closed or full, or the journal): the requests
    /// already sent may have been carried out. Exit 141 for a closed pipe, as shells report a
    /// command that wrote into one; 9 otherwise.
    Output(OutputLost),
    /// Ctrl-C, or another signal that stops a command: a request in flight may have reached
    /// Cloudflare (exit 128 + the signal's number, as shells report it: 130 for Ctrl-C).
    Interrupted(Stop),
    /// Ctrl-C (or another signal that stops a command) during `--all-tables`: the tables in
    /// flight finished and were reported, the others were not started (exit 128 + the
    /// signal's number); whether a `--journal` records them.
    SweepStopped { journal: bool, signal: Stop },
}

/// What could not be written, and why.
pub(crate) struct OutputLost {
    /// What was being written: "the result", "the journal FILE".
    pub(crate) what: String,
    pub(crate) error: std::io::Error,
    /// What the command did about it, if more than stop (a sweep's tables in flight, and
    /// where their outcomes are).
    pub(crate) aftermath: Option<String>,
}

impl OutputLost {
    /// Stdout's failure `error`.
    pub(crate) fn stdout(error: std::io::Error) -> Self {
        Self {
            what: "the result".to_owned(),
            error,
            aftermath: None,
        }
    }

    /// Whether the reader of stdout went away (`| head -1`): the shell's business, not an error
    /// to tell of.
    pub(crate) fn is_closed_pipe(&self) -> bool {
        self.error.kind() == std::io::ErrorKind::BrokenPipe
    }
}

impl From<Error> for Failure {
    fn from(error: Error) -> Self {
        Self::Sdk(error)
    }
}

impl From<ConfigError> for Failure {
    fn from(error: ConfigError) -> Self {
        Self::Config(error)
    }
}

impl From<ValidationError> for Failure {
    fn from(error: ValidationError) -> Self {
        Self::Sdk(Error::from(error))
    }
}

/// A result that cannot be turned into JSON (a number JSON cannot hold, say): nothing is
/// printed, and what was sent may have been carried out.
impl From<serde_json::Error> for Failure {
    fn from(error: serde_json::Error) -> Self {
        Self::Output(OutputLost::stdout(error.into()))
    }
}

/// The secrets this process holds (API token, global API key, the catalog token it stores),
/// kept out of everything it prints by the SDK's own redaction, and wiped from memory at exit.
static SECRETS: Mutex<Option<Redactions>> = Mutex::new(None);

/// The secrets this process holds, so far.
fn secrets() -> MutexGuard<'static, Option<Redactions>> {
    SECRETS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// Never print `secret`, from now on, whatever prints it.
pub(crate) fn hide(secret: &str) {
    let mut secrets = secrets();
    let secrets = secrets.get_or_insert_with(Redactions::new);
    secrets.add(secret);
    // As it would read inside a JSON string on stdout, if escaping changes it.
    if let Ok(quoted) = serde_json::to_string(secret) {
        let escaped = &quoted[1..quoted.len() - 1];
        if escaped != secret {
            secrets.add(escaped);
        }
    }
}

/// `text` with every secret the process holds replaced.
fn redact(text: &str) -> Cow<'_, str> {
    match secrets().as_ref() {
        Some(secrets) => secrets.redact(text),
        None => Cow::Borrowed(text),
    }
}

/// `value` with every secret the process holds replaced, in its keys and its strings.
pub(crate) fn secrets_redacted(mut value: Value) -> Value {
    if let Some(secrets) = secrets().as_ref() {
        secrets.redact_json(&mut value);
    }
    value
}

/// `text` ready for a terminal: the secrets replaced, then every control character (C0 but the
/// newlines the CLI writes itself, DEL, C1) and bidirectional override escaped as a JSON `\u`
/// escape, which is also what it must be inside the JSON strings on stdout (and in a journal).
pub(crate) fn sanitize(text: &str) -> Cow<'_, str> {
    let text = redact(text);
    let acts = |c: char| c != '\n' && acts_on_display(c);
    if !text.contains(acts) {
        return text;
    }
    let mut shown = String::with_capacity(text.len() + 16);
    for character in text.chars() {
        if acts(character) {
            shown.push_str(&format!("\\u{:04x}", u32::from(character)));
        } else {
            shown.push(character);
        }
    }
    Cow::Owned(shown)
}

/// Writes `parts` to stdout, each sanitized, then a newline.
pub(crate) fn print_parts<'a>(parts: impl IntoIterator<Item = &'a str>) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    let written: std::io::Result<()> = (|| {
        for part in parts {
            stdout.write_all(sanitize(part).as_bytes())?;
        }
        stdout.write_all(b"\n")?;
        stdout.flush()
    })();
    written.map_err(|error| Failure::Output(OutputLost::stdout(error)))
}

/// Writes `bytes` to stdout as they are: text the CLI made itself, with no server text in it.
pub(crate) fn print_bytes(bytes: &[u8]) -> Result<(), Failure> {
    let mut stdout = std::io::stdout().lock();
    let written = stdout.write_all(bytes).and_then(|()| stdout.flush());
    written.map_err(|error| Failure::Output(OutputLost::stdout(error)))
}

/// Prints `result` as pretty JSON on stdout.
pub(crate) fn print_json(result: &impl Serialize) -> Result<(), Failure> {
    let text = serde_json::to_string_pretty(result)?;
    print_parts([text.as_str()])
}

/// Prints `result` on stdout in `format`: pretty JSON, or the text `human` makes of its JSON
/// form for a person.
pub(crate) fn show(
    format: Format,
    result: &impl Serialize,
    human: impl FnOnce(&Value) -> String,
) -> Result<(), Failure> {
    match format {
        Format::Json => print_json(result),
        Format::Text => {
            // Before any key becomes a label or a header, which would change how a secret
            // in it reads.
            let value = secrets_redacted(serde_json::to_value(result)?);
            let text = human(&value);
            print_parts([text.trim_end_matches('\n')])
        }
    }
}

/// Prints what a change returned, in `format`. As text: `done`, the sentence that says what
/// changed, then what `human` makes of the result. Cloudflare may answer a change it applied
/// with no result: then JSON is `null` and stderr says the change went through.
pub(crate) fn print_change(
    format: Format,
    done: &str,
    result: &Option<impl Serialize>,
    unparsed: Option<&Value>,
    human: impl FnOnce(&Value) -> String,
) -> Result<(), Failure> {
    if format == Format::Text {
        return match (result, unparsed) {
            (Some(_), _) => show(format, result, |value| format!("{done}\n{}", human(value))),
            (None, Some(unparsed)) => show(format, unparsed, |value| {
                format!(
                    "{done} Cloudflare's answer has a shape this version does not know:\n{}",
                    render::record(value)
                )
            }),
            (None, None) => print_parts([done]),
        };
    }
    match (result, unparsed) {
        (None, Some(unparsed)) => {
            note(
                "done: Cloudflare applied the change; its answer has a shape this version does not know, printed as sent",
            );
            print_json(unparsed)
        }
        (None, None) => {
            note("done: Cloudflare applied the change and answered without details");
            print_json(result)
        }
        (Some(_), _) => print_json(result),
    }
}

/// Prints what a change that returns nothing did, in `format`: as text, the sentence `done`;
/// as JSON, `result` on stdout (`null`, as Cloudflare sent it) and `done` on stderr.
pub(crate) fn print_done(
    format: Format,
    done: &str,
    result: &impl Serialize,
) -> Result<(), Failure> {
    match format {
        Format::Json => {
            note(done);
            print_json(result)
        }
        Format::Text => print_parts([done]),
    }
}

/// Prints the request a dry run built and did not send: as JSON, `{"dry_run": {method, url,
/// body}}`; as text, a line that says nothing was sent, the method and URL, and the body.
pub(crate) fn print_plan(format: Format, plan: &DryRun) -> Result<(), Failure> {
    let planned = plan_json(plan);
    match format {
        Format::Json => print_json(&serde_json::json!({ "dry_run": planned })),
        Format::Text => {
            let body = match &plan.body {
                Some(body) => format!("\n{}", serde_json::to_string_pretty(body)?),
                None => String::new(),
            };
            print_parts([
                "Dry run: nothing was sent. The request would be:\n",
                plan.method.as_str(),
                " ",
                &plan.url,
                &body,
            ])
        }
    }
}

/// A planned request as JSON: `{method, url, body}`.
pub(crate) fn plan_json(plan: &DryRun) -> Value {
    serde_json::json!({
        "method": plan.method.as_str(),
        "url": plan.url,
        "body": plan.body,
    })
}

/// Prints a line on stderr, sanitized.
pub(crate) fn note(text: &str) {
    // Nothing more can be done if stderr itself is gone.
    let _ = writeln!(std::io::stderr().lock(), "{}", sanitize(text));
}

/// Prints a question on stderr, sanitized, without a newline: the answer follows on the line.
pub(crate) fn prompt(text: &str) {
    let mut stderr = std::io::stderr().lock();
    let _ = write!(stderr, "{}", sanitize(text)).and_then(|()| stderr.flush());
}

/// What a failed command was acting on, for its exit code and the next step it suggests.
#[derive(Default)]
pub(crate) struct Target {
    /// The bucket named on the command line, if the command takes one.
    pub(crate) bucket: Option<String>,
    /// Whether the command turns a catalog on (`catalog enable`), for which 409 means "already
    /// enabled".
    pub(crate) enabling: bool,
}

/// The exit codes, so that scripts can tell failures apart (the README lists them).
pub(crate) mod exit {
    /// Any failure not told apart below: an API error, the network, an unexpected answer, a
    /// listing stopped short.
    pub(crate) const FAILURE: u8 = 1;
    /// Nothing was sent: bad input, configuration, a confirmation declined or impossible.
    pub(crate) const NOT_SENT: u8 = 2;
    /// Not found (HTTP 404): no such catalog, bucket, namespace, table or route.
    pub(crate) const NOT_FOUND: u8 = 3;
    /// `catalog enable` on a catalog that is already enabled (HTTP 409).
    pub(crate) const ALREADY_ENABLED: u8 = 4;
    /// Any other conflict (HTTP 409): a catalog not empty, a table with an executor.
    pub(crate) const CONFLICT: u8 = 5;
    /// The API token (or key) is refused or lacks a permission (HTTP 401, 403), or the catalog
    /// token being stored is.
    pub(crate) const AUTH: u8 = 6;
    /// Cloudflare asked to slow down (HTTP 429), or a daily limit is reached.
    pub(crate) const RATE_LIMITED: u8 = 7;
    /// `catalog check` could not check a step that matters for an engine (the Iceberg endpoint,
    /// with a global API key): the catalog is not known to be ready. `catalog report` could
    /// not read some table or listing, and found nothing worse: the report is incomplete.
    pub(crate) const NOT_CHECKED: u8 = 8;
    /// The result or the journal could not be written (a full disk, say): what was sent may
    /// have been carried out.
    pub(crate) const OUTPUT_LOST: u8 = 9;
    /// A maintenance run ended without succeeding: the run `table maintenance queue --wait`
    /// waited for, or a table's last run in `catalog report`.
    pub(crate) const RUN_FAILED: u8 = 10;
    /// `table maintenance queue --wait`: the run had not ended at --timeout; it goes on.
    pub(crate) const STILL_RUNNING: u8 = 11;
    /// `catalog report`: a table with maintenance on has no run of it among its latest runs.
    pub(crate) const NEVER_RAN: u8 = 12;
    /// Stdout's reader went away (`| head -1`): 128 + SIGPIPE, as shells report a command that
    /// wrote into a closed pipe. What was sent may have been carried out.
    pub(crate) const PIPE_CLOSED: u8 = 141;
}

/// Prints `failure` on stderr, with the next step where one is known, and returns the exit code
/// it calls for.
pub(crate) fn report(failure: &Failure, target: &Target) -> ExitCode {
    if let Some(description) = describe(failure) {
        note(&description);
    }
    let code = match failure {
        Failure::Setup(_) | Failure::Cancelled(_) | Failure::Config(_) => exit::NOT_SENT,
        Failure::Stopped(_) | Failure::Unready => exit::FAILURE,
        Failure::Unchecked => exit::NOT_CHECKED,
        Failure::Verdict(code) => *code,
        Failure::Output(lost) if lost.is_closed_pipe() => exit::PIPE_CLOSED,
        Failure::Output(_) => exit::OUTPUT_LOST,
        Failure::Interrupted(stop) => stop.exit_code(),
        Failure::SweepStopped { signal, .. } => signal.exit_code(),
        Failure::Sdk(error) => {
            if let Some(hint) = next_step(error, target) {
                note(&format!("hint: {hint}"));
            }
            exit_code(error, target)
        }
    };
    ExitCode::from(code)
}

/// The exit code of a command that failed with `error`.
fn exit_code(error: &Error, target: &Target) -> u8 {
    if matches!(error, Error::InvalidInput(_)) {
        exit::NOT_SENT
    } else if error.is_not_found() {
        exit::NOT_FOUND
    } else if error.is_conflict() && target.enabling {
        exit::ALREADY_ENABLED
    } else if error.is_conflict() {
        exit::CONFLICT
    } else if error.is_auth() || error.is_invalid_credential() {
        exit::AUTH
    } else if error.is_rate_limited() {
        exit::RATE_LIMITED
    } else {
        exit::FAILURE
    }
}

/// The command to run next, or what to check, for the failures people hit most (see
/// `shared/notes/real-api.md`).
pub(crate) fn next_step(error: &Error, target: &Target) -> Option<String> {
    let bucket = target.bucket.as_deref().unwrap_or("<BUCKET>");
    let step = if error.is_credential_missing() {
        format!(
            "store the token maintenance runs with first: r2-catalog credential store {bucket} (reads it from stdin)"
        )
    } else if error.is_catalog_not_found() || error.is_catalog_inactive() {
        format!("turn the catalog on: r2-catalog catalog enable {bucket}")
    } else if error.is_bucket_not_found() {
        format!(
            "this account has no R2 bucket {bucket}: create it (wrangler r2 bucket create {bucket}) or check --account-id"
        )
    } else if error.is_invalid_credential() {
        "the catalog token was refused: it needs R2 Storage read and write permission on this account".to_owned()
    } else if error.is_auth() {
        "the API token is refused or lacks a permission: it needs R2 Data Catalog (and R2 Storage) access on this account".to_owned()
    } else if error.is_route_not_found() {
        "no such route: check --account-id, --base-url and --paths".to_owned()
    } else if let Error::RateLimited(limited) = error {
        let whom = if limited.is_block() {
            "every API call of this user (the dashboard, terraform, other tokens) is refused until then"
        } else {
            "sending now would exceed it and have Cloudflare block this user's API calls for 5 minutes"
        };
        format!(
            "Cloudflare allows 1,200 API requests per 5 minutes per user; {whom}. Sweeps (--all-tables) keep to the limit and wait blocks out"
        )
    } else if error.is_daily_limit_reached() {
        "the table's queue limit for the day is reached: queue again tomorrow".to_owned()
    } else if error.is_conflict() && target.enabling {
        format!("the catalog is already enabled: r2-catalog catalog get {bucket} shows it")
    } else {
        return None;
    };
    Some(step)
}

/// The text of `failure`, if it has one to add. The SDK's errors come as the SDK renders them for a terminal
/// ([`Error::report`] in its alternate form: server text escaped and cut, an API error one item
/// per line).
fn describe(failure: &Failure) -> Option<String> {
    let description = match failure {
        Failure::Setup(message) | Failure::Stopped(message) => format!("error: {message}"),
        Failure::Cancelled(message) => message.clone(),
        Failure::Config(error @ ConfigError::InsecureBaseUrl { .. }) => {
            format!("error: {error}, or pass --allow-insecure-http to accept it")
        }
        Failure::Config(error) => format!("error: {error}"),
        Failure::Sdk(error) => format!("error: {:#}", error.report()),
        // The check printed each step, and what to do.
        Failure::Unready | Failure::Unchecked | Failure::Verdict(_) => return None,
        // Whoever closed the pipe wanted no more; a shell tells of it no further either, unless
        // there is more to know.
        Failure::Output(lost) if lost.is_closed_pipe() => {
            format!("stopped: stdout was closed; {}", lost.aftermath.as_ref()?)
        }
        Failure::Output(OutputLost {
            what,
            error,
            aftermath,
        }) => format!(
            "error: cannot write {what}: {error}; {}",
            aftermath.as_deref().unwrap_or(
                "what was sent may have been carried out: read the state back before doing it again"
            )
        ),
        Failure::SweepStopped { journal: true, .. } => {
            "stopped: the tables in flight finished, the others were not started; run the same command with the same --journal to go on".to_owned()
        }
        Failure::SweepStopped { journal: false, .. } => {
            "stopped: the tables in flight finished, the others were not started; a sweep run with --journal FILE resumes from FILE (the JSON lines it prints are FILE's lines)".to_owned()
        }
        Failure::Interrupted(Stop::Interrupt) => {
            "interrupted: a change already sent may have been made; read the state back before doing it again".to_owned()
        }
        Failure::Interrupted(stop) => format!(
            "stopped by {}: a change already sent may have been made; read the state back before doing it again",
            stop.name()
        ),
    };
    Some(description)
}

/// Sends the SDK's `tracing` output to stderr when `RUST_LOG` asks for it, secrets redacted.
pub(crate) fn init_logging() {
    if let Ok(filter) = tracing_subscriber::EnvFilter::try_from_default_env() {
        tracing_subscriber::fmt()
            .with_env_filter(filter)
            .with_writer(|| LogWriter)
            // Colour codes only for a person at a terminal, not in captured or piped logs.
            .with_ansi(std::io::stderr().is_terminal())
            .init();
    }
}

/// stderr for log lines. The formatter writes each event in one call, so a secret is never
/// split across writes; the SDK's log fields carry no control characters (and, at a terminal,
/// the formatter's own colour codes must get through).
struct LogWriter;

impl Write for LogWriter {
    fn write(&mut self, event: &[u8]) -> std::io::Result<usize> {
        let text = String::from_utf8_lossy(event);
        std::io::stderr().write_all(redact(&text).as_bytes())?;
        Ok(event.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        std::io::stderr().flush()
    }
}

#[cfg(test)]
mod tests {
    use super::{hide, sanitize};

    #[test]
    fn secrets_are_replaced_and_controls_escaped() {
        hide("s3cr\"et-1");
        hide("short");
        assert_eq!(
            sanitize("a s3cr\"et-1 b \"s3cr\\\"et-1\" short \u{1b}[2J\r\u{9b}\nnext"),
            "a ** redacted ** b \"** redacted **\" short \\u001b[2J\\u000d\\u009b\nnext"
        );
        assert_eq!(sanitize("plain text"), "plain text");
    }
}
