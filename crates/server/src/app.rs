//! The running service's shared handles: the in-memory state readers use, the writer, and the
//! verified-credentials cache, the login backoff and the allowed origins.

use std::sync::atomic::Ordering;
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard};
use privzone_model::command::{Answer, Plan};
use privzone_model::{Error, State};
use privzone_store::Revision;

use crate::auth::LoginCache;
use crate::metrics::Metrics;
use crate::origin::AllowedOrigins;
use crate::throttle::LoginThrottle;
use crate::writer::{Actor, Published, Tx, WriteIntent, Writer};

#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    state: Arc<RwLock<State>>,
    writer: Writer,
    published: Arc<Published>,
    metrics: Arc<Metrics>,
    logins: Mutex<LoginCache>,
    throttle: LoginThrottle,
    origins: AllowedOrigins,
    tls: bool,
}

impl App {
    pub fn new(
        state: Arc<RwLock<State>>,
        writer: Writer,
        published: Arc<Published>,
        metrics: Arc<Metrics>,
        tls: bool,
        origins: AllowedOrigins,
    ) -> Self {
        App {
            inner: Arc::new(Inner {
                state,
                writer,
                published,
                metrics,
                logins: Mutex::new(LoginCache::new()),
                throttle: LoginThrottle::default(),
                origins,
                tls,
            }),
        }
    }

    /// A consistent view of the committed state. Never hold it across an await.
    pub fn read(&self) -> RwLockReadGuard<'_, State> {
        self.inner.state.read()
    }

    pub async fn write<R, F>(&self, actor: Actor, f: F) -> Result<(R, Revision), Error>
    where
        R: Send + 'static,
        F: FnOnce(&mut Tx<'_>) -> Result<R, Error> + Send + 'static,
    {
        self.inner.writer.write(actor, f).await
    }

    /// Decides a command on the writer thread, against the state it will apply to, and applies
    /// the resulting [`Plan`] as a whole: `decide` sees the state only, never the transaction, so
    /// nothing reaches the log without the plan's authorization proof.
    pub async fn write_plan<F>(&self, actor: Actor, decide: F) -> Result<(Answer, Revision), Error>
    where
        F: FnOnce(&State) -> Result<Plan, Error> + Send + 'static,
    {
        self.write(actor, move |tx| {
            let plan = decide(tx.state())?;
            tx.apply_plan(plan)
        })
        .await
    }

    /// Counts a write request as in flight (for group commit) until the value is dropped.
    pub fn write_intent(&self) -> WriteIntent {
        self.inner.writer.intent()
    }

    /// The revision the in-memory state reflects.
    pub fn revision(&self) -> Revision {
        self.inner.published.revision.load(Ordering::SeqCst)
    }

    /// Whether memory may differ from the log (a failed commit could not be rolled back by
    /// reading the log again yet); nothing is served from it meanwhile.
    pub fn stale(&self) -> bool {
        self.inner.published.stale.load(Ordering::SeqCst)
    }

    pub fn healthy(&self) -> bool {
        self.inner.published.healthy.load(Ordering::SeqCst)
    }

    /// Read-your-writes across nodes: waits until this node has applied `revision`, asking the
    /// writer to catch up with the shared log meanwhile. `false` when `timeout` passed first.
    pub async fn wait_for_revision(
        &self,
        revision: Revision,
        timeout: std::time::Duration,
    ) -> bool {
        let deadline = tokio::time::Instant::now() + timeout;
        loop {
            let moved = self.inner.published.moved.notified();
            if self.revision() >= revision {
                return true;
            }
            self.inner.writer.catch_up();
            let step = tokio::time::Instant::now() + std::time::Duration::from_millis(50);
            if tokio::time::timeout_at(step.min(deadline), moved)
                .await
                .is_err()
                && tokio::time::Instant::now() >= deadline
            {
                return self.revision() >= revision;
            }
        }
    }

    /// Asks the writer to apply what other nodes appended.
    pub fn catch_up(&self) {
        self.inner.writer.catch_up();
    }

    pub fn metrics(&self) -> &Metrics {
        &self.inner.metrics
    }

    pub fn tls(&self) -> bool {
        self.inner.tls
    }

    pub(crate) fn logins(&self) -> &Mutex<LoginCache> {
        &self.inner.logins
    }

    pub(crate) fn throttle(&self) -> &LoginThrottle {
        &self.inner.throttle
    }

    /// Origins besides the server's own whose pages may send writes.
    pub fn origins(&self) -> &AllowedOrigins {
        &self.inner.origins
    }
}
