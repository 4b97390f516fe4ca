//! Distributed backend: the change log in PostgreSQL, shared by several privzone nodes.
//!
//! Enforces: one revision sequence for all nodes. A write round locks the single row of
//! `privzone_head` (`SELECT … FOR UPDATE`) inside a transaction, so appends are serialized by the
//! database; the node first applies
//! what others appended (returned by `begin_round`), validates against that latest state, then
//! inserts with the next revisions and commits. Every commit sends `NOTIFY privzone_changes`
//! with the new head, so other nodes wake at once; they also poll, which is all that engines
//! without LISTEN/NOTIFY offer. An `Ok` from `append` means PostgreSQL committed (durable with
//! the default `synchronous_commit = on`).

use postgres::config::SslMode;
use postgres::Client;

use crate::{ChangeLog, Entry, NewEntry, Revision, StoreError};

mod tls;

/// Channel of the commit notifications; the payload is the new head revision.
pub const CHANNEL: &str = "privzone_changes";

const MIGRATIONS: &[&str] = &[
    // 1: the change log and snapshots.
    "CREATE TABLE IF NOT EXISTS privzone_changes (
         revision    BIGINT PRIMARY KEY,
         actor_user  TEXT,
         actor_token TEXT,
         time        BIGINT NOT NULL,
         change      TEXT NOT NULL
     );
     CREATE TABLE IF NOT EXISTS privzone_snapshots (
         revision BIGINT PRIMARY KEY,
         blob     BYTEA NOT NULL
     );",
    // 2: one head row whose row lock serializes write rounds. Row locks (`SELECT … FOR UPDATE`)
    // work on PostgreSQL, CockroachDB and YugabyteDB alike; `LOCK TABLE` does not.
    "CREATE TABLE IF NOT EXISTS privzone_head (id INT PRIMARY KEY, head BIGINT NOT NULL);
     INSERT INTO privzone_head (id, head)
         SELECT 1, COALESCE(MAX(revision), 0) FROM privzone_changes
         ON CONFLICT (id) DO NOTHING;",
];

pub struct PgLog {
    url: String,
    client: Option<Client>,
    in_round: bool,
    /// Whether the engine has `pg_notify` (CockroachDB does not: other nodes poll).
    notify: bool,
}

impl std::fmt::Debug for PgLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PgLog")
            .field("url", &"<redacted>")
            .field("in_round", &self.in_round)
            .finish()
    }
}

fn unavailable(e: postgres::Error) -> StoreError {
    StoreError::Unavailable(format!("PostgreSQL: {}", chain(&e)))
}

/// An error with its causes: rust-postgres's own text is only the kind ("db error", "error
/// performing TLS handshake"), the server's message or the TLS failure is in the sources.
fn chain(e: &postgres::Error) -> String {
    let mut text = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        let s_text = s.to_string();
        if !text.ends_with(&s_text) {
            text.push_str(": ");
            text.push_str(&s_text);
        }
        source = s.source();
    }
    text
}

/// Whether a failed attempt reached the server and failed in the TLS handshake or was refused by
/// the server: under `sslmode=prefer`, libpq then tries once more without TLS.
fn worth_a_plain_retry(e: &postgres::Error) -> bool {
    if e.as_db_error().is_some() {
        return true;
    }
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        if s.downcast_ref::<rustls::Error>().is_some()
            || s.downcast_ref::<std::io::Error>()
                .and_then(|io| io.get_ref())
                .is_some_and(|inner| inner.downcast_ref::<rustls::Error>().is_some())
        {
            return true;
        }
        source = s.source();
    }
    false
}

/// How long the database may stay silent before a call fails: the writer holds the state's
/// write lock and the shared head row lock during a commit, so a stalled link must end in an
/// error (503), never in a hang of this node or of the others waiting for that row.
const SILENCE: std::time::Duration = std::time::Duration::from_secs(5);

