//! The model benchmark's deployment (crates/model/benches/effective.rs, full scale) as a change
//! log on disk: 1,000,000 users, 100,000 groups on 10 levels, 10,000 spaces, 10,000 handle
//! services, ~10,000,000 membership edges, plus an owner with a known token who may read
//! handle service `hs0`. Every change is applied to a `State` first and only written if the
//! model accepts it, so the server replays the log without a single rejected entry.

use privzone_model::catalog::{GroupPrivileges, HandleServicePrivileges, SpacePrivileges};
use privzone_model::change::{GroupType, TokenHash, TokenKind};
use privzone_model::{Change, Member, Privileges, State, Target};
use privzone_store::{ChangeLog, NewEntry, SqliteLog};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use sha2::{Digest, Sha256};

use crate::write_env;

const USERS: usize = 1_000_000;
const GROUPS: usize = 100_000;
const LEVELS: usize = 10;
const SPACES: usize = 10_000;
const SERVICES: usize = 10_000;
const EDGES: usize = 10_000_000;
const BIG: usize = 100_000;
/// Entries per durable append (one SQLite transaction).
const BATCH: usize = 100_000;
const SEED: u64 = 0x5052_4956_5a4f_4e45; // "PRIVZONE", as the model benchmark
const OWNER_TOKEN: &str = "pz1bench-full-scale-owner-token";

struct Writer {
    state: State,
    log: SqliteLog,
    pending: Vec<NewEntry>,
    changes: usize,
    edges: usize,
}

impl Writer {
    fn apply(&mut self, change: Change) -> Result<bool, String> {
        if self.state.apply(&change).is_err() {
            return Ok(false); // e.g. a random pick that is already a member
        }
        if matches!(change, Change::AddMember { .. }) {
            self.edges += 1;
        }
        self.pending.push(NewEntry {
            actor_user: None,
            actor_token: None,
            time: 0,
            change: serde_json::to_string(&change).map_err(|e| e.to_string())?,
        });
        self.changes += 1;
        if self.pending.len() >= BATCH {
            self.flush()?;
        }
        Ok(true)
    }

    fn add(
        &mut self,
        target: Target,
        member: Member,
        privileges: Privileges,
    ) -> Result<bool, String> {
        self.apply(Change::AddMember {
            target,
            member,
            privileges,
        })
    }

    fn flush(&mut self) -> Result<(), String> {
        self.log.append(&self.pending).map_err(|e| e.to_string())?;
        self.pending.clear();
        Ok(())
    }
}

fn user(i: usize) -> String {
    format!("u{i}")
}

fn group(i: usize) -> String {
    format!("g{i}")
}

fn create_group(id: String) -> Change {
    Change::CreateGroup {
        name: id.clone(),
        group: id,
        group_type: GroupType::Team,
        creator: None,
        time: 0,
        protected: false,
    }
}

