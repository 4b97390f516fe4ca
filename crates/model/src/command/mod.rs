//! Decisions as values: one [`Command`] per write operation, decided against a state for a
//! client by one pure function, [`decide`], into a [`Plan`]; and [`query`], the reads decided the
//! same way.
//!
//! Commands so far: adding, removing and leaving a membership and setting a member's privileges
//! (`members.rs`, every kind with members), and updating and deleting an entity (`entity.rs`).
//!
//! `decide` is where reference §2's precedence is written, once, for every operation it serves:
//! resolve the entity and the member (**404**, even for nobody) → [`authorize`] (**401** for
//! nobody, **403**) → the request body (**400**, parsed by the server beforehand and handed over as
//! a value, so its error is reported only here) → the domain rules (self-relation, already a
//! member, the last owner of a space, a protected group, a non-empty handle service;
//! **400**/**409**). Nothing here does I/O.
//!
//! A [`Plan`] holds the changes an operation makes and the [`Authorized`] proof it was made with:
//! its constructor takes the proof and is private to this crate, so the only way to obtain a
//! plan is to pass `decide`, and the server's write path for commands (`Tx::apply_plan`) takes
//! nothing else.

mod entity;
mod members;
pub mod query;
#[cfg(test)]
mod tests;

use crate::authorize::{Authorized, Client};
use crate::change::{Change, GroupType, Member, Privileges, Target};
use crate::error::Error;
use crate::privilege::{PrivilegeKind, PrivilegeSet};
use crate::state::State;

pub use members::{new_membership, release_ownership};

/// One write operation, as the server parsed it from a request. Ids are as the client gave them;
/// `decide` resolves them.
#[derive(Debug, Clone, PartialEq)]
pub enum Command {
    /// PATCH `/groups/{id}`, `/spaces/{id}`, `/handle_services/{id}`: the body as the server
    /// parsed it; its error is reported after authorization.
    Update {
        target: Target,
        update: Result<EntityUpdate, Error>,
    },
    /// DELETE `/{kind}/{id}`: the entity goes, with every membership it has.
    Delete { target: Target },
    /// PUT `/{kind}/{id}/{users|groups|children}/{mid}`: a new direct member.
    AddMember {
        target: Target,
        member: Member,
        privileges: NewMemberPrivileges,
    },
    /// DELETE `/{kind}/{id}/{users|groups|children}/{mid}`: a direct member leaves (an owner of a
    /// space gives up ownership with it; the last owner cannot go).
    RemoveMember { target: Target, member: Member },
    /// DELETE `/user/{kind}/{id}` or `/groups/{gid}/{kind}/{id}`: the client, or a group, leaves
    /// an entity it is a direct member of (the same last-owner rule as a removal).
    Leave { who: Leaver, target: Target },
    /// PATCH (both generations) or legacy PUT of `…/{mid}/privileges` of a direct member. The
    /// update is the server's parse of the body; an error in it is reported after authorization.
    SetMemberPrivileges {
        target: Target,
        member: Member,
        update: Result<PrivilegeUpdate<Privileges>, Error>,
    },
}

/// The fields a PATCH of an entity changes (`None`: unchanged), per kind.
#[derive(Debug, Clone, PartialEq)]
pub enum EntityUpdate {
    Group {
        name: Option<String>,
        group_type: Option<GroupType>,
    },
    Space {
        name: String,
    },
    HandleService {
        name: Option<String>,
        proxy_endpoint: Option<String>,
        service_properties: Option<serde_json::Value>,
    },
}

/// Who leaves in a [`Command::Leave`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Leaver {
    /// The signed-in client (`/user/…`): nobody is 401 before anything else.
    Client,
    /// A group, by id (`/groups/{gid}/…`).
    Group(String),
}

/// The body of a PUT of a member, as parsed by the server. Whether it names `privileges` at all
/// changes who may send it (the set-privileges rule applies too), so an invalid list is kept
/// apart from an absent one.
#[derive(Debug, Clone, PartialEq)]
pub enum NewMemberPrivileges {
    /// No `privileges`: the member gets the kind's `member` preset.
    Default,
    /// A valid `privileges` list, of the target's kind.
    Given(Privileges),
    /// `privileges` is there but invalid: decided as if given, then this error.
    Invalid(Error),
    /// The body is not an object: decided as if no `privileges`, then this error.
    Malformed(Error),
}

/// A privilege update in either API generation (DESIGN.md), before it meets the old set.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PrivilegeUpdate<S> {
    /// 19.x+ `{"grant","revoke"}`: new = grant ∪ (old − revoke) (reference §4).
    Patch { grant: S, revoke: S },
    /// Legacy `set` (and PUT): new = the list.
    Set(S),
    /// Legacy `grant`: new = old ∪ list.
    Grant(S),
    /// Legacy `revoke`: new = old − list.
    Revoke(S),
}

