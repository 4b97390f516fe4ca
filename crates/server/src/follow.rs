//! Following the shared PostgreSQL log: every node applies what the others appended.
//!
//! A thread waits for the `privzone_changes` notification and asks the writer to catch up; it
//! also asks every [`POLL`] without one, which is all engines without LISTEN/NOTIFY (CockroachDB)
//! get, so other nodes' writes show up here within that delay at most.

use std::time::Duration;

use privzone_store::PgListener;

use crate::app::App;

/// Longest delay before another node's write is visible here without a notification.
pub const POLL: Duration = Duration::from_millis(500);

/// Starts the follower thread for the database at `url`.
pub fn start(url: String, app: App) {
    let spawned = std::thread::Builder::new()
        .name("privzone-follower".into())
        .spawn(move || {
            let mut listener = PgListener::new(&url);
            loop {
                match listener.wait(POLL) {
                    Ok(_) => {
                        app.metrics()
                            .heard
                            .fetch_max(listener.heard(), std::sync::atomic::Ordering::Relaxed);
                        app.catch_up()
                    }
                    Err(e) => {
                        // LISTEN unavailable (outage, or an engine without it): keep polling.
                        tracing::debug!(error = %e, "no change notifications; polling");
                        std::thread::sleep(POLL);
                        app.catch_up();
                    }
                }
            }
        });
    if let Err(e) = spawned {
        tracing::error!(error = %e, "cannot start the follower thread; relying on writes to catch up");
    }
}