/// A connection that notices a dead or stalled link within [`SILENCE`]: connect timeout, TCP
/// keepalives and `TCP_USER_TIMEOUT` on this side; on the server, a session idle inside a
/// transaction (its client gone quiet while holding the head lock) is ended, and statements and
/// lock waits are bounded. TLS follows the URL's `sslmode` / `sslrootcert` as libpq does (see
/// [`tls`]).
fn connect(url: &str) -> Result<Client, StoreError> {
    let (rest, tls) = tls::split(url)?;
    let mut config: postgres::Config = rest
        .parse()
        .map_err(|e| StoreError::Unavailable(format!("PostgreSQL URL: {}", chain(&e))))?;
    let bound = SILENCE.as_millis();
    let server_side = format!(
        "-c idle_in_transaction_session_timeout={bound} -c statement_timeout={} -c lock_timeout={}",
        2 * bound,
        2 * bound
    );
    let options = match config.get_options() {
        Some(own) if !own.is_empty() => format!("{own} {server_side}"),
        _ => server_side,
    };
    config
        .options(&options)
        .connect_timeout(SILENCE)
        .tcp_user_timeout(SILENCE)
        .keepalives(true)
        .keepalives_idle(std::time::Duration::from_secs(2))
        .keepalives_interval(std::time::Duration::from_secs(1))
        .keepalives_retries(3);
    let connector = tls.connector()?;
    match config
        .ssl_mode(tls.mode.ssl_mode())
        .connect(connector.clone())
    {
        Ok(client) => Ok(client),
        Err(e) if tls.mode == tls::Mode::Prefer && worth_a_plain_retry(&e) => config
            .ssl_mode(SslMode::Disable)
            .connect(connector)
            .map_err(|plain| {
                let (first, second) = (chain(&e), chain(&plain));
                if first == second {
                    StoreError::Unavailable(format!("PostgreSQL ({tls}): {first}"))
                } else {
                    StoreError::Unavailable(format!(
                        "PostgreSQL ({tls}): {first}; then without TLS: {second}"
                    ))
                }
            }),
        Err(e) => Err(StoreError::Unavailable(format!(
            "PostgreSQL ({tls}): {}",
            chain(&e)
        ))),
    }
}

/// What appends rely on, checked at every start: revisions are unique (the primary key a
/// partial `pg_restore` can lose) and the head row is the newest revision in the log (a head
/// behind it would make every write fail; one ahead of it means acknowledged changes are gone).
/// Either is a damaged restore, refused with what to do rather than served.
fn check_integrity(tx: &mut postgres::Transaction<'_>) -> Result<(), StoreError> {
    let keyed: bool = tx
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_index i JOIN pg_class c ON c.oid = i.indrelid
                 WHERE c.relname = 'privzone_changes' AND i.indisprimary)",
            &[],
        )
        .map(|r| r.get(0))
        // Engines without pg_index (CockroachDB keeps the key anyway) are not second-guessed.
        .unwrap_or(true);
    if !keyed {
        return Err(StoreError::Corrupt(
            "privzone_changes has no primary key on revision (a partial restore?): \
             restore the whole dump (pg_restore without -t), with every node stopped"
                .into(),
        ));
    }
    let row = tx
        .query_one(
            "SELECT (SELECT head FROM privzone_head WHERE id = 1),
                    (SELECT COALESCE(MAX(revision), 0) FROM privzone_changes)",
            &[],
        )
        .map_err(unavailable)?;
    let head: Option<i64> = row.get(0);
    let newest: i64 = row.get(1);
    match head {
        Some(head) if head == newest => Ok(()),
        Some(head) => Err(StoreError::Corrupt(format!(
            "privzone_head says revision {head} but the log's newest is {newest}: the database \
             was restored partly or edited; restore the whole dump (privzone_changes, \
             privzone_head, privzone_schema_version together), with every node stopped"
        ))),
        None => Err(StoreError::Corrupt(
            "privzone_head has no row: restore the whole dump, with every node stopped".into(),
        )),
    }
}

