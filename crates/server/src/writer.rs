//! The single writer: every change goes through here, in order.
//!
//! Enforces: a write job runs against the latest state under the write lock; the changes of all
//! jobs gathered in one round are appended to the log in one durable commit (group commit), and
//! only then are the jobs answered. Readers never see a change that is not on disk: the write lock
//! is held until the commit returns. If the commit fails, the state is rebuilt from the log so
//! memory never runs ahead of the disk.
//!
//! A job applies as a whole or not at all: when a job fails after applying part of its changes,
//! memory is restored at once to the log plus the changes of the round's earlier jobs, so the
//! later jobs of the same round decide on a state that holds nothing of the failed one. The
//! common path pays nothing for this (no copy, no journal); a failing job costs one replay of the
//! log, which only a bug (a change the job's own checks should have refused) can cause.

use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::mpsc;
use std::sync::Arc;

use parking_lot::RwLock;
use privzone_model::command::{self, Plan};
use privzone_model::{Change, Error, State};
use privzone_store::{ChangeLog, Entry, NewEntry, Revision, StoreError};

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

    /// Applies a decided plan's changes in order: the writer applies it as a whole (a job that
    /// fails half-way is rolled back). A [`Plan`] exists only with its authorization proof, so
    /// this path cannot apply a change nobody authorized.
    pub fn apply_plan(&mut self, plan: Plan) -> Result<command::Answer, Error> {
        let (changes, answer) = plan.into_parts();
        for change in changes {
            self.apply(change)?;
        }
        Ok(answer)
    }

    /// Applies a change now (later steps of the same write see it) and queues it for the commit.
    /// Handlers not yet converted to commands still use it; converted ones go through
    /// [`Tx::apply_plan`].
    pub fn apply(&mut self, change: Change) -> Result<(), Error> {
        self.state
            .apply(&change)
            .map_err(|e| Error::Internal(e.to_string()))?;
        self.changes.push((change, self.actor.clone()));
        Ok(())
    }
}

type Reply = Box<dyn FnOnce(Result<Revision, Error>) + Send>;
type Job = Box<dyn FnOnce(&mut Tx<'_>) -> (Reply, bool) + Send>;

enum Request {
    Write {
        actor: Actor,
        job: Job,
    },
    /// Apply what other nodes appended (sent by the follower and by read-your-writes waits).
    CatchUp,
}

/// What the writer publishes to readers: the applied revision and whether the store answers.
#[derive(Default)]
pub struct Published {
    pub revision: AtomicU64,
    pub healthy: AtomicBool,
    /// Memory may differ from the log (a commit failed after its changes were applied, and the
    /// log could not be read back yet): nothing may be served from it until a rebuild succeeds.
    pub stale: AtomicBool,
    /// Woken whenever `revision` moves.
    pub moved: tokio::sync::Notify,
}

impl Published {
    pub fn new(revision: Revision) -> Arc<Self> {
        Arc::new(Published {
            revision: AtomicU64::new(revision),
            healthy: AtomicBool::new(true),
            stale: AtomicBool::new(false),
            moved: tokio::sync::Notify::new(),
        })
    }

    fn advance(&self, revision: Revision) {
        self.revision.store(revision, Ordering::SeqCst);
        self.moved.notify_waiters();
    }
}

#[derive(Clone)]
pub struct Writer {
    tx: mpsc::Sender<Request>,
    demand: Arc<AtomicUsize>,
}

/// A write request the HTTP layer is handling, from its arrival until it is answered. The writer
/// counts these to tell whether more jobs are about to come (group commit is worth waiting for)
/// without guessing from the size of its last batch.
pub struct WriteIntent(Arc<AtomicUsize>);

impl Drop for WriteIntent {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::Relaxed);
    }
}

/// Most jobs one commit gathers.
const MAX_BATCH: usize = 1024;
/// Group commit under concurrent writes: how long the writer waits for more jobs at a time, and
/// at most in total, before it commits.
const GATHER_STEP: std::time::Duration = std::time::Duration::from_micros(200);
const MAX_GATHER: std::time::Duration = std::time::Duration::from_millis(1);
/// How often a stale state retries reading the log back.
const STALE_RETRY: std::time::Duration = std::time::Duration::from_millis(500);

