//! Prometheus metrics, served at `GET /metrics` in the text exposition format.
//!
//! Counts requests and their latency by route template (never the raw path, so ids do not
//! explode the series), method and status; authentication failures by `authError`; commit latency
//! and batch sizes of the writer; the applied revision and, on PostgreSQL, how far this node is
//! behind the newest revision it was told about.

use std::collections::{BTreeMap, HashMap};
use std::fmt::Write as _;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::Duration;

use axum::http::Method;
use parking_lot::Mutex;

/// The method as a metrics label; methods outside the standard set share one label, so a client
/// cannot create series at will.
fn method_label(method: &Method) -> &'static str {
    match *method {
        Method::GET => "GET",
        Method::POST => "POST",
        Method::PUT => "PUT",
        Method::PATCH => "PATCH",
        Method::DELETE => "DELETE",
        Method::HEAD => "HEAD",
        Method::OPTIONS => "OPTIONS",
        _ => "OTHER",
    }
}

/// Upper bounds of the latency buckets, seconds.
const LATENCY_BUCKETS: [f64; 12] = [
    0.000_05, 0.000_1, 0.000_25, 0.000_5, 0.001, 0.002_5, 0.005, 0.01, 0.025, 0.1, 0.5, 2.5,
];
/// Upper bounds of the batch-size buckets (changes per commit).
const BATCH_BUCKETS: [f64; 8] = [1.0, 2.0, 4.0, 16.0, 64.0, 256.0, 1024.0, 4096.0];

#[derive(Default, Clone)]
struct Histogram {
    counts: Vec<u64>,
    sum: f64,
    count: u64,
}

impl Histogram {
    fn observe(&mut self, bounds: &[f64], v: f64) {
        if self.counts.len() != bounds.len() {
            self.counts = vec![0; bounds.len()];
        }
        for (i, b) in bounds.iter().enumerate() {
            if v <= *b {
                self.counts[i] += 1;
            }
        }
        self.sum += v;
        self.count += 1;
    }

    fn render(&self, out: &mut String, name: &str, labels: &str, bounds: &[f64]) {
        let sep = if labels.is_empty() { "" } else { "," };
        for (i, b) in bounds.iter().enumerate() {
            let c = self.counts.get(i).copied().unwrap_or(0);
            let _ = writeln!(out, "{name}_bucket{{{labels}{sep}le=\"{b}\"}} {c}");
        }
        let _ = writeln!(
            out,
            "{name}_bucket{{{labels}{sep}le=\"+Inf\"}} {}",
            self.count
        );
        let braces = if labels.is_empty() {
            String::new()
        } else {
            format!("{{{labels}}}")
        };
        let _ = writeln!(out, "{name}_sum{braces} {}", self.sum);
        let _ = writeln!(out, "{name}_count{braces} {}", self.count);
    }
}

