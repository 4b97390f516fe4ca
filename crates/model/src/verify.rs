//! A full consistency check of a [`State`], like kanidm's `verify()`: what the incremental
//! bookkeeping of [`crate::state`] and the fast queries of [`crate::effective`] answer must equal
//! what a naive recomputation from the direct relations gives.
//!
//! Checked: every edge is stored on both ends and points at live entities, back-reference lists
//! hold no duplicates, the lookup indexes (usernames, token secrets, a user's tokens) match the
//! tables, each group's `ancestors` equals a breadth-first search over `parents`, and for every
//! target, user and group the effective privileges, effective members and effective oz privileges
//! equal those recomputed by walking the graph from scratch (reference §5).
//!
//! Cost: O(users × targets) plus a graph walk per target; it is meant for tests and offline
//! checks, never for a request.

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::OzPrivileges;
use crate::privilege::PrivilegeSet;
use crate::state::{GroupIx, MemberTable, State, UserIx};

impl State {
    /// Every difference between the state's bookkeeping and a recomputation from its direct
    /// relations, as sentences; empty when the state is consistent.
    pub fn check_invariants(&self) -> Vec<String> {
        let mut out = Vec::new();
        self.check_edges(&mut out);
        self.check_indexes(&mut out);
        self.check_ancestors(&mut out);
        for (_, g) in self.groups.iter() {
            self.check_effective(&format!("group {}", g.id), g, &mut out);
        }
        for (_, s) in self.spaces.iter() {
            self.check_effective(&format!("space {}", s.id), s, &mut out);
        }
        for (_, s) in self.services.iter() {
            self.check_effective(&format!("handle service {}", s.id), s, &mut out);
        }
        for (_, h) in self.handles.iter() {
            self.check_effective(&format!("handle {}", h.id), h, &mut out);
        }
        self.check_effective_oz(&mut out);
        out
    }