pub fn now_unix() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or(0)
}

/// Entries decoded per page while rebuilding; the reader keeps at most a few pages ahead.
const REBUILD_PAGE: usize = 10_000;
const REBUILD_PAGES_AHEAD: usize = 4;

/// Replays the whole log into a fresh state.
///
/// Start-up cost is reading + decoding + applying every change; reading and decoding run on a
/// second thread while this one applies, so a large log replays at the speed of the slower half
/// rather than of their sum.
pub fn rebuild(log: &mut dyn ChangeLog) -> Result<(State, Revision), StoreError> {
    let (pages, decoded) =
        mpsc::sync_channel::<Result<Vec<(Revision, Change)>, StoreError>>(REBUILD_PAGES_AHEAD);
    let mut state = State::new();
    let head = std::thread::scope(|scope| {
        scope.spawn(move || {
            let mut after = 0;
            loop {
                let page = log
                    .read_after(after, REBUILD_PAGE)
                    .and_then(|entries| decode(after, entries));
                let done = match &page {
                    Ok(p) => p.is_empty(),
                    Err(_) => true,
                };
                if let Ok(Some((last, _))) = page.as_ref().map(|p| p.last()) {
                    after = *last;
                }
                // A closed channel means the applying side failed and stopped listening.
                if pages.send(page).is_err() || done {
                    return;
                }
            }
        });
        let mut head = 0;
        for page in decoded {
            head = apply_decoded(&mut state, head, page?)?;
        }
        Ok::<_, StoreError>(head)
    })?;
    Ok((state, head))
}

/// Decodes the entries after `after`, in order (older revisions are skipped).
fn decode(after: Revision, entries: Vec<Entry>) -> Result<Vec<(Revision, Change)>, StoreError> {
    entries
        .into_iter()
        .filter(|e| e.revision > after)
        .map(|e| {
            serde_json::from_str(&e.change)
                .map(|change| (e.revision, change))
                .map_err(|err| {
                    StoreError::Corrupt(format!(
                        "revision {}: unreadable change: {err}",
                        e.revision
                    ))
                })
        })
        .collect()
}

/// Applies entries after `head` to `state`; returns the new head.
fn apply_entries(
    state: &mut State,
    head: Revision,
    entries: Vec<Entry>,
) -> Result<Revision, StoreError> {
    apply_decoded(state, head, decode(head, entries)?)
}

/// Applies decoded changes in order; returns the revision of the last one (`head` if none).
fn apply_decoded(
    state: &mut State,
    mut head: Revision,
    page: Vec<(Revision, Change)>,
) -> Result<Revision, StoreError> {
    for (revision, change) in page {
        state
            .apply(&change)
            .map_err(|err| StoreError::Corrupt(format!("revision {revision}: {err}")))?;
        head = revision;
    }
    Ok(head)
}

/// The writer thread's loop state.
struct Rounds {
    metrics: Arc<crate::metrics::Metrics>,
    log: Box<dyn ChangeLog>,
    state: Arc<RwLock<State>>,
    published: Arc<Published>,
}

impl Rounds {
    fn head(&self) -> Revision {
        self.published.revision.load(Ordering::SeqCst)
    }

    /// Replaces memory with a replay of the log, after a failure left them apart.
    fn rebuild(&mut self, state: &mut State) {
        match rebuild(self.log.as_mut()) {
            Ok((fresh, head)) => {
                *state = fresh;
                self.published.advance(head);
                self.published.stale.store(false, Ordering::SeqCst);
                self.published.healthy.store(true, Ordering::SeqCst);
            }
            Err(e) => {
                tracing::error!(
                    error = %e,
                    "cannot rebuild state from the log; refusing requests until it can"
                );
                self.published.stale.store(true, Ordering::SeqCst);
                self.published.healthy.store(false, Ordering::SeqCst);
            }
        }
    }

