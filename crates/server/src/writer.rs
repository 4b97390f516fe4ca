//! The single writer: every change goes through here, in order.
//!
//! Enforces: a write job runs against the latest state under the write lock; the changes of all
//! jobs gathered in one round are appended to the log in one durable commit (group commit), and
//! only then are the jobs answered. Readers never see a change that is not on disk: the write lock
//! is held until the commit returns. If the commit fails, or a job failed after applying part of
//! its changes, the state is rebuilt from the log so memory never runs ahead of the disk.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use parking_lot::RwLock;
use privzone_model::{Change, Error, State};
use privzone_store::{ChangeLog, NewEntry, Revision, StoreError};

/// Who made a change, for the audit trail.
#[derive(Debug, Clone, Default)]
pub struct Actor {
    pub user: Option<String>,
    pub token: Option<String>,
}

/// A write in progress: the latest state and the changes applied so far.
pub struct Tx<'a> {
    state: &'a mut State,
    changes: Vec<(Change, Actor)>,
    actor: Actor,
    now: i64,
}

impl Tx<'_> {
    pub fn state(&self) -> &State {
        self.state
    }

    /// Wall-clock time of this write round, unix seconds.
    pub fn now(&self) -> i64 {
        self.now
    }

    /// Applies a change now (later steps of the same write see it) and queues it for the commit.
    pub fn apply(&mut self, change: Change) -> Result<(), Error> {
        self.state.apply(&change).map_err(|e| Error::Internal(e.to_string()))?;
        self.changes.push((change, self.actor.clone()));
        Ok(())
    }
}

type Reply = Box<dyn FnOnce(Result<Revision, Error>) + Send>;
type Job = Box<dyn FnOnce(&mut Tx<'_>) -> (Reply, bool) + Send>;

struct Request {
    actor: Actor,
    job: Job,
}

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Request>,
}

/// Most jobs one commit gathers.
const MAX_BATCH: usize = 1024;

pub fn now_unix() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Replays the whole log into a fresh state.
pub fn rebuild(log: &mut dyn ChangeLog) -> Result<(State, Revision), StoreError> {
    let mut state = State::new();
    let mut head = 0;
    loop {
        let entries = log.read_after(head, 10_000)?;
        if entries.is_empty() {
            break;
        }
        for e in entries {
            let change: Change = serde_json::from_str(&e.change)
                .map_err(|err| StoreError::Corrupt(format!("revision {}: unreadable change: {err}", e.revision)))?;
            state
                .apply(&change)
                .map_err(|err| StoreError::Corrupt(format!("revision {}: {err}", e.revision)))?;
            head = e.revision;
        }
    }
    Ok((state, head))
}

impl Writer {
    /// Starts the writer thread over `log`, sharing `state` with readers.
    pub fn start(
        mut log: Box<dyn ChangeLog>,
        state: Arc<RwLock<State>>,
        revision: Arc<AtomicU64>,
        healthy: Arc<std::sync::atomic::AtomicBool>,
    ) -> Writer {
        let (tx, rx) = mpsc::channel::<Request>();
        let spawned = std::thread::Builder::new().name("privzone-writer".into()).spawn(move || {
            while let Ok(first) = rx.recv() {
                let mut batch = vec![first];
                while batch.len() < MAX_BATCH {
                    match rx.try_recv() {
                        Ok(r) => batch.push(r),
                        Err(_) => break,
                    }
                }
                let mut guard = state.write();
                let now = now_unix();
                let mut replies: Vec<(Reply, bool)> = Vec::with_capacity(batch.len());
                let mut queued: Vec<(Change, Actor)> = Vec::new();
                let mut dirty = false;
                for req in batch {
                    let mut tx = Tx { state: &mut guard, changes: Vec::new(), actor: req.actor, now };
                    let (reply, ok) = (req.job)(&mut tx);
                    if ok {
                        queued.append(&mut tx.changes);
                    } else if !tx.changes.is_empty() {
                        dirty = true;
                    }
                    replies.push((reply, ok));
                }
                let mut outcome: Result<Revision, Error> = Ok(revision.load(Ordering::SeqCst));
                if !queued.is_empty() {
                    let entries: Vec<NewEntry> = queued
                        .iter()
                        .map(|(c, a)| NewEntry {
                            actor_user: a.user.clone(),
                            actor_token: a.token.clone(),
                            time: now,
                            change: serde_json::to_string(c).unwrap_or_default(),
                        })
                        .collect();
                    match log.append(&entries) {
                        Ok(revs) => {
                            let last = revs.last().copied().unwrap_or(0);
                            revision.store(last, Ordering::SeqCst);
                            healthy.store(true, Ordering::SeqCst);
                            outcome = Ok(last);
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "commit failed; rebuilding state from the log");
                            healthy.store(false, Ordering::SeqCst);
                            dirty = true;
                            outcome = Err(Error::ServiceUnavailable);
                        }
                    }
                }
                if dirty {
                    match rebuild(log.as_mut()) {
                        Ok((fresh, head)) => {
                            *guard = fresh;
                            revision.store(head, Ordering::SeqCst);
                        }
                        Err(e) => {
                            tracing::error!(error = %e, "cannot rebuild state from the log; refusing writes");
                            healthy.store(false, Ordering::SeqCst);
                        }
                    }
                }
                drop(guard);
                for (reply, _) in replies {
                    reply(outcome.clone());
                }
            }
        });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the writer thread");
        }
        Writer { tx }
    }

    /// Runs `f` against the latest state on the writer; answers once its changes are durable.
    pub async fn write<R, F>(&self, actor: Actor, f: F) -> Result<(R, Revision), Error>
    where
        R: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<R, Error> + Send + 'static,
    {
        let (send, recv) = tokio::sync::oneshot::channel::<Result<(R, Revision), Error>>();
        let job: Job = Box::new(move |tx| match f(tx) {
            Ok(r) => (
                Box::new(move |outcome: Result<Revision, Error>| {
                    let _ = send.send(outcome.map(|rev| (r, rev)));
                }),
                true,
            ),
            Err(e) => (
                Box::new(move |_| {
                    let _ = send.send(Err(e));
                }),
                false,
            ),
        });
        self.tx.send(Request { actor, job }).map_err(|_| Error::ServiceUnavailable)?;
        recv.await.map_err(|_| Error::ServiceUnavailable)?
    }
}
