//! A wait for a queued maintenance run that ended before the run did.

use std::fmt;
use std::time::Duration;

use crate::status::RunStatus;
use crate::validate::RequestId;

/// A wait for a queued maintenance run ([`Waiting`](crate::wait::Waiting)) reached its timeout
/// before the run ended. The run is not stopped by it: it goes on, or starts, on Cloudflare's
/// side, and the table's [`runs`](crate::handles::TableMaintenanceHandle::runs) show it later
/// under its request id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{}", self.described())]
pub struct RunNotOver {
    request_id: RequestId,
    waited: Duration,
    last_status: Option<RunStatus>,
}

impl RunNotOver {
    /// The error of a wait for the run queued as `request_id` that ended after `waited`,
    /// having last seen the run with `last_status` (`None`: not listed yet). For tests of code
    /// that handles the SDK's errors; it behaves as one a wait returns.
    ///
    /// ```
    /// use std::time::Duration;
    /// use cloudflare_r2_catalog::{Error, RequestId, error::RunNotOver, models::RunStatus};
    ///
    /// let request_id: RequestId = "6ba7b810-9dad-11d1-80b4-00c04fd430c8".parse()?;
    /// let error = Error::from(RunNotOver::new(request_id, Duration::from_secs(600), Some(RunStatus::Running)));
    /// assert_eq!(
    ///     error.to_string(),
    ///     "the run queued as 6ba7b810-9dad-11d1-80b4-00c04fd430c8 was still running after 600 s: \
    ///      it goes on; the table's maintenance runs show how it ends"
    /// );
    /// # Ok::<(), cloudflare_r2_catalog::error::ValidationError>(())
    /// ```
    pub fn new(request_id: RequestId, waited: Duration, last_status: Option<RunStatus>) -> Self {
        Self {
            request_id,
            waited,
            last_status,
        }
    }

    /// The request id the run was queued with.
    pub fn request_id(&self) -> &RequestId {
        &self.request_id
    }

    /// How long the wait lasted.
    pub fn waited(&self) -> Duration {
        self.waited
    }

    /// The run's status when last listed, or `None` when it was not listed yet: Cloudflare's
    /// scheduler had not taken it.
    pub fn last_status(&self) -> Option<&RunStatus> {
        self.last_status.as_ref()
    }

    fn described(&self) -> Described<'_> {
        Described(self)
    }
}

/// [`RunNotOver`]'s text: where the run was, and where to look for it.
struct Described<'a>(&'a RunNotOver);

impl fmt::Display for Described<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let RunNotOver {
            request_id,
            waited,
            last_status,
        } = self.0;
        let waited = waited.as_secs();
        match last_status {
            None => write!(
                f,
                "the run queued as {request_id} was not listed yet after {waited} s: Cloudflare's \
                 scheduler takes queued maintenance when it next polls; the table's maintenance \
                 runs show it once it starts"
            ),
            Some(RunStatus::Running) => write!(
                f,
                "the run queued as {request_id} was still running after {waited} s: it goes on; \
                 the table's maintenance runs show how it ends"
            ),
            // A status this SDK does not know, shown escaped as every server text is.
            Some(status) => write!(
                f,
                "the run queued as {request_id} was {status} (not known to be over) after \
                 {waited} s; the table's maintenance runs show how it ends"
            ),
        }
    }
}
