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

/// One current privilege of kind `K`, made only by the catalog (`catalog::group::VIEW`, …), so
/// a rule cannot name a privilege that does not exist, nor one of another kind. Testing it against
/// a set is one bit test: no formatting, no search.
pub struct Privilege<K> {
    /// The name's index in the sorted catalog, which is its bit in a [`PrivilegeSet`].
    bit: u8,
    name: &'static str,
    kind: PhantomData<fn() -> K>,
}

impl<K> Clone for Privilege<K> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<K> Copy for Privilege<K> {}
impl<K> PartialEq for Privilege<K> {
    fn eq(&self, other: &Self) -> bool {
        self.bit == other.bit
    }
}
impl<K> Eq for Privilege<K> {}
impl<K> fmt::Debug for Privilege<K> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name)
    }
}

impl<K> Privilege<K> {
    /// The constant `constant` (e.g. `ADD_USER`) of the catalog `entity` (e.g. `group`) for the
    /// current name `name`, one of `all`. Evaluated while compiling: building fails unless `name`
    /// is `<entity>_<constant in lower case>` and appears in `all` exactly once.
    pub(crate) const fn declare(
        entity: &str,
        constant: &str,
        name: &'static str,
        all: &[&str],
    ) -> Self {
        assert!(
            names_constant(entity, constant, name),
            "a privilege constant must be its name without the entity prefix, in upper case"
        );
        let mut below = 0;
        let mut same = 0;
        let mut i = 0;
        while i < all.len() {
            match compare(all[i].as_bytes(), name.as_bytes()) {
                std::cmp::Ordering::Less => below += 1,
                std::cmp::Ordering::Equal => same += 1,
                std::cmp::Ordering::Greater => {}
            }
            i += 1;
        }
        assert!(same == 1, "a privilege name is listed twice in its catalog");
        assert!(below < 128, "a privilege set holds at most 128 privileges");
        Privilege {
            bit: below as u8,
            name,
            kind: PhantomData,
        }
    }

    /// The current name, as requests and responses spell it.
    pub const fn name(self) -> &'static str {
        self.name
    }
}

/// Byte-wise order, the order of `str`'s `Ord` (and so of [`Catalog::names`]).
const fn compare(a: &[u8], b: &[u8]) -> std::cmp::Ordering {
    let mut i = 0;
    while i < a.len() && i < b.len() {
        if a[i] < b[i] {
            return std::cmp::Ordering::Less;
        }
        if a[i] > b[i] {
            return std::cmp::Ordering::Greater;
        }
        i += 1;
    }
    if a.len() < b.len() {
        std::cmp::Ordering::Less
    } else if a.len() > b.len() {
        std::cmp::Ordering::Greater
    } else {
        std::cmp::Ordering::Equal
    }
}

/// Is `name` equal to `<entity>_<constant, lower-cased>`?
const fn names_constant(entity: &str, constant: &str, name: &str) -> bool {
    let (e, c, n) = (entity.as_bytes(), constant.as_bytes(), name.as_bytes());
    if n.len() != e.len() + 1 + c.len() {
        return false;
    }
    let mut i = 0;
    while i < e.len() {
        if n[i] != e[i] {
            return false;
        }
        i += 1;
    }
    if n[e.len()] != b'_' {
        return false;
    }
    let mut j = 0;
    while j < c.len() {
        if n[e.len() + 1 + j] != c[j].to_ascii_lowercase() {
            return false;
        }
        j += 1;
    }
    true
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

    /// The set of exactly `privileges`.
    pub const fn of(privileges: &[Privilege<K>]) -> Self {
        let mut bits = 0;
        let mut i = 0;
        while i < privileges.len() {
            bits |= 1u128 << privileges[i].bit;
            i += 1;
        }
        PrivilegeSet {
            bits,
            kind: PhantomData,
        }
    }

    /// Holds `privilege`? One bit test.
    #[inline]
    pub const fn contains(&self, privilege: Privilege<K>) -> bool {
        self.bits & (1u128 << privilege.bit) != 0
    }

    pub fn insert(&mut self, privilege: Privilege<K>) {
        self.bits |= 1u128 << privilege.bit;
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