impl PgLog {
    /// Connects and runs the migrations (serialized by an advisory lock where available).
    pub fn open(url: &str) -> Result<Self, StoreError> {
        let mut log = PgLog {
            url: url.to_owned(),
            client: None,
            in_round: false,
            notify: true,
        };
        let client = log.client()?;
        let mut tx = client.transaction().map_err(unavailable)?;
        // Serializes concurrent first starts; engines without advisory locks skip it.
        let _ = tx.execute("SELECT pg_advisory_xact_lock(7265837)", &[]);
        tx.batch_execute("CREATE TABLE IF NOT EXISTS privzone_schema_version (id INT PRIMARY KEY, version INT NOT NULL)")
            .map_err(unavailable)?;
        let version: i32 = tx
            .query_opt(
                "SELECT version FROM privzone_schema_version WHERE id = 1",
                &[],
            )
            .map_err(unavailable)?
            .map(|r| r.get(0))
            .unwrap_or(0);
        if version as usize > MIGRATIONS.len() {
            return Err(StoreError::Corrupt(format!(
                "PostgreSQL schema version {version} is newer than this privzone knows ({})",
                MIGRATIONS.len()
            )));
        }
        for (i, m) in MIGRATIONS.iter().enumerate().skip(version as usize) {
            tx.batch_execute(m).map_err(unavailable)?;
            tx.execute(
                "INSERT INTO privzone_schema_version (id, version) VALUES (1, $1)
                 ON CONFLICT (id) DO UPDATE SET version = EXCLUDED.version",
                &[&((i + 1) as i32)],
            )
            .map_err(unavailable)?;
        }
        check_integrity(&mut tx)?;
        tx.commit().map_err(unavailable)?;
        let probe = log
            .client()?
            .execute("SELECT pg_notify($1, '')", &[&CHANNEL]);
        log.notify = probe.is_ok();
        if !log.notify {
            log.client = None;
        }
        Ok(log)
    }

    /// The live connection, reconnecting after an outage.
    fn client(&mut self) -> Result<&mut Client, StoreError> {
        if self.client.as_ref().is_some_and(|c| c.is_closed()) {
            self.client = None;
            self.in_round = false;
        }
        if self.client.is_none() {
            self.client = Some(connect(&self.url)?);
        }
        self.client
            .as_mut()
            .ok_or_else(|| StoreError::Unavailable("no PostgreSQL connection".into()))
    }

    /// Drops the connection after an error, so the next call reconnects cleanly.
    fn fail(&mut self, e: postgres::Error) -> StoreError {
        self.client = None;
        self.in_round = false;
        unavailable(e)
    }

    fn rows_to_entries(rows: Vec<postgres::Row>) -> Result<Vec<Entry>, StoreError> {
        rows.into_iter()
            .map(|r| {
                let revision: i64 = r.get(0);
                Ok(Entry {
                    revision: u64::try_from(revision).map_err(|_| {
                        StoreError::Corrupt(format!("negative revision {revision}"))
                    })?,
                    actor_user: r.get(1),
                    actor_token: r.get(2),
                    time: r.get(3),
                    change: r.get(4),
                })
            })
            .collect()
    }

    fn select_after(&mut self, after: Revision, limit: usize) -> Result<Vec<Entry>, StoreError> {
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let result = self.client()?.query(
            "SELECT revision, actor_user, actor_token, time, change FROM privzone_changes
             WHERE revision > $1 ORDER BY revision LIMIT $2",
            &[&after, &limit],
        );
        match result {
            Ok(rows) => Self::rows_to_entries(rows),
            Err(e) => Err(self.fail(e)),
        }
    }
}

impl ChangeLog for PgLog {
    fn begin_round(&mut self, after: Revision) -> Result<Vec<Entry>, StoreError> {
        if !self.in_round {
            let r = self
                .client()?
                .batch_execute("BEGIN; SELECT head FROM privzone_head WHERE id = 1 FOR UPDATE");
            if let Err(e) = r {
                return Err(self.fail(e));
            }
            self.in_round = true;
        }
        let mut out = Vec::new();
        loop {
            let page =
                self.select_after(out.last().map_or(after, |e: &Entry| e.revision), 10_000)?;
            if page.is_empty() {
                return Ok(out);
            }
            out.extend(page);
        }
    }

