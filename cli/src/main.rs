//! `r2-catalog`: Cloudflare's Basin Catalog (formerly R2 Data Catalog) from the command line.
//!
//! Authentication comes only from the environment (`CLOUDFLARE_API_TOKEN`, or
//! `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`), so no secret sits in argv or shell history.
//! Results print as text for a person at a terminal and as JSON otherwise (`--output`); the
//! exit codes are listed in `--help`.

mod catalog;
mod check;
mod confirm;
mod connect;
mod credential;
mod emulate;
mod hidden;
mod journal;
mod maintenance;
mod namespace;
mod output;
mod paging;
mod progress;
mod render;
mod report;
mod signals;
mod stdin;
mod sweep;
mod table;
mod tally;
mod tour;
mod views;
mod waits;

use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::{CommandFactory, Parser, Subcommand};
use cloudflare_r2_catalog::{
    Client, ClientBuilder, Error,
    config::{PathFamily, env},
    handles::{AccountHandle, CatalogHandle},
    input::{BucketName, Input},
};
use zeroize::Zeroizing;

use crate::output::{Failure, Format, Target};

/// The most bytes one response body may have. Lower than the SDK's default (16 MiB), because
/// parsed JSON can take many times its size (lists of tiny items: up to ~30 times), and the CLI
/// keeps its memory under 200 MB whatever a server sends: one page parsed
/// (4 MiB × 30) plus what `--all` has gathered (`paging::COMBINED_BYTES`, 32 MiB). A page of
/// a thousand tables with details is well under 1 MiB.
const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

/// The heading the global options take in every command's help, after the command's own: they
/// are the same on every command, and mixed in they hid the few that command adds.
const GLOBAL_OPTIONS: &str = "Global options";

#[derive(Parser)]
#[command(
    name = "r2-catalog",
    version,
    about = "Manage Cloudflare Basin Catalog (formerly R2 Data Catalog)",
    after_help = "Exit codes: 0 success; 1 other failure; 2 nothing sent (bad input, \
        configuration, confirmation declined); 3 not found; 4 already enabled; 5 conflict; \
        6 token refused or lacking a permission; 7 rate or daily limit reached; 8 `catalog \
        check` could not check every step, or `catalog report` could not read every table; 9 \
        the result or journal could not be written, what was sent may have been carried out; \
        10 a maintenance run ended without succeeding (`queue --wait`, `catalog report`); 11 \
        `queue --wait`: the run had not ended at --timeout; 12 `catalog report`: a table never \
        ran with maintenance on; 130 interrupted (Ctrl-C; 143 SIGTERM, 131 SIGQUIT, \
        129 SIGHUP); 141 stdout closed (| head)."
)]
struct Cli {
    /// The Cloudflare account id (32 hexadecimal characters).
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL_OPTIONS,
        env = "CLOUDFLARE_ACCOUNT_ID",
        value_name = "ID"
    )]
    account_id: Option<String>,

    /// The API's base URL.
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL_OPTIONS,
        env = "CLOUDFLARE_BASE_URL",
        value_name = "URL"
    )]
    base_url: Option<String>,

    /// Cloudflare's Iceberg REST endpoint, which `catalog check` asks as a query engine would
    /// (`https://catalog.cloudflarestorage.com` unless set; an emulator's own address, say).
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL_OPTIONS,
        env = env::ICEBERG_URL,
        value_name = "URL"
    )]
    iceberg_url: Option<String>,

    /// Accept a plain http:// base URL to a host that is not loopback, although the
    /// credentials then cross the network in clear text.
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    allow_insecure_http: bool,

    /// The API paths to call: basin-catalog (Cloudflare's current ones, the default) or
    /// r2-catalog (the R2 Data Catalog ones wrangler calls). Both reach the same catalogs;
    /// `credential status` always uses basin-catalog, the only family that has it.
    #[arg(
        long,
        global = true,
        help_heading = GLOBAL_OPTIONS,
        env = env::CATALOG_PATHS,
        value_name = "FAMILY",
        value_parser = clap::builder::PossibleValuesParser::new(["basin-catalog", "r2-catalog"])
            .try_map(|family: String| family.parse::<PathFamily>()),
    )]
    paths: Option<PathFamily>,

    /// How to print results: text for a person, or JSON. By default text when stdout is a
    /// terminal, JSON otherwise (so scripts get JSON).
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS, value_name = "FORMAT", value_enum)]
    output: Option<Format>,

    /// Print results as JSON (the same as --output json).
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS, conflicts_with = "output")]
    json: bool,

    /// Change nothing: print the method, URL and body each call would send (secrets
    /// redacted), without asking for confirmation, and exit 0. Sends nothing, but for the
    /// listings an --all-tables sweep reads to find its tables.
    #[arg(long, global = true, help_heading = GLOBAL_OPTIONS)]
    dry_run: bool,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    #[command(flatten)]
    Api(ApiCommand),
    /// Serve a local, in-memory Basin Catalog API (both path families) for tests and demos,
    /// until Ctrl-C (needs no credentials).
    Emulate(emulate::Args),
    /// Walk a catalog's whole life, from enabling it to deleting it, on a local emulator
    /// (needs no credentials; with --against-cloudflare, on a bucket of your account).
    Tour(tour::Args),
    /// Print a completion script for a shell (needs no credentials). For example, for bash:
    /// `r2-catalog completions bash > ~/.local/share/bash-completion/completions/r2-catalog`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

