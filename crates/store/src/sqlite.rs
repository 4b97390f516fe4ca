//! Embedded backend: one SQLite file in the data directory.
//!
//! Layout of `<data_dir>`:
//! - `privzone.lock`: advisory exclusive lock (flock on Unix) held for the lifetime of the
//!   [`SqliteLog`]; it holds the owner's pid, for the error message of a second opener.
//! - `privzone.sqlite` (+ `-wal`, `-shm`): the database, `journal_mode=WAL`,
//!   `synchronous=FULL`, so every commit fsyncs the WAL before it returns.
//!
//! Schema changes are numbered migrations recorded in table `schema_version`; a file written
//! by a newer privzone (higher version) is refused as [`StoreError::Corrupt`] rather than
//! misread.

use std::fs::{self, File, OpenOptions};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, ErrorCode, OpenFlags, OptionalExtension, TransactionBehavior};

use crate::{ChangeLog, Entry, NewEntry, Revision, StoreError};

const DB_FILE: &str = "privzone.sqlite";
const LOCK_FILE: &str = "privzone.lock";
const BUSY_TIMEOUT: Duration = Duration::from_secs(5);
/// How many snapshots are kept (the newest ones).
const KEEP_SNAPSHOTS: i64 = 2;

/// Migrations; entry `i` brings the schema from version `i` to `i + 1`. Append only: never
/// edit one that has shipped.
const MIGRATIONS: &[&str] = &[
    // 1: the change log and snapshots.
    "CREATE TABLE changes (
         revision    INTEGER PRIMARY KEY,
         actor_user  TEXT,
         actor_token TEXT,
         time        INTEGER NOT NULL,
         change      TEXT NOT NULL
     );
     CREATE TABLE snapshots (
         revision INTEGER PRIMARY KEY,
         blob     BLOB NOT NULL
     );",
];

const INSERT_CHANGE: &str =
    "INSERT INTO changes (revision, actor_user, actor_token, time, change) VALUES (?1, ?2, ?3, ?4, ?5)";
const SELECT_AFTER: &str = "SELECT revision, actor_user, actor_token, time, change FROM changes
     WHERE revision > ?1 ORDER BY revision LIMIT ?2";
const SELECT_HEAD: &str = "SELECT COALESCE(MAX(revision), 0) FROM changes";
const UPSERT_SNAPSHOT: &str = "INSERT INTO snapshots (revision, blob) VALUES (?1, ?2)
     ON CONFLICT (revision) DO UPDATE SET blob = excluded.blob";
const PRUNE_SNAPSHOTS: &str = "DELETE FROM snapshots WHERE revision NOT IN
     (SELECT revision FROM snapshots ORDER BY revision DESC LIMIT ?1)";
const SELECT_LATEST_SNAPSHOT: &str =
    "SELECT revision, blob FROM snapshots ORDER BY revision DESC LIMIT 1";

/// The embedded [`ChangeLog`]: a SQLite database in a data directory this process owns.
pub struct SqliteLog {
    // Field order matters: the connection is closed before the lock is released.
    conn: Connection,
    db_path: PathBuf,
    _lock: File,
}

impl std::fmt::Debug for SqliteLog {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SqliteLog")
            .field("db_path", &self.db_path)
            .finish_non_exhaustive()
    }
}

impl SqliteLog {
    /// Whether `data_dir` holds a store, checked without creating, locking or opening anything.
    pub fn exists(data_dir: &Path) -> bool {
        data_dir.join(DB_FILE).is_file()
    }

