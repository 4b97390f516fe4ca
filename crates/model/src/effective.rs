//! Effective membership and privileges, exactly as Onezone's `entity_graph` (reference §5).
//!
//! For a target T: a user's effective privileges are its direct privileges in T, united with
//! P_g(T) for every group g that is a *direct* member of T and that the user belongs to at any
//! depth. Privileges held inside intermediate groups never count. Effective oz privileges flow
//! down: a user holds the oz privileges of every group it belongs to at any depth.
//!
//! Cost: a check visits the user's group ancestry (the union of the materialised `ancestors` of
//! its direct groups) or T's direct groups, whichever is smaller; never the whole deployment.
//! Cycles in group nesting are allowed (Onezone does not reject them) and have fixpoint semantics:
//! every group on a cycle is an effective member of every other.

use rustc_hash::FxHashSet;

use crate::catalog::OzPrivileges;
use crate::privilege::PrivilegeSet;
use crate::state::{GroupIx, MemberTable, State, UserIx};

/// How a member reaches a target: directly (`"self"`) and/or through direct member groups.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Intermediaries {
    pub direct: bool,
    pub groups: Vec<GroupIx>,
}

impl State {
    /// Every group the user belongs to at any depth, each once, sorted.
    pub fn user_ancestry(&self, u: UserIx) -> Vec<GroupIx> {
        let Some(user) = self.users.get(u) else {
            return Vec::new();
        };
        let mut out: Vec<GroupIx> = Vec::new();
        for g in &user.groups {
            if let Some(grp) = self.groups.get(*g) {
                out.extend_from_slice(&grp.ancestors);
            }
        }
        out.sort_unstable();
        out.dedup();
        out
    }

    /// Is group `g` (a direct group of the user or above one) in the user's ancestry?
    fn in_user_ancestry(&self, directs: &[GroupIx], g: GroupIx) -> bool {
        directs.iter().any(|d| {
            self.groups
                .get(*d)
                .is_some_and(|x| x.ancestors.binary_search(&g).is_ok())
        })
    }

    /// The user's effective privileges in `t`; `None` when it is not an effective member.
    pub fn effective_user_privileges<T: MemberTable>(
        &self,
        t: &T,
        u: UserIx,
    ) -> Option<PrivilegeSet<T::Kind>> {
        let mut acc = t.users().get(&u).copied();
        let groups = t.groups();
        if groups.is_empty() {
            return acc;
        }
        let Some(user) = self.users.get(u) else {
            return acc;
        };
        let ancestry_len: usize = user
            .groups
            .iter()
            .filter_map(|g| self.groups.get(*g))
            .map(|g| g.ancestors.len())
            .sum();
        if ancestry_len <= groups.len() * user.groups.len().max(1) {
            for d in &user.groups {
                let Some(dg) = self.groups.get(*d) else {
                    continue;
                };
                for a in &dg.ancestors {
                    if let Some(p) = groups.get(a) {
                        acc = Some(acc.unwrap_or_default() | *p);
                    }
                }
            }
        } else {
            for (g, p) in groups {
                if self.in_user_ancestry(&user.groups, *g) {
                    acc = Some(acc.unwrap_or_default() | *p);
                }
            }
        }
        acc
    }

    /// The group's effective privileges in `t` (through itself or any group above it).
    pub fn effective_group_privileges<T: MemberTable>(
        &self,
        t: &T,
        g: GroupIx,
    ) -> Option<PrivilegeSet<T::Kind>> {
        let grp = self.groups.get(g)?;
        let groups = t.groups();
        let mut acc: Option<PrivilegeSet<T::Kind>> = None;
        if grp.ancestors.len() <= groups.len() {
            for a in &grp.ancestors {
                if let Some(p) = groups.get(a) {
                    acc = Some(acc.unwrap_or_default() | *p);
                }
            }
        } else {
            for (d, p) in groups {
                if grp.ancestors.binary_search(d).is_ok() {
                    acc = Some(acc.unwrap_or_default() | *p);
                }
            }
        }
        acc
    }

    pub fn is_effective_user<T: MemberTable>(&self, t: &T, u: UserIx) -> bool {
        self.effective_user_privileges(t, u).is_some()
    }

