//! Interned entity tables: each entity gets a dense index for the lifetime of the process, so the
//! membership graph stores 4-byte keys instead of ids. Deleted slots are never reused.

use std::marker::PhantomData;

use rustc_hash::FxHashMap;

/// Dense index of an entity of type `T`.
pub struct Ix<T>(u32, PhantomData<fn() -> T>);

impl<T> Ix<T> {
    pub fn get(self) -> usize {
        self.0 as usize
    }
}
impl<T> Clone for Ix<T> {
    fn clone(&self) -> Self {
        *self
    }
}
impl<T> Copy for Ix<T> {}
impl<T> PartialEq for Ix<T> {
    fn eq(&self, o: &Self) -> bool {
        self.0 == o.0
    }
}
impl<T> Eq for Ix<T> {}
impl<T> PartialOrd for Ix<T> {
    fn partial_cmp(&self, o: &Self) -> Option<std::cmp::Ordering> {
        Some(self.cmp(o))
    }
}
impl<T> Ord for Ix<T> {
    fn cmp(&self, o: &Self) -> std::cmp::Ordering {
        self.0.cmp(&o.0)
    }
}
impl<T> std::hash::Hash for Ix<T> {
    fn hash<H: std::hash::Hasher>(&self, h: &mut H) {
        self.0.hash(h)
    }
}
impl<T> std::fmt::Debug for Ix<T> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "#{}", self.0)
    }
}

/// Something with a public id.
pub trait Identified {
    fn id(&self) -> &str;
}

pub struct Table<T> {
    slots: Vec<Option<T>>,
    index: FxHashMap<Box<str>, u32>,
    live: usize,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table {
            slots: Vec::new(),
            index: FxHashMap::default(),
            live: 0,
        }
    }
}

impl<T: Identified> Table<T> {
    pub fn find(&self, id: &str) -> Option<Ix<T>> {
        self.index.get(id).map(|&i| Ix(i, PhantomData))
    }

    pub fn get(&self, ix: Ix<T>) -> Option<&T> {
        self.slots.get(ix.get()).and_then(Option::as_ref)
    }

    pub fn get_mut(&mut self, ix: Ix<T>) -> Option<&mut T> {
        self.slots.get_mut(ix.get()).and_then(Option::as_mut)
    }

    pub fn by_id(&self, id: &str) -> Option<(Ix<T>, &T)> {
        let ix = self.find(id)?;
        Some((ix, self.get(ix)?))
    }

    /// Inserts a new entity; `None` if its id is taken.
    pub fn insert(&mut self, value: T) -> Option<Ix<T>> {
        if self.index.contains_key(value.id()) {
            return None;
        }
        let i = u32::try_from(self.slots.len()).ok()?;
        self.index.insert(value.id().into(), i);
        self.slots.push(Some(value));
        self.live += 1;
        Some(Ix(i, PhantomData))
    }

    pub fn remove(&mut self, ix: Ix<T>) -> Option<T> {
        let value = self.slots.get_mut(ix.get())?.take()?;
        self.index.remove(value.id());
        self.live -= 1;
        Some(value)
    }

    pub fn len(&self) -> usize {
        self.live
    }

    pub fn is_empty(&self) -> bool {
        self.live == 0
    }

    pub fn iter(&self) -> impl Iterator<Item = (Ix<T>, &T)> {
        self.slots
            .iter()
            .enumerate()
            .filter_map(|(i, s)| s.as_ref().map(|v| (Ix(i as u32, PhantomData), v)))
    }

    /// Id of a live entity, or "" for a stale index.
    pub fn id_of(&self, ix: Ix<T>) -> &str {
        self.get(ix).map_or("", |v| v.id())
    }
}