    /// Opens (creating if needed) the log in `data_dir`: creates the directory, takes the
    /// exclusive lock, opens `privzone.sqlite` in WAL/FULL mode and brings the schema up to
    /// date.
    ///
    /// Errors: [`StoreError::Locked`] if another process holds the directory,
    /// [`StoreError::Corrupt`] if the file is not a privzone SQLite database or was written by
    /// a newer version, [`StoreError::Unavailable`] on I/O errors.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        let created = !data_dir.exists();
        fs::create_dir_all(data_dir).map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot create data directory {}: {e}",
                data_dir.display()
            ))
        })?;
        // The log holds password and token hashes: a directory privzone creates is its own
        // (0700), whatever the umask. An existing one is left as the operator set it.
        #[cfg(unix)]
        if created {
            use std::os::unix::fs::PermissionsExt;
            fs::set_permissions(data_dir, fs::Permissions::from_mode(0o700)).map_err(|e| {
                StoreError::Unavailable(format!(
                    "cannot make data directory {} private: {e}",
                    data_dir.display()
                ))
            })?;
        }
        let lock = lock_data_dir(data_dir)?;

        let db_path = data_dir.join(DB_FILE);
        // SQLite gives its -wal and -shm files the mode of the database file, so a database
        // file made private here keeps every file of the log private.
        make_private(&db_path, true)?;
        // No SQLITE_OPEN_URI: the path is a plain file name, never a `file:` URI.
        let flags = OpenFlags::SQLITE_OPEN_READ_WRITE
            | OpenFlags::SQLITE_OPEN_CREATE
            | OpenFlags::SQLITE_OPEN_NO_MUTEX;
        let conn = Connection::open_with_flags(&db_path, flags)
            .map_err(|e| db_error(&db_path, "cannot open database", e))?;
        let mut log = SqliteLog {
            conn,
            db_path,
            _lock: lock,
        };
        log.configure()?;
        log.migrate()?;
        // Files an older version left readable by others.
        for suffix in ["-wal", "-shm"] {
            make_private(&data_dir.join(format!("{DB_FILE}{suffix}")), false)?;
        }
        // Make the directory entries of newly created files durable too.
        sync_dir(data_dir)?;
        Ok(log)
    }

    fn configure(&self) -> Result<(), StoreError> {
        let path = &self.db_path;
        self.conn
            .busy_timeout(BUSY_TIMEOUT)
            .map_err(|e| db_error(path, "cannot set busy timeout", e))?;
        // The first statement reads the file header: this is where a non-database file fails.
        let mode: String = self
            .conn
            .query_row("PRAGMA journal_mode = WAL", [], |row| row.get(0))
            .map_err(|e| db_error(path, "cannot enable WAL journal mode", e))?;
        if !mode.eq_ignore_ascii_case("wal") {
            return Err(StoreError::Unavailable(format!(
                "{}: cannot enable WAL journal mode (SQLite kept {mode:?}); \
                 is the data directory on a filesystem without shared-memory support?",
                path.display()
            )));
        }
        self.conn
            .execute_batch("PRAGMA synchronous = FULL")
            .map_err(|e| db_error(path, "cannot set synchronous=FULL", e))?;
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let path = &self.db_path;
        let err = |e: rusqlite::Error| db_error(path, "schema migration failed", e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;

        let has_version_table: bool = tx
            .query_row(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version')",
                [],
                |row| row.get(0),
            )
            .map_err(err)?;
        let current: i64 = if has_version_table {
            tx.query_row(
                "SELECT version FROM schema_version WHERE id = 1",
                [],
                |row| row.get(0),
            )
            .optional()
            .map_err(err)?
            .unwrap_or(0)
        } else {
            let other_objects: i64 = tx
                .query_row(
                    "SELECT COUNT(*) FROM sqlite_master WHERE name NOT LIKE 'sqlite_%'",
                    [],
                    |row| row.get(0),
                )
                .map_err(err)?;
            if other_objects > 0 {
                return Err(StoreError::Corrupt(format!(
                    "{} is a SQLite database but not a privzone one (it has no schema_version \
                     table); move it away or choose another data directory",
                    path.display()
                )));
            }
            tx.execute_batch(
                "CREATE TABLE schema_version (
                     id      INTEGER PRIMARY KEY CHECK (id = 1),
                     version INTEGER NOT NULL
                 )",
            )
            .map_err(err)?;
            0
        };

        let known = MIGRATIONS.len();
        let current = match usize::try_from(current) {
            Ok(v) if v <= known => v,
            _ => {
                return Err(StoreError::Corrupt(format!(
                    "{}: schema version {current} is not supported by this privzone \
                     (it knows versions up to {known}); was it written by a newer release?",
                    path.display()
                )))
            }
        };
        if current == known {
            return Ok(()); // dropping the transaction ends it; nothing was written
        }
        for sql in &MIGRATIONS[current..] {
            tx.execute_batch(sql).map_err(err)?;
        }
        tx.execute(
            "INSERT INTO schema_version (id, version) VALUES (1, ?1)
             ON CONFLICT (id) DO UPDATE SET version = excluded.version",
            [known as i64],
        )
        .map_err(err)?;
        tx.commit().map_err(err)
    }
}