    /// Undoes a job that failed after applying part of its changes: memory becomes the log
    /// (which holds nothing of this round yet) plus `queued`, the changes of the round's earlier
    /// jobs. `false` (and a stale state) when the log cannot be read back.
    fn roll_back(&mut self, state: &mut State, queued: &[(Change, Actor)]) -> bool {
        let restored = rebuild(self.log.as_mut()).and_then(|(mut fresh, head)| {
            for (change, _) in queued {
                fresh.apply(change).map_err(|e| {
                    StoreError::Corrupt(format!("a change of this round does not reapply: {e}"))
                })?;
            }
            Ok((fresh, head))
        });
        match restored {
            Ok((fresh, head)) if head == self.head() => {
                *state = fresh;
                true
            }
            Ok((_, head)) => {
                tracing::error!(
                    head,
                    expected = self.head(),
                    "the log moved during a write round; refusing requests until memory is rebuilt"
                );
                self.published.stale.store(true, Ordering::SeqCst);
                false
            }
            Err(e) => {
                tracing::error!(
                    error = %e,
                    "cannot undo a failed write job; refusing requests until memory is rebuilt"
                );
                self.published.stale.store(true, Ordering::SeqCst);
                self.published.healthy.store(false, Ordering::SeqCst);
                false
            }
        }
    }

    fn stale(&self) -> bool {
        self.published.stale.load(Ordering::SeqCst)
    }

    /// Retries the rebuild of a stale state (the writer calls this while idle).
    fn recover(&mut self) {
        if self.stale() {
            let shared = self.state.clone();
            let mut guard = shared.write();
            self.rebuild(&mut guard);
        }
    }

    /// Applies entries other nodes appended (no table lock: the log is append-only).
    fn follow(&mut self) {
        if self.stale() {
            // The log's tail cannot go on top of memory that differs from the log.
            self.recover();
            return;
        }
        let head = self.head();
        match self.log.read_after(head, 10_000) {
            Ok(entries) if entries.is_empty() => {
                self.published.healthy.store(true, Ordering::SeqCst);
            }
            Ok(entries) => {
                let shared = self.state.clone();
                let mut guard = shared.write();
                match apply_entries(&mut guard, head, entries) {
                    Ok(new_head) => {
                        self.published.advance(new_head);
                        self.published.healthy.store(true, Ordering::SeqCst);
                    }
                    Err(e) => {
                        tracing::error!(error = %e, "cannot apply the log; rebuilding");
                        self.rebuild(&mut guard);
                    }
                }
            }
            Err(e) => {
                tracing::warn!(error = %e, "cannot read the log");
                self.published.healthy.store(false, Ordering::SeqCst);
            }
        }
    }

