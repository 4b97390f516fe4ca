//! Builders for `Change` values and an id-keyed view of everything the model answers, so that a
//! `State` and the reference evaluator can be compared with `==`.

use std::collections::{BTreeMap, BTreeSet, VecDeque};

use privzone_model::catalog::{
    GroupPriv, GroupPrivileges, HandlePriv, HandlePrivileges, HandleServicePriv,
    HandleServicePrivileges, OzPriv, OzPrivileges, SpacePriv, SpacePrivileges,
};
use privzone_model::change::GroupType;
use privzone_model::privilege::{PrivilegeKind, PrivilegeSet};
use privzone_model::state::{MemberTable, State};
use privzone_model::{Change, Member, Privileges, Target};

// ---------------------------------------------------------------------------------------------
// Change builders

pub fn create_user(id: &str) -> Change {
    Change::CreateUser {
        user: id.into(),
        username: None,
        full_name: id.into(),
        time: 0,
    }
}

pub fn create_group(id: &str) -> Change {
    Change::CreateGroup {
        group: id.into(),
        name: id.into(),
        group_type: GroupType::Team,
        creator: None,
        time: 0,
        protected: false,
    }
}

pub fn create_space(id: &str) -> Change {
    Change::CreateSpace {
        space: id.into(),
        name: id.into(),
        creator: None,
        time: 0,
    }
}

pub fn create_service(id: &str) -> Change {
    Change::CreateHandleService {
        service: id.into(),
        name: id.into(),
        proxy_endpoint: "https://proxy.example".into(),
        service_properties: serde_json::json!({"type": "DOI", "prefix": "10.5072"}),
        creator: None,
        time: 0,
    }
}

pub fn create_handle(id: &str, service: &str) -> Change {
    Change::CreateHandle {
        handle: id.into(),
        service: service.into(),
        resource_type: "Share".into(),
        resource_id: format!("share-of-{id}"),
        metadata_prefix: "oai_dc".into(),
        metadata: "<metadata/>".into(),
        public_handle: format!("10.5072/{id}"),
        creator: None,
        time: 0,
    }
}

pub fn user(id: &str) -> Member {
    Member::User(id.into())
}

pub fn group(id: &str) -> Member {
    Member::Group(id.into())
}

pub fn in_group(id: &str) -> Target {
    Target::Group(id.into())
}

pub fn in_space(id: &str) -> Target {
    Target::Space(id.into())
}

pub fn in_service(id: &str) -> Target {
    Target::HandleService(id.into())
}

pub fn in_handle(id: &str) -> Target {
    Target::Handle(id.into())
}

pub fn add(target: Target, member: Member, privileges: Privileges) -> Change {
    Change::AddMember {
        target,
        member,
        privileges,
    }
}

pub fn set(target: Target, member: Member, privileges: Privileges) -> Change {
    Change::SetPrivileges {
        target,
        member,
        privileges,
    }
}

pub fn remove(target: Target, member: Member) -> Change {
    Change::RemoveMember { target, member }
}

pub fn set_oz(subject: Member, names: &[&str]) -> Change {
    Change::SetOzPrivileges {
        subject,
        privileges: OzPrivileges::parse(names.iter().copied()).unwrap(),
    }
}

pub fn gp(names: &[&str]) -> Privileges {
    Privileges::Group(GroupPrivileges::parse(names.iter().copied()).unwrap())
}

pub fn sp(names: &[&str]) -> Privileges {
    Privileges::Space(SpacePrivileges::parse(names.iter().copied()).unwrap())
}

pub fn hsp(names: &[&str]) -> Privileges {
    Privileges::HandleService(HandleServicePrivileges::parse(names.iter().copied()).unwrap())
}

pub fn hp(names: &[&str]) -> Privileges {
    Privileges::Handle(HandlePrivileges::parse(names.iter().copied()).unwrap())
}