/// The latency series of one route template: (method, status, histogram).
type RouteSeries = Vec<(&'static str, u16, Histogram)>;

/// A counter per label value.
type Counts = Mutex<BTreeMap<&'static str, u64>>;

/// Every metric of one process.
#[derive(Default)]
pub struct Metrics {
    /// Route template → its series; looked up by `&str`, so a request allocates nothing once its
    /// series exists.
    requests: Mutex<HashMap<String, RouteSeries>>,
    auth_failures: Mutex<BTreeMap<&'static str, u64>>,
    commits: Mutex<(Histogram, Histogram)>,
    commit_failures: AtomicU64,
    /// Newest revision this node heard of from the shared log (PostgreSQL notifications).
    pub heard: AtomicU64,
    connections_open: AtomicU64,
    /// Refused connections by reason (`full`, `client_share`).
    connections_refused: Counts,
    /// Connections closed by a timeout, by the phase that ran out (`head`, `request`, `idle`).
    connections_timed_out: Counts,
    /// Password logins answered 429 by the backoff, by what was backed off (`user`, `client`).
    logins_throttled: Counts,
}

impl Metrics {
    pub fn request(&self, route: &str, method: &Method, status: u16, took: Duration) {
        let method = method_label(method);
        let mut requests = self.requests.lock();
        let series = match requests.get_mut(route) {
            Some(series) => series,
            None => requests.entry(route.to_owned()).or_default(),
        };
        let i = match series
            .iter()
            .position(|(m, s, _)| *m == method && *s == status)
        {
            Some(i) => i,
            None => {
                series.push((method, status, Histogram::default()));
                series.len() - 1
            }
        };
        series[i].2.observe(&LATENCY_BUCKETS, took.as_secs_f64());
    }

    pub fn auth_failure(&self, auth_error: &'static str) {
        *self.auth_failures.lock().entry(auth_error).or_default() += 1;
    }

    pub fn connection_opened(&self) {
        self.connections_open.fetch_add(1, Ordering::Relaxed);
    }

    pub fn connection_closed(&self) {
        self.connections_open.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn connection_refused(&self, reason: &'static str) {
        *self.connections_refused.lock().entry(reason).or_default() += 1;
    }

    pub fn connection_timed_out(&self, phase: &'static str) {
        *self.connections_timed_out.lock().entry(phase).or_default() += 1;
    }

    pub fn login_throttled(&self, scope: &'static str) {
        *self.logins_throttled.lock().entry(scope).or_default() += 1;
    }

    pub fn commit(&self, changes: usize, took: Duration) {
        let mut c = self.commits.lock();
        c.0.observe(&LATENCY_BUCKETS, took.as_secs_f64());
        c.1.observe(&BATCH_BUCKETS, changes as f64);
    }

    pub fn commit_failed(&self) {
        self.commit_failures.fetch_add(1, Ordering::Relaxed);
    }

    /// The exposition text; `revision` is the applied revision, `healthy` the store's state.
    pub fn render(&self, revision: u64, healthy: bool) -> String {
        let mut out = String::with_capacity(4096);
        out.push_str("# HELP privzone_http_request_duration_seconds Requests by route template, method and status.\n");
        out.push_str("# TYPE privzone_http_request_duration_seconds histogram\n");
        let requests = {
            let requests = self.requests.lock();
            let mut rows: Vec<_> = requests
                .iter()
                .flat_map(|(route, series)| {
                    series.iter().map(move |(method, status, h)| {
                        ((route.clone(), *method, *status), h.clone())
                    })
                })
                .collect();
            rows.sort_by(|a, b| a.0.cmp(&b.0));
            rows
        };
        for ((route, method, status), h) in &requests {
            let labels = format!(
                "route=\"{}\",method=\"{method}\",status=\"{status}\"",
                route.replace('\\', "\\\\").replace('"', "\\\"")
            );
            h.render(
                &mut out,
                "privzone_http_request_duration_seconds",
                &labels,
                &LATENCY_BUCKETS,
            );
        }
        out.push_str(
            "# HELP privzone_auth_failures_total Rejected credentials by Onezone authError.\n",
        );
        out.push_str("# TYPE privzone_auth_failures_total counter\n");
        for (id, n) in self.auth_failures.lock().iter() {
            let _ = writeln!(
                out,
                "privzone_auth_failures_total{{auth_error=\"{id}\"}} {n}"
            );
        }
        out.push_str("# HELP privzone_connections_open Open client connections.\n");
        out.push_str("# TYPE privzone_connections_open gauge\n");
        let _ = writeln!(
            out,
            "privzone_connections_open {}",
            self.connections_open.load(Ordering::Relaxed)
        );
        let labelled: [(&str, &str, &str, &Counts); 3] = [
            (
                "privzone_connections_refused_total",
                "Connections refused at once: the table was full, or the client had its share.",
                "reason",
                &self.connections_refused,
            ),
            (
                "privzone_connections_timed_out_total",
                "Connections closed because a phase (head, request, idle) ran out of time.",
                "phase",
                &self.connections_timed_out,
            ),
            (
                "privzone_logins_throttled_total",
                "Password logins refused with 429 while a username or client was backed off.",
                "scope",
                &self.logins_throttled,
            ),
        ];
        for (name, help, label, counts) in labelled {
            let _ = writeln!(out, "# HELP {name} {help}");
            let _ = writeln!(out, "# TYPE {name} counter");
            for (value, n) in counts.lock().iter() {
                let _ = writeln!(out, "{name}{{{label}=\"{value}\"}} {n}");
            }
        }
        let commits = self.commits.lock().clone();
        out.push_str(
            "# HELP privzone_store_commit_duration_seconds Durable commits of the change log.\n",
        );
        out.push_str("# TYPE privzone_store_commit_duration_seconds histogram\n");
        commits.0.render(
            &mut out,
            "privzone_store_commit_duration_seconds",
            "",
            &LATENCY_BUCKETS,
        );
        out.push_str(
            "# HELP privzone_store_commit_changes Changes per commit (group commit batch size).\n",
        );
        out.push_str("# TYPE privzone_store_commit_changes histogram\n");
        commits.1.render(
            &mut out,
            "privzone_store_commit_changes",
            "",
            &BATCH_BUCKETS,
        );
        out.push_str("# HELP privzone_store_commit_failures_total Commits the store refused.\n");
        out.push_str("# TYPE privzone_store_commit_failures_total counter\n");
        let _ = writeln!(
            out,
            "privzone_store_commit_failures_total {}",
            self.commit_failures.load(Ordering::Relaxed)
        );
        out.push_str(
            "# HELP privzone_revision Revision of the change log this node has applied.\n",
        );
        out.push_str("# TYPE privzone_revision gauge\n");
        let _ = writeln!(out, "privzone_revision {revision}");
        out.push_str("# HELP privzone_apply_lag_revisions Revisions other nodes committed that this node has not applied yet.\n");
        out.push_str("# TYPE privzone_apply_lag_revisions gauge\n");
        let heard = self.heard.load(Ordering::Relaxed);
        let _ = writeln!(
            out,
            "privzone_apply_lag_revisions {}",
            heard.saturating_sub(revision)
        );
        out.push_str("# HELP privzone_store_healthy Whether the store answers (1) or not (0).\n");
        out.push_str("# TYPE privzone_store_healthy gauge\n");
        let _ = writeln!(out, "privzone_store_healthy {}", u8::from(healthy));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_histograms_cumulatively_and_counts_auth_failures() {
        let m = Metrics::default();
        m.request("/users/{id}", &Method::GET, 200, Duration::from_micros(80));
        m.request("/users/{id}", &Method::GET, 200, Duration::from_millis(3));
        m.auth_failure("badToken");
        m.commit(5, Duration::from_micros(700));
        let text = m.render(7, true);
        assert!(text.contains(
            "privzone_http_request_duration_seconds_bucket{route=\"/users/{id}\",method=\"GET\",status=\"200\",le=\"0.0001\"} 1"
        ), "{text}");
        assert!(text.contains(
            "privzone_http_request_duration_seconds_bucket{route=\"/users/{id}\",method=\"GET\",status=\"200\",le=\"+Inf\"} 2"
        ));
        assert!(text.contains("privzone_auth_failures_total{auth_error=\"badToken\"} 1"));
        assert!(text.contains("privzone_store_commit_changes_bucket{le=\"16\"} 1"));
        assert!(text.contains("privzone_revision 7"));
        assert!(text.contains("privzone_apply_lag_revisions 0"));
    }
}