    fn check_edges(&self, out: &mut Vec<String>) {
        fn distinct<T: Eq + std::hash::Hash + Copy>(v: &[T]) -> bool {
            v.iter().collect::<FxHashSet<_>>().len() == v.len()
        }
        for (u, user) in self.users.iter() {
            let id = &user.id;
            for g in &user.groups {
                if !self
                    .groups
                    .get(*g)
                    .is_some_and(|x| x.users.contains_key(&u))
                {
                    out.push(format!("user {id} lists group {g:?}, which lacks it"));
                }
            }
            for s in &user.spaces {
                if !self
                    .spaces
                    .get(*s)
                    .is_some_and(|x| x.users.contains_key(&u))
                {
                    out.push(format!("user {id} lists space {s:?}, which lacks it"));
                }
            }
            for s in &user.services {
                if !self
                    .services
                    .get(*s)
                    .is_some_and(|x| x.users.contains_key(&u))
                {
                    out.push(format!(
                        "user {id} lists handle service {s:?}, which lacks it"
                    ));
                }
            }
            for h in &user.handles {
                if !self
                    .handles
                    .get(*h)
                    .is_some_and(|x| x.users.contains_key(&u))
                {
                    out.push(format!("user {id} lists handle {h:?}, which lacks it"));
                }
            }
            if !(distinct(&user.groups)
                && distinct(&user.spaces)
                && distinct(&user.services)
                && distinct(&user.handles))
            {
                out.push(format!("user {id} lists a membership twice"));
            }
        }
        for (g, grp) in self.groups.iter() {
            let id = &grp.id;
            for u in grp.users.keys() {
                if !self.users.get(*u).is_some_and(|x| x.groups.contains(&g)) {
                    out.push(format!("group {id} has user {u:?}, which does not list it"));
                }
            }
            for c in grp.children.keys() {
                if !self.groups.get(*c).is_some_and(|x| x.parents.contains(&g)) {
                    out.push(format!(
                        "group {id} has child {c:?}, which does not list it"
                    ));
                }
            }
            for p in &grp.parents {
                if !self
                    .groups
                    .get(*p)
                    .is_some_and(|x| x.children.contains_key(&g))
                {
                    out.push(format!("group {id} lists parent {p:?}, which lacks it"));
                }
            }
            for s in &grp.spaces {
                if !self
                    .spaces
                    .get(*s)
                    .is_some_and(|x| x.groups.contains_key(&g))
                {
                    out.push(format!("group {id} lists space {s:?}, which lacks it"));
                }
            }
            for s in &grp.services {
                if !self
                    .services
                    .get(*s)
                    .is_some_and(|x| x.groups.contains_key(&g))
                {
                    out.push(format!(
                        "group {id} lists handle service {s:?}, which lacks it"
                    ));
                }
            }
            for h in &grp.handles {
                if !self
                    .handles
                    .get(*h)
                    .is_some_and(|x| x.groups.contains_key(&g))
                {
                    out.push(format!("group {id} lists handle {h:?}, which lacks it"));
                }
            }
            if grp.children.contains_key(&g) {
                out.push(format!("group {id} is its own direct child"));
            }
            if !(distinct(&grp.parents)
                && distinct(&grp.spaces)
                && distinct(&grp.services)
                && distinct(&grp.handles))
            {
                out.push(format!("group {id} lists a membership twice"));
            }
        }
        for (s, sp) in self.spaces.iter() {
            let id = &sp.id;
            for u in sp.users.keys() {
                if !self.users.get(*u).is_some_and(|x| x.spaces.contains(&s)) {
                    out.push(format!("space {id} has user {u:?}, which does not list it"));
                }
            }
            for g in sp.groups.keys() {
                if !self.groups.get(*g).is_some_and(|x| x.spaces.contains(&s)) {
                    out.push(format!(
                        "space {id} has group {g:?}, which does not list it"
                    ));
                }
            }
            for u in &sp.owners {
                if self.users.get(*u).is_none() {
                    out.push(format!("space {id} is owned by a deleted user {u:?}"));
                }
            }
            if !distinct(&sp.owners) || !distinct(&sp.shares) {
                out.push(format!("space {id} lists an owner or a share twice"));
            }
            for sh in &sp.shares {
                if self.shares.get(*sh).is_none_or(|x| x.space != s) {
                    out.push(format!("space {id} lists share {sh:?}, which is not in it"));
                }
            }
        }
        for (sh, share) in self.shares.iter() {
            if !self
                .spaces
                .get(share.space)
                .is_some_and(|x| x.shares.contains(&sh))
            {
                out.push(format!("share {} is missing from its space", share.id));
            }
        }
        for (s, sv) in self.services.iter() {
            let id = &sv.id;
            for u in sv.users.keys() {
                if !self.users.get(*u).is_some_and(|x| x.services.contains(&s)) {
                    out.push(format!(
                        "handle service {id} has user {u:?}, which does not list it"
                    ));
                }
            }
            for g in sv.groups.keys() {
                if !self.groups.get(*g).is_some_and(|x| x.services.contains(&s)) {
                    out.push(format!(
                        "handle service {id} has group {g:?}, which does not list it"
                    ));
                }
            }
            for h in &sv.handles {
                if self.handles.get(*h).is_none_or(|x| x.service != s) {
                    out.push(format!("handle service {id} lists handle {h:?} of another"));
                }
            }
        }
        for (h, hd) in self.handles.iter() {
            let id = &hd.id;
            if !self
                .services
                .get(hd.service)
                .is_some_and(|x| x.handles.contains(&h))
            {
                out.push(format!("handle {id} is missing from its handle service"));
            }
            for u in hd.users.keys() {
                if !self.users.get(*u).is_some_and(|x| x.handles.contains(&h)) {
                    out.push(format!(
                        "handle {id} has user {u:?}, which does not list it"
                    ));
                }
            }
            for g in hd.groups.keys() {
                if !self.groups.get(*g).is_some_and(|x| x.handles.contains(&h)) {
                    out.push(format!(
                        "handle {id} has group {g:?}, which does not list it"
                    ));
                }
            }
        }
    }

