//! `r2-catalog catalog check`: whether a catalog is ready for an Iceberg engine, one step at a
//! time, each with what to do when it does not hold.

use cloudflare_r2_catalog::{
    Error,
    config::AuthScheme,
    handles::CatalogHandle,
    models::{Catalog, CatalogStatus, CredentialValidity, MaintenanceConfig, MaintenanceState},
};
use serde::Serialize;

use crate::output::{self, Failure, Format, Target, print_json, print_parts};
use crate::render;

/// How a step came out.
#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
enum Verdict {
    Passed,
    /// Holds for an engine, with something to know (no credential while maintenance is off).
    Warning,
    Failed,
    /// Not checked: an earlier step failed in a way that makes it moot.
    Skipped,
    /// Not checked although it matters for an engine: this client cannot check it (a global
    /// API key cannot ask the Iceberg endpoint). The catalog is not known to be ready.
    Unchecked,
}

/// What the whole check found.
#[derive(Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
enum Outcome {
    /// Every step holds (some with something to know): exit 0.
    Ready,
    /// A step does not hold: exit 1.
    NotReady,
    /// No step failed, but one that matters was not checked: exit 8, so that a script can tell
    /// it from ready.
    NotChecked,
}

impl Outcome {
    fn of(steps: &[Step]) -> Self {
        let any = |verdict| steps.iter().any(|step| step.verdict == verdict);
        if any(Verdict::Failed) {
            Self::NotReady
        } else if any(Verdict::Unchecked) || any(Verdict::Skipped) {
            Self::NotChecked
        } else {
            Self::Ready
        }
    }
}

/// One line of the check.
#[derive(Serialize)]
struct Step {
    step: &'static str,
    verdict: Verdict,
    detail: String,
    /// The command to run, or what to do, when the step does not hold.
    #[serde(skip_serializing_if = "Option::is_none")]
    next: Option<String>,
}

impl Step {
    fn new(step: &'static str, verdict: Verdict, detail: impl Into<String>) -> Self {
        Self {
            step,
            verdict,
            detail: detail.into(),
            next: None,
        }
    }

    fn next(mut self, next: impl Into<String>) -> Self {
        self.next = Some(next.into());
        self
    }
}

/// The whole check, as `--output json` prints it.
#[derive(Serialize)]
struct Checked {
    bucket: String,
    /// Whether every step holds: `outcome` is `ready`.
    ready: bool,
    outcome: Outcome,
    steps: Vec<Step>,
}

/// Runs every step against `catalog`, reached with a credential of kind `scheme`, and prints
/// them; fails unless each holds: exit 1 when one does not, exit 8 when one that matters could
/// not be checked.
pub(crate) async fn check(
    catalog: &CatalogHandle,
    scheme: AuthScheme,
    format: Format,
) -> Result<(), Failure> {
    let bucket = catalog.bucket().to_string();
    let steps = steps(catalog, scheme, &bucket).await?;
    let outcome = Outcome::of(&steps);
    let checked = Checked {
        bucket,
        ready: outcome == Outcome::Ready,
        outcome,
        steps,
    };
    match format {
        Format::Json => print_json(&checked)?,
        Format::Text => print_parts([human(&checked, scheme).as_str()])?,
    }
    match outcome {
        Outcome::Ready => Ok(()),
        Outcome::NotReady => Err(Failure::Unready),
        Outcome::NotChecked => Err(Failure::Unchecked),
    }
}

