//! A queued maintenance run over time: `running` from its start, then, once its duration has
//! passed, its outcome (`succeeded`, or `failed` with an error code and a message). Its status
//! is read off the clock whenever it is listed: no task moves it along.

use std::time::{Duration, SystemTime};

use cloudflare_r2_catalog::{
    MaintenanceKind,
    models::{MaintenanceRun, MaintenanceRunStep, MaintenanceStep, RunStatus, StepStatus},
};

use crate::clock::rfc3339;

/// How long a queued run of an emulator runs unless told otherwise
/// ([`EmulatorBuilder::run_duration`](crate::EmulatorBuilder::run_duration)): 2 seconds, long
/// enough that a client polling the run listing once a second sees it `running` before it
/// ends, short enough that a demo or a test waiting for the end is not held up.
pub const DEFAULT_RUN_DURATION: Duration = Duration::from_secs(2);

/// The longest a queued run of an emulator runs: a day. A longer
/// [`EmulatorBuilder::run_duration`](crate::EmulatorBuilder::run_duration) is taken as this,
/// so that no end time a caller asks for can overflow the clock.
pub const MAX_RUN_DURATION: Duration = Duration::from_secs(24 * 60 * 60);

/// The error code of a failed run when none is named ([`RunOutcome::failed`]): the emulator's
/// own, Cloudflare's run error codes being undocumented.
pub const RUN_FAILURE_CODE: i32 = 50002;

/// The `customer_message` of a failed run when none is named ([`RunOutcome::failed`]).
pub const RUN_FAILURE_MESSAGE: &str =
    "The maintenance run failed: the emulator is set to fail its runs";

/// How an emulator's queued maintenance runs end
/// ([`EmulatorBuilder::runs_end_as`](crate::EmulatorBuilder::runs_end_as)).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum RunOutcome {
    /// `succeeded`, each step `skipped` (the emulator's tables hold no data): the default.
    #[default]
    Succeeded,
    /// `failed`, as a run Cloudflare could not carry out: the run's `primary_error_code` and
    /// its first step's `error_code` are `code`, its `customer_message` is `message`; its
    /// first step `failed`, the steps after it `not_run`.
    Failed {
        /// The run's `primary_error_code`, and its failed step's `error_code`.
        code: i32,
        /// The run's `customer_message`.
        message: String,
    },
}

impl RunOutcome {
    /// `failed` with the emulator's own [`RUN_FAILURE_CODE`] and [`RUN_FAILURE_MESSAGE`].
    pub fn failed() -> Self {
        Self::Failed {
            code: RUN_FAILURE_CODE,
            message: RUN_FAILURE_MESSAGE.to_owned(),
        }
    }
}

/// How every queued run of an emulator goes: how long it runs, and how it ends.
#[derive(Debug, Clone)]
pub(crate) struct RunPlan {
    pub(crate) duration: Duration,
    pub(crate) outcome: RunOutcome,
}

impl Default for RunPlan {
    fn default() -> Self {
        Self {
            duration: DEFAULT_RUN_DURATION,
            outcome: RunOutcome::Succeeded,
        }
    }
}

/// A run that happened before the emulator started, as a seed tells it, checked: a known kind
/// and status, and a duration exactly when the run is over.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct PastRun {
    pub(crate) kind: MaintenanceKind,
    pub(crate) status: RunStatus,
    pub(crate) started_at: SystemTime,
    /// How long it ran; `None` while it runs.
    pub(crate) duration: Option<Duration>,
    pub(crate) error_code: Option<i32>,
    pub(crate) customer_message: Option<String>,
}

/// The steps a run of `kind` that ended as `status` lists: each `skipped` when it succeeded
/// (the emulator's tables hold no data); else its first step `failed` (with `error_code`,
/// taking the run's whole `duration_ms`) and the steps after it `not_run`.
fn ended_steps(
    kind: &MaintenanceKind,
    status: &RunStatus,
    error_code: Option<i32>,
    duration_ms: i64,
) -> Vec<MaintenanceRunStep> {
    // Compaction rewrites manifests first (since 2026-07-13); expiration is one step.
    let steps: &[MaintenanceStep] = match kind {
        MaintenanceKind::Compaction => &[
            MaintenanceStep::RewriteManifests,
            MaintenanceStep::Compaction,
        ],
        _ => &[MaintenanceStep::SnapshotExpiration],
    };
    let succeeded = *status == RunStatus::Succeeded;
    steps
        .iter()
        .enumerate()
        .map(|(index, step)| {
            if succeeded {
                MaintenanceRunStep::new(0, step.clone(), StepStatus::Skipped)
            } else if index == 0 {
                let mut failed =
                    MaintenanceRunStep::new(duration_ms, step.clone(), StepStatus::Failed);
                failed.error_code = error_code;
                failed
            } else {
                MaintenanceRunStep::new(0, step.clone(), StepStatus::NotRun)
            }
        })
        .collect()
}

/// A run as recorded when queued (or seeded): what it will be once ended, and when it ends.
#[derive(Debug, Clone)]
pub(crate) struct RecordedRun {
    ended: MaintenanceRun,
    ends_at: SystemTime,
}