    fn check_indexes(&self, out: &mut Vec<String>) {
        for (u, user) in self.users.iter() {
            if let Some(name) = &user.username {
                if self.user_by_username(name) != Some(u) {
                    out.push(format!("username {name:?} does not find user {}", user.id));
                }
            }
        }
        for (t, token) in self.tokens.iter() {
            if self.users.get(token.user).is_none() {
                out.push(format!("token {} belongs to a deleted user", token.id));
            }
            if self.token_by_secret(&token.secret) != Some(t) {
                out.push(format!("the secret of token {} does not find it", token.id));
            }
            if !self.tokens_of(token.user).contains(&t) {
                out.push(format!(
                    "token {} is missing from its user's list",
                    token.id
                ));
            }
        }
        for (u, _) in self.users.iter() {
            for t in self.tokens_of(u) {
                if self.tokens.get(*t).is_none_or(|x| x.user != u) {
                    out.push(format!("user {u:?} lists token {t:?} of another"));
                }
            }
        }
    }

    /// Each group's `ancestors` is itself plus every group above it, sorted.
    fn check_ancestors(&self, out: &mut Vec<String>) {
        for (g, grp) in self.groups.iter() {
            let expected = self.walk(g, |x| self.groups.get(x).map(|x| x.parents.clone()));
            if grp.ancestors != expected {
                out.push(format!(
                    "group {}: ancestors {:?}, a walk over parents gives {:?}",
                    grp.id, grp.ancestors, expected
                ));
            }
        }
    }

    /// `from` and every group reachable by `next`, each once, sorted; tolerates cycles.
    fn walk(&self, from: GroupIx, next: impl Fn(GroupIx) -> Option<Vec<GroupIx>>) -> Vec<GroupIx> {
        let mut seen = FxHashSet::from_iter([from]);
        let mut queue = VecDeque::from([from]);
        while let Some(x) = queue.pop_front() {
            for y in next(x).unwrap_or_default() {
                if seen.insert(y) {
                    queue.push_back(y);
                }
            }
        }
        let mut all: Vec<GroupIx> = seen.into_iter().collect();
        all.sort_unstable();
        all
    }

    /// Every group below `g` (effective children at any depth), itself included.
    fn below(&self, g: GroupIx) -> Vec<GroupIx> {
        self.walk(g, |x| {
            self.groups
                .get(x)
                .map(|x| x.children.keys().copied().collect())
        })
    }

    /// Reference §5 recomputed: a member's effective privileges in `t` are its direct ones united
    /// with those of every direct member group of `t` it is below.
    fn check_effective<T: MemberTable>(&self, what: &str, t: &T, out: &mut Vec<String>) {
        let mut users: FxHashMap<UserIx, PrivilegeSet<T::Kind>> =
            t.users().iter().map(|(u, p)| (*u, *p)).collect();
        let mut groups: FxHashMap<GroupIx, PrivilegeSet<T::Kind>> = FxHashMap::default();
        for (d, p) in t.groups() {
            for g in self.below(*d) {
                *groups.entry(g).or_default() |= *p;
                for u in self.groups.get(g).iter().flat_map(|x| x.users.keys()) {
                    *users.entry(*u).or_default() |= *p;
                }
            }
        }
        for (u, user) in self.users.iter() {
            let fast = self.effective_user_privileges(t, u);
            let naive = users.get(&u).copied();
            if fast != naive {
                out.push(format!(
                    "{what}: user {} has effective privileges {fast:?}, a recomputation gives {naive:?}",
                    user.id
                ));
            }
        }
        for (g, grp) in self.groups.iter() {
            let fast = self.effective_group_privileges(t, g);
            let naive = groups.get(&g).copied();
            if fast != naive {
                out.push(format!(
                    "{what}: group {} has effective privileges {fast:?}, a recomputation gives {naive:?}",
                    grp.id
                ));
            }
        }
        let mut listed = self.effective_users(t);
        listed.sort_unstable();
        let mut expected: Vec<UserIx> = users.keys().copied().collect();
        expected.sort_unstable();
        if listed != expected {
            out.push(format!(
                "{what}: effective users {listed:?}, a recomputation gives {expected:?}"
            ));
        }
        let mut listed = self.effective_groups(t);
        listed.sort_unstable();
        let mut expected: Vec<GroupIx> = groups.keys().copied().collect();
        expected.sort_unstable();
        if listed != expected {
            out.push(format!(
                "{what}: effective groups {listed:?}, a recomputation gives {expected:?}"
            ));
        }
    }