async fn steps(
    catalog: &CatalogHandle,
    scheme: AuthScheme,
    bucket: &str,
) -> Result<Vec<Step>, Failure> {
    let mut steps = Vec::new();
    let skipped = |step| Step::new(step, Verdict::Skipped, "not checked");
    // 1 and 2: the token is accepted, and the catalog is there and active.
    let found = match catalog.get().await {
        Ok(found) => found.result,
        // The plan a dry run asked for is the whole answer.
        Err(error @ Error::DryRun(_)) => return Err(error.into()),
        Err(error) if error.is_auth() => {
            steps.push(
                Step::new(CREDENTIALS, Verdict::Failed, refused(&error))
                    .next("use an API token with R2 Data Catalog and R2 Storage permission on this account (CLOUDFLARE_API_TOKEN)"),
            );
            steps.extend([CATALOG, CREDENTIAL, MAINTENANCE, ICEBERG].map(skipped));
            return Ok(steps);
        }
        // Cloudflare's answer that no such catalog or bucket exists: the token got in.
        Err(error) if error.is_catalog_not_found() || error.is_bucket_not_found() => {
            steps.push(Step::new(CREDENTIALS, Verdict::Passed, "accepted"));
            steps.push(failed(CATALOG, &error, bucket));
            steps.extend([CREDENTIAL, MAINTENANCE, ICEBERG].map(skipped));
            return Ok(steps);
        }
        // No telling whether the token would be accepted: a route not found (the account id,
        // the base URL), the network, a 5xx.
        Err(error) => {
            steps.push(failed(CATALOG, &error, bucket));
            steps.extend([CREDENTIALS, CREDENTIAL, MAINTENANCE, ICEBERG].map(skipped));
            return Ok(steps);
        }
    };
    steps.push(Step::new(CREDENTIALS, Verdict::Passed, "accepted"));
    steps.push(catalog_step(&found, bucket));
    if found.status != CatalogStatus::Active {
        // An inactive catalog serves no engine: the steps below would only repeat it.
        steps.extend([CREDENTIAL, MAINTENANCE, ICEBERG].map(skipped));
        return Ok(steps);
    }
    // 3 and 4: the credential maintenance runs with, and whether maintenance is on.
    let validity = catalog
        .credential()
        .status()
        .await
        .map(|check| check.result.status);
    let config = catalog
        .maintenance()
        .get()
        .await
        .map(|m| m.result.maintenance_config);
    let maintenance_on = config.as_ref().is_ok_and(maintenance_on);
    steps.push(credential_step(&validity, maintenance_on, bucket));
    // Unknown when the status could not be read: then maintenance is not blamed on it.
    let valid = validity
        .as_ref()
        .ok()
        .map(|validity| *validity == CredentialValidity::Valid);
    steps.push(maintenance_step(&config, valid, bucket));
    // 5: what an engine asks first, with the same token. The endpoint takes API tokens only:
    // a global key is never sent there, so an engine's access is left unknown.
    if scheme != AuthScheme::ApiToken {
        steps.push(
            Step::new(
                ICEBERG,
                Verdict::Unchecked,
                format!("not checked: engines need an API token, and this check uses a {scheme}"),
            )
            .next("check again with CLOUDFLARE_API_TOKEN set to the token engines will use"),
        );
        return Ok(steps);
    }
    steps.push(match catalog.iceberg_config(&found.name).await {
        Ok(_) => Step::new(
            ICEBERG,
            Verdict::Passed,
            format!("answers for warehouse {}", found.name),
        ),
        Err(error) if error.is_auth() => Step::new(ICEBERG, Verdict::Failed, refused(&error))
            .next("the token needs R2 Data Catalog and R2 Storage permission (Admin Read only, or Admin Read & Write to write) for engines to use it"),
        Err(error) if error.is_not_found() => Step::new(ICEBERG, Verdict::Failed, error.to_string())
            .next(format!("no catalog there for warehouse {}: r2-catalog catalog enable {bucket}, or check --iceberg-url", found.name)),
        Err(error) => Step::new(ICEBERG, Verdict::Failed, error.to_string()),
    });
    Ok(steps)
}

// The steps, by the names `--output json` gives them.
const CREDENTIALS: &str = "credentials";
const CATALOG: &str = "catalog";
const CREDENTIAL: &str = "credential";
const MAINTENANCE: &str = "maintenance";
const ICEBERG: &str = "iceberg";