/// The commands that call the API.
#[derive(Subcommand)]
pub(crate) enum ApiCommand {
    /// Catalogs: list, get, check, connect, enable, disable, delete.
    #[command(subcommand)]
    Catalog(catalog::Command),
    /// The API token the catalog uses for maintenance jobs.
    #[command(subcommand)]
    Credential(credential::Command),
    /// Catalog-wide compaction and snapshot expiration.
    #[command(subcommand)]
    Maintenance(maintenance::Command),
    /// Namespaces of a catalog.
    #[command(subcommand)]
    Namespace(namespace::Command),
    /// Tables of a namespace, and their maintenance.
    #[command(subcommand)]
    Table(table::Command),
}

impl ApiCommand {
    /// The bucket the command acts on, if one; and whether it turns a catalog on.
    fn target(&self) -> (Option<&str>, bool) {
        match self {
            Self::Catalog(command) => command.target(),
            Self::Credential(command) => (Some(command.bucket()), false),
            Self::Maintenance(command) => (Some(command.bucket()), false),
            Self::Namespace(command) => (Some(command.bucket()), false),
            Self::Table(command) => (Some(command.bucket()), false),
        }
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        match self {
            Self::Catalog(command) => command.run(context).await,
            Self::Credential(command) => command.run(context).await,
            Self::Maintenance(command) => command.run(context).await,
            Self::Namespace(command) => command.run(context).await,
            Self::Table(command) => command.run(context).await,
        }
    }
}

/// What every command needs: the account it acts on, through a configured client, and how
/// to print what it finds.
pub(crate) struct Context {
    account: AccountHandle,
    /// The client, for its settings: they name what a command acts on, beside the account.
    pub(crate) client: Client,
    pub(crate) format: Format,
    /// Whether the client only plans requests (`--dry-run`): nothing is sent, so nothing needs
    /// confirming.
    pub(crate) dry_run: bool,
}

impl Context {
    /// The catalog of `bucket`, its name checked before anything else happens.
    fn catalog(&self, bucket: impl Input<BucketName>) -> Result<CatalogHandle, Failure> {
        Ok(self.account.catalog(bucket)?)
    }
}

/// `command` with the value of each environment variable its options read shown in their help
/// (`[env: NAME=value]`), so that what a command would act on can be seen; but an unset one as
/// `[env: NAME]` (clap would show `NAME=`, as if set to nothing), and never a value that may
/// hold a secret. None of these variables is meant for one (the credentials are read by the SDK,
/// not by an option), but a URL can carry a user name and password before an `@`, which the SDK
/// refuses and never echoes: help must not either.
fn env_values_shown(command: clap::Command) -> clap::Command {
    command
        .mut_args(|arg| {
            let Some(name) = arg.get_env() else {
                return arg;
            };
            // A URL's user and password (`@`), query (`?`) or fragment (`#`) may hold a
            // credential: such a value is not shown, as if unset.
            let shown = std::env::var_os(name).is_some_and(|value| {
                !value
                    .as_encoded_bytes()
                    .iter()
                    .any(|byte| matches!(byte, b'@' | b'?' | b'#'))
            });
            arg.hide_env_values(!shown)
        })
        .mut_subcommands(env_values_shown)
}

fn main() -> ExitCode {
    let matches = env_values_shown(Cli::command()).get_matches();
    let cli = <Cli as clap::FromArgMatches>::from_arg_matches(&matches)
        .unwrap_or_else(|error| error.exit());
    if let Command::Emulate(_) = &cli.command
        && let Err(failure) = emulate::refuse_client_flags(&Cli::command(), &matches)
    {
        return output::report(&failure, &Target::default());
    }
    // Before anything can print: the SDK reads these itself, and the CLI must never show them.
    for variable in [env::API_TOKEN, env::API_KEY] {
        if let Ok(secret) = std::env::var(variable).map(Zeroizing::new) {
            output::hide(&secret);
        }
    }
    output::init_logging();
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            let failure = Failure::Setup(format!("cannot start: {error}"));
            return output::report(&failure, &Target::default());
        }
    };
    let target = cli.command.target();
    let target = Target {
        bucket: target.0.map(str::to_owned),
        enabling: target.1,
    };
    let format = match (cli.json, cli.output) {
        (true, _) => Format::Json,
        (false, Some(format)) => format,
        (false, None) => Format::for_stdout(),
    };
    let answering = cli.command.answers_signals();
    let ran = runtime.block_on(async {
        // Ctrl-C (and SIGTERM, SIGQUIT, SIGHUP) ends the command, whatever it is waiting for,
        // with a word on what may have happened, and what it holds dropped (the terminal's
        // echo given back); the token question answers them first (`hidden::read_hidden`).
        let mut stops = match answering.then(signals::Listening::start).transpose() {
            Ok(stops) => stops,
            Err(error) => {
                return Err(Failure::Setup(format!("cannot listen for Ctrl-C: {error}")));
            }
        };
        let stopped = async {
            match stops.as_mut() {
                Some(stops) => stops.next().await,
                None => std::future::pending().await,
            }
        };
        tokio::select! {
            biased;
            ran = run(cli, format) => ran,
            stop = stopped => Err(Failure::Interrupted(stop)),
        }
    });
    match ran {
        Ok(()) => ExitCode::SUCCESS,
        // The plan a dry run asked for, and the command's whole result.
        Err(Failure::Sdk(Error::DryRun(plan))) => match output::print_plan(format, &plan) {
            Ok(()) => ExitCode::SUCCESS,
            Err(failure) => output::report(&failure, &target),
        },
        Err(failure) => output::report(&failure, &target),
    }
}