    /// Oz privileges flow down: a member holds those of every group it is below.
    fn check_effective_oz(&self, out: &mut Vec<String>) {
        let above = |g: GroupIx| self.walk(g, |x| self.groups.get(x).map(|x| x.parents.clone()));
        let oz_of = |groups: &[GroupIx]| {
            groups
                .iter()
                .filter_map(|g| self.groups.get(*g))
                .fold(OzPrivileges::empty(), |acc, g| acc | g.oz)
        };
        for (g, grp) in self.groups.iter() {
            let naive = oz_of(&above(g));
            let fast = self.effective_group_oz(g);
            if fast != naive {
                out.push(format!(
                    "group {}: effective oz privileges {fast:?}, a recomputation gives {naive:?}",
                    grp.id
                ));
            }
        }
        for (u, user) in self.users.iter() {
            let reached: Vec<GroupIx> = user.groups.iter().flat_map(|g| above(*g)).collect();
            let naive = user.oz | oz_of(&reached);
            let fast = self.effective_user_oz(u);
            if fast != naive {
                out.push(format!(
                    "user {}: effective oz privileges {fast:?}, a recomputation gives {naive:?}",
                    user.id
                ));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::catalog::{GroupPrivileges, SpacePrivileges};
    use crate::change::GroupType;
    use crate::{Change, Member, Privileges, State, Target};

    fn state() -> State {
        let mut s = State::new();
        for c in [
            Change::CreateUser {
                user: "u".into(),
                username: Some("alice".into()),
                full_name: String::new(),
                time: 0,
            },
            Change::CreateGroup {
                group: "child".into(),
                name: "child".into(),
                group_type: GroupType::Team,
                creator: None,
                time: 0,
                protected: false,
            },
            Change::CreateGroup {
                group: "parent".into(),
                name: "parent".into(),
                group_type: GroupType::Team,
                creator: None,
                time: 0,
                protected: false,
            },
            Change::CreateSpace {
                space: "s".into(),
                name: "s".into(),
                creator: None,
                time: 0,
            },
            Change::AddMember {
                target: Target::Group("child".into()),
                member: Member::User("u".into()),
                privileges: Privileges::Group(GroupPrivileges::preset("member")),
            },
            Change::AddMember {
                target: Target::Group("parent".into()),
                member: Member::Group("child".into()),
                privileges: Privileges::Group(GroupPrivileges::preset("member")),
            },
            Change::AddMember {
                target: Target::Space("s".into()),
                member: Member::Group("parent".into()),
                privileges: Privileges::Space(SpacePrivileges::preset("manager")),
            },
        ] {
            s.apply(&c).expect("applies");
        }
        s
    }

    #[test]
    fn a_state_built_by_changes_is_consistent() {
        assert_eq!(state().check_invariants(), Vec::<String>::new());
    }

    #[test]
    fn a_stale_ancestor_closure_is_reported() {
        let mut s = state();
        let child = s.groups.find("child").expect("child");
        s.groups.get_mut(child).expect("child").ancestors = vec![child];
        let problems = s.check_invariants();
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("group child: ancestors")),
            "{problems:?}"
        );
        // The user no longer reaches the space through `parent`.
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("space s: user u has effective privileges None")),
            "{problems:?}"
        );
    }

    #[test]
    fn a_one_sided_edge_is_reported() {
        let mut s = state();
        let u = s.users.find("u").expect("u");
        s.users.get_mut(u).expect("u").groups.clear();
        let problems = s.check_invariants();
        assert!(
            problems
                .iter()
                .any(|p| p.starts_with("group child has user")),
            "{problems:?}"
        );
    }
}
