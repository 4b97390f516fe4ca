//! The durable, ordered change log of privzone.
//!
//! Every acknowledged change of the service is one [`Entry`] in this log, numbered by a
//! [`Revision`]. The log is *synchronous*: one writer thread of the server owns a
//! [`ChangeLog`] and calls it directly. The store knows nothing of the model: a change is an
//! opaque JSON string that it stores and returns byte for byte.
//!
//! What every implementation of [`ChangeLog`] enforces:
//!
//! - **Durability.** An `Ok` from [`ChangeLog::append`] means the entries are on stable
//!   storage (fsynced): they survive `kill -9` of the process, and power loss, from that moment
//!   on. Only after that `Ok` may the caller acknowledge the change.
//! - **Atomicity (group commit).** One `append` call is one transaction: either all of its
//!   entries are stored or none is.
//! - **Order.** Revisions are assigned by the store, start at 1, and are consecutive without
//!   gaps across calls and restarts; `read_after` returns them in ascending order.
//! - **Single owner.** The embedded backend ([`SqliteLog`]) holds an exclusive advisory lock on
//!   its data directory; a second process opening the same directory gets
//!   [`StoreError::Locked`].
//! - **Loud failure.** Unreadable data is [`StoreError::Corrupt`], never silently skipped or
//!   "repaired". Nothing here panics.
//!
//! The `conformance` module (in tests, or with the `conformance` feature) holds behavioural
//! checks written against `&mut dyn ChangeLog`, so every backend can be held to the same rules.

#![forbid(unsafe_code)]
#![cfg_attr(
    not(test),
    deny(clippy::unwrap_used, clippy::expect_used, clippy::panic)
)]

mod sqlite;

#[cfg(any(test, feature = "conformance"))]
#[allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)] // a test suite, for tests only
pub mod conformance;
mod pg;

pub use pg::{PgListener, PgLog, CHANNEL};
pub use sqlite::SqliteLog;

/// Position of an entry in the log. The first entry has revision 1; 0 means "nothing".
pub type Revision = u64;

/// An entry to append; the store assigns its revision.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewEntry {
    /// User on whose behalf the change was made, if any.
    pub actor_user: Option<String>,
    /// Id of the token used to make the change, if any.
    pub actor_token: Option<String>,
    /// Time of the change, unix seconds.
    pub time: i64,
    /// The change itself, as JSON. Opaque to the store.
    pub change: String,
}

/// A stored entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub revision: Revision,
    pub actor_user: Option<String>,
    pub actor_token: Option<String>,
    /// Unix seconds.
    pub time: i64,
    /// The change as JSON, exactly as appended.
    pub change: String,
}

/// Why a store operation failed.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database cannot be reached or written (I/O error, disk full, busy, ...). The
    /// operation did not take effect as far as the store knows; the caller answers 503.
    #[error("store unavailable: {0}")]
    Unavailable(String),
    /// Stored data cannot be read or is not what this version understands. Start-up must stop
    /// with this message.
    #[error("store data is corrupt or unsupported: {0}")]
    Corrupt(String),
    /// Another process holds the data directory.
    #[error("store is locked: {0}")]
    Locked(String),
}

/// The change log. One method call is one transaction.
pub trait ChangeLog: Send {
    /// Appends all entries in ONE transaction (group commit), durable (fsync) before
    /// returning; returns their revisions, consecutive, in order. An empty slice is a no-op
    /// returning an empty vector.
    /// Starts a write round: until the next `append` or `end_round`, no other process can
    /// append. Returns the entries other processes appended after `after`, which the caller must
    /// apply before it validates new changes. Single-process stores return nothing.
    fn begin_round(&mut self, after: Revision) -> Result<Vec<Entry>, StoreError> {
        let _ = after;
        Ok(Vec::new())
    }

    /// Ends a write round that appends nothing.
    fn end_round(&mut self) {}

    fn append(&mut self, entries: &[NewEntry]) -> Result<Vec<Revision>, StoreError>;

    /// Entries with revision > `after`, ascending, at most `limit`.
    fn read_after(&mut self, after: Revision, limit: usize) -> Result<Vec<Entry>, StoreError>;

    /// Highest revision stored (0 when empty).
    fn head(&mut self) -> Result<Revision, StoreError>;

    /// Stores an opaque snapshot blob taken at `revision` (which should be `<= head()`),
    /// durably. Saving the same revision again replaces its blob. Older snapshots may be
    /// discarded.
    fn save_snapshot(&mut self, revision: Revision, blob: &[u8]) -> Result<(), StoreError>;

    /// The snapshot with the highest revision, if any.
    fn latest_snapshot(&mut self) -> Result<Option<(Revision, Vec<u8>)>, StoreError>;
}
