//! `r2-catalog tour`: a catalog's whole life, one real command after another, for a newcomer to
//! watch work: on an emulator started in this process (no account, nothing leaves the machine),
//! or, when asked with `--against-cloudflare`, on a bucket of the account in the environment.

use std::io::IsTerminal;

use cloudflare_r2_catalog::{ClientBuilder, error::Report, input::CatalogToken};
use cloudflare_r2_catalog_emulator::{Emulator, Seed};
use serde_json::json;

use crate::credential;
use crate::output::{Failure, Format, note, print_parts};
use crate::signals::Listening;
use crate::{Context, parse_api_command};

/// The account the local tour acts in: any id does, the emulator serves them all.
const LOCAL_ACCOUNT: &str = "0123456789abcdef0123456789abcdef";
/// The bucket the local tour turns into a catalog.
const LOCAL_BUCKET: &str = "my-data-bucket";
/// The API token of the local tour, and the catalog token it stores: the emulator takes any.
const LOCAL_TOKEN: &str = "tour-token-not-a-secret";

#[derive(clap::Args)]
pub(crate) struct Args {
    /// Run the tour on BUCKET of the account in the environment (CLOUDFLARE_API_TOKEN,
    /// CLOUDFLARE_ACCOUNT_ID) instead of a local emulator. It enables the bucket's catalog and
    /// disables and deletes it at the end, so it refuses a bucket whose catalog is already
    /// enabled; the catalog token to store is read first, as `credential store` reads it. If
    /// it stops short, it says on stderr how to remove the catalog it enabled.
    #[arg(long, value_name = "BUCKET")]
    against_cloudflare: Option<String>,
}

impl Args {
    /// Whether the tour runs on Cloudflare, and so needs the environment's credentials.
    pub(crate) fn against_cloudflare(&self) -> bool {
        self.against_cloudflare.is_some()
    }

    /// The tour on a local emulator, holding one table to list.
    pub(crate) async fn run_locally(self) -> Result<(), Failure> {
        let unusable = |error: cloudflare_r2_catalog_emulator::EmulatorError| {
            Failure::Setup(format!(
                "cannot start the emulator: {}",
                Report::new(&error)
            ))
        };
        let emulator = Emulator::builder()
            .bucket(LOCAL_BUCKET)
            .start()
            .await
            .map_err(unusable)?;
        // A second table, whose last compaction failed before the tour began: something for
        // the report to call out.
        let seed: Seed = serde_json::from_value(json!({"buckets": {LOCAL_BUCKET: {"tables": [
            {"namespace": ["bronze"], "name": "events"},
            {"namespace": ["bronze"], "name": "clicks", "runs": [{
                "kind": "compaction",
                "status": "failed",
                "started_at": "2026-12-01T03:00:00Z",
                "duration_ms": 4200,
                "error_code": 50002,
                "customer_message": "Compaction failed: a data file could not be read",
            }]},
        ]}}}))
        .map_err(|error| Failure::Setup(format!("cannot seed the emulator: {error}")))?;
        emulator.seed(&seed).map_err(unusable)?;
        let client = ClientBuilder::new()
            .api_token(LOCAL_TOKEN)
            .base_url(emulator.base_url())
            .iceberg_url(emulator.iceberg_url())
            .build()?;
        let account = client.account(LOCAL_ACCOUNT)?;
        let context = Context {
            account,
            client,
            format: Format::Text,
            dry_run: false,
        };
        say(&format!(
            "A Basin Catalog emulator runs in this process at {}: nothing leaves this machine, no account needed. Its bucket {LOCAL_BUCKET} holds two Iceberg tables, bronze.events and bronze.clicks (whose last compaction failed).",
            emulator.base_url()
        ))?;
        // The emulator goes with the process: nothing to clean up.
        let mut left = Left::Nothing;
        tour(&context, LOCAL_BUCKET, Token::Given(LOCAL_TOKEN), &mut left).await?;
        say(
            "\nThat was the whole life of a catalog. The same commands work on your account: set CLOUDFLARE_API_TOKEN and CLOUDFLARE_ACCOUNT_ID, or run this tour there with `r2-catalog tour --against-cloudflare <BUCKET>`.",
        )
    }