impl Command {
    /// The bucket the command acts on, if one; and whether it turns a catalog on.
    fn target(&self) -> (Option<&str>, bool) {
        match self {
            Self::Api(command) => command.target(),
            Self::Emulate(_) | Self::Tour(_) | Self::Completions { .. } => (None, false),
        }
    }

    /// Whether `main` answers the signals that stop a command. A sweep answers Ctrl-C itself
    /// (it starts no more tables and reports those in flight), so does a wait for a run (it
    /// says the run goes on), the emulator stops on it (all three
    /// keep the default of the others), and the tour on Cloudflare answers them all itself.
    fn answers_signals(&self) -> bool {
        match self {
            Self::Api(ApiCommand::Table(command)) => !command.answers_own_signals(),
            Self::Api(ApiCommand::Catalog(command)) => !command.sweeps(),
            Self::Emulate(_) => false,
            // The tour on Cloudflare answers them itself, to tell what to clean up.
            Self::Tour(args) => !args.against_cloudflare(),
            Self::Api(_) | Self::Completions { .. } => true,
        }
    }
}

async fn run(cli: Cli, format: Format) -> Result<(), Failure> {
    // Built only for the commands that call the API: completions need no credentials.
    let context = || {
        let settings = Settings {
            account_id: cli.account_id,
            base_url: cli.base_url,
            iceberg_url: cli.iceberg_url,
            paths: cli.paths,
            allow_insecure_http: cli.allow_insecure_http,
            dry_run: cli.dry_run,
        };
        context(settings, format)
    };
    match cli.command {
        Command::Api(command) => command.run(&context()?).await,
        Command::Tour(_) if cli.dry_run => Err(Failure::Setup(
            "`tour` makes its changes to show them: it has no --dry-run".to_owned(),
        )),
        Command::Tour(args) if args.against_cloudflare() => args.run(&context()?).await,
        Command::Tour(args) => args.run_locally().await,
        Command::Emulate(args) => args.run().await,
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "r2-catalog", &mut script);
            output::print_bytes(&script)
        }
    }
}

/// Parses `args` (without the program's name) as the command line would, for the tour to run
/// the very commands it shows.
pub(crate) fn parse_api_command(args: &[&str]) -> Result<ApiCommand, Failure> {
    let parsed = Cli::try_parse_from(std::iter::once("r2-catalog").chain(args.iter().copied()));
    match parsed.map(|cli| cli.command) {
        Ok(Command::Api(command)) => Ok(command),
        Ok(_) => Err(Failure::Setup(format!("not an API command: {args:?}"))),
        Err(error) => Err(Failure::Setup(format!("cannot parse {args:?}: {error}"))),
    }
}

/// The global flags that shape the client.
struct Settings {
    account_id: Option<String>,
    base_url: Option<String>,
    iceberg_url: Option<String>,
    paths: Option<PathFamily>,
    allow_insecure_http: bool,
    dry_run: bool,
}

fn context(settings: Settings, format: Format) -> Result<Context, Failure> {
    let Settings {
        account_id,
        base_url,
        iceberg_url,
        paths,
        allow_insecure_http,
        dry_run,
    } = settings;
    let account_id = account_id.ok_or_else(|| {
        Failure::Setup("no account id: pass --account-id or set CLOUDFLARE_ACCOUNT_ID".to_owned())
    })?;
    let mut builder = ClientBuilder::from_env()?
        .allow_insecure_http(allow_insecure_http)
        .max_response_bytes(MAX_RESPONSE_BYTES);
    if let Some(url) = base_url {
        builder = builder.base_url(url);
    }
    if let Some(paths) = paths {
        builder = builder.paths(paths);
    }
    if let Some(url) = iceberg_url {
        builder = builder.iceberg_url(url);
    }
    // The account named here replaces whatever CLOUDFLARE_ACCOUNT_ID held.
    let client = builder.account_id(account_id.as_str()).build()?;
    let client = match dry_run {
        true => client.with_dry_run(),
        false => client,
    };
    Ok(Context {
        account: client.account(account_id)?,
        client,
        format,
        dry_run,
    })
}