    fn end_round(&mut self) {
        if self.in_round {
            self.in_round = false;
            if let Some(c) = self.client.as_mut() {
                if c.batch_execute("ROLLBACK").is_err() {
                    self.client = None;
                }
            }
        }
    }

    fn append(&mut self, entries: &[NewEntry]) -> Result<Vec<Revision>, StoreError> {
        if entries.is_empty() {
            self.end_round();
            return Ok(Vec::new());
        }
        if !self.in_round {
            self.begin_round(u64::MAX)?;
        }
        let notify = self.notify;
        let Some(client) = self.client.as_mut() else {
            self.in_round = false;
            return Err(StoreError::Unavailable("no PostgreSQL connection".into()));
        };
        let result = (|| -> Result<Vec<Revision>, postgres::Error> {
            let head: i64 = client
                .query_one("SELECT head FROM privzone_head WHERE id = 1", &[])?
                .get(0);
            let stmt = client.prepare(
                "INSERT INTO privzone_changes (revision, actor_user, actor_token, time, change) VALUES ($1, $2, $3, $4, $5)",
            )?;
            let mut revisions = Vec::with_capacity(entries.len());
            for (i, e) in entries.iter().enumerate() {
                let rev = head + 1 + i as i64;
                client.execute(
                    &stmt,
                    &[&rev, &e.actor_user, &e.actor_token, &e.time, &e.change],
                )?;
                revisions.push(rev as u64);
            }
            let last = head + entries.len() as i64;
            client.execute("UPDATE privzone_head SET head = $1 WHERE id = 1", &[&last])?;
            if notify {
                client.execute("SELECT pg_notify($1, $2)", &[&CHANNEL, &last.to_string()])?;
            }
            client.batch_execute("COMMIT")?;
            Ok(revisions)
        })();
        self.in_round = false;
        result.map_err(|e| self.fail(e))
    }

    fn read_after(&mut self, after: Revision, limit: usize) -> Result<Vec<Entry>, StoreError> {
        self.select_after(after, limit)
    }

    fn head(&mut self) -> Result<Revision, StoreError> {
        let r = self.client()?.query_one(
            "SELECT COALESCE(MAX(revision), 0) FROM privzone_changes",
            &[],
        );
        match r {
            Ok(row) => Ok(row.get::<_, i64>(0).max(0) as u64),
            Err(e) => Err(self.fail(e)),
        }
    }

    fn save_snapshot(&mut self, revision: Revision, blob: &[u8]) -> Result<(), StoreError> {
        let rev = i64::try_from(revision)
            .map_err(|_| StoreError::Corrupt("revision out of range".into()))?;
        let r = self.client()?.execute(
            "INSERT INTO privzone_snapshots (revision, blob) VALUES ($1, $2)
             ON CONFLICT (revision) DO UPDATE SET blob = EXCLUDED.blob",
            &[&rev, &blob],
        );
        if let Err(e) = r {
            return Err(self.fail(e));
        }
        let r = self.client()?.execute(
            "DELETE FROM privzone_snapshots WHERE revision NOT IN
             (SELECT revision FROM privzone_snapshots ORDER BY revision DESC LIMIT 2)",
            &[],
        );
        r.map(|_| ()).map_err(|e| self.fail(e))
    }

    fn latest_snapshot(&mut self) -> Result<Option<(Revision, Vec<u8>)>, StoreError> {
        let r = self.client()?.query_opt(
            "SELECT revision, blob FROM privzone_snapshots ORDER BY revision DESC LIMIT 1",
            &[],
        );
        match r {
            Ok(row) => Ok(row.map(|r| (r.get::<_, i64>(0).max(0) as u64, r.get(1)))),
            Err(e) => Err(self.fail(e)),
        }
    }
}

/// Blocks until a commit notification arrives or `timeout` passes; reconnects on loss.
pub struct PgListener {
    url: String,
    client: Option<Client>,
    heard: Revision,
}

impl PgListener {
    pub fn new(url: &str) -> Self {
        PgListener {
            url: url.to_owned(),
            client: None,
            heard: 0,
        }
    }

    /// Newest head revision announced by a notification so far.
    pub fn heard(&self) -> Revision {
        self.heard
    }