    fn write(&mut self, batch: Vec<(Actor, Job)>) {
        self.recover();
        if self.stale() {
            // Dropping a job drops its reply channel: the request answers 503.
            drop(batch);
            return;
        }
        // Serialize with other nodes (database I/O, so before readers are locked out; only this
        // thread changes the state, so `head` cannot move meanwhile), then apply what they
        // appended, so jobs see the latest state.
        let head = self.head();
        let others = match self.log.begin_round(head) {
            Ok(entries) => entries,
            Err(e) => {
                tracing::error!(error = %e, "cannot start a write round");
                self.published.healthy.store(false, Ordering::SeqCst);
                // Dropping a job drops its reply channel: the request answers 503.
                drop(batch);
                return;
            }
        };
        let shared = self.state.clone();
        let mut guard = shared.write();
        if !others.is_empty() {
            match apply_entries(&mut guard, head, others) {
                Ok(new_head) => self.published.advance(new_head),
                Err(e) => {
                    tracing::error!(error = %e, "cannot apply other nodes' changes; rebuilding");
                    self.log.end_round();
                    self.rebuild(&mut guard);
                    return;
                }
            }
        }
        let now = now_unix();
        // Each reply with how many changes were queued up to and including its job.
        let mut replies: Vec<(Reply, usize)> = Vec::with_capacity(batch.len());
        let mut queued: Vec<(Change, Actor)> = Vec::new();
        let mut dirty = false;
        let mut jobs = batch.into_iter();
        while let Some((actor, job)) = jobs.next() {
            let mut tx = Tx {
                state: &mut guard,
                changes: Vec::new(),
                actor,
                now,
            };
            let (reply, ok) = job(&mut tx);
            let partial = !ok && !tx.changes.is_empty();
            if ok {
                queued.append(&mut tx.changes);
            }
            replies.push((reply, queued.len()));
            if partial && !self.roll_back(&mut guard, &queued) {
                // Memory holds the failed job's changes and cannot be restored: nothing of this
                // round may be committed or served. Dropped jobs answer 503.
                self.log.end_round();
                drop(jobs);
                drop(guard);
                for (reply, _) in replies {
                    reply(Err(Error::ServiceUnavailable));
                }
                return;
            }
        }
        let before = self.head();
        let mut outcome: Result<Vec<Revision>, Error> = Ok(Vec::new());
        if queued.is_empty() {
            self.log.end_round();
        } else {
            let entries: Result<Vec<NewEntry>, serde_json::Error> = queued
                .iter()
                .map(|(c, a)| {
                    Ok(NewEntry {
                        actor_user: a.user.clone(),
                        actor_token: a.token.clone(),
                        time: now,
                        change: serde_json::to_string(c)?,
                    })
                })
                .collect();
            let started = std::time::Instant::now();
            let appended = match entries {
                Ok(entries) => self.log.append(&entries),
                Err(e) => {
                    self.log.end_round();
                    Err(StoreError::Unavailable(format!(
                        "cannot encode a change: {e}"
                    )))
                }
            };
            match appended {
                Ok(revs) => {
                    self.metrics.commit(revs.len(), started.elapsed());
                    let last = revs.last().copied().unwrap_or(0);
                    self.published.advance(last);
                    self.published.healthy.store(true, Ordering::SeqCst);
                    outcome = Ok(revs);
                }
                Err(e) => {
                    self.metrics.commit_failed();
                    tracing::error!(error = %e, "commit failed; rebuilding state from the log");
                    self.published.healthy.store(false, Ordering::SeqCst);
                    dirty = true;
                    outcome = Err(Error::ServiceUnavailable);
                }
            }
        }
        if dirty {
            self.rebuild(&mut guard);
        }
        drop(guard);
        // A job answers with the revision of its own last change (or the head it read).
        for (reply, upto) in replies {
            reply(match &outcome {
                Ok(revs) => Ok(upto
                    .checked_sub(1)
                    .and_then(|i| revs.get(i))
                    .copied()
                    .unwrap_or(before)),
                Err(e) => Err(e.clone()),
            });
        }
    }
}

/// Where a job's caller waits for its result and revision.
type Answer<R> = tokio::sync::oneshot::Receiver<Result<(R, Revision), Error>>;

/// Wraps `f` as a job of a round; the receiver gets its result once the round has committed.
fn job<R, F>(f: F) -> (Job, Answer<R>)
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
    (job, recv)
}