pub fn run(data_dir: &str, out: &str) -> Result<(), String> {
    let started = std::time::Instant::now();
    let log = SqliteLog::open(std::path::Path::new(data_dir)).map_err(|e| e.to_string())?;
    let mut w = Writer {
        state: State::new(),
        log,
        pending: Vec::with_capacity(BATCH),
        changes: 0,
        edges: 0,
    };
    let mut rng = StdRng::seed_from_u64(SEED);
    let gm = || Privileges::Group(GroupPrivileges::preset("member"));
    let sm = || Privileges::Space(SpacePrivileges::preset("member"));
    let hm = || Privileges::HandleService(HandleServicePrivileges::preset("member"));

    for i in 0..USERS {
        w.apply(Change::CreateUser {
            full_name: user(i),
            user: user(i),
            username: None,
            time: 0,
        })?;
    }
    for i in 0..GROUPS {
        w.apply(create_group(group(i)))?;
    }
    let per_level = GROUPS / LEVELS;
    for i in per_level..GROUPS {
        let level = i / per_level;
        let above = (level - 1) * per_level..level * per_level;
        let parents = if rng.gen_bool(0.2) { 2 } else { 1 };
        for _ in 0..parents {
            let p = rng.gen_range(above.clone());
            w.add(Target::Group(group(p)), Member::Group(group(i)), gm())?;
        }
    }
    for i in 0..SPACES {
        let id = format!("s{i}");
        w.apply(Change::CreateSpace {
            name: id.clone(),
            space: id.clone(),
            creator: None,
            time: 0,
        })?;
        for _ in 0..4 {
            let g = group(rng.gen_range(0..GROUPS));
            w.add(Target::Space(id.clone()), Member::Group(g), sm())?;
        }
        for _ in 0..40 {
            let u = user(rng.gen_range(0..USERS));
            w.add(Target::Space(id.clone()), Member::User(u), sm())?;
        }
    }
    for i in 0..SERVICES {
        let id = format!("hs{i}");
        w.apply(Change::CreateHandleService {
            name: id.clone(),
            service: id.clone(),
            proxy_endpoint: "https://proxy.example".into(),
            service_properties: serde_json::json!({"type": "DOI", "prefix": "10.5072"}),
            creator: None,
            time: 0,
        })?;
        for _ in 0..2 {
            let g = group(rng.gen_range(0..GROUPS));
            w.add(Target::HandleService(id.clone()), Member::Group(g), hm())?;
        }
        for _ in 0..10 {
            let u = user(rng.gen_range(0..USERS));
            w.add(Target::HandleService(id.clone()), Member::User(u), hm())?;
        }
    }
    // The big group: 100 children of BIG/100 users each, a member of s0 and hs0.
    w.apply(create_group("big".into()))?;
    let per_child = BIG / 100;
    for k in 0..100 {
        let child = format!("big-{k}");
        w.apply(create_group(child.clone()))?;
        w.add(
            Target::Group("big".into()),
            Member::Group(child.clone()),
            gm(),
        )?;
        for i in k * per_child..(k + 1) * per_child {
            w.add(Target::Group(child.clone()), Member::User(user(i)), gm())?;
        }
    }
    w.add(
        Target::Space("s0".into()),
        Member::Group("big".into()),
        sm(),
    )?;
    w.add(
        Target::HandleService("hs0".into()),
        Member::Group("big".into()),
        hm(),
    )?;
    let remaining = EDGES.saturating_sub(w.edges);
    let mean = (remaining as f64 / USERS as f64).max(1.0);
    let max = (2.0 * mean - 1.0).round().max(1.0) as usize;
    for u in 0..USERS {
        let k = rng.gen_range(1..=max);
        for _ in 0..k {
            let g = rng.gen_range(0..GROUPS);
            w.add(Target::Group(group(g)), Member::User(user(u)), gm())?;
        }
    }
    // The reader of the HTTP measurements: a direct member of hs0 with every privilege.
    w.apply(Change::CreateUser {
        user: "bench-owner".into(),
        username: Some("bench-owner".into()),
        full_name: "Bench owner".into(),
        time: 0,
    })?;
    w.apply(Change::CreateToken {
        token: "bench-owner-token".into(),
        user: "bench-owner".into(),
        name: "bench".into(),
        secret: TokenHash(hex::encode(Sha256::digest(OWNER_TOKEN.as_bytes()))),
        kind: TokenKind::Access,
        time: 0,
        valid_until: None,
    })?;
    w.add(
        Target::HandleService("hs0".into()),
        Member::User("bench-owner".into()),
        Privileges::HandleService(HandleServicePrivileges::all()),
    )?;
    w.flush()?;
    let (changes, edges) = (w.changes, w.edges);
    drop(w);
    write_env(
        out,
        &[
            (
                "BENCH_FULL_DEPLOYMENT",
                format!(
                    "{USERS} users, {} groups on {LEVELS} levels, {SPACES} spaces, {SERVICES} handle services, {edges} membership edges",
                    GROUPS + 101
                ),
            ),
            ("BENCH_FULL_CHANGES", changes.to_string()),
            (
                "BENCH_FULL_WRITE_SECONDS",
                format!("{:.1}", started.elapsed().as_secs_f64()),
            ),
            ("BENCH_FULL_OWNER_TOKEN", OWNER_TOKEN.into()),
            (
                "BENCH_FULL_READ_PATH",
                "/api/v3/onezone/handle_services/hs0/effective_users/u5/privileges".into(),
            ),
        ],
    )
}