    /// `Ok(true)` if notified, `Ok(false)` on timeout; `Err` when the database is unreachable.
    pub fn wait(&mut self, timeout: std::time::Duration) -> Result<bool, StoreError> {
        if self.client.as_ref().is_some_and(|c| c.is_closed()) {
            self.client = None;
        }
        if self.client.is_none() {
            let mut c = connect(&self.url)?;
            c.batch_execute(&format!("LISTEN {CHANNEL}"))
                .map_err(unavailable)?;
            self.client = Some(c);
        }
        let Some(client) = self.client.as_mut() else {
            return Ok(false);
        };
        use postgres::fallible_iterator::FallibleIterator;
        let outcome = {
            let mut notifications = client.notifications();
            let first = notifications.timeout_iter(timeout).next();
            let mut heard = self.heard;
            if let Ok(Some(n)) = &first {
                heard = heard.max(n.payload().parse().unwrap_or(0));
                // Drain whatever else is queued; one catch-up covers them all.
                while let Ok(Some(n)) = notifications.iter().next() {
                    heard = heard.max(n.payload().parse().unwrap_or(0));
                }
            }
            self.heard = heard;
            first.map(|n| n.is_some())
        };
        outcome.map_err(|e| {
            self.client = None;
            unavailable(e)
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance;

    fn fresh() -> Option<(String, PgLog)> {
        let url = conformance::fresh_postgres_database()?;
        let log = PgLog::open(&url).expect("open PostgreSQL log");
        Some((url, log))
    }

    #[test]
    fn conformance_suite() {
        let Some((_, mut log)) = fresh() else { return };
        conformance::run_all(&mut log);
    }

    #[test]
    fn two_nodes_share_one_revision_sequence() {
        let Some((url, mut a)) = fresh() else { return };
        let mut b = PgLog::open(&url).expect("second node");
        conformance::two_writers_one_sequence(&mut a, &mut b);
    }

    #[test]
    fn migrations_are_idempotent_and_reopen_keeps_the_log() {
        let Some((url, mut log)) = fresh() else {
            return;
        };
        conformance::round_trip(&mut log);
        drop(log);
        let mut again = PgLog::open(&url).expect("reopen");
        assert_eq!(again.head().expect("head"), 3);
    }

    #[test]
    fn listener_wakes_on_commit() {
        let Some((url, mut log)) = fresh() else {
            return;
        };
        let mut listener = PgListener::new(&url);
        // First call connects and LISTENs; nothing is pending yet.
        assert!(!listener
            .wait(std::time::Duration::from_millis(50))
            .expect("listen"));
        log.append(&[NewEntry {
            actor_user: None,
            actor_token: None,
            time: 0,
            change: "{}".into(),
        }])
        .expect("append");
        assert!(listener
            .wait(std::time::Duration::from_secs(5))
            .expect("wait"));
    }

    #[test]
    fn a_head_row_that_disagrees_with_the_log_stops_start_up() {
        let Some((url, mut log)) = fresh() else {
            return;
        };
        conformance::round_trip(&mut log);
        drop(log);
        let mut admin = postgres::Client::connect(&url, postgres::NoTls).expect("connect");
        admin
            .batch_execute("UPDATE privzone_head SET head = 1")
            .expect("damage");
        let e = PgLog::open(&url).expect_err("a head behind the log is refused");
        assert!(matches!(e, StoreError::Corrupt(_)), "{e}");
        assert!(e.to_string().contains("newest is 3"), "{e}");
        admin
            .batch_execute(
                "UPDATE privzone_head SET head = 3;
                 ALTER TABLE privzone_changes DROP CONSTRAINT privzone_changes_pkey",
            )
            .expect("drop the key");
        let e = PgLog::open(&url).expect_err("a log without its key is refused");
        assert!(e.to_string().contains("primary key"), "{e}");
    }

    #[test]
    fn unreachable_database_is_unavailable_not_a_panic() {
        let e = PgLog::open("postgres://nobody@127.0.0.1:1/none").expect_err("must fail");
        assert!(matches!(e, StoreError::Unavailable(_)), "{e}");
    }
}