impl ChangeLog for SqliteLog {
    fn append(&mut self, entries: &[NewEntry]) -> Result<Vec<Revision>, StoreError> {
        if entries.is_empty() {
            return Ok(Vec::new());
        }
        let path = &self.db_path;
        let err = |e: rusqlite::Error| db_error(path, "append failed", e);
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        let head = tx.query_row(SELECT_HEAD, [], revision_at(0)).map_err(err)?;
        let mut revisions = Vec::with_capacity(entries.len());
        {
            let mut insert = tx.prepare_cached(INSERT_CHANGE).map_err(err)?;
            for (entry, revision) in entries.iter().zip(head + 1..) {
                let revision = to_sql_revision(revision)?;
                insert
                    .execute(params![
                        revision,
                        entry.actor_user,
                        entry.actor_token,
                        entry.time,
                        entry.change
                    ])
                    .map_err(err)?;
                revisions.push(revision as Revision); // positive, checked above
            }
        }
        // With WAL + synchronous=FULL the commit returns only after the WAL is fsynced.
        tx.commit().map_err(err)?;
        Ok(revisions)
    }

    fn read_after(&mut self, after: Revision, limit: usize) -> Result<Vec<Entry>, StoreError> {
        if limit == 0 {
            return Ok(Vec::new());
        }
        let path = &self.db_path;
        let err = |e: rusqlite::Error| db_error(path, "read failed", e);
        // Revisions never exceed i64::MAX in SQLite, so clamping loses nothing.
        let after = i64::try_from(after).unwrap_or(i64::MAX);
        let limit = i64::try_from(limit).unwrap_or(i64::MAX);
        let mut select = self.conn.prepare_cached(SELECT_AFTER).map_err(err)?;
        let rows = select
            .query_map(params![after, limit], |row| {
                Ok(Entry {
                    revision: revision_at(0)(row)?,
                    actor_user: row.get(1)?,
                    actor_token: row.get(2)?,
                    time: row.get(3)?,
                    change: row.get(4)?,
                })
            })
            .map_err(err)?;
        rows.collect::<Result<Vec<_>, _>>().map_err(err)
    }

    fn head(&mut self) -> Result<Revision, StoreError> {
        let path = &self.db_path;
        self.conn
            .prepare_cached(SELECT_HEAD)
            .and_then(|mut stmt| stmt.query_row([], revision_at(0)))
            .map_err(|e| db_error(path, "reading head failed", e))
    }

    fn save_snapshot(&mut self, revision: Revision, blob: &[u8]) -> Result<(), StoreError> {
        let path = &self.db_path;
        let err = |e: rusqlite::Error| db_error(path, "saving snapshot failed", e);
        let revision = to_sql_revision(revision)?;
        let tx = self
            .conn
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(err)?;
        tx.prepare_cached(UPSERT_SNAPSHOT)
            .and_then(|mut stmt| stmt.execute(params![revision, blob]))
            .map_err(err)?;
        tx.prepare_cached(PRUNE_SNAPSHOTS)
            .and_then(|mut stmt| stmt.execute([KEEP_SNAPSHOTS]))
            .map_err(err)?;
        tx.commit().map_err(err)
    }