impl Writer {
    /// Starts the writer thread over `log`, sharing `state` with readers.
    pub fn start(
        log: Box<dyn ChangeLog>,
        state: Arc<RwLock<State>>,
        published: Arc<Published>,
        metrics: Arc<crate::metrics::Metrics>,
    ) -> Writer {
        let (tx, rx) = mpsc::channel::<Request>();
        let demand = Arc::new(AtomicUsize::new(0));
        let mut rounds = Rounds {
            metrics,
            log,
            state,
            published,
        };
        let waiting = demand.clone();
        let spawned = std::thread::Builder::new()
            .name("privzone-writer".into())
            .spawn(move || {
                loop {
                    // While memory is stale, wake up now and then to read the log back.
                    let first = if rounds.stale() {
                        match rx.recv_timeout(STALE_RETRY) {
                            Ok(r) => r,
                            Err(mpsc::RecvTimeoutError::Timeout) => {
                                rounds.recover();
                                continue;
                            }
                            Err(mpsc::RecvTimeoutError::Disconnected) => break,
                        }
                    } else {
                        match rx.recv() {
                            Ok(r) => r,
                            Err(_) => break,
                        }
                    };
                    let mut follow = false;
                    let mut batch: Vec<(Actor, Job)> = Vec::new();
                    let mut next = Some(first);
                    let gather_until = std::time::Instant::now() + MAX_GATHER;
                    loop {
                        while let Some(r) = next.take() {
                            match r {
                                Request::Write { actor, job } => batch.push((actor, job)),
                                Request::CatchUp => follow = true,
                            }
                            if batch.len() < MAX_BATCH {
                                next = rx.try_recv().ok();
                            }
                        }
                        // Group commit: while more write requests are in flight than gathered,
                        // let the request threads (which may share this core and wait on the
                        // state lock during a commit) queue them, so one fsync covers them all.
                        // A lone writer never waits.
                        if batch.is_empty()
                            || batch.len() >= MAX_BATCH
                            || waiting.load(Ordering::Relaxed) <= batch.len()
                            || std::time::Instant::now() >= gather_until
                        {
                            break;
                        }
                        std::thread::sleep(GATHER_STEP);
                        next = rx.try_recv().ok();
                        if next.is_none() {
                            break; // nothing came during the pause: commit what there is
                        }
                    }
                    if !batch.is_empty() {
                        rounds.write(batch);
                    } else if follow {
                        rounds.follow();
                    }
                }
            });
        if let Err(e) = spawned {
            tracing::error!(error = %e, "cannot start the writer thread");
        }
        Writer { tx, demand }
    }

    /// Marks a write request as in flight until the returned value is dropped.
    pub fn intent(&self) -> WriteIntent {
        self.demand.fetch_add(1, Ordering::Relaxed);
        WriteIntent(self.demand.clone())
    }

    /// Asks the writer to apply what other nodes appended.
    pub fn catch_up(&self) -> bool {
        self.tx.send(Request::CatchUp).is_ok()
    }

    /// Runs `f` against the latest state on the writer; answers once its changes are durable.
    pub async fn write<R, F>(&self, actor: Actor, f: F) -> Result<(R, Revision), Error>
    where
        R: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<R, Error> + Send + 'static,
    {
        let (job, recv) = job(f);
        self.tx
            .send(Request::Write { actor, job })
            .map_err(|_| Error::ServiceUnavailable)?;
        recv.await.map_err(|_| Error::ServiceUnavailable)?
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use privzone_model::Member;
    use privzone_store::SqliteLog;

    fn entry(change: String) -> NewEntry {
        NewEntry {
            actor_user: None,
            actor_token: None,
            time: 0,
            change,
        }
    }

    fn create_user(i: usize) -> NewEntry {
        let change = Change::CreateUser {
            user: format!("u{i}"),
            username: Some(format!("user{i}")),
            full_name: String::new(),
            time: 0,
        };
        entry(serde_json::to_string(&change).expect("a change encodes"))
    }

    #[test]
    fn rebuild_replays_every_page_in_order() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut log = SqliteLog::open(dir.path()).expect("open");
        let n = REBUILD_PAGE * 2 + 17;
        let entries: Vec<NewEntry> = (0..n).map(create_user).collect();
        log.append(&entries).expect("append");
        let (state, head) = rebuild(&mut log).expect("rebuild");
        assert_eq!(head, n as Revision);
        for i in [0, REBUILD_PAGE - 1, REBUILD_PAGE, 2 * REBUILD_PAGE, n - 1] {
            assert!(
                state
                    .resolve_member(&Member::User(format!("u{i}")))
                    .is_some(),
                "user {i} was not replayed"
            );
        }
    }

