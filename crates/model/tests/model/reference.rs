//! A deliberately naive reference evaluator of Onezone's effective-privilege rule (reference §5).
//!
//! It keeps its own plain data (ids and name sets, no interning, no ancestry), built by applying
//! the same `Change` values, and computes effective relations by iterating the §5 rule over the
//! whole graph until nothing changes (a least fixpoint, so cycles terminate):
//!
//! - EffUsers(T) = direct users of T with their privileges, plus, for every direct member group g
//!   of T with privileges P_g(T), every effective user of g with exactly P_g(T); entries merge by
//!   union of privileges and of intermediaries (first hops; `self` for direct membership).
//! - EffGroups(T) likewise with direct groups and the effective groups of each direct group.
//! - eff_oz(group) = oz(group) ∪ eff_oz(every direct parent); eff_oz(user) = oz(user) ∪ eff_oz(every
//!   direct group).
//!
//! Nothing here is clever on purpose: it is the specification, executed.

use std::collections::{BTreeMap, BTreeSet};

use privzone_model::{Change, Member, Target};

use crate::support::{names_of, target_key, Hops, Names, Observed, SELF_HOP};

type NameSet = BTreeSet<&'static str>;

#[derive(Debug, Clone, Default)]
struct Members {
    users: BTreeMap<String, NameSet>,
    groups: BTreeMap<String, NameSet>,
}

/// Effective members of one target: member id → (privileges, intermediaries).
#[derive(Debug, Clone, Default, PartialEq)]
struct Eff {
    users: BTreeMap<String, (NameSet, Hops)>,
    groups: BTreeMap<String, (NameSet, Hops)>,
}

#[derive(Debug, Clone, Default)]
pub struct Reference {
    user_oz: BTreeMap<String, NameSet>,
    group_oz: BTreeMap<String, NameSet>,
    /// Every target (groups included) → its direct members.
    targets: BTreeMap<String, Members>,
    /// handle id → its handle service id.
    handle_service: BTreeMap<String, String>,
    owners: BTreeMap<String, BTreeSet<String>>,
}

impl Reference {
    pub fn new() -> Self {
        Self::default()
    }

    fn user_exists(&self, id: &str) -> bool {
        self.user_oz.contains_key(id)
    }

    fn member_exists(&self, m: &Member) -> bool {
        match m {
            Member::User(id) => self.user_oz.contains_key(id),
            Member::Group(id) => self.group_oz.contains_key(id),
        }
    }

    fn create_target(&mut self, t: &Target) -> bool {
        let key = target_key(t);
        if self.targets.contains_key(&key) {
            return false;
        }
        self.targets.insert(key, Members::default());
        true
    }

    fn delete_target(&mut self, t: &Target) -> bool {
        self.targets.remove(&target_key(t)).is_some()
    }

