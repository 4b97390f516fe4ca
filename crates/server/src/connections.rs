//! What one client may hold of the server: connections, and time on them.
//!
//! Enforces, for every connection, plain or TLS:
//! - at most `max_connections` open at once, and at most `max_connections_per_client` from one
//!   peer address; a connection over either is answered at once (503 for a full table, 429 over
//!   the client's share, both with `Connection: close`) instead of being left to wait;
//! - a new connection must finish its TLS handshake and its first request head within
//!   `header_timeout`, a kept-alive one that starts a request must finish its head within it too;
//! - a kept-alive connection may sit idle between requests at most `idle_timeout`;
//! - a request, from its head to the last byte of its response, takes at most `request_timeout`
//!   (the body must be in by then: 408; a write already handed to the writer still commits);
//! - a response after which the connection cannot carry another request (its body was not read
//!   to the end) says `Connection: close`.

use std::collections::HashMap;
use std::convert::Infallible;
use std::net::{IpAddr, SocketAddr};
use std::pin::Pin;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use axum::body::{Body, Bytes};
use axum::http::{header, HeaderValue, Request, Response};
use http_body::{Frame, SizeHint};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use parking_lot::Mutex;
use privzone_model::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt, ReadBuf};
use tokio::net::{TcpListener, TcpStream};
use tokio::time::Instant;
use tokio_rustls::TlsAcceptor;

use crate::app::App;

/// The limits of the connection table and its timeouts (flags of `privzone serve`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// `None`: 1,024, or fewer when the open-file limit would not allow them.
    pub max_connections: Option<usize>,
    /// `None`: 128, or half the table when that is smaller.
    pub max_connections_per_client: Option<usize>,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_connections: None,
            max_connections_per_client: None,
            header_timeout: Duration::from_secs(10),
            idle_timeout: Duration::from_secs(60),
            request_timeout: Duration::from_secs(30),
        }
    }
}

/// Descriptors kept free for the store, logs and the listener itself.
const RESERVED_DESCRIPTORS: u64 = 64;
const DEFAULT_MAX_CONNECTIONS: usize = 1024;
const DEFAULT_PER_CLIENT: usize = 128;

/// [`Limits`] with every default decided.
#[derive(Debug, Clone, Copy)]
pub struct Resolved {
    pub max_connections: usize,
    pub max_connections_per_client: usize,
    pub header_timeout: Duration,
    pub idle_timeout: Duration,
    pub request_timeout: Duration,
}

impl Limits {
    /// Decides the defaults. Raises the soft open-file limit to the hard one first (as most
    /// servers do), so that the default table fits in what the process may open.
    pub fn resolve(self) -> Resolved {
        let descriptors = open_file_limit();
        let fits = descriptors.map(|n| n.saturating_sub(RESERVED_DESCRIPTORS).max(1) as usize);
        let max_connections = match (self.max_connections, fits) {
            (Some(n), Some(fits)) if n > fits => {
                tracing::warn!(
                    max_connections = n,
                    open_file_limit = descriptors,
                    "--max-connections is above what the open-file limit allows; \
                     connections past it wait in the kernel's backlog"
                );
                n
            }
            (Some(n), _) => n.max(1),
            (None, Some(fits)) => DEFAULT_MAX_CONNECTIONS.min(fits),
            (None, None) => DEFAULT_MAX_CONNECTIONS,
        };
        let max_connections_per_client = self
            .max_connections_per_client
            .unwrap_or(DEFAULT_PER_CLIENT.min(max_connections / 2))
            .clamp(1, max_connections);
        Resolved {
            max_connections,
            max_connections_per_client,
            header_timeout: self.header_timeout,
            idle_timeout: self.idle_timeout,
            request_timeout: self.request_timeout,
        }
    }
}

fn open_file_limit() -> Option<u64> {
    use rlimit::Resource;
    let (soft, hard) = Resource::NOFILE.get().ok()?;
    let wanted = hard.min(1 << 20);
    if soft < wanted {
        if let Ok(raised) = rlimit::increase_nofile_limit(wanted) {
            return Some(raised);
        }
    }
    Some(soft)
}

/// When the request must be complete; the JSON body extractor answers 408 past it.
#[derive(Debug, Clone, Copy)]
pub struct RequestDeadline(pub Instant);

/// The peer address of the connection a request came on.
#[derive(Debug, Clone, Copy)]
pub struct ClientAddr(pub IpAddr);