    /// The tour on Cloudflare, on the bucket named, with `context`'s account and credentials.
    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        let bucket = self.against_cloudflare.unwrap_or_default();
        let context = Context {
            account: context.account.clone(),
            client: context.client.clone(),
            format: Format::Text,
            dry_run: context.dry_run,
        };
        say(&format!(
            "The tour runs on Cloudflare, on bucket {bucket} of account {}: it enables the catalog, and disables and deletes it at the end.",
            context.account.account_id()
        ))?;
        // Only a bucket without a catalog: a disabled one would be enabled again, and the
        // tour's end would delete what it holds.
        let catalog = context.catalog(bucket.as_str())?;
        match catalog.get().await {
            Err(error) if error.is_catalog_not_found() => {}
            Err(error) => return Err(error.into()),
            Ok(_) => {
                return Err(Failure::Setup(format!(
                    "bucket {bucket} already has a catalog (enabled or not): the tour runs only on a bucket without one, since it deletes the catalog at its end"
                )));
            }
        }
        // Before anything changes: a token refused, or a question cancelled, leaves nothing.
        if !std::io::stdin().is_terminal() {
            say("(the catalog token is read from stdin)")?;
        }
        let token = credential::read_token(catalog.bucket()).await?;
        let token = CatalogToken::try_from(token)?;
        // Signals are answered here rather than in `main`, so that the clean-up is told after
        // them too.
        let mut stops = Listening::start()
            .map_err(|error| Failure::Setup(format!("cannot listen for Ctrl-C: {error}")))?;
        let mut left = Left::Nothing;
        let toured = tokio::select! {
            biased;
            toured = tour(&context, &bucket, Token::Read(token), &mut left) => toured,
            stop = stops.next() => Err(Failure::Interrupted(stop)),
        };
        let remove = format!(
            "r2-catalog catalog disable {bucket} --yes && r2-catalog catalog delete {bucket} --yes"
        );
        // Only what the tour made is the tour's to remove. On stderr: the clean-up must be told
        // even when stdout is gone.
        match (&toured, left) {
            (Ok(()), _) => {}
            (Err(_), Left::Catalog) => note(&format!(
                "The tour stopped; the catalog it enabled is still there. To remove it: {remove}"
            )),
            (Err(_), Left::Perhaps) => note(&format!(
                "The tour stopped; the catalog it enabled may still be there (r2-catalog catalog get {bucket} tells). If so, to remove it: {remove}"
            )),
            (Err(Failure::Sdk(error)), Left::Nothing) if error.is_conflict() => note(&format!(
                "The tour stopped: bucket {bucket} got a catalog meanwhile, which is not the tour's; it is left as it is."
            )),
            (Err(_), Left::Nothing) => {}
        }
        toured
    }
}