    fn latest_snapshot(&mut self) -> Result<Option<(Revision, Vec<u8>)>, StoreError> {
        let path = &self.db_path;
        self.conn
            .prepare_cached(SELECT_LATEST_SNAPSHOT)
            .and_then(|mut stmt| {
                stmt.query_row([], |row| Ok((revision_at(0)(row)?, row.get(1)?)))
                    .optional()
            })
            .map_err(|e| db_error(path, "reading snapshot failed", e))
    }
}

/// Reads column `idx` as a revision; a negative value is a conversion error (so `Corrupt`).
fn revision_at(idx: usize) -> impl Fn(&rusqlite::Row<'_>) -> rusqlite::Result<Revision> {
    move |row| {
        let value: i64 = row.get(idx)?;
        Revision::try_from(value).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(idx, value))
    }
}

/// A revision as SQLite stores it (INTEGER is i64).
fn to_sql_revision(revision: Revision) -> Result<i64, StoreError> {
    i64::try_from(revision).map_err(|_| {
        StoreError::Unavailable(format!("revision {revision} exceeds the store's range"))
    })
}

/// Makes `path` readable and writable by its owner only (0600), creating it empty first when
/// `create` is set; the log holds password and token hashes, whatever the umask or the data
/// directory's mode.
fn make_private(path: &Path, create: bool) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::{OpenOptionsExt, PermissionsExt};
        let failed = |e: std::io::Error| {
            StoreError::Unavailable(format!("cannot make {} private: {e}", path.display()))
        };
        if create {
            OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(false)
                .mode(0o600)
                .open(path)
                .map_err(failed)?;
        }
        match fs::metadata(path) {
            Ok(meta) if meta.permissions().mode() & 0o077 != 0 => {
                fs::set_permissions(path, fs::Permissions::from_mode(0o600)).map_err(failed)?
            }
            Ok(_) => {}
            Err(e) if e.kind() == std::io::ErrorKind::NotFound && !create => {}
            Err(e) => return Err(failed(e)),
        }
    }
    #[cfg(not(unix))]
    let _ = (path, create);
    Ok(())
}

/// Takes the exclusive advisory lock on `<data_dir>/privzone.lock` and writes our pid in it.
fn lock_data_dir(data_dir: &Path) -> Result<File, StoreError> {
    let lock_path = data_dir.join(LOCK_FILE);
    make_private(&lock_path, true)?;
    let mut file = OpenOptions::new()
        .read(true)
        .write(true)
        .create(true)
        .truncate(false) // the current owner's pid stays readable until we hold the lock
        .open(&lock_path)
        .map_err(|e| {
            StoreError::Unavailable(format!(
                "cannot open lock file {}: {e}",
                lock_path.display()
            ))
        })?;
    match file.try_lock() {
        Ok(()) => {}
        Err(std::fs::TryLockError::WouldBlock) => {
            let mut owner = String::new();
            let _ = file.read_to_string(&mut owner);
            let owner = match owner.trim() {
                "" => String::new(),
                pid => format!(" (pid {pid})"),
            };
            return Err(StoreError::Locked(format!(
                "data directory {} is in use by another privzone process{owner}; \
                 stop it or choose another data directory (lock file {})",
                data_dir.display(),
                lock_path.display()
            )));
        }
        Err(std::fs::TryLockError::Error(e)) => {
            return Err(StoreError::Unavailable(format!(
                "cannot lock {}: {e}",
                lock_path.display()
            )))
        }
    }
    // Best effort: the pid is only used for the message above.
    let _ = file
        .set_len(0)
        .and_then(|()| writeln!(file, "{}", std::process::id()))
        .and_then(|()| file.flush());
    Ok(file)
}

