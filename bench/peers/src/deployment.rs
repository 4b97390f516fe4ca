//! The deployment every engine loads, and the samples every engine answers.
//!
//! The shape is the model benchmark's (crates/model/benches/effective.rs, also bench/deploy's
//! `log`), scaled by the number of membership edges E: E/10 users, E/100 groups on 10 levels
//! (each group below level 0 has a parent on the level above, one in five a second one:
//! diamonds), E/1000 spaces with 4 group and 40 user members, E/1000 handle services with 2 group
//! and 10 user members, a "big" group of E/100 users in child groups that is a member of `s0` and
//! `hs0`, and the remaining edges as users joining random groups. Unlike the model benchmark,
//! whose every edge carries the "member" preset, each edge here gets its own privileges (a preset,
//! sometimes one privilege more or one less), so that "the union over all membership paths of
//! the privileges of the direct edge into the entity" decides many answers.
//!
//! The description is engine-neutral (indices and privilege bitmasks); each engine turns it into
//! its own input. Duplicate (target, member) pairs are dropped here, so all engines see the same
//! edges (privzone's model would reject a second edge).

use std::collections::HashSet;

use privzone_model::catalog::{GroupPriv, HandleServicePriv, SpacePriv};
use privzone_model::privilege::{PrivilegeKind, PrivilegeSet};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

const SEED: u64 = 0x5052_4956_5a4f_4e45; // "PRIVZONE", as the model benchmark
const LEVELS: usize = 10;

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    Group,
    Space,
    Service,
}

impl Kind {
    pub const ALL: [Kind; 3] = [Kind::Group, Kind::Space, Kind::Service];

    /// The privilege names of the kind, sorted (a name's bit is its index), from privzone's catalog.
    pub fn names(self) -> &'static [&'static str] {
        match self {
            Kind::Group => GroupPriv::catalog().names(),
            Kind::Space => SpacePriv::catalog().names(),
            Kind::Service => HandleServicePriv::catalog().names(),
        }
    }

    fn preset(self, level: &str) -> u128 {
        fn mask<K: PrivilegeKind>(set: PrivilegeSet<K>) -> u128 {
            let names = K::catalog().names();
            set.names()
                .map(|n| 1u128 << names.binary_search(&n).unwrap_or(0))
                .fold(0, |a, b| a | b)
        }
        match self {
            Kind::Group => mask(PrivilegeSet::<GroupPriv>::preset(level)),
            Kind::Space => mask(PrivilegeSet::<SpacePriv>::preset(level)),
            Kind::Service => mask(PrivilegeSet::<HandleServicePriv>::preset(level)),
        }
    }

    /// Cedar entity type and casbin/privzone id prefix.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::Group => "g",
            Kind::Space => "s",
            Kind::Service => "hs",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Member {
    User(u32),
    Group(u32),
}

/// One direct membership edge: `member` belongs to `target` with the privileges `privs` (bits
/// into `target.0.names()`).
#[derive(Clone, Copy, Debug)]
pub struct Edge {
    pub target: (Kind, u32),
    pub member: Member,
    pub privs: u128,
}

pub struct Deployment {
    pub users: usize,
    /// Group ids by index: `g0`…, then `big` and `big-0`….
    pub groups: Vec<String>,
    pub spaces: usize,
    pub services: usize,
    pub edges: Vec<Edge>,
}

/// One check: does user `user` hold privilege `privilege` in `target`?
#[derive(Clone, Debug)]
pub struct Sample {
    pub user: String,
    pub kind: Kind,
    pub target: String,
    pub privilege: &'static str,
}

impl Deployment {
    pub fn user_id(&self, i: u32) -> String {
        format!("u{i}")
    }

    pub fn target_id(&self, kind: Kind, i: u32) -> String {
        match kind {
            Kind::Group => self.groups[i as usize].clone(),
            _ => format!("{}{i}", kind.prefix()),
        }
    }

    pub fn member_id(&self, m: Member) -> String {
        match m {
            Member::User(u) => self.user_id(u),
            Member::Group(g) => self.groups[g as usize].clone(),
        }
    }

    pub fn describe(&self) -> String {
        format!(
            "{} users, {} groups ({LEVELS} levels), {} spaces, {} handle services, {} membership edges, {} (edge, privilege) pairs",
            self.users,
            self.groups.len(),
            self.spaces,
            self.services,
            self.edges.len(),
            self.edges.iter().map(|e| e.privs.count_ones() as usize).sum::<usize>()
        )
    }
}

struct Gen {
    rng: StdRng,
    seen: HashSet<((Kind, u32), Member)>,
    edges: Vec<Edge>,
}

impl Gen {
    fn privileges(&mut self, kind: Kind) -> u128 {
        let r: f64 = self.rng.gen();
        let level = if r < 0.7 {
            "member"
        } else if r < 0.9 {
            "manager"
        } else {
            "admin"
        };
        let mut privs = kind.preset(level);
        let n = kind.names().len() as u32;
        if self.rng.gen_bool(0.3) {
            privs |= 1 << self.rng.gen_range(0..n);
        }
        if self.rng.gen_bool(0.2) {
            privs &= !(1 << self.rng.gen_range(0..n));
        }
        privs
    }

    fn add(&mut self, target: (Kind, u32), member: Member) {
        let privs = self.privileges(target.0);
        if self.seen.insert((target, member)) {
            self.edges.push(Edge {
                target,
                member,
                privs,
            });
        }
    }
}