impl RecordedRun {
    /// A run of `kind`, numbered `run_id` and marked with `request_id`, started at `at` and
    /// going as `plan` says.
    pub(crate) fn queued(
        run_id: i64,
        kind: MaintenanceKind,
        request_id: &str,
        at: SystemTime,
        plan: &RunPlan,
    ) -> Self {
        let ends_at = at + plan.duration;
        let duration_ms = i64::try_from(plan.duration.as_millis()).unwrap_or(i64::MAX);
        let (status, failure) = match &plan.outcome {
            RunOutcome::Succeeded => (RunStatus::Succeeded, None),
            RunOutcome::Failed { code, message } => (RunStatus::Failed, Some((*code, message))),
        };
        let operation_results =
            ended_steps(&kind, &status, failure.map(|(code, _)| code), duration_ms);
        let mut ended = MaintenanceRun::new(kind, operation_results, run_id, rfc3339(at), status);
        ended.completed_at = Some(rfc3339(ends_at));
        ended.duration_ms = Some(duration_ms);
        ended.request_id = Some(request_id.to_owned());
        if let Some((code, message)) = failure {
            ended.primary_error_code = Some(code);
            ended.customer_message = Some(message.clone());
        }
        Self { ended, ends_at }
    }

    /// A run from before the emulator started, numbered `run_id`, as `past` tells it: listed as
    /// it is, whatever the clock says (a `running` one stays running).
    pub(crate) fn past(run_id: i64, past: &PastRun) -> Self {
        let kind = past.kind.clone();
        let mut run = MaintenanceRun::new(
            kind,
            Vec::new(),
            run_id,
            rfc3339(past.started_at),
            past.status.clone(),
        );
        if let Some(duration) = past.duration {
            let duration_ms = i64::try_from(duration.as_millis()).unwrap_or(i64::MAX);
            run.operation_results =
                ended_steps(&past.kind, &past.status, past.error_code, duration_ms);
            run.completed_at = Some(rfc3339(past.started_at + duration));
            run.duration_ms = Some(duration_ms);
            run.primary_error_code = past.error_code;
            run.customer_message.clone_from(&past.customer_message);
        }
        Self {
            ended: run,
            ends_at: SystemTime::UNIX_EPOCH,
        }
    }

    /// The run as listed at `now`: `running`, with no end, no duration and no step results yet,
    /// before it ends; what it ended as from then on.
    pub(crate) fn as_of(&self, now: SystemTime) -> MaintenanceRun {
        if now >= self.ends_at {
            return self.ended.clone();
        }
        let mut running = self.ended.clone();
        running.status = RunStatus::Running;
        running.completed_at = None;
        running.duration_ms = None;
        running.operation_results = Vec::new();
        running.primary_error_code = None;
        running.customer_message = None;
        running
    }

    pub(crate) fn request_id(&self) -> Option<&str> {
        self.ended.request_id.as_deref()
    }

    #[cfg(test)]
    pub(crate) fn run_id(&self) -> i64 {
        self.ended.run_id
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn plan(millis: u64, outcome: RunOutcome) -> RunPlan {
        RunPlan {
            duration: Duration::from_millis(millis),
            outcome,
        }
    }

    #[test]
    fn a_run_is_running_until_its_duration_has_passed() {
        let at = SystemTime::UNIX_EPOCH + Duration::from_secs(1_795_530_645);
        let run = RecordedRun::queued(
            7,
            MaintenanceKind::Compaction,
            "id",
            at,
            &plan(2500, RunOutcome::Succeeded),
        );
        let running = run.as_of(at + Duration::from_millis(2499));
        assert_eq!(running.status, RunStatus::Running);
        assert_eq!(running.completed_at, None);
        assert_eq!(running.duration_ms, None);
        assert!(running.operation_results.is_empty());
        let ended = run.as_of(at + Duration::from_millis(2500));
        assert_eq!(ended.status, RunStatus::Succeeded);
        assert_eq!(ended.started_at, "2026-11-24T14:30:45Z");
        assert_eq!(ended.completed_at.as_deref(), Some("2026-11-24T14:30:47Z"));
        assert_eq!(ended.duration_ms, Some(2500));
        let steps: Vec<_> = ended
            .operation_results
            .iter()
            .map(|step| &step.status)
            .collect();
        assert_eq!(steps, [&StepStatus::Skipped, &StepStatus::Skipped]);
        assert_eq!(ended.primary_error_code, None);
    }

    #[test]
    fn a_failed_run_fails_its_first_step_and_runs_no_other() {
        let at = SystemTime::UNIX_EPOCH;
        let run = RecordedRun::queued(
            1,
            MaintenanceKind::Compaction,
            "id",
            at,
            &plan(0, RunOutcome::failed()),
        );
        let ended = run.as_of(at);
        assert_eq!(ended.status, RunStatus::Failed);
        assert_eq!(ended.primary_error_code, Some(RUN_FAILURE_CODE));
        assert_eq!(ended.customer_message.as_deref(), Some(RUN_FAILURE_MESSAGE));
        let steps: Vec<_> = ended
            .operation_results
            .iter()
            .map(|step| (&step.status, step.error_code))
            .collect();
        assert_eq!(
            steps,
            [
                (&StepStatus::Failed, Some(RUN_FAILURE_CODE)),
                (&StepStatus::NotRun, None)
            ]
        );
    }
}