impl<S> PrivilegeUpdate<S> {
    pub fn map<T>(self, f: impl Fn(S) -> T) -> PrivilegeUpdate<T> {
        match self {
            PrivilegeUpdate::Patch { grant, revoke } => PrivilegeUpdate::Patch {
                grant: f(grant),
                revoke: f(revoke),
            },
            PrivilegeUpdate::Set(s) => PrivilegeUpdate::Set(f(s)),
            PrivilegeUpdate::Grant(s) => PrivilegeUpdate::Grant(f(s)),
            PrivilegeUpdate::Revoke(s) => PrivilegeUpdate::Revoke(f(s)),
        }
    }

    fn try_map<T>(self, f: impl Fn(S) -> Option<T>) -> Option<PrivilegeUpdate<T>> {
        Some(match self {
            PrivilegeUpdate::Patch { grant, revoke } => PrivilegeUpdate::Patch {
                grant: f(grant)?,
                revoke: f(revoke)?,
            },
            PrivilegeUpdate::Set(s) => PrivilegeUpdate::Set(f(s)?),
            PrivilegeUpdate::Grant(s) => PrivilegeUpdate::Grant(f(s)?),
            PrivilegeUpdate::Revoke(s) => PrivilegeUpdate::Revoke(f(s)?),
        })
    }
}

impl<K: PrivilegeKind> PrivilegeUpdate<PrivilegeSet<K>> {
    /// The set that results from applying this update to `old`.
    pub fn apply(self, old: PrivilegeSet<K>) -> PrivilegeSet<K> {
        match self {
            PrivilegeUpdate::Patch { grant, revoke } => old.patched(grant, revoke),
            PrivilegeUpdate::Set(s) => s,
            PrivilegeUpdate::Grant(s) => old.union(s),
            PrivilegeUpdate::Revoke(s) => old.difference(s),
        }
    }
}

impl PrivilegeUpdate<Privileges> {
    /// The set that results from applying this update to `old`; `None` when the update holds
    /// privileges of another kind than `old` (a server bug, never a client's doing).
    pub fn apply(self, old: Privileges) -> Option<Privileges> {
        macro_rules! narrow {
            ($variant:ident, $old:expr) => {
                self.try_map(|p| match p {
                    Privileges::$variant(s) => Some(s),
                    _ => None,
                })
                .map(|u| Privileges::$variant(u.apply($old)))
            };
        }
        match old {
            Privileges::Group(o) => narrow!(Group, o),
            Privileges::Space(o) => narrow!(Space, o),
            Privileges::HandleService(o) => narrow!(HandleService, o),
            Privileges::Handle(o) => narrow!(Handle, o),
        }
    }
}

/// What the response to a decided command needs.
#[derive(Debug, Clone, PartialEq)]
pub enum Answer {
    /// 204 No Content.
    Done,
    /// 201 Created: the new membership, at the path the request named.
    MemberAdded { target: Target, member: Member },
    /// 204 for a deleted handle; its registrar is told afterwards, with the handle service's
    /// properties, to forget `public_handle`.
    HandleDeleted {
        public_handle: String,
        service_properties: serde_json::Value,
    },
}

/// A decided command: the changes to apply, as a whole, and what the answer needs. Made only by
/// [`decide`], from an [`Authorized`] proof.
#[derive(Debug, Clone)]
pub struct Plan {
    authorized: Authorized,
    changes: Vec<Change>,
    answer: Answer,
}

impl Plan {
    /// The only constructor: it takes the proof that the client passed [`authorize`] for the
    /// operation the changes carry out.
    pub(crate) fn new(authorized: Authorized, changes: Vec<Change>, answer: Answer) -> Self {
        Plan {
            authorized,
            changes,
            answer,
        }
    }

    pub fn authorized(&self) -> &Authorized {
        &self.authorized
    }

    /// The changes, in the order they apply (none when the operation changes nothing, e.g. a
    /// PATCH that leaves the privileges as they were).
    pub fn changes(&self) -> &[Change] {
        &self.changes
    }

    pub fn answer(&self) -> &Answer {
        &self.answer
    }

    /// The changes and the answer, for the writer that applies them.
    pub fn into_parts(self) -> (Vec<Change>, Answer) {
        (self.changes, self.answer)
    }
}

/// Decides `command` against `state` for `client`: 404 → 401/403 → 400 → domain rules, in that
/// order (reference §2), and on success the [`Plan`] that carries it out.
pub fn decide(state: &State, client: &Client, command: Command) -> Result<Plan, Error> {
    match command {
        Command::Update { target, update } => entity::update(state, *client, target, update),
        Command::Delete { target } => entity::delete(state, *client, target),
        Command::AddMember {
            target,
            member,
            privileges,
        } => members::add(state, *client, target, member, privileges),
        Command::Leave { who, target } => members::leave(state, *client, who, target),
        Command::RemoveMember { target, member } => members::remove(state, *client, target, member),
        Command::SetMemberPrivileges {
            target,
            member,
            update,
        } => members::set_privileges(state, *client, target, member, update),
    }
}

#[cfg(doc)]
use crate::authorize::authorize;
