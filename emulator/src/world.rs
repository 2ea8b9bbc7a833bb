//! The state the server and the [`Emulator`](crate::Emulator) handle share: the accepted
//! credentials, and behind one lock the store, the rate limit's book, the faults still to
//! answer with and the requests recorded.

use std::collections::VecDeque;
use std::sync::atomic::AtomicU64;
use std::sync::{Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use crate::access::Access;
use crate::fault::{Fault, FaultKind};
use crate::operation::Operation;
use crate::rate::Limiter;
use crate::record::{RECORDED_BYTES, RECORDED_REQUESTS, RecordedRequest};
use crate::state::Store;

/// What the server and the handle share.
#[derive(Debug)]
pub(crate) struct Shared {
    pub(crate) access: Access,
    pub(crate) body_timeout: Duration,
    pub(crate) world: Mutex<World>,
    pub(crate) connections: AtomicU64,
}

impl Shared {
    /// The state, even if a thread panicked holding it: it is still consistent, since every
    /// change under the lock is a plain assignment.
    pub(crate) fn lock(&self) -> MutexGuard<'_, World> {
        self.world.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// The emulator's mutable state.
#[derive(Debug)]
pub(crate) struct World {
    pub(crate) store: Store,
    /// The rate limit's book; `None` without a limit.
    pub(crate) limiter: Option<Limiter>,
    /// The requests refused for the rate limit.
    pub(crate) throttled: u64,
    pub(crate) faults: Vec<Fault>,
    pub(crate) requests: VecDeque<RecordedRequest>,
    /// The [`RecordedRequest::bytes`] of `requests`.
    pub(crate) recorded_bytes: usize,
}

impl World {
    /// The fault the next request of `operation` gets, if any, counting it down.
    pub(crate) fn take_fault(&mut self, operation: Operation) -> Option<FaultKind> {
        let index = self
            .faults
            .iter()
            .position(|fault| fault.operation.is_none_or(|only| only == operation))?;
        let fault = &mut self.faults[index];
        fault.times -= 1;
        if fault.times == 0 {
            return Some(self.faults.remove(index).kind);
        }
        Some(fault.kind.clone())
    }

    pub(crate) fn record(&mut self, request: RecordedRequest) {
        let bytes = request.bytes();
        while self.requests.len() >= RECORDED_REQUESTS
            || self.recorded_bytes + bytes > RECORDED_BYTES
        {
            let Some(oldest) = self.requests.pop_front() else {
                break;
            };
            self.recorded_bytes -= oldest.bytes();
        }
        self.recorded_bytes += bytes;
        self.requests.push_back(request);
    }
}
