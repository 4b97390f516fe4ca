//! Behavioural checks every [`ChangeLog`] backend must pass.
//!
//! Each function takes `&mut dyn ChangeLog` and panics (via `assert!`) on a violation, so it
//! is meant to be called from a `#[test]`. The checks work relative to the log's current
//! `head()`, so they need not start from an empty log and can share one (e.g. a PostgreSQL
//! test database); [`run_all`] runs them in sequence. Backend-specific behaviour (locking,
//! reopen, corrupt files, how many snapshots are kept) is tested by each backend itself.
//!
//! Available in this crate's tests and, for other crates, with the `conformance` feature.

use crate::{ChangeLog, Entry, NewEntry, Revision};

fn new_entry(tag: &str, n: usize) -> NewEntry {
    NewEntry {
        actor_user: (!n.is_multiple_of(3)).then(|| format!("user-{tag}-{n}")),
        actor_token: (n.is_multiple_of(2)).then(|| format!("token-{tag}-{n}")),
        time: 1_700_000_000 + n as i64,
        change: format!(r#"{{"check":"{tag}","n":{n},"text":"ünïcødé \"quoted\""}}"#),
    }
}

fn head(log: &mut dyn ChangeLog) -> Revision {
    log.head().expect("head()")
}

fn assert_matches(stored: &Entry, revision: Revision, sent: &NewEntry) {
    assert_eq!(stored.revision, revision, "revision");
    assert_eq!(
        stored.actor_user, sent.actor_user,
        "actor_user of {revision}"
    );
    assert_eq!(
        stored.actor_token, sent.actor_token,
        "actor_token of {revision}"
    );
    assert_eq!(stored.time, sent.time, "time of {revision}");
    assert_eq!(stored.change, sent.change, "change of {revision}");
}

/// Appended entries come back from `read_after` exactly as sent, with the revisions `append`
/// returned; `head` moves to the last one.
pub fn round_trip(log: &mut dyn ChangeLog) {
    let base = head(log);
    let sent: Vec<NewEntry> = (0..3).map(|n| new_entry("round_trip", n)).collect();
    let revisions = log.append(&sent).expect("append");
    assert_eq!(revisions, vec![base + 1, base + 2, base + 3]);
    assert_eq!(head(log), base + 3);

    let read = log.read_after(base, 100).expect("read_after");
    assert_eq!(read.len(), 3);
    for ((stored, sent), revision) in read.iter().zip(&sent).zip(revisions) {
        assert_matches(stored, revision, sent);
    }
}

/// Appending nothing returns nothing and changes nothing.
pub fn empty_append_is_noop(log: &mut dyn ChangeLog) {
    let base = head(log);
    assert_eq!(
        log.append(&[]).expect("append(&[])"),
        Vec::<Revision>::new()
    );
    assert_eq!(head(log), base);
    assert!(log.read_after(base, 10).expect("read_after").is_empty());
}

/// Revisions are consecutive across separate appends of different sizes.
pub fn revisions_consecutive(log: &mut dyn ChangeLog) {
    let base = head(log);
    let mut expected = base;
    for size in [1, 2, 5, 1] {
        let batch: Vec<NewEntry> = (0..size).map(|n| new_entry("consecutive", n)).collect();
        let revisions = log.append(&batch).expect("append");
        let want: Vec<Revision> = (expected + 1..=expected + size as Revision).collect();
        assert_eq!(revisions, want);
        expected += size as Revision;
    }
    assert_eq!(head(log), expected);
    let all = log.read_after(base, usize::MAX).expect("read_after");
    let got: Vec<Revision> = all.iter().map(|e| e.revision).collect();
    let want: Vec<Revision> = (base + 1..=expected).collect();
    assert_eq!(got, want);
}

/// One append of `n` entries yields `n` consecutive revisions, all readable.
pub fn big_batch(log: &mut dyn ChangeLog, n: usize) {
    let base = head(log);
    let sent: Vec<NewEntry> = (0..n).map(|i| new_entry("big_batch", i)).collect();
    let revisions = log.append(&sent).expect("append");
    let want: Vec<Revision> = (base + 1..=base + n as Revision).collect();
    assert_eq!(revisions, want);
    assert_eq!(head(log), base + n as Revision);
    let read = log.read_after(base, n + 10).expect("read_after");
    assert_eq!(read.len(), n);
    for ((stored, sent), revision) in read.iter().zip(&sent).zip(revisions) {
        assert_matches(stored, revision, sent);
    }
}

/// `read_after` honours `after` and `limit`: paging through the log visits every entry once,
/// in order; reading at or past the head returns nothing; `limit` 0 returns nothing.
pub fn read_after_paging(log: &mut dyn ChangeLog) {
    let base = head(log);
    let sent: Vec<NewEntry> = (0..10).map(|n| new_entry("paging", n)).collect();
    log.append(&sent).expect("append");
    let top = base + 10;

    let mut seen = Vec::new();
    let mut cursor = base;
    loop {
        let page = log.read_after(cursor, 3).expect("read_after");
        assert!(page.len() <= 3, "limit exceeded: {}", page.len());
        let Some(last) = page.last() else { break };
        cursor = last.revision;
        seen.extend(page.iter().map(|e| e.revision));
    }
    assert_eq!(seen, (base + 1..=top).collect::<Vec<_>>());

    let tail = log.read_after(top - 2, 100).expect("read_after");
    assert_eq!(
        tail.iter().map(|e| e.revision).collect::<Vec<_>>(),
        vec![top - 1, top]
    );
    assert_matches(&tail[1], top, &sent[9]);
    assert!(log.read_after(top, 100).expect("read_after").is_empty());
    assert!(log
        .read_after(top + 1000, 100)
        .expect("read_after")
        .is_empty());
    assert!(log
        .read_after(Revision::MAX, 100)
        .expect("read_after")
        .is_empty());
    assert!(log.read_after(base, 0).expect("read_after").is_empty());
    assert_eq!(
        log.read_after(base, 1).expect("read_after")[0].revision,
        base + 1
    );
}

/// `latest_snapshot` returns the blob of the highest revision saved, whatever the order of
/// saving; saving the same revision again replaces its blob.
pub fn snapshots_latest(log: &mut dyn ChangeLog) {
    let base = head(log);
    let sent: Vec<NewEntry> = (0..3).map(|n| new_entry("snapshots", n)).collect();
    log.append(&sent).expect("append");

    log.save_snapshot(base + 1, b"one").expect("save");
    assert_eq!(
        log.latest_snapshot().expect("latest"),
        Some((base + 1, b"one".to_vec()))
    );
    log.save_snapshot(base + 3, &[0, 1, 2, 255]).expect("save");
    log.save_snapshot(base + 2, b"two").expect("save older");
    assert_eq!(
        log.latest_snapshot().expect("latest"),
        Some((base + 3, vec![0, 1, 2, 255]))
    );
    log.save_snapshot(base + 3, b"three").expect("save again");
    assert_eq!(
        log.latest_snapshot().expect("latest"),
        Some((base + 3, b"three".to_vec()))
    );
    let big = vec![7u8; 1 << 20];
    log.save_snapshot(base + 3, &big).expect("save 1 MiB");
    assert_eq!(
        log.latest_snapshot().expect("latest"),
        Some((base + 3, big))
    );
    // Snapshots do not touch the log.
    assert_eq!(head(log), base + 3);
}

/// Runs every check above on the same log.
pub fn run_all(log: &mut dyn ChangeLog) {
    empty_append_is_noop(log);
    round_trip(log);
    revisions_consecutive(log);
    big_batch(log, 1000);
    read_after_paging(log);
    snapshots_latest(log);
}

/// Two handles on one shared log (two nodes on one database): a write round returns what the
/// other appended since the caller's head, and revisions stay one gap-free sequence.
pub fn two_writers_one_sequence(a: &mut dyn ChangeLog, b: &mut dyn ChangeLog) {
    let base = head(a);
    assert_eq!(head(b), base, "both handles see the same head");
    assert!(a.begin_round(base).expect("a: begin_round").is_empty());
    let ra = a.append(&[new_entry("node_a", 0)]).expect("a: append");
    assert_eq!(ra, vec![base + 1]);
    // b still believes the head is `base`: its round must hand it a's entry first.
    let seen = b.begin_round(base).expect("b: begin_round");
    assert_eq!(seen.len(), 1, "b sees a's entry");
    assert_matches(&seen[0], base + 1, &new_entry("node_a", 0));
    let rb = b
        .append(&[new_entry("node_b", 1), new_entry("node_b", 2)])
        .expect("b: append");
    assert_eq!(rb, vec![base + 2, base + 3]);
    // A round that appends nothing releases the other writer.
    assert_eq!(a.begin_round(base + 1).expect("a: begin").len(), 2);
    a.end_round();
    assert_eq!(b.begin_round(base + 3).expect("b: begin").len(), 0);
    assert_eq!(
        b.append(&[new_entry("node_b", 3)]).expect("b"),
        vec![base + 4]
    );
    assert_eq!(head(a), base + 4);
}

/// A fresh, empty PostgreSQL database for one test, or `None` (with a note) when no server
/// answers and the run is not in CI. Under `CI=true` an unreachable server fails the test.
///
/// The server is `PRIVZONE_TEST_DATABASE_URL` (default
/// `postgres://postgres@127.0.0.1:5432/postgres`); each call creates `<that db>_<unique>`.
pub fn fresh_postgres_database() -> Option<String> {
    use std::sync::atomic::{AtomicU32, Ordering};
    static NEXT: AtomicU32 = AtomicU32::new(0);
    let admin_url = std::env::var("PRIVZONE_TEST_DATABASE_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into());
    let mut admin = match postgres::Client::connect(&admin_url, postgres::NoTls) {
        Ok(c) => c,
        Err(e) => {
            let in_ci = std::env::var("CI").is_ok_and(|v| !v.is_empty() && v != "false");
            assert!(
                !in_ci,
                "PostgreSQL at PRIVZONE_TEST_DATABASE_URL is unreachable and CI is set: {e}"
            );
            eprintln!(
                "note: PostgreSQL unreachable ({e}); this PostgreSQL test checks nothing here"
            );
            return None;
        }
    };
    let (base, _) = admin_url
        .rsplit_once('/')
        .expect("PRIVZONE_TEST_DATABASE_URL ends in /<database>");
    let db_of_url = admin_url.rsplit('/').next().unwrap_or("postgres");
    let name = format!(
        "{}_t{}_{}_{}",
        db_of_url.split('?').next().unwrap_or("postgres"),
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map(|d| d.subsec_nanos())
            .unwrap_or(0),
        NEXT.fetch_add(1, Ordering::SeqCst)
    );
    admin
        .batch_execute(&format!("CREATE DATABASE \"{name}\""))
        .expect("CREATE DATABASE");
    Some(format!("{base}/{name}"))
}