/// fsyncs a directory so that files created in it survive power loss.
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    #[cfg(unix)]
    {
        File::open(dir).and_then(|d| d.sync_all()).map_err(|e| {
            StoreError::Unavailable(format!("cannot sync directory {}: {e}", dir.display()))
        })?;
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
}

/// Maps a SQLite error to [`StoreError`]: damaged or unreadable data is `Corrupt`, anything
/// else (I/O, busy, full disk, ...) is `Unavailable`.
fn db_error(path: &Path, what: &str, e: rusqlite::Error) -> StoreError {
    match e.sqlite_error_code() {
        Some(ErrorCode::NotADatabase) => StoreError::Corrupt(format!(
            "{} is not a SQLite database (or is damaged): {e}; move it away or choose another \
             data directory",
            path.display()
        )),
        Some(ErrorCode::DatabaseCorrupt) => StoreError::Corrupt(format!(
            "{}: {what}: database file is damaged: {e}",
            path.display()
        )),
        _ => match e {
            rusqlite::Error::FromSqlConversionFailure(..)
            | rusqlite::Error::IntegralValueOutOfRange(..)
            | rusqlite::Error::InvalidColumnType(..) => StoreError::Corrupt(format!(
                "{}: {what}: unexpected stored value: {e}",
                path.display()
            )),
            _ => StoreError::Unavailable(format!("{}: {what}: {e}", path.display())),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::conformance;

    fn entry(n: usize) -> NewEntry {
        NewEntry {
            actor_user: Some(format!("user-{n}")),
            actor_token: n.is_multiple_of(2).then(|| format!("token-{n}")),
            time: 1_700_000_000 + n as i64,
            change: format!(r#"{{"n":{n}}}"#),
        }
    }

    fn fresh() -> (tempfile::TempDir, SqliteLog) {
        let dir = tempfile::tempdir().expect("tempdir");
        let log = SqliteLog::open(dir.path()).expect("open");
        (dir, log)
    }

    #[test]
    fn conformance_round_trip() {
        conformance::round_trip(&mut fresh().1);
    }

    #[test]
    fn conformance_empty_append() {
        conformance::empty_append_is_noop(&mut fresh().1);
    }

    #[test]
    fn conformance_consecutive() {
        conformance::revisions_consecutive(&mut fresh().1);
    }

    #[test]
    fn conformance_big_batch() {
        conformance::big_batch(&mut fresh().1, 1000);
    }

    #[test]
    fn conformance_paging() {
        conformance::read_after_paging(&mut fresh().1);
    }

    #[test]
    fn conformance_snapshots() {
        conformance::snapshots_latest(&mut fresh().1);
    }

    #[test]
    fn conformance_all_on_one_log() {
        let (_dir, mut log) = fresh();
        conformance::run_all(&mut log);
        // Running everything twice on the same log checks that no check assumes an empty log.
        conformance::run_all(&mut log);
    }

    #[test]
    fn creates_missing_data_dir_and_files() {
        let dir = tempfile::tempdir().expect("tempdir");
        let data = dir.path().join("a").join("b");
        let mut log = SqliteLog::open(&data).expect("open");
        assert_eq!(log.head().expect("head"), 0);
        assert!(data.join(DB_FILE).is_file());
        assert!(data.join(LOCK_FILE).is_file());
        let mode: String = log
            .conn
            .query_row("PRAGMA journal_mode", [], |r| r.get(0))
            .expect("journal_mode");
        assert_eq!(mode, "wal");
        let sync: i64 = log
            .conn
            .query_row("PRAGMA synchronous", [], |r| r.get(0))
            .expect("synchronous");
        assert_eq!(sync, 2, "synchronous must be FULL");
    }

    #[cfg(unix)]
    #[test]
    fn a_data_dir_it_creates_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("fresh");
        let _log = SqliteLog::open(&data).expect("open");
        let mode = fs::metadata(&data).expect("meta").permissions().mode() & 0o777;
        assert_eq!(mode, 0o700);
    }

    #[cfg(unix)]
    #[test]
    fn every_file_of_the_log_is_private_even_in_an_open_directory() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        let data = dir.path().join("shared");
        fs::create_dir(&data).expect("mkdir");
        fs::set_permissions(&data, fs::Permissions::from_mode(0o755)).expect("chmod");
        // A file an older version left world-readable is made private too.
        fs::write(data.join(LOCK_FILE), b"").expect("old lock");
        fs::set_permissions(data.join(LOCK_FILE), fs::Permissions::from_mode(0o644))
            .expect("chmod");
        let mut log = SqliteLog::open(&data).expect("open");
        log.append(&[entry(1)]).expect("append");
        for name in [
            DB_FILE,
            "privzone.sqlite-wal",
            "privzone.sqlite-shm",
            LOCK_FILE,
        ] {
            let mode = fs::metadata(data.join(name))
                .unwrap_or_else(|e| panic!("{name}: {e}"))
                .permissions()
                .mode()
                & 0o777;
            assert_eq!(mode, 0o600, "{name} is {mode:o}");
        }
    }

    #[test]
    fn revisions_consecutive_across_reopen() {
        let dir = tempfile::tempdir().expect("tempdir");
        {
            let mut log = SqliteLog::open(dir.path()).expect("open");
            assert_eq!(
                log.append(&[entry(1), entry(2)]).expect("append"),
                vec![1, 2]
            );
        }
        {
            let mut log = SqliteLog::open(dir.path()).expect("reopen");
            assert_eq!(log.head().expect("head"), 2);
            assert_eq!(log.append(&[entry(3)]).expect("append"), vec![3]);
        }
        let mut log = SqliteLog::open(dir.path()).expect("reopen");
        let all = log.read_after(0, 10).expect("read");
        assert_eq!(
            all.iter().map(|e| e.revision).collect::<Vec<_>>(),
            vec![1, 2, 3]
        );
        assert_eq!(all[2].change, entry(3).change);
    }

    #[test]
    fn second_open_of_same_dir_is_locked() {
        let dir = tempfile::tempdir().expect("tempdir");
        let first = SqliteLog::open(dir.path()).expect("open");
        match SqliteLog::open(dir.path()) {
            Err(StoreError::Locked(msg)) => {
                assert!(msg.contains(&dir.path().display().to_string()), "{msg}");
                assert!(
                    msg.contains(&format!("pid {}", std::process::id())),
                    "{msg}"
                );
            }
            other => panic!("expected Locked, got {other:?}"),
        }
        drop(first);
        SqliteLog::open(dir.path()).expect("open after the first one closed");
    }

    #[test]
    fn garbage_file_is_corrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join(DB_FILE);
        fs::write(&db, "this is not a database\n".repeat(200)).expect("write");
        match SqliteLog::open(dir.path()) {
            Err(StoreError::Corrupt(msg)) => {
                assert!(msg.contains(&db.display().to_string()), "{msg}");
                assert!(msg.contains("not a SQLite database"), "{msg}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn foreign_sqlite_database_is_corrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        let db = dir.path().join(DB_FILE);
        Connection::open(&db)
            .and_then(|c| c.execute_batch("CREATE TABLE something_else (x INTEGER)"))
            .expect("foreign db");
        match SqliteLog::open(dir.path()) {
            Err(StoreError::Corrupt(msg)) => {
                assert!(msg.contains(&db.display().to_string()), "{msg}");
                assert!(msg.contains("not a privzone one"), "{msg}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn newer_schema_version_is_corrupt() {
        let dir = tempfile::tempdir().expect("tempdir");
        drop(SqliteLog::open(dir.path()).expect("open"));
        let db = dir.path().join(DB_FILE);
        Connection::open(&db)
            .and_then(|c| c.execute("UPDATE schema_version SET version = 99", []))
            .expect("bump version");
        match SqliteLog::open(dir.path()) {
            Err(StoreError::Corrupt(msg)) => {
                assert!(msg.contains(&db.display().to_string()), "{msg}");
                assert!(msg.contains("schema version 99"), "{msg}");
            }
            other => panic!("expected Corrupt, got {other:?}"),
        }
    }

    #[test]
    fn wrongly_typed_row_is_corrupt() {
        let (_dir, mut log) = fresh();
        log.conn
            .execute(
                "INSERT INTO changes (revision, time, change) VALUES (1, 'yesterday', '{}')",
                [],
            )
            .expect("insert");
        assert!(matches!(log.read_after(0, 10), Err(StoreError::Corrupt(_))));
    }

    #[test]
    fn only_two_newest_snapshots_are_kept() {
        let (dir, mut log) = fresh();
        for rev in [5, 1, 9, 7] {
            log.save_snapshot(rev, format!("s{rev}").as_bytes())
                .expect("save");
        }
        let kept: Vec<i64> = log
            .conn
            .prepare("SELECT revision FROM snapshots ORDER BY revision")
            .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
            .expect("list");
        assert_eq!(kept, vec![7, 9]);
        assert_eq!(
            log.latest_snapshot().expect("latest"),
            Some((9, b"s9".to_vec()))
        );
        // Survives reopen.
        drop(log);
        let mut log = SqliteLog::open(dir.path()).expect("reopen");
        assert_eq!(
            log.latest_snapshot().expect("latest"),
            Some((9, b"s9".to_vec()))
        );
    }

    const CHILD_DIR_VAR: &str = "PRIVZONE_STORE_TEST_CHILD_DIR";

    /// Not a test by itself: the child process of `kill_9_after_append_loses_nothing`.
    #[test]
    fn child_appends_then_waits_to_be_killed() {
        let Some(dir) = std::env::var_os(CHILD_DIR_VAR) else {
            return;
        };
        let mut log = SqliteLog::open(Path::new(&dir)).expect("child open");
        log.append(&[entry(1), entry(2), entry(3)])
            .expect("child append");
        println!("appended");
        std::io::stdout().flush().expect("flush");
        std::thread::sleep(Duration::from_secs(60));
    }

    #[cfg(unix)]
    #[test]
    fn kill_9_after_append_loses_nothing() {
        use std::io::BufRead;
        use std::process::{Command, Stdio};

        let dir = tempfile::tempdir().expect("tempdir");
        let mut child = Command::new(std::env::current_exe().expect("current_exe"))
            .args([
                "--exact",
                "sqlite::tests::child_appends_then_waits_to_be_killed",
                "--nocapture",
            ])
            .env(CHILD_DIR_VAR, dir.path())
            .stdout(Stdio::piped())
            .spawn()
            .expect("spawn child");
        let stdout = child.stdout.take().expect("child stdout");
        let appended = std::io::BufReader::new(stdout)
            .lines()
            .map_while(Result::ok)
            .any(|line| line == "appended");
        assert!(appended, "child did not append");

        // Another process holds the directory.
        let locked = SqliteLog::open(dir.path());
        assert!(matches!(locked, Err(StoreError::Locked(_))), "{locked:?}");

        child.kill().expect("SIGKILL child"); // SIGKILL: no destructor, no clean close
        child.wait().expect("wait child");

        let mut log = SqliteLog::open(dir.path()).expect("open after kill");
        assert_eq!(log.head().expect("head"), 3);
        let read = log.read_after(0, 10).expect("read");
        assert_eq!(read[2].change, entry(3).change);
        assert_eq!(log.append(&[entry(4)]).expect("append"), vec![4]);
    }

    #[test]
    fn log_is_send() {
        fn assert_send<T: Send>() {}
        assert_send::<SqliteLog>();
        assert_send::<Box<dyn ChangeLog>>();
    }
}
