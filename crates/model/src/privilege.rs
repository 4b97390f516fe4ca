//! Privilege sets, one type per entity kind.
//!
//! Enforces: a privilege name parses only within its own entity type's catalog (current name or a
//! known legacy alias, see [`crate::catalog`]); sets are compact bitsets whose iteration order is
//! alphabetical, so every response lists privileges sorted, as Onezone's ordsets do.

use std::fmt;
use std::marker::PhantomData;
use std::sync::OnceLock;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// The catalog of one entity type: current names grouped by preset level, and legacy aliases.
pub struct Catalog {
    /// JSON key of the catalog endpoint levels, lowest first, e.g. `member`, `manager`, `admin`.
    /// Each level lists only the privileges it adds to the previous one.
    pub levels: &'static [(&'static str, &'static [&'static str])],
    /// Old name → current name. Applies to requests only; responses always use current names.
    pub legacy: &'static [(&'static str, &'static str)],
    sorted: OnceLock<Vec<&'static str>>,
}

impl Catalog {
    pub const fn new(
        levels: &'static [(&'static str, &'static [&'static str])],
        legacy: &'static [(&'static str, &'static str)],
    ) -> Self {
        Catalog {
            levels,
            legacy,
            sorted: OnceLock::new(),
        }
    }

    /// Every current name, sorted; a privilege's bit is its index here.
    pub fn names(&self) -> &[&'static str] {
        self.sorted.get_or_init(|| {
            let mut all: Vec<&'static str> = self
                .levels
                .iter()
                .flat_map(|(_, names)| names.iter().copied())
                .collect();
            all.sort_unstable();
            all.dedup();
            all
        })
    }

    /// Index of a current or legacy name.
    pub fn index_of(&self, name: &str) -> Option<usize> {
        let names = self.names();
        if let Ok(i) = names.binary_search(&name) {
            return Some(i);
        }
        let current = self
            .legacy
            .iter()
            .find(|(old, _)| *old == name)
            .map(|(_, new)| *new)?;
        names.binary_search(&current).ok()
    }
}

/// An entity type that has a privilege catalog.
pub trait PrivilegeKind: Copy + Eq + Send + Sync + 'static {
    /// Name used in error messages and docs, e.g. `handle_service`.
    const ENTITY: &'static str;
    fn catalog() -> &'static Catalog;
}

/// A set of privileges of kind `K` (at most 128 privileges per kind).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct PrivilegeSet<K> {
    bits: u128,
    kind: PhantomData<K>,
}

impl<K> Default for PrivilegeSet<K> {
    fn default() -> Self {
        PrivilegeSet {
            bits: 0,
            kind: PhantomData,
        }
    }
}

/// A name that is neither current nor a known legacy name of the entity type.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UnknownPrivilege(pub String);

impl<K: PrivilegeKind> PrivilegeSet<K> {
    pub const fn empty() -> Self {
        PrivilegeSet {
            bits: 0,
            kind: PhantomData,
        }
    }

    /// Every privilege of the kind.
    pub fn all() -> Self {
        let n = K::catalog().names().len();
        PrivilegeSet {
            bits: if n >= 128 {
                u128::MAX
            } else {
                (1u128 << n) - 1
            },
            kind: PhantomData,
        }
    }

    /// The preset `level` (e.g. `member`), cumulative: it includes every lower level.
    pub fn preset(level: &str) -> Self {
        let mut set = Self::empty();
        for (name, names) in K::catalog().levels {
            for n in names.iter() {
                set.insert_name(n).ok();
            }
            if *name == level {
                return set;
            }
        }
        set
    }

    /// Parses names (current or legacy); the first unknown name is the error.
    pub fn parse<'a, I: IntoIterator<Item = &'a str>>(names: I) -> Result<Self, UnknownPrivilege> {
        let mut set = Self::empty();
        for name in names {
            set.insert_name(name)?;
        }
        Ok(set)
    }

    pub fn insert_name(&mut self, name: &str) -> Result<(), UnknownPrivilege> {
        let i = K::catalog()
            .index_of(name)
            .ok_or_else(|| UnknownPrivilege(name.to_owned()))?;
        self.bits |= 1u128 << i;
        Ok(())
    }

    pub fn contains_name(&self, name: &str) -> bool {
        K::catalog()
            .index_of(name)
            .is_some_and(|i| self.bits & (1u128 << i) != 0)
    }

    pub fn is_empty(&self) -> bool {
        self.bits == 0
    }

    pub fn len(&self) -> usize {
        self.bits.count_ones() as usize
    }

    pub fn union(self, other: Self) -> Self {
        PrivilegeSet {
            bits: self.bits | other.bits,
            kind: PhantomData,
        }
    }

    pub fn difference(self, other: Self) -> Self {
        PrivilegeSet {
            bits: self.bits & !other.bits,
            kind: PhantomData,
        }
    }

    pub fn is_superset(&self, other: &Self) -> bool {
        self.bits & other.bits == other.bits
    }

    /// Onezone's PATCH rule: `grant ∪ (self − revoke)` — grant wins over revoke.
    pub fn patched(self, grant: Self, revoke: Self) -> Self {
        grant.union(self.difference(revoke))
    }

    /// Current names, alphabetical.
    pub fn names(&self) -> impl Iterator<Item = &'static str> + '_ {
        let names = K::catalog().names();
        names
            .iter()
            .enumerate()
            .filter(|(i, _)| self.bits & (1u128 << i) != 0)
            .map(|(_, n)| *n)
    }

    pub fn to_names(&self) -> Vec<&'static str> {
        self.names().collect()
    }
}

impl<K: PrivilegeKind> std::ops::BitOr for PrivilegeSet<K> {
    type Output = Self;
    fn bitor(self, rhs: Self) -> Self {
        self.union(rhs)
    }
}

impl<K: PrivilegeKind> std::ops::BitOrAssign for PrivilegeSet<K> {
    fn bitor_assign(&mut self, rhs: Self) {
        self.bits |= rhs.bits;
    }
}

impl<K: PrivilegeKind> fmt::Debug for PrivilegeSet<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_set().entries(self.names()).finish()
    }
}

/// Serialized as a list of current names, so stored changes survive catalog growth.
impl<K: PrivilegeKind> Serialize for PrivilegeSet<K> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.names())
    }
}

impl<'de, K: PrivilegeKind> Deserialize<'de> for PrivilegeSet<K> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let names: Vec<String> = Vec::deserialize(d)?;
        Self::parse(names.iter().map(String::as_str)).map_err(|e| {
            serde::de::Error::custom(format!("unknown {} privilege {:?}", K::ENTITY, e.0))
        })
    }
}