/// Open connections, in all and per peer address.
struct Table {
    limits: Resolved,
    open: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// Why a connection was not admitted.
#[derive(Debug, Clone, Copy)]
enum Refusal {
    Full,
    ClientShare,
}

impl Refusal {
    fn error(self) -> Error {
        match self {
            Refusal::Full => Error::TooManyConnections,
            Refusal::ClientShare => Error::TooManyRequests { retry_after: 1 },
        }
    }
    fn label(self) -> &'static str {
        match self {
            Refusal::Full => "full",
            Refusal::ClientShare => "client_share",
        }
    }
}

/// A place in the table, given back when dropped.
struct Slot {
    table: Arc<Table>,
    ip: IpAddr,
}

impl Table {
    fn admit(self: &Arc<Self>, ip: IpAddr) -> Result<Slot, Refusal> {
        let mut open = self.open.lock();
        if open.0 >= self.limits.max_connections {
            return Err(Refusal::Full);
        }
        let mine = open.1.entry(ip).or_insert(0);
        if *mine >= self.limits.max_connections_per_client {
            return Err(Refusal::ClientShare);
        }
        *mine += 1;
        open.0 += 1;
        Ok(Slot {
            table: self.clone(),
            ip,
        })
    }

    fn len(&self) -> usize {
        self.open.lock().0
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self.table.open.lock();
        open.0 = open.0.saturating_sub(1);
        if let Some(n) = open.1.get_mut(&self.ip) {
            *n -= 1;
            if *n == 0 {
                open.1.remove(&self.ip);
            }
        }
    }
}

/// What a connection is doing, and since when: the phase in the low two bits, milliseconds
/// since the connection opened above them (one atomic, so the pair is always consistent).
struct Activity {
    opened: Instant,
    state: AtomicU64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Phase {
    /// Waiting for (the rest of) a request head.
    Head = 0,
    /// Handling a request: reading its body, deciding, writing the response.
    Busy = 1,
    /// Kept alive between requests.
    Idle = 2,
}

impl Activity {
    fn new() -> Self {
        Activity {
            opened: Instant::now(),
            state: AtomicU64::new(Phase::Head as u64),
        }
    }

    fn enter(&self, phase: Phase) {
        let ms = self.opened.elapsed().as_millis() as u64;
        self.state
            .store((ms << 2) | phase as u64, Ordering::Release);
    }

    fn load(&self) -> (Phase, Instant) {
        let v = self.state.load(Ordering::Acquire);
        let phase = match v & 3 {
            0 => Phase::Head,
            1 => Phase::Busy,
            _ => Phase::Idle,
        };
        (phase, self.opened + Duration::from_millis(v >> 2))
    }

    /// Bytes arrived: an idle connection is now sending a request head.
    fn heard(&self) {
        if self.load().0 == Phase::Idle {
            self.enter(Phase::Head);
        }
    }
}

impl Resolved {
    fn allowed(&self, phase: Phase) -> Duration {
        match phase {
            Phase::Head => self.header_timeout,
            // A little past the request's own deadline, so its 408 can still be written.
            Phase::Busy => self.request_timeout + Duration::from_secs(1),
            Phase::Idle => self.idle_timeout,
        }
    }
}

/// A connection's stream, reporting arriving bytes to its [`Activity`].
struct Watched<IO> {
    io: IO,
    activity: Arc<Activity>,
}

impl<IO: AsyncRead + Unpin> AsyncRead for Watched<IO> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<std::io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.io).poll_read(cx, buf);
        if matches!(polled, Poll::Ready(Ok(()))) && buf.filled().len() > before {
            self.activity.heard();
        }
        polled
    }
}

impl<IO: AsyncWrite + Unpin> AsyncWrite for Watched<IO> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write(cx, buf)
    }
    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_flush(cx)
    }
    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<std::io::Result<()>> {
        Pin::new(&mut self.io).poll_shutdown(cx)
    }
    fn poll_write_vectored(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[std::io::IoSlice<'_>],
    ) -> Poll<std::io::Result<usize>> {
        Pin::new(&mut self.io).poll_write_vectored(cx, bufs)
    }
    fn is_write_vectored(&self) -> bool {
        self.io.is_write_vectored()
    }
}

/// A request body that records whether it was read to its end.
struct RequestBody {
    inner: Incoming,
    ended: Arc<AtomicBool>,
}