    #[test]
    fn rebuild_stops_at_the_first_unreadable_change() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut log = SqliteLog::open(dir.path()).expect("open");
        let mut entries: Vec<NewEntry> = (0..5).map(create_user).collect();
        entries.push(entry("{\"change\":\"no_such_change\"}".into()));
        entries.extend((5..REBUILD_PAGE + 5).map(create_user));
        log.append(&entries).expect("append");
        match rebuild(&mut log) {
            Err(StoreError::Corrupt(m)) => assert!(m.starts_with("revision 6:"), "{m}"),
            Err(e) => panic!("wrong error: {e}"),
            Ok((_, head)) => panic!("a corrupt log replayed to revision {head}"),
        }
    }

    /// A log that fails every call while `down` is set, as a database behind a cut link does.
    struct FlakyLog {
        inner: SqliteLog,
        down: Arc<AtomicBool>,
    }

    impl FlakyLog {
        fn check(&self) -> Result<(), StoreError> {
            if self.down.load(Ordering::SeqCst) {
                Err(StoreError::Unavailable("link cut".into()))
            } else {
                Ok(())
            }
        }
    }

    impl ChangeLog for FlakyLog {
        fn append(&mut self, entries: &[NewEntry]) -> Result<Vec<Revision>, StoreError> {
            self.check()?;
            self.inner.append(entries)
        }
        fn read_after(&mut self, after: Revision, limit: usize) -> Result<Vec<Entry>, StoreError> {
            self.check()?;
            self.inner.read_after(after, limit)
        }
        fn head(&mut self) -> Result<Revision, StoreError> {
            self.check()?;
            self.inner.head()
        }
        fn save_snapshot(&mut self, revision: Revision, blob: &[u8]) -> Result<(), StoreError> {
            self.inner.save_snapshot(revision, blob)
        }
        fn latest_snapshot(&mut self) -> Result<Option<(Revision, Vec<u8>)>, StoreError> {
            self.inner.latest_snapshot()
        }
    }

    fn add_user(id: &'static str) -> impl FnOnce(&mut Tx<'_>) -> Result<(), Error> + Send {
        move |tx| {
            tx.apply(Change::CreateUser {
                user: id.into(),
                username: Some(id.into()),
                full_name: String::new(),
                time: 0,
            })
        }
    }

    /// Everything a replay must reproduce that these tests touch, by ids.
    fn summary(state: &State) -> Vec<String> {
        let mut out: Vec<String> = state
            .users
            .iter()
            .map(|(_, u)| format!("user {} {:?}", u.id, u.username))
            .collect();
        for (_, g) in state.groups.iter() {
            let mut users: Vec<&str> = g.users.keys().map(|u| state.users.id_of(*u)).collect();
            users.sort_unstable();
            out.push(format!("group {} {users:?}", g.id));
        }
        out.sort();
        out
    }

    fn create_group(id: &str) -> Change {
        Change::CreateGroup {
            group: id.into(),
            name: id.into(),
            group_type: privzone_model::change::GroupType::Team,
            creator: None,
            time: 0,
            protected: false,
        }
    }

    /// One round of four jobs; the second applies two changes and then fails. The jobs after it
    /// must decide on a state without its changes, and what reaches the log must replay to
    /// exactly what memory holds.
    #[test]
    fn a_job_that_fails_half_way_leaves_nothing_for_the_later_jobs_of_its_round() {
        let dir = tempfile::tempdir().expect("temp dir");
        let state = Arc::new(RwLock::new(State::new()));
        let published = Published::new(0);
        let mut rounds = Rounds {
            metrics: Arc::new(crate::metrics::Metrics::default()),
            log: Box::new(SqliteLog::open(dir.path()).expect("open")),
            state: state.clone(),
            published: published.clone(),
        };
        let (a, mut a_done) = job(add_user("a"));
        let (failing, mut failing_done) = job(|tx: &mut Tx<'_>| -> Result<(), Error> {
            add_user("b")(tx)?;
            tx.apply(create_group("team"))?;
            Err(Error::Internal("injected after two changes".into()))
        });
        // Decides on what it sees: `b` and `team` must not be there.
        let (deciding, mut deciding_done) = job(|tx: &mut Tx<'_>| {
            let saw_b = tx.state().users.find("b").is_some();
            let saw_team = tx.state().groups.find("team").is_some();
            add_user(if saw_b || saw_team {
                "saw-failed"
            } else {
                "saw-clean"
            })(tx)?;
            // Both would be refused as existing if the failed job's changes were still applied.
            add_user("b")(tx)?;
            tx.apply(create_group("team"))?;
            tx.apply(Change::AddMember {
                target: privzone_model::Target::Group("team".into()),
                member: Member::User("b".into()),
                privileges: privzone_model::Privileges::Group(
                    privzone_model::catalog::GroupPrivileges::preset("member"),
                ),
            })
        });
        let (d, mut d_done) = job(add_user("d"));
        rounds.write(vec![
            (Actor::default(), a),
            (Actor::default(), failing),
            (Actor::default(), deciding),
            (Actor::default(), d),
        ]);

        assert_eq!(a_done.try_recv().expect("answered").map(|r| r.1), Ok(1));
        assert_eq!(
            failing_done.try_recv().expect("answered").err(),
            Some(Error::Internal("injected after two changes".into()))
        );
        assert_eq!(
            deciding_done.try_recv().expect("answered").map(|r| r.1),
            Ok(5),
            "the deciding job's four changes follow `a`'s"
        );
        assert_eq!(d_done.try_recv().expect("answered").map(|r| r.1), Ok(6));
        assert!(!published.stale.load(Ordering::SeqCst));
        assert_eq!(published.revision.load(Ordering::SeqCst), 6);

        let memory = summary(&state.read());
        assert_eq!(
            memory,
            vec![
                "group team [\"b\"]",
                "user a Some(\"a\")",
                "user b Some(\"b\")",
                "user d Some(\"d\")",
                "user saw-clean Some(\"saw-clean\")",
            ]
        );
        let (replayed, head) = rebuild(rounds.log.as_mut()).expect("replay");
        assert_eq!(head, 6);
        assert_eq!(summary(&replayed), memory, "the log replays to memory");
        assert_eq!(state.read().check_invariants(), Vec::<String>::new());
    }

    #[tokio::test]
    async fn a_failed_commit_is_never_served_and_memory_returns_to_the_log() {
        let dir = tempfile::tempdir().expect("temp dir");
        let down = Arc::new(AtomicBool::new(false));
        let log = FlakyLog {
            inner: SqliteLog::open(dir.path()).expect("open"),
            down: down.clone(),
        };
        let state = Arc::new(RwLock::new(State::new()));
        let published = Published::new(0);
        let metrics = Arc::new(crate::metrics::Metrics::default());
        let writer = Writer::start(Box::new(log), state.clone(), published.clone(), metrics);
        let has = |id: &str| {
            state
                .read()
                .resolve_member(&Member::User(id.into()))
                .is_some()
        };

        writer
            .write(Actor::default(), add_user("kept"))
            .await
            .expect("committed");
        // The link is cut between the job's apply and its commit: 503, and memory (which holds
        // the uncommitted user) is marked stale, since the log cannot be read back yet.
        down.store(true, Ordering::SeqCst);
        let lost = writer.write(Actor::default(), add_user("phantom")).await;
        assert_eq!(lost.err(), Some(Error::ServiceUnavailable));
        assert!(
            published.stale.load(Ordering::SeqCst),
            "memory differs from the log"
        );
        assert!(!published.healthy.load(Ordering::SeqCst));
        // Writes keep failing while the log is away.
        let refused = writer.write(Actor::default(), add_user("refused")).await;
        assert_eq!(refused.err(), Some(Error::ServiceUnavailable));

        // The link comes back: the writer reads the log back by itself.
        down.store(false, Ordering::SeqCst);
        let deadline = std::time::Instant::now() + std::time::Duration::from_secs(10);
        while published.stale.load(Ordering::SeqCst) {
            assert!(std::time::Instant::now() < deadline, "never recovered");
            tokio::time::sleep(std::time::Duration::from_millis(20)).await;
        }
        assert!(has("kept"));
        assert!(
            !has("phantom"),
            "an unacknowledged change survived in memory"
        );
        assert!(!has("refused"));
        writer
            .write(Actor::default(), add_user("later"))
            .await
            .expect("committed");
        assert!(has("later"));
    }
}