/// The catalog token to store, and so where the tour runs.
enum Token {
    /// Known to the tour: the local one.
    Given(&'static str),
    /// Typed or piped, as `credential store` reads it: the tour on Cloudflare.
    Read(CatalogToken),
}

/// What a tour that stopped leaves behind.
#[derive(Clone, Copy)]
enum Left {
    Nothing,
    /// A catalog the tour enabled, unless a request whose outcome is unknown (its enable, its
    /// delete) went one way or the other.
    Perhaps,
    /// The catalog the tour enabled.
    Catalog,
}

/// Each step of the tour: what it shows, then the command a person would type, run for real.
/// `left` says, whenever the tour stops, what it leaves behind.
async fn tour(
    context: &Context,
    bucket: &str,
    token: Token,
    left: &mut Left,
) -> Result<(), Failure> {
    step(
        "Turn the bucket into an Iceberg catalog; engines connect with the URI and warehouse it prints.",
    )?;
    *left = Left::Perhaps;
    if let Err(failure) = command(context, &["catalog", "enable", bucket]).await {
        // Refused (a 4xx): nothing made. A conflict is someone else's catalog, enabled since
        // the tour looked: an answer of the tour's own enable that got lost is reconciled by
        // the SDK, never reported as one.
        if matches!(&failure, Failure::Sdk(error)
            if error.status().is_some_and(|status| status.is_client_error()))
        {
            *left = Left::Nothing;
        }
        return Err(failure);
    }
    *left = Left::Catalog;

    step("Store the token maintenance (compaction, snapshot expiration) will run with.")?;
    say(&format!(
        "$ echo \"$CATALOG_TOKEN\" | r2-catalog credential store {bucket}"
    ))?;
    let catalog = context.catalog(bucket)?;
    match &token {
        Token::Given(given) => catalog.credential().store(*given).await?,
        Token::Read(read) => catalog.credential().store(read.clone()).await?,
    };
    say(&format!("{}.", credential::stored_sentence(bucket)))?;

    step("Read it back: Cloudflare tries the token, and says whether it works.")?;
    command(context, &["credential", "status", bucket]).await?;

    step("Tune maintenance: compaction on, aiming at 256 MB files.")?;
    let update = [
        "maintenance",
        "update",
        bucket,
        "--compaction",
        "enabled",
        "--target-size-mb",
        "256",
    ];
    command(context, &update).await?;

    step("List what the catalog holds.")?;
    command(context, &["catalog", "list"]).await?;
    command(context, &["namespace", "list", bucket]).await?;

    step("Check it end to end, as a query engine would reach it.")?;
    match command(context, &["catalog", "check", bucket]).await {
        // A global API key cannot ask the Iceberg endpoint: the check said so, the tour goes
        // on.
        Err(Failure::Unchecked) => {}
        checked => checked?,
    }

    // On Cloudflare, the catalog the tour enabled holds no table to queue maintenance for.
    if matches!(token, Token::Given(_)) {
        step(
            "Turn compaction on for every table of the catalog: one sweep, a few tables at a time, within Cloudflare's rate limit.",
        )?;
        let every_table = [
            "table",
            "maintenance",
            "update",
            bucket,
            "--all-tables",
            "--compaction",
            "enabled",
        ];
        command(context, &every_table).await?;
        step(
            "Queue compaction of bronze.events, and wait to know how it went: the scheduler takes it when it next polls (on this emulator, a run lasts 2 s). The exit code says how it ended: 0 only if it succeeded.",
        )?;
        let queue = [
            "table",
            "maintenance",
            "queue",
            bucket,
            "bronze",
            "events",
            "compaction",
            "--wait",
            "--poll-interval",
            "1",
            "--timeout",
            "60",
        ];
        command(context, &queue).await?;
    }

    step(
        "Report on every table: its maintenance, its last run of each kind, what calls for attention, and a verdict whose exit code a monitor can act on (0 healthy, 10 a last run failed, 12 one never ran).",
    )?;
    match command(context, &["catalog", "report", bucket]).await {
        // What the report found is the tour's to show, not a reason to stop.
        Err(Failure::Verdict(_)) => {}
        reported => reported?,
    }

    step("Turn the catalog off, then delete its metadata; the bucket's objects stay.")?;
    command(context, &["catalog", "disable", bucket, "--yes"]).await?;
    *left = Left::Perhaps;
    match token {
        // The local catalog holds a table, which only --force removes.
        Token::Given(_) => {
            command(context, &["catalog", "delete", bucket, "--force", "--yes"]).await?;
        }
        // On Cloudflare, what engines put in the catalog meanwhile is not the tour's to
        // remove: without --force, such a catalog is refused, not emptied.
        Token::Read(_) => command(context, &["catalog", "delete", bucket, "--yes"]).await?,
    }
    *left = Left::Nothing;
    Ok(())
}

/// Shows `args` as typed, then runs them with `context`.
async fn command(context: &Context, args: &[&str]) -> Result<(), Failure> {
    say(&format!("$ r2-catalog {}", args.join(" ")))?;
    parse_api_command(args)?.run(context).await
}

/// A heading for the next step.
fn step(text: &str) -> Result<(), Failure> {
    say(&format!("\n# {text}"))
}

fn say(text: &str) -> Result<(), Failure> {
    print_parts([text])
}