/// The privilege set of `target`'s kind whose i-th name (alphabetical) is in iff bit i of `mask`.
pub fn privileges_from_mask(target: &Target, mask: u128) -> Privileges {
    fn pick<K: PrivilegeKind>(mask: u128) -> PrivilegeSet<K> {
        let names = K::catalog().names();
        PrivilegeSet::parse(
            names
                .iter()
                .enumerate()
                .filter(|(i, _)| mask & (1u128 << i) != 0)
                .map(|(_, n)| *n),
        )
        .unwrap()
    }
    match target {
        Target::Group(_) => Privileges::Group(pick::<GroupPriv>(mask)),
        Target::Space(_) => Privileges::Space(pick::<SpacePriv>(mask)),
        Target::HandleService(_) => Privileges::HandleService(pick::<HandleServicePriv>(mask)),
        Target::Handle(_) => Privileges::Handle(pick::<HandlePriv>(mask)),
    }
}

pub fn oz_from_mask(mask: u128) -> OzPrivileges {
    let names = OzPriv::catalog().names();
    OzPrivileges::parse(
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| mask & (1u128 << i) != 0)
            .map(|(_, n)| *n),
    )
    .unwrap()
}

/// Current names of a privilege value, alphabetical.
pub fn names_of(p: &Privileges) -> Vec<&'static str> {
    match p {
        Privileges::Group(s) => s.to_names(),
        Privileges::Space(s) => s.to_names(),
        Privileges::HandleService(s) => s.to_names(),
        Privileges::Handle(s) => s.to_names(),
    }
}

/// Applies every change, panicking with the change that does not apply.
pub fn build(changes: &[Change]) -> State {
    let mut state = State::new();
    for c in changes {
        state.apply(c).unwrap_or_else(|e| panic!("{c:?}: {e}"));
    }
    state
}