    /// First hops by which the user reaches `t`.
    pub fn user_intermediaries<T: MemberTable>(&self, t: &T, u: UserIx) -> Intermediaries {
        let direct = t.users().contains_key(&u);
        let mut groups: Vec<GroupIx> = match self.users.get(u) {
            Some(user) => t
                .groups()
                .keys()
                .copied()
                .filter(|g| self.in_user_ancestry(&user.groups, *g))
                .collect(),
            None => Vec::new(),
        };
        groups.sort_unstable();
        Intermediaries { direct, groups }
    }

    /// First hops by which the group reaches `t`.
    pub fn group_intermediaries<T: MemberTable>(&self, t: &T, g: GroupIx) -> Intermediaries {
        let direct = t.groups().contains_key(&g);
        let mut groups: Vec<GroupIx> = match self.groups.get(g) {
            // `ancestors` always holds `g` itself; g is its own first hop only when on a cycle.
            Some(grp) => {
                let on_cycle = self.is_on_cycle(g);
                t.groups()
                    .keys()
                    .copied()
                    .filter(|d| (*d != g || on_cycle) && grp.ancestors.binary_search(d).is_ok())
                    .collect()
            }
            None => Vec::new(),
        };
        groups.sort_unstable();
        Intermediaries { direct, groups }
    }

    /// Every effective user of `t`, each once, unordered.
    pub fn effective_users<T: MemberTable>(&self, t: &T) -> Vec<UserIx> {
        let mut seen: FxHashSet<UserIx> = t.users().keys().copied().collect();
        for g in self.effective_groups(t) {
            if let Some(grp) = self.groups.get(g) {
                seen.extend(grp.users.keys().copied());
            }
        }
        seen.into_iter().collect()
    }

    /// Every effective member group of `t` (direct groups and all groups below them), each once.
    pub fn effective_groups<T: MemberTable>(&self, t: &T) -> Vec<GroupIx> {
        let mut seen: FxHashSet<GroupIx> = FxHashSet::default();
        let mut out = Vec::new();
        let mut stack: Vec<GroupIx> = t.groups().keys().copied().collect();
        while let Some(g) = stack.pop() {
            if !seen.insert(g) {
                continue;
            }
            out.push(g);
            if let Some(grp) = self.groups.get(g) {
                stack.extend(grp.children.keys().copied());
            }
        }
        out
    }

    /// Every group the given group belongs to at any depth (not itself unless on a cycle).
    pub fn effective_parents(&self, g: GroupIx) -> Vec<GroupIx> {
        let Some(grp) = self.groups.get(g) else {
            return Vec::new();
        };
        let on_cycle = self.is_on_cycle(g);
        grp.ancestors
            .iter()
            .copied()
            .filter(|a| *a != g || on_cycle)
            .collect()
    }

    /// Is `g` above itself (on a nesting cycle), hence its own effective member and parent?
    fn is_on_cycle(&self, g: GroupIx) -> bool {
        self.groups.get(g).is_some_and(|grp| {
            grp.parents.iter().any(|p| {
                self.groups
                    .get(*p)
                    .is_some_and(|x| x.ancestors.binary_search(&g).is_ok())
            })
        })
    }

    /// The user's effective oz privileges: its own united with those of every group it belongs to.
    pub fn effective_user_oz(&self, u: UserIx) -> OzPrivileges {
        let Some(user) = self.users.get(u) else {
            return OzPrivileges::empty();
        };
        let mut acc = user.oz;
        for d in &user.groups {
            if let Some(dg) = self.groups.get(*d) {
                for a in &dg.ancestors {
                    if let Some(g) = self.groups.get(*a) {
                        acc |= g.oz;
                    }
                }
            }
        }
        acc
    }

    /// The group's effective oz privileges: its own united with those of every group above it.
    pub fn effective_group_oz(&self, g: GroupIx) -> OzPrivileges {
        let Some(grp) = self.groups.get(g) else {
            return OzPrivileges::empty();
        };
        grp.ancestors
            .iter()
            .filter_map(|a| self.groups.get(*a))
            .fold(OzPrivileges::empty(), |acc, x| acc | x.oz)
    }
}
