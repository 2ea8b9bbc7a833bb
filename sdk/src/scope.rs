//! The validated address every handle below the account holds: the engine its calls go
//! through, the account and the bucket of one catalog. Checked once, when the handle is made.

use std::sync::Arc;

use crate::engine::{Engine, Policy};
use crate::pace::SweepBudget;
use crate::validate::{AccountId, BucketName};

/// One catalog's address and the engine to reach it with. Cloning it costs three `Arc`s, which
/// is what lets every handle, listing and stream own what it needs and be `'static`.
#[derive(Debug, Clone)]
pub(crate) struct CatalogScope {
    pub(crate) engine: Arc<Engine>,
    pub(crate) account_id: Arc<AccountId>,
    pub(crate) bucket: Arc<BucketName>,
}

impl CatalogScope {
    /// What a call on this catalog passes to the generated client: the engine to send through,
    /// the account and the bucket.
    pub(crate) fn parts(&self) -> (&Engine, &AccountId, &BucketName) {
        (&self.engine, &self.account_id, &self.bucket)
    }

    /// This catalog reached through an engine whose calls also keep to `budget`: a bulk job's
    /// share of the rate limit, its retries and how long a call may wait for the limit.
    pub(crate) fn under(&self, budget: Arc<SweepBudget>) -> Self {
        let policy = Policy {
            sweep: Some(budget),
            ..self.engine.policy().clone()
        };
        Self {
            engine: self.engine.with_policy(policy),
            ..self.clone()
        }
    }
}