impl http_body::Body for RequestBody {
    type Data = Bytes;
    type Error = hyper::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, hyper::Error>>> {
        let polled = Pin::new(&mut self.inner).poll_frame(cx);
        if matches!(polled, Poll::Ready(None)) || self.inner.is_end_stream() {
            self.ended.store(true, Ordering::Relaxed);
        }
        polled
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

/// A response body that marks its connection idle once written (hyper drops it then).
struct ResponseBody {
    inner: Body,
    activity: Arc<Activity>,
}

impl http_body::Body for ResponseBody {
    type Data = Bytes;
    type Error = axum::Error;

    fn poll_frame(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, axum::Error>>> {
        Pin::new(&mut self.inner).poll_frame(cx)
    }
    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }
    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}

impl Drop for ResponseBody {
    fn drop(&mut self) {
        self.activity.enter(Phase::Idle);
    }
}

/// Serves `service` on `listener` (TLS when `tls` is given) until the listener fails.
pub async fn serve<S>(
    listener: TcpListener,
    tls: Option<TlsAcceptor>,
    service: S,
    limits: Resolved,
    app: App,
) where
    S: tower::Service<
            Request<Body>,
            Response = Response<Body>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static,
{
    let table = Arc::new(Table {
        limits,
        open: Mutex::new((0, HashMap::new())),
    });
    // Refusals are written by short tasks; past this many at once, a refused connection is
    // just closed, so refusing can never cost more descriptors than it saves.
    let refusing = Arc::new(AtomicUsize::new(0));
    loop {
        let (stream, peer) = match listener.accept().await {
            Ok(c) => c,
            Err(e) => {
                // Out of descriptors (or a connection reset before it was accepted): wait for
                // a place to free up rather than spin.
                tracing::warn!(error = %e, open = table.len(), "accept failed");
                tokio::time::sleep(Duration::from_millis(50)).await;
                continue;
            }
        };
        let slot = match table.admit(peer.ip()) {
            Ok(slot) => slot,
            Err(refusal) => {
                app.metrics().connection_refused(refusal.label());
                tracing::debug!(%peer, reason = refusal.label(), "connection refused");
                refuse(stream, refusal, tls.is_none(), &refusing);
                continue;
            }
        };
        app.metrics().connection_opened();
        let service = service.clone();
        let tls = tls.clone();
        let app = app.clone();
        tokio::spawn(async move {
            let _slot = slot;
            let _ = stream.set_nodelay(true);
            let activity = Arc::new(Activity::new());
            match tls {
                None => connection(stream, peer, activity, service, limits, &app).await,
                Some(acceptor) => {
                    match tokio::time::timeout(limits.header_timeout, acceptor.accept(stream)).await
                    {
                        Ok(Ok(stream)) => {
                            connection(stream, peer, activity, service, limits, &app).await
                        }
                        Ok(Err(e)) => tracing::debug!(%peer, error = %e, "TLS handshake failed"),
                        Err(_) => {
                            app.metrics().connection_timed_out("head");
                            tracing::debug!(%peer, "TLS handshake timed out");
                        }
                    }
                }
            }
            app.metrics().connection_closed();
        });
    }
}

/// Answers a connection the table has no room for, and closes it.
fn refuse(mut stream: TcpStream, refusal: Refusal, plain: bool, refusing: &Arc<AtomicUsize>) {
    // Speaking HTTP before a TLS handshake would be noise to the client: just close.
    if !plain || refusing.fetch_add(1, Ordering::AcqRel) >= 32 {
        if plain {
            refusing.fetch_sub(1, Ordering::AcqRel);
        }
        return;
    }
    let refusing = refusing.clone();
    tokio::spawn(async move {
        let error = refusal.error();
        let status = crate::http::status_of(&error);
        let body = error.body().to_string();
        let text = format!(
            "HTTP/1.1 {} {}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\
             connection: close\r\nretry-after: 1\r\n\r\n{body}",
            status.as_u16(),
            status.canonical_reason().unwrap_or(""),
            body.len()
        );
        let answer = async {
            // What the client already sent is read first: closing a socket with unread bytes
            // resets it, and the reset could destroy the answer before the client reads it.
            let mut sink = [0u8; 4096];
            let _ = tokio::time::timeout(Duration::from_millis(20), stream.read(&mut sink)).await;
            stream.write_all(text.as_bytes()).await?;
            stream.shutdown().await?;
            while stream.read(&mut sink).await? > 0 {}
            Ok::<(), std::io::Error>(())
        };
        let _ = tokio::time::timeout(Duration::from_secs(1), answer).await;
        refusing.fetch_sub(1, Ordering::AcqRel);
    });
}

/// Serves one admitted connection until it closes or one of its timeouts passes.
async fn connection<IO, S>(
    io: IO,
    peer: SocketAddr,
    activity: Arc<Activity>,
    service: S,
    limits: Resolved,
    app: &App,
) where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
    S: tower::Service<
            Request<Body>,
            Response = Response<Body>,
            Error = Infallible,
            Future: Send + 'static,
        > + Clone
        + Send
        + 'static,
{
    let watched = Watched {
        io,
        activity: activity.clone(),
    };
    let on_request = activity.clone();
    let handler = hyper::service::service_fn(move |req: Request<Incoming>| {
        let service = service.clone();
        let activity = on_request.clone();
        async move {
            activity.enter(Phase::Busy);
            let (mut parts, body) = req.into_parts();
            parts.extensions.insert(ClientAddr(peer.ip()));
            parts
                .extensions
                .insert(RequestDeadline(Instant::now() + limits.request_timeout));
            let ended = Arc::new(AtomicBool::new(http_body::Body::is_end_stream(&body)));
            let body = Body::new(RequestBody {
                inner: body,
                ended: ended.clone(),
            });
            let response = tower::ServiceExt::oneshot(service, Request::from_parts(parts, body))
                .await
                .unwrap_or_else(|never| match never {});
            let (mut parts, body) = response.into_parts();
            if !ended.load(Ordering::Relaxed) {
                // hyper cannot reuse a connection whose request body is still unread: say so,
                // so that the client does not send its next request into a closing socket.
                parts
                    .headers
                    .insert(header::CONNECTION, HeaderValue::from_static("close"));
            }
            Ok::<_, Infallible>(Response::from_parts(
                parts,
                ResponseBody {
                    inner: body,
                    activity,
                },
            ))
        }
    });
    let served = hyper::server::conn::http1::Builder::new()
        .keep_alive(true)
        .serve_connection(TokioIo::new(watched), handler);
    tokio::pin!(served);
    loop {
        let (phase, since) = activity.load();
        let deadline = since + limits.allowed(phase);
        tokio::select! {
            done = served.as_mut() => {
                if let Err(e) = done {
                    tracing::debug!(%peer, error = %e, "connection ended with an error");
                }
                return;
            }
            _ = tokio::time::sleep_until(deadline) => {
                // The phase may have moved on while we slept: only a phase that is still the
                // same and over its time closes the connection.
                let (now_phase, now_since) = activity.load();
                if now_phase == phase && now_since == since {
                    let label = match phase {
                        Phase::Head => "head",
                        Phase::Busy => "request",
                        Phase::Idle => "idle",
                    };
                    app.metrics().connection_timed_out(label);
                    tracing::debug!(%peer, phase = label, "connection timed out");
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fit_the_table_and_give_each_client_a_share() {
        let r = Limits::default().resolve();
        assert!(r.max_connections >= 1 && r.max_connections <= DEFAULT_MAX_CONNECTIONS);
        assert!(r.max_connections_per_client <= r.max_connections);
        assert!(r.max_connections_per_client >= 1);
        let small = Limits {
            max_connections: Some(10),
            ..Limits::default()
        }
        .resolve();
        assert_eq!(small.max_connections_per_client, 5);
    }

    #[test]
    fn the_table_refuses_past_the_total_and_past_a_clients_share() {
        let table = Arc::new(Table {
            limits: Limits {
                max_connections: Some(3),
                max_connections_per_client: Some(2),
                ..Limits::default()
            }
            .resolve(),
            open: Mutex::new((0, HashMap::new())),
        });
        let a: IpAddr = [127, 0, 0, 2].into();
        let b: IpAddr = [127, 0, 0, 3].into();
        let a1 = table.admit(a).ok();
        let _a2 = table.admit(a).ok();
        assert!(matches!(table.admit(a), Err(Refusal::ClientShare)));
        let _b1 = table.admit(b).ok();
        assert!(matches!(table.admit(b), Err(Refusal::Full)));
        drop(a1);
        let b2 = table.admit(b);
        assert!(b2.is_ok(), "a freed place is given again");
        assert_eq!(table.len(), 3);
        drop(b2);
        assert_eq!(table.len(), 2, "and taken back when dropped");
    }

    #[test]
    fn activity_reports_phase_and_since_together() {
        let a = Activity::new();
        assert_eq!(a.load().0, Phase::Head);
        a.enter(Phase::Idle);
        a.heard();
        assert_eq!(
            a.load().0,
            Phase::Head,
            "bytes on an idle connection start a head"
        );
        a.enter(Phase::Busy);
        a.heard();
        assert_eq!(a.load().0, Phase::Busy, "bytes of a body do not");
    }
}