/// The deployment with about `edges` membership edges (deterministic for a given `edges`).
pub fn generate(edges: usize) -> Deployment {
    let users = (edges / 10).max(10);
    let groups = (edges / 100).max(LEVELS) / LEVELS * LEVELS;
    let spaces = (edges / 1000).max(1);
    let services = (edges / 1000).max(1);
    let big = (edges / 100).max(10).min(users);
    let big_children = (big / 10).clamp(1, 100);
    let mut g = Gen {
        rng: StdRng::seed_from_u64(SEED),
        seen: HashSet::new(),
        edges: Vec::with_capacity(edges + edges / 10),
    };
    let mut group_ids: Vec<String> = (0..groups).map(|i| format!("g{i}")).collect();
    let per_level = groups / LEVELS;
    for i in per_level..groups {
        let level = i / per_level;
        let above = (level - 1) * per_level..level * per_level;
        let parents = if g.rng.gen_bool(0.2) { 2 } else { 1 };
        for _ in 0..parents {
            let p = g.rng.gen_range(above.clone());
            g.add((Kind::Group, p as u32), Member::Group(i as u32));
        }
    }
    for s in 0..spaces as u32 {
        for _ in 0..4 {
            let m = Member::Group(g.rng.gen_range(0..groups) as u32);
            g.add((Kind::Space, s), m);
        }
        for _ in 0..40 {
            let m = Member::User(g.rng.gen_range(0..users) as u32);
            g.add((Kind::Space, s), m);
        }
    }
    for s in 0..services as u32 {
        for _ in 0..2 {
            let m = Member::Group(g.rng.gen_range(0..groups) as u32);
            g.add((Kind::Service, s), m);
        }
        for _ in 0..10 {
            let m = Member::User(g.rng.gen_range(0..users) as u32);
            g.add((Kind::Service, s), m);
        }
    }
    // The big group: children of big/children users each; a direct member of s0 and hs0.
    let big_ix = group_ids.len() as u32;
    group_ids.push("big".into());
    let per_child = big / big_children;
    for k in 0..big_children {
        let child = group_ids.len() as u32;
        group_ids.push(format!("big-{k}"));
        g.add((Kind::Group, big_ix), Member::Group(child));
        for u in k * per_child..(k + 1) * per_child {
            g.add((Kind::Group, child), Member::User(u as u32));
        }
    }
    g.add((Kind::Space, 0), Member::Group(big_ix));
    g.add((Kind::Service, 0), Member::Group(big_ix));
    // The rest: every user joins some random groups (1 to 2·mean − 1).
    let remaining = edges.saturating_sub(g.edges.len());
    let mean = (remaining as f64 / users as f64).max(1.0);
    let max = (2.0 * mean - 1.0).round().max(1.0) as usize;
    for u in 0..users as u32 {
        let k = g.rng.gen_range(1..=max);
        for _ in 0..k {
            let grp = g.rng.gen_range(0..groups) as u32;
            g.add((Kind::Group, grp), Member::User(u));
        }
    }
    Deployment {
        users,
        groups: group_ids,
        spaces,
        services,
        edges: g.edges,
    }
}

/// `n` samples, the same for every engine (fixed seed): half start from a random edge and walk
/// down to a user below its member (so that user is an effective member of the edge's target),
/// half are a random user and a random target; the privilege is random in the target's catalog.
pub fn samples(d: &Deployment, n: usize) -> Vec<Sample> {
    let mut rng = StdRng::seed_from_u64(SEED ^ 0x5341_4d50_4c45); // "SAMPLE"
    let mut below: Vec<Vec<Member>> = vec![Vec::new(); d.groups.len()];
    for e in &d.edges {
        if e.target.0 == Kind::Group {
            below[e.target.1 as usize].push(e.member);
        }
    }
    let mut out = Vec::with_capacity(n);
    for i in 0..n {
        let (kind, target, user) = if i % 2 == 0 {
            let e = d.edges[rng.gen_range(0..d.edges.len())];
            let mut m = e.member;
            let mut steps = 0;
            let user = loop {
                match m {
                    Member::User(u) => break u,
                    Member::Group(g) => {
                        let ms = &below[g as usize];
                        if ms.is_empty() || steps > 64 {
                            break rng.gen_range(0..d.users) as u32;
                        }
                        m = ms[rng.gen_range(0..ms.len())];
                        steps += 1;
                    }
                }
            };
            (e.target.0, e.target.1, user)
        } else {
            let kind = Kind::ALL[rng.gen_range(0..3)];
            let count = match kind {
                Kind::Group => d.groups.len(),
                Kind::Space => d.spaces,
                Kind::Service => d.services,
            };
            (
                kind,
                rng.gen_range(0..count) as u32,
                rng.gen_range(0..d.users) as u32,
            )
        };
        let names = kind.names();
        out.push(Sample {
            user: d.user_id(user),
            kind,
            target: d.target_id(kind, target),
            privilege: names[rng.gen_range(0..names.len())],
        });
    }
    out
}

/// The names of the privileges in `mask` for `kind`.
pub fn names(kind: Kind, mask: u128) -> impl Iterator<Item = &'static str> {
    kind.names()
        .iter()
        .enumerate()
        .filter(move |(i, _)| mask & (1u128 << i) != 0)
        .map(|(_, n)| *n)
}
