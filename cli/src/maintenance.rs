//! `r2-catalog maintenance …`, and the update flags it shares with `table maintenance`.

use std::num::NonZeroU64;
use std::str::FromStr;

use clap::{Args, Subcommand};
use cloudflare_r2_catalog::{
    input::SnapshotAge,
    models::{CompactionUpdate, MaintenanceUpdate, SnapshotExpirationUpdate, TargetFileSize},
};

use crate::Context;
use crate::output::{Failure, print_change, show};
use crate::render;

#[derive(Subcommand)]
pub(crate) enum Command {
    /// Show a catalog's maintenance configuration and credential status.
    Get {
        /// The R2 bucket.
        bucket: String,
    },
    /// Change a catalog's maintenance settings; settings not given stay as they are.
    Update {
        /// The R2 bucket.
        bucket: String,
        #[command(flatten)]
        flags: UpdateFlags,
    },
}

impl Command {
    /// The bucket the command acts on.
    pub(crate) fn bucket(&self) -> &str {
        match self {
            Self::Get { bucket } | Self::Update { bucket, .. } => bucket,
        }
    }

    pub(crate) async fn run(self, context: &Context) -> Result<(), Failure> {
        match self {
            Self::Get { bucket } => {
                let current = context.catalog(bucket)?.maintenance().get().await?;
                show(context.format, &current.result, render::record)
            }
            Self::Update { bucket, flags } => {
                let catalog = context.catalog(bucket)?;
                let update = flags.to_update()?;
                let updated = catalog.maintenance().update(&update).await?;
                let done = format!(
                    "Updated the maintenance of the catalog of bucket {}.",
                    catalog.bucket()
                );
                print_change(
                    context.format,
                    &done,
                    &updated.result,
                    updated.unparsed_result.as_ref(),
                    render::record,
                )
            }
        }
    }
}

/// The settings a maintenance update may change.
#[derive(Args)]
pub(crate) struct UpdateFlags {
    /// Turn compaction on or off.
    #[arg(long, value_parser = ["enabled", "disabled"])]
    compaction: Option<String>,
    /// The size compaction aims for, in MB.
    #[arg(long, value_parser = ["64", "128", "256", "512"])]
    target_size_mb: Option<String>,
    /// Turn snapshot expiration on or off.
    #[arg(long, value_parser = ["enabled", "disabled"])]
    snapshot_expiration: Option<String>,
    /// Expire snapshots older than this: a number and d, h, m or s (e.g. 7d).
    #[arg(long, value_name = "AGE")]
    max_snapshot_age: Option<String>,
    /// Always keep at least this many snapshots (1 or more).
    #[arg(long, value_name = "N")]
    min_snapshots_to_keep: Option<u64>,
}

impl UpdateFlags {
    /// The update the flags describe; at least one flag must be given.
    pub(crate) fn to_update(&self) -> Result<MaintenanceUpdate, Failure> {
        let compaction = CompactionUpdate {
            state: parse(self.compaction.as_deref())?,
            target_size_mb: parse::<TargetFileSize>(self.target_size_mb.as_deref())?,
        };
        let min_snapshots_to_keep = self
            .min_snapshots_to_keep
            .map(|n| {
                NonZeroU64::new(n).ok_or_else(|| {
                    Failure::Setup("invalid min snapshots to keep: must be at least 1".to_owned())
                })
            })
            .transpose()?;
        let max_snapshot_age = self
            .max_snapshot_age
            .as_deref()
            .map(SnapshotAge::new)
            .transpose()
            .map_err(cloudflare_r2_catalog::Error::from)?;
        let expiration = SnapshotExpirationUpdate {
            state: parse(self.snapshot_expiration.as_deref())?,
            max_snapshot_age,
            min_snapshots_to_keep,
        };
        let compaction_set = compaction.state.is_some() || compaction.target_size_mb.is_some();
        let expiration_set = expiration.state.is_some()
            || expiration.max_snapshot_age.is_some()
            || expiration.min_snapshots_to_keep.is_some();
        if !compaction_set && !expiration_set {
            return Err(Failure::Setup(
                "nothing to update: give at least one of --compaction, --target-size-mb, \
                 --snapshot-expiration, --max-snapshot-age, --min-snapshots-to-keep"
                    .to_owned(),
            ));
        }
        Ok(MaintenanceUpdate {
            compaction: compaction_set.then_some(compaction),
            snapshot_expiration: expiration_set.then_some(expiration),
        })
    }
}

/// A flag value clap has already restricted to the enum's spellings.
fn parse<T: FromStr>(value: Option<&str>) -> Result<Option<T>, Failure> {
    value
        .map(|text| {
            text.parse()
                .map_err(|_| Failure::Setup(format!("unexpected value {text:?}")))
        })
        .transpose()
}