/// A step as a person reads its name: the first one is named for the credential used.
fn label(step: &'static str, scheme: AuthScheme) -> &'static str {
    match step {
        CREDENTIALS if scheme == AuthScheme::ApiToken => "API token",
        CREDENTIALS => "Global API key",
        CATALOG => "Catalog",
        CREDENTIAL => "Credential",
        MAINTENANCE => "Maintenance",
        ICEBERG => "Iceberg endpoint",
        other => other,
    }
}

fn catalog_step(found: &Catalog, bucket: &str) -> Step {
    match &found.status {
        CatalogStatus::Active => Step::new(
            CATALOG,
            Verdict::Passed,
            format!("active, warehouse {}", found.name),
        ),
        other => Step::new(
            CATALOG,
            Verdict::Failed,
            format!("{other}: engines cannot use it"),
        )
        .next(format!("r2-catalog catalog enable {bucket}")),
    }
}

fn credential_step(
    validity: &Result<CredentialValidity, Error>,
    maintenance_on: bool,
    bucket: &str,
) -> Step {
    let store = format!("r2-catalog credential store {bucket}");
    match validity {
        Ok(CredentialValidity::Valid) => Step::new(CREDENTIAL, Verdict::Passed, "stored and valid"),
        Ok(CredentialValidity::Invalid) => Step::new(
            CREDENTIAL,
            if maintenance_on {
                Verdict::Failed
            } else {
                Verdict::Warning
            },
            "stored, but refused: maintenance cannot run with it",
        )
        .next(format!("{store} (a token with R2 Storage read and write)")),
        Ok(CredentialValidity::Absent) if maintenance_on => Step::new(
            CREDENTIAL,
            Verdict::Failed,
            "none stored, and maintenance is on",
        )
        .next(store),
        Ok(CredentialValidity::Absent) => Step::new(
            CREDENTIAL,
            Verdict::Warning,
            "none stored: engines do not need one, maintenance does",
        )
        .next(format!("before turning maintenance on: {store}")),
        Ok(other) => Step::new(CREDENTIAL, Verdict::Failed, format!("status {other}")),
        Err(error) => failed(CREDENTIAL, error, bucket),
    }
}

fn maintenance_on(config: &MaintenanceConfig) -> bool {
    let compaction = config.compaction.as_ref().map(|c| &c.state);
    let expiration = config.snapshot_expiration.as_ref().map(|e| &e.state);
    [compaction, expiration]
        .into_iter()
        .any(|state| state == Some(&MaintenanceState::Enabled))
}

fn maintenance_step(
    config: &Result<MaintenanceConfig, Error>,
    credential_valid: Option<bool>,
    bucket: &str,
) -> Step {
    let config = match config {
        Ok(config) => config,
        Err(error) => return failed(MAINTENANCE, error, bucket),
    };
    let compaction = match &config.compaction {
        Some(compaction) => format!(
            "compaction {} (target {} MB)",
            compaction.state, compaction.target_size_mb
        ),
        None => "compaction not set".to_owned(),
    };
    let expiration = match &config.snapshot_expiration {
        Some(expiration) => format!(
            "snapshot expiration {} (older than {}, keep {})",
            expiration.state, expiration.max_snapshot_age, expiration.min_snapshots_to_keep
        ),
        None => "snapshot expiration not set".to_owned(),
    };
    let every = config
        .interval
        .as_deref()
        .map(|interval| format!(", every {interval}"))
        .unwrap_or_default();
    let detail = format!("{compaction}, {expiration}{every}");
    if maintenance_on(config) && credential_valid == Some(false) {
        Step::new(
            MAINTENANCE,
            Verdict::Failed,
            format!("{detail}: on, but it cannot run without a valid credential"),
        )
        .next(format!("r2-catalog credential store {bucket}"))
    } else {
        Step::new(MAINTENANCE, Verdict::Passed, detail)
    }
}

/// A step that failed with `error`, and the next step the CLI gives for it, if one.
fn failed(step: &'static str, error: &Error, bucket: &str) -> Step {
    let target = Target {
        bucket: Some(bucket.to_owned()),
        enabling: false,
    };
    let failed = Step::new(step, Verdict::Failed, error.to_string());
    match output::next_step(error, &target) {
        Some(next) => failed.next(next),
        None => failed,
    }
}

/// What a refusal of the token says.
fn refused(error: &Error) -> String {
    format!("refused or lacking a permission ({error})")
}

/// The check for a person: a line per step with ✓, !, ✗, – or ?, what to do under each step
/// that does not hold, and the verdict.
fn human(checked: &Checked, scheme: AuthScheme) -> String {
    let width = checked
        .steps
        .iter()
        .map(|step| label(step.step, scheme).chars().count())
        .max()
        .unwrap_or(0);
    let mut text = format!("Checking the catalog of bucket {}\n", checked.bucket);
    for step in &checked.steps {
        let mark = match step.verdict {
            Verdict::Passed => "✓",
            Verdict::Warning => "!",
            Verdict::Failed => "✗",
            Verdict::Skipped => "–",
            Verdict::Unchecked => "?",
        };
        text.push_str(&format!(
            "{mark} {:<width$}  {}\n",
            label(step.step, scheme),
            render::one_line(&step.detail)
        ));
        if let Some(next) = &step.next {
            let next = render::one_line(next);
            text.push_str(&format!("  {:<width$}  → {next}\n", ""));
        }
    }
    text.push_str(match checked.outcome {
        Outcome::Ready => "Ready: an Iceberg engine can use this catalog with this token.",
        Outcome::NotReady => "Not ready: see the steps marked ✗.",
        Outcome::NotChecked => "Not known to be ready: see the step marked ?.",
    });
    text
}
