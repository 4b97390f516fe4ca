//! The running service's shared handles: the in-memory state readers use, the writer, and the
//! verified-credentials cache.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::Arc;

use parking_lot::{Mutex, RwLock, RwLockReadGuard};
use privzone_model::{Error, State};
use privzone_store::Revision;

use crate::auth::LoginCache;
use crate::writer::{Actor, Tx, Writer};

#[derive(Clone)]
pub struct App {
    inner: Arc<Inner>,
}

struct Inner {
    state: Arc<RwLock<State>>,
    writer: Writer,
    revision: Arc<AtomicU64>,
    healthy: Arc<AtomicBool>,
    logins: Mutex<LoginCache>,
    tls: bool,
}

impl App {
    pub fn new(
        state: Arc<RwLock<State>>,
        writer: Writer,
        revision: Arc<AtomicU64>,
        healthy: Arc<AtomicBool>,
        tls: bool,
    ) -> Self {
        App { inner: Arc::new(Inner { state, writer, revision, healthy, logins: Mutex::new(LoginCache::new()), tls }) }
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

    pub fn revision(&self) -> Revision {
        self.inner.revision.load(Ordering::SeqCst)
    }

    pub fn healthy(&self) -> bool {
        self.inner.healthy.load(Ordering::SeqCst)
    }

    pub fn tls(&self) -> bool {
        self.inner.tls
    }

    pub(crate) fn logins(&self) -> &Mutex<LoginCache> {
        &self.inner.logins
    }
}