    fn slot<'a>(
        &'a mut self,
        target: &Target,
        member: &Member,
    ) -> Option<&'a mut BTreeMap<String, NameSet>> {
        let members = self.targets.get_mut(&target_key(target))?;
        Some(match member {
            Member::User(_) => &mut members.users,
            Member::Group(_) => &mut members.groups,
        })
    }

    /// Applies `change` if it is valid here; returns whether it was. Changes that do not touch
    /// membership, privileges or ownership are accepted and ignored.
    pub fn apply(&mut self, change: &Change) -> bool {
        match change {
            Change::CreateUser { user, .. } => {
                if self.user_exists(user) {
                    return false;
                }
                self.user_oz.insert(user.clone(), NameSet::new());
                true
            }
            Change::DeleteUser { user } => {
                if self.user_oz.remove(user).is_none() {
                    return false;
                }
                for m in self.targets.values_mut() {
                    m.users.remove(user);
                }
                for o in self.owners.values_mut() {
                    o.remove(user);
                }
                true
            }
            Change::CreateGroup { group, .. } => {
                if self.group_oz.contains_key(group) {
                    return false;
                }
                self.group_oz.insert(group.clone(), NameSet::new());
                self.create_target(&Target::Group(group.clone()))
            }
            Change::DeleteGroup { group } => {
                if self.group_oz.remove(group).is_none() {
                    return false;
                }
                for m in self.targets.values_mut() {
                    m.groups.remove(group);
                }
                self.delete_target(&Target::Group(group.clone()))
            }
            Change::CreateSpace { space, .. } => {
                let ok = self.create_target(&Target::Space(space.clone()));
                if ok {
                    self.owners.insert(space.clone(), BTreeSet::new());
                }
                ok
            }
            Change::DeleteSpace { space } => {
                self.owners.remove(space);
                self.delete_target(&Target::Space(space.clone()))
            }
            Change::AddOwner { space, user } => {
                if !self.user_exists(user) {
                    return false;
                }
                self.owners
                    .get_mut(space)
                    .is_some_and(|o| o.insert(user.clone()))
            }
            Change::RemoveOwner { space, user } => {
                if !self.user_exists(user) {
                    return false;
                }
                self.owners.get_mut(space).is_some_and(|o| o.remove(user))
            }
            Change::CreateHandleService { service, .. } => {
                self.create_target(&Target::HandleService(service.clone()))
            }
            Change::DeleteHandleService { service } => {
                let handles: Vec<String> = self
                    .handle_service
                    .iter()
                    .filter(|(_, s)| *s == service)
                    .map(|(h, _)| h.clone())
                    .collect();
                if !self.delete_target(&Target::HandleService(service.clone())) {
                    return false;
                }
                for h in handles {
                    self.handle_service.remove(&h);
                    self.delete_target(&Target::Handle(h));
                }
                true
            }
            Change::CreateHandle {
                handle, service, ..
            } => {
                if !self
                    .targets
                    .contains_key(&target_key(&Target::HandleService(service.clone())))
                {
                    return false;
                }
                let ok = self.create_target(&Target::Handle(handle.clone()));
                if ok {
                    self.handle_service.insert(handle.clone(), service.clone());
                }
                ok
            }
            Change::DeleteHandle { handle } => {
                self.handle_service.remove(handle);
                self.delete_target(&Target::Handle(handle.clone()))
            }
            Change::AddMember {
                target,
                member,
                privileges,
            }
            | Change::SetPrivileges {
                target,
                member,
                privileges,
            } => {
                let adding = matches!(change, Change::AddMember { .. });
                if !self.member_exists(member) {
                    return false;
                }
                if let (Target::Group(t), Member::Group(m)) = (target, member) {
                    if t == m {
                        return false;
                    }
                }
                let kind_fits = matches!(
                    (target, privileges),
                    (Target::Group(_), privzone_model::Privileges::Group(_))
                        | (Target::Space(_), privzone_model::Privileges::Space(_))
                        | (
                            Target::HandleService(_),
                            privzone_model::Privileges::HandleService(_)
                        )
                        | (Target::Handle(_), privzone_model::Privileges::Handle(_))
                );
                let id = match member {
                    Member::User(id) | Member::Group(id) => id.clone(),
                };
                let names: NameSet = names_of(privileges).into_iter().collect();
                let Some(slot) = self.slot(target, member) else {
                    return false;
                };
                if slot.contains_key(&id) == adding || !kind_fits {
                    return false;
                }
                slot.insert(id, names);
                true
            }
            Change::RemoveMember { target, member } => {
                if !self.member_exists(member) {
                    return false;
                }
                let id = match member {
                    Member::User(id) | Member::Group(id) => id.clone(),
                };
                self.slot(target, member)
                    .is_some_and(|slot| slot.remove(&id).is_some())
            }
            Change::SetOzPrivileges {
                subject,
                privileges,
            } => {
                let names: NameSet = privileges.to_names().into_iter().collect();
                let slot = match subject {
                    Member::User(id) => self.user_oz.get_mut(id),
                    Member::Group(id) => self.group_oz.get_mut(id),
                };
                match slot {
                    Some(s) => {
                        *s = names;
                        true
                    }
                    None => false,
                }
            }
            _ => true,
        }
    }

    /// One application of the §5 rule to a target, given the current effective members of groups.
    fn gather(members: &Members, eff_of_groups: &BTreeMap<String, Eff>) -> Eff {
        fn merge(
            into: &mut BTreeMap<String, (NameSet, Hops)>,
            id: &str,
            privileges: &NameSet,
            hop: &str,
        ) {
            let entry = into.entry(id.to_owned()).or_default();
            entry.0.extend(privileges.iter().copied());
            entry.1.insert(hop.to_owned());
        }
        let mut out = Eff::default();
        for (u, p) in &members.users {
            merge(&mut out.users, u, p, SELF_HOP);
        }
        for (g, p) in &members.groups {
            merge(&mut out.groups, g, p, SELF_HOP);
        }
        for (g, p) in &members.groups {
            // Override: every effective member of g gets exactly P_g(T), whatever it holds in g.
            let Some(eff) = eff_of_groups.get(g) else {
                continue;
            };
            for u in eff.users.keys() {
                merge(&mut out.users, u, p, g);
            }
            for d in eff.groups.keys() {
                merge(&mut out.groups, d, p, g);
            }
        }
        out
    }

    /// Effective members of every target, by iterating the rule over all groups to a fixpoint.
    fn effective(&self) -> BTreeMap<String, Eff> {
        let group_keys: Vec<(String, String)> = self
            .group_oz
            .keys()
            .map(|g| (g.clone(), target_key(&Target::Group(g.clone()))))
            .collect();
        let mut eff_of_groups: BTreeMap<String, Eff> = self
            .group_oz
            .keys()
            .map(|g| (g.clone(), Eff::default()))
            .collect();
        let mut sweep = 0usize;
        loop {
            let mut changed = false;
            // Alternate the sweep direction: only the speed of convergence depends on it.
            let order: Box<dyn Iterator<Item = &(String, String)>> = if sweep.is_multiple_of(2) {
                Box::new(group_keys.iter())
            } else {
                Box::new(group_keys.iter().rev())
            };
            for (g, key) in order {
                let next = Self::gather(&self.targets[key], &eff_of_groups);
                if eff_of_groups[g] != next {
                    eff_of_groups.insert(g.clone(), next);
                    changed = true;
                }
            }
            sweep += 1;
            if !changed {
                break;
            }
            assert!(
                sweep < 100_000,
                "the fixpoint iteration is monotone and must converge"
            );
        }
        let mut out = BTreeMap::new();
        for (key, members) in &self.targets {
            let eff = if let Some(g) = key.strip_prefix("group:") {
                eff_of_groups[g].clone()
            } else {
                Self::gather(members, &eff_of_groups)
            };
            out.insert(key.clone(), eff);
        }
        out
    }

    /// Effective oz privileges of groups: a top-down fixpoint over direct parent edges.
    fn effective_group_oz(&self) -> BTreeMap<String, NameSet> {
        let mut eff = self.group_oz.clone();
        loop {
            let mut changed = false;
            for (p, oz) in eff.clone() {
                let children = &self.targets[&target_key(&Target::Group(p.clone()))].groups;
                for c in children.keys() {
                    let e = eff.get_mut(c).expect("child is live");
                    let before = e.len();
                    e.extend(oz.iter().copied());
                    changed |= e.len() != before;
                }
            }
            if !changed {
                return eff;
            }
        }
    }

    /// The answers §5 prescribes for every query the model offers.
    pub fn observe(&self) -> Observed {
        let eff = self.effective();
        let mut obs = Observed::default();
        let sorted = |s: &NameSet| -> Names { s.iter().copied().collect() };
        for (key, e) in &eff {
            for (u, (p, hops)) in &e.users {
                obs.user_privileges
                    .insert((key.clone(), u.clone()), sorted(p));
                obs.user_hops.insert((key.clone(), u.clone()), hops.clone());
            }
            for (g, (p, hops)) in &e.groups {
                obs.group_privileges
                    .insert((key.clone(), g.clone()), sorted(p));
                obs.group_hops
                    .insert((key.clone(), g.clone()), hops.clone());
            }
            obs.effective_users
                .insert(key.clone(), e.users.keys().cloned().collect());
            obs.effective_groups
                .insert(key.clone(), e.groups.keys().cloned().collect());
        }
        for u in self.user_oz.keys() {
            obs.user_ancestry.insert(u.clone(), BTreeSet::new());
        }
        for g in self.group_oz.keys() {
            obs.effective_parents.insert(g.clone(), BTreeSet::new());
        }
        for g in self.group_oz.keys() {
            let e = &eff[&target_key(&Target::Group(g.clone()))];
            for u in e.users.keys() {
                obs.user_ancestry
                    .get_mut(u)
                    .expect("user is live")
                    .insert(g.clone());
            }
            for c in e.groups.keys() {
                obs.effective_parents
                    .get_mut(c)
                    .expect("group is live")
                    .insert(g.clone());
            }
        }
        let group_oz = self.effective_group_oz();
        for (g, oz) in &group_oz {
            obs.group_oz.insert(g.clone(), sorted(oz));
        }
        for (u, oz) in &self.user_oz {
            let mut all = oz.clone();
            for (g, members) in &self.targets {
                if let Some(g) = g.strip_prefix("group:") {
                    if members.users.contains_key(u) {
                        all.extend(group_oz[g].iter().copied());
                    }
                }
            }
            obs.user_oz.insert(u.clone(), sorted(&all));
        }
        for (s, o) in &self.owners {
            obs.owners.insert(s.clone(), o.clone());
        }
        obs
    }
}
