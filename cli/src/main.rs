//! `r2-catalog`: Cloudflare's Basin Catalog (formerly R2 Data Catalog) from the command line.
//!
//! Authentication comes only from the environment (`CLOUDFLARE_API_TOKEN`, or
//! `CLOUDFLARE_EMAIL` + `CLOUDFLARE_API_KEY`), so no secret sits in argv or shell history.
//! Exit codes: 0 success; 1 the API or the network failed; 2 bad input or configuration, nothing
//! sent.

mod catalog;
mod confirm;
mod credential;
mod emulate;
mod maintenance;
mod namespace;
mod output;
mod paging;
mod table;

use std::process::ExitCode;

use clap::builder::TypedValueParser;
use clap::{CommandFactory, Parser, Subcommand};
use cloudflare_r2_catalog::{
    AccountHandle, BucketName, CatalogHandle, ClientBuilder, Input, PathFamily, env,
};
use zeroize::Zeroizing;

use crate::output::{Failure, Target};

/// The most bytes one response body may have. Lower than the SDK's default (16 MiB), because
/// parsed JSON can take many times its size (lists of tiny items: up to ~30 times), and the CLI
/// keeps its memory under 200 MB whatever a server sends: one page parsed
/// (4 MiB × 30) plus what `--all` has gathered (`paging::COMBINED_BYTES`, 32 MiB). A page of
/// a thousand tables with details is well under 1 MiB.
const MAX_RESPONSE_BYTES: u64 = 4 * 1024 * 1024;

#[derive(Parser)]
#[command(
    name = "r2-catalog",
    version,
    about = "Manage Cloudflare Basin Catalog (formerly R2 Data Catalog)",
    after_help = "Exit codes: 0 success; 1 other failure; 2 nothing sent (bad input, \
        configuration, confirmation declined); 3 not found; 4 already enabled; 5 conflict; \
        6 token refused or lacking a permission; 7 rate or daily limit reached."
)]
struct Cli {
    /// The Cloudflare account id (32 hexadecimal characters).
    #[arg(long, global = true, env = "CLOUDFLARE_ACCOUNT_ID", value_name = "ID")]
    account_id: Option<String>,

    /// The API's base URL.
    #[arg(long, global = true, env = "CLOUDFLARE_BASE_URL", value_name = "URL")]
    base_url: Option<String>,

    /// Accept a plain http:// base URL to a host that is not loopback, although the
    /// credentials then cross the network in clear text.
    #[arg(long, global = true)]
    allow_insecure_http: bool,

    /// The API paths to call: basin-catalog (Cloudflare's current ones, the default) or
    /// r2-catalog (the R2 Data Catalog ones wrangler calls). Both reach the same catalogs;
    /// `credential status` always uses basin-catalog, the only family that has it.
    #[arg(
        long,
        global = true,
        env = env::CATALOG_PATHS,
        value_name = "FAMILY",
        value_parser = clap::builder::PossibleValuesParser::new(["basin-catalog", "r2-catalog"])
            .try_map(|family: String| family.parse::<PathFamily>()),
    )]
    paths: Option<PathFamily>,

    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Catalogs: list, get, enable, disable, delete.
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
    /// Serve a local, in-memory Basin Catalog API (both path families) for tests and demos,
    /// until Ctrl-C (needs no credentials).
    Emulate(emulate::Args),
    /// Print a completion script for a shell (needs no credentials). For example, for bash:
    /// `r2-catalog completions bash > ~/.local/share/bash-completion/completions/r2-catalog`.
    Completions {
        /// The shell to complete in.
        shell: clap_complete::Shell,
    },
}

/// What every command needs: the account it acts on, through a configured client.
pub(crate) struct Context {
    account: AccountHandle,
}

impl Context {
    /// The catalog of `bucket`, its name checked before anything else happens.
    fn catalog(&self, bucket: impl Input<BucketName>) -> Result<CatalogHandle, Failure> {
        Ok(self.account.catalog(bucket)?)
    }
}

fn main() -> ExitCode {
    let cli = Cli::parse();
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
    match runtime.block_on(run(cli)) {
        Ok(()) => ExitCode::SUCCESS,
        Err(failure) => output::report(&failure, &target),
    }
}

impl Command {
    /// The bucket the command acts on, if one; and whether it turns a catalog on.
    fn target(&self) -> (Option<&str>, bool) {
        match self {
            Self::Catalog(command) => command.target(),
            Self::Credential(command) => (Some(command.bucket()), false),
            Self::Maintenance(command) => (Some(command.bucket()), false),
            Self::Namespace(command) => (Some(command.bucket()), false),
            Self::Table(command) => (Some(command.bucket()), false),
            Self::Emulate(_) | Self::Completions { .. } => (None, false),
        }
    }
}

async fn run(cli: Cli) -> Result<(), Failure> {
    // Built only for the commands that call the API: completions need no credentials.
    let context = || {
        context(
            cli.account_id,
            cli.base_url,
            cli.paths,
            cli.allow_insecure_http,
        )
    };
    match cli.command {
        Command::Catalog(command) => command.run(&context()?).await,
        Command::Credential(command) => command.run(&context()?).await,
        Command::Maintenance(command) => command.run(&context()?).await,
        Command::Namespace(command) => command.run(&context()?).await,
        Command::Table(command) => command.run(&context()?).await,
        Command::Emulate(args) => args.run().await,
        Command::Completions { shell } => {
            // Into memory first: clap_complete panics when its writer fails (a closed pipe).
            let mut script = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "r2-catalog", &mut script);
            output::print_bytes(&script)
        }
    }
}

fn context(
    account_id: Option<String>,
    base_url: Option<String>,
    paths: Option<PathFamily>,
    allow_insecure_http: bool,
) -> Result<Context, Failure> {
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
    // The account named here replaces whatever CLOUDFLARE_ACCOUNT_ID held.
    let account = builder
        .account_id(account_id.as_str())
        .build()?
        .account(account_id)?;
    Ok(Context { account })
}