/// Key of a target in [`Observed`]: `group:<id>`, `space:<id>`, `handle_service:<id>`, `handle:<id>`.
pub fn target_key(t: &Target) -> String {
    match t {
        Target::Group(id) => format!("group:{id}"),
        Target::Space(id) => format!("space:{id}"),
        Target::HandleService(id) => format!("handle_service:{id}"),
        Target::Handle(id) => format!("handle:{id}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Everything the effective queries answer, keyed by public ids

/// Names of an effective privilege set, alphabetical.
pub type Names = Vec<&'static str>;
/// First hops: `"self"` and/or ids of direct member groups of the target.
pub type Hops = BTreeSet<String>;
pub const SELF_HOP: &str = "self";

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Observed {
    /// (target key, user id) → effective privileges, for every effective pair.
    pub user_privileges: BTreeMap<(String, String), Names>,
    /// (target key, group id) → effective privileges, for every effective pair.
    pub group_privileges: BTreeMap<(String, String), Names>,
    /// (target key, user id) → intermediaries, for every pair that has any.
    pub user_hops: BTreeMap<(String, String), Hops>,
    pub group_hops: BTreeMap<(String, String), Hops>,
    /// target key → its effective users / groups.
    pub effective_users: BTreeMap<String, BTreeSet<String>>,
    pub effective_groups: BTreeMap<String, BTreeSet<String>>,
    /// user id → every group it belongs to at any depth.
    pub user_ancestry: BTreeMap<String, BTreeSet<String>>,
    /// group id → every group it belongs to at any depth (itself only on a cycle).
    pub effective_parents: BTreeMap<String, BTreeSet<String>>,
    pub user_oz: BTreeMap<String, Names>,
    pub group_oz: BTreeMap<String, Names>,
    /// space id → owners.
    pub owners: BTreeMap<String, BTreeSet<String>>,
}

impl Observed {
    /// The differing entries of two observations (at most a few per field), for failure messages.
    pub fn diff(&self, other: &Observed) -> String {
        fn field<K: Ord + std::fmt::Debug, V: PartialEq + std::fmt::Debug>(
            out: &mut String,
            name: &str,
            a: &BTreeMap<K, V>,
            b: &BTreeMap<K, V>,
        ) {
            let keys: BTreeSet<&K> = a.keys().chain(b.keys()).collect();
            let mut shown = 0;
            for k in keys {
                let (x, y) = (a.get(k), b.get(k));
                if x != y {
                    if shown < 5 {
                        out.push_str(&format!("{name}[{k:?}]: state {x:?} vs reference {y:?}\n"));
                    }
                    shown += 1;
                }
            }
            if shown > 5 {
                out.push_str(&format!("{name}: {} more differences\n", shown - 5));
            }
        }
        let mut out = String::new();
        field(
            &mut out,
            "user_privileges",
            &self.user_privileges,
            &other.user_privileges,
        );
        field(
            &mut out,
            "group_privileges",
            &self.group_privileges,
            &other.group_privileges,
        );
        field(&mut out, "user_hops", &self.user_hops, &other.user_hops);
        field(&mut out, "group_hops", &self.group_hops, &other.group_hops);
        field(
            &mut out,
            "effective_users",
            &self.effective_users,
            &other.effective_users,
        );
        field(
            &mut out,
            "effective_groups",
            &self.effective_groups,
            &other.effective_groups,
        );
        field(
            &mut out,
            "user_ancestry",
            &self.user_ancestry,
            &other.user_ancestry,
        );
        field(
            &mut out,
            "effective_parents",
            &self.effective_parents,
            &other.effective_parents,
        );
        field(&mut out, "user_oz", &self.user_oz, &other.user_oz);
        field(&mut out, "group_oz", &self.group_oz, &other.group_oz);
        field(&mut out, "owners", &self.owners, &other.owners);
        out
    }
}

/// Asks `state` every effective query for every (target, user) and (target, group) pair.
pub fn observe(state: &State) -> Observed {
    let mut obs = Observed::default();
    for (_, g) in state.groups.iter() {
        observe_target(
            state,
            &target_key(&Target::Group(g.id.clone())),
            g,
            &mut obs,
        );
    }
    for (_, s) in state.spaces.iter() {
        observe_target(
            state,
            &target_key(&Target::Space(s.id.clone())),
            s,
            &mut obs,
        );
        let owners = s
            .owners
            .iter()
            .map(|u| state.users.id_of(*u).to_owned())
            .collect();
        obs.owners.insert(s.id.clone(), owners);
    }
    for (_, s) in state.services.iter() {
        observe_target(
            state,
            &target_key(&Target::HandleService(s.id.clone())),
            s,
            &mut obs,
        );
    }
    for (_, h) in state.handles.iter() {
        observe_target(
            state,
            &target_key(&Target::Handle(h.id.clone())),
            h,
            &mut obs,
        );
    }
    for (u, user) in state.users.iter() {
        let ancestry = state.user_ancestry(u);
        assert!(
            ancestry.windows(2).all(|w| w[0] < w[1]),
            "user_ancestry is sorted and deduplicated"
        );
        obs.user_ancestry.insert(
            user.id.clone(),
            ancestry
                .iter()
                .map(|g| state.groups.id_of(*g).to_owned())
                .collect(),
        );
        obs.user_oz
            .insert(user.id.clone(), state.effective_user_oz(u).to_names());
    }
    for (g, grp) in state.groups.iter() {
        let parents = state.effective_parents(g);
        obs.effective_parents.insert(
            grp.id.clone(),
            parents
                .iter()
                .map(|p| state.groups.id_of(*p).to_owned())
                .collect(),
        );
        obs.group_oz
            .insert(grp.id.clone(), state.effective_group_oz(g).to_names());
    }
    obs
}

fn observe_target<T: MemberTable>(state: &State, key: &str, t: &T, obs: &mut Observed) {
    for (u, user) in state.users.iter() {
        let privileges = state.effective_user_privileges(t, u);
        assert_eq!(state.is_effective_user(t, u), privileges.is_some());
        let pair = (key.to_owned(), user.id.clone());
        if let Some(p) = privileges {
            obs.user_privileges.insert(pair.clone(), p.to_names());
        }
        let i = state.user_intermediaries(t, u);
        assert!(
            i.groups.windows(2).all(|w| w[0] < w[1]),
            "intermediaries are sorted and distinct"
        );
        let mut hops: Hops = i
            .groups
            .iter()
            .map(|g| state.groups.id_of(*g).to_owned())
            .collect();
        if i.direct {
            hops.insert(SELF_HOP.into());
        }
        if !hops.is_empty() {
            obs.user_hops.insert(pair, hops);
        }
    }
    for (g, grp) in state.groups.iter() {
        let pair = (key.to_owned(), grp.id.clone());
        if let Some(p) = state.effective_group_privileges(t, g) {
            obs.group_privileges.insert(pair.clone(), p.to_names());
        }
        let i = state.group_intermediaries(t, g);
        assert!(
            i.groups.windows(2).all(|w| w[0] < w[1]),
            "intermediaries are sorted and distinct"
        );
        let mut hops: Hops = i
            .groups
            .iter()
            .map(|x| state.groups.id_of(*x).to_owned())
            .collect();
        if i.direct {
            hops.insert(SELF_HOP.into());
        }
        if !hops.is_empty() {
            obs.group_hops.insert(pair, hops);
        }
    }
    let users = state.effective_users(t);
    let user_ids: BTreeSet<String> = users
        .iter()
        .map(|u| state.users.id_of(*u).to_owned())
        .collect();
    assert_eq!(
        user_ids.len(),
        users.len(),
        "effective_users lists each user once"
    );
    obs.effective_users.insert(key.to_owned(), user_ids);
    let groups = state.effective_groups(t);
    let group_ids: BTreeSet<String> = groups
        .iter()
        .map(|g| state.groups.id_of(*g).to_owned())
        .collect();
    assert_eq!(
        group_ids.len(),
        groups.len(),
        "effective_groups lists each group once"
    );
    obs.effective_groups.insert(key.to_owned(), group_ids);
}

// ---------------------------------------------------------------------------------------------
// The stored graph itself, keyed by ids (for rebuild comparisons)

/// A target's direct users and direct groups, by id, with their privileges.
pub type DirectMembers = (BTreeMap<String, Names>, BTreeMap<String, Names>);

#[derive(Debug, Default, PartialEq, Eq)]
pub struct Stored {
    pub users: BTreeMap<String, (Names, BTreeSet<String>)>,
    /// group id → (oz, direct users with privileges, children with privileges, parents, ancestors).
    #[allow(clippy::type_complexity)]
    pub groups: BTreeMap<
        String,
        (
            Names,
            BTreeMap<String, Names>,
            BTreeMap<String, Names>,
            BTreeSet<String>,
            BTreeSet<String>,
        ),
    >,
    /// target key → (direct users, direct groups), with privileges.
    pub targets: BTreeMap<String, DirectMembers>,
}

/// The stored graph of `state`, by ids: everything a rebuild must reproduce.
pub fn stored(state: &State) -> Stored {
    fn edges<T: MemberTable>(
        state: &State,
        t: &T,
    ) -> (BTreeMap<String, Names>, BTreeMap<String, Names>) {
        (
            t.users()
                .iter()
                .map(|(u, p)| (state.users.id_of(*u).to_owned(), p.to_names()))
                .collect(),
            t.groups()
                .iter()
                .map(|(g, p)| (state.groups.id_of(*g).to_owned(), p.to_names()))
                .collect(),
        )
    }
    let gid = |g: &privzone_model::state::GroupIx| state.groups.id_of(*g).to_owned();
    let mut out = Stored::default();
    for (_, u) in state.users.iter() {
        let mut memberships: BTreeSet<String> = u
            .groups
            .iter()
            .map(|g| format!("group:{}", gid(g)))
            .collect();
        memberships.extend(
            u.spaces
                .iter()
                .map(|s| format!("space:{}", state.spaces.id_of(*s))),
        );
        memberships.extend(
            u.services
                .iter()
                .map(|s| format!("handle_service:{}", state.services.id_of(*s))),
        );
        memberships.extend(
            u.handles
                .iter()
                .map(|h| format!("handle:{}", state.handles.id_of(*h))),
        );
        out.users
            .insert(u.id.clone(), (u.oz.to_names(), memberships));
    }
    for (_, g) in state.groups.iter() {
        let (users, children) = edges(state, g);
        out.groups.insert(
            g.id.clone(),
            (
                g.oz.to_names(),
                users,
                children,
                g.parents.iter().map(gid).collect(),
                g.ancestors.iter().map(gid).collect(),
            ),
        );
        out.targets
            .insert(format!("group:{}", g.id), edges(state, g));
    }
    for (_, s) in state.spaces.iter() {
        out.targets
            .insert(format!("space:{}", s.id), edges(state, s));
    }
    for (_, s) in state.services.iter() {
        out.targets
            .insert(format!("handle_service:{}", s.id), edges(state, s));
    }
    for (_, h) in state.handles.iter() {
        out.targets
            .insert(format!("handle:{}", h.id), edges(state, h));
    }
    out
}

/// Structural invariants: every edge is stored on both ends, no edge points at a deleted entity,
/// and each group's `ancestors` equals a breadth-first search over `parents` (itself included).
pub fn check_invariants(state: &State) {
    // The model's own check (what the integration harness runs on every server it stops) must
    // agree on every state the scenarios and random histories reach.
    let problems = state.check_invariants();
    assert!(
        problems.is_empty(),
        "State::check_invariants: {problems:#?}"
    );
    for (g, grp) in state.groups.iter() {
        // ancestors: sorted, distinct, equal to a BFS recomputation
        assert!(
            grp.ancestors.windows(2).all(|w| w[0] < w[1]),
            "ancestors of {} sorted",
            grp.id
        );
        let mut seen = BTreeSet::from([g]);
        let mut queue = VecDeque::from([g]);
        while let Some(x) = queue.pop_front() {
            for p in &state.groups.get(x).expect("parent is live").parents {
                if seen.insert(*p) {
                    queue.push_back(*p);
                }
            }
        }
        let bfs: Vec<_> = seen.into_iter().collect();
        assert_eq!(
            grp.ancestors, bfs,
            "ancestors of {} equal a BFS over parents",
            grp.id
        );

        for (u, _) in grp.users.iter() {
            assert!(state
                .users
                .get(*u)
                .expect("member user is live")
                .groups
                .contains(&g));
        }
        for (c, _) in grp.children.iter() {
            assert!(state
                .groups
                .get(*c)
                .expect("child is live")
                .parents
                .contains(&g));
        }
        for p in &grp.parents {
            assert!(state
                .groups
                .get(*p)
                .expect("parent is live")
                .children
                .contains_key(&g));
        }
        for s in &grp.spaces {
            assert!(state
                .spaces
                .get(*s)
                .expect("space is live")
                .groups
                .contains_key(&g));
        }
        for s in &grp.services {
            assert!(state
                .services
                .get(*s)
                .expect("service is live")
                .groups
                .contains_key(&g));
        }
        for h in &grp.handles {
            assert!(state
                .handles
                .get(*h)
                .expect("handle is live")
                .groups
                .contains_key(&g));
        }
        assert_distinct(&grp.parents);
    }
    for (u, user) in state.users.iter() {
        for g in &user.groups {
            assert!(state
                .groups
                .get(*g)
                .expect("group is live")
                .users
                .contains_key(&u));
        }
        for s in &user.spaces {
            assert!(state
                .spaces
                .get(*s)
                .expect("space is live")
                .users
                .contains_key(&u));
        }
        for s in &user.services {
            assert!(state
                .services
                .get(*s)
                .expect("service is live")
                .users
                .contains_key(&u));
        }
        for h in &user.handles {
            assert!(state
                .handles
                .get(*h)
                .expect("handle is live")
                .users
                .contains_key(&u));
        }
        assert_distinct(&user.groups);
        assert_distinct(&user.spaces);
    }
    for (s, sp) in state.spaces.iter() {
        for u in sp.users.keys() {
            assert!(state
                .users
                .get(*u)
                .expect("user is live")
                .spaces
                .contains(&s));
        }
        for g in sp.groups.keys() {
            assert!(state
                .groups
                .get(*g)
                .expect("group is live")
                .spaces
                .contains(&s));
        }
        for u in &sp.owners {
            assert!(state.users.get(*u).is_some(), "owner is live");
        }
    }
    for (s, sv) in state.services.iter() {
        for u in sv.users.keys() {
            assert!(state
                .users
                .get(*u)
                .expect("user is live")
                .services
                .contains(&s));
        }
        for g in sv.groups.keys() {
            assert!(state
                .groups
                .get(*g)
                .expect("group is live")
                .services
                .contains(&s));
        }
    }
    for (h, hd) in state.handles.iter() {
        for u in hd.users.keys() {
            assert!(state
                .users
                .get(*u)
                .expect("user is live")
                .handles
                .contains(&h));
        }
        for g in hd.groups.keys() {
            assert!(state
                .groups
                .get(*g)
                .expect("group is live")
                .handles
                .contains(&h));
        }
    }
}

fn assert_distinct<T: Ord + Copy + std::fmt::Debug>(v: &[T]) {
    let set: BTreeSet<T> = v.iter().copied().collect();
    assert_eq!(set.len(), v.len(), "no duplicate back-references in {v:?}");
}
