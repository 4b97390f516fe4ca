//! The reads of the membership routes, decided like commands (reference §2, get): the entity and
//! the member (404, even for nobody) → `exists` (404, e.g. not a member) → authorize (401/403) →
//! the value the response renders. They read a state and change nothing.

use super::members::{
    direct_privileges, effective_privileges, not_a_member, resolve_member, resolve_target,
};
use crate::authorize::{authorize, Client, Operation};
use crate::change::{Member, Privileges, Target};
use crate::effective::Intermediaries;
use crate::error::Error;
use crate::state::{MemberIx, State, TargetIx};

/// Direct privileges of a direct member (`…/users/{uid}/privileges`), or with `effective` the
/// effective privileges of an effective member (`…/effective_users/{uid}/privileges`).
pub fn member_privileges(
    state: &State,
    client: &Client,
    target: &Target,
    member: &Member,
    effective: bool,
) -> Result<Privileges, Error> {
    let t = resolve_target(state, target)?;
    let m = resolve_member(state, member)?;
    let privileges = if effective {
        effective_privileges(state, t, m)
    } else {
        direct_privileges(state, t, m)
    }
    .ok_or_else(|| not_a_member(target, member, !effective))?;
    authorize(
        state,
        *client,
        Operation::ViewMemberPrivileges {
            target: t,
            member: m,
        },
    )?;
    Ok(privileges)
}

/// The first hops by which an effective member reaches the target (`…/membership`).
pub fn membership(
    state: &State,
    client: &Client,
    target: &Target,
    member: &Member,
) -> Result<Intermediaries, Error> {
    let t = resolve_target(state, target)?;
    let m = resolve_member(state, member)?;
    if effective_privileges(state, t, m).is_none() {
        return Err(not_a_member(target, member, false));
    }
    authorize(
        state,
        *client,
        Operation::ViewMembership {
            target: t,
            member: m,
        },
    )?;
    let hops = match (t, m) {
        (TargetIx::Group(x), MemberIx::User(u)) => {
            state.groups.get(x).map(|e| state.user_intermediaries(e, u))
        }
        (TargetIx::Group(x), MemberIx::Group(g)) => state
            .groups
            .get(x)
            .map(|e| state.group_intermediaries(e, g)),
        (TargetIx::Space(x), MemberIx::User(u)) => {
            state.spaces.get(x).map(|e| state.user_intermediaries(e, u))
        }
        (TargetIx::Space(x), MemberIx::Group(g)) => state
            .spaces
            .get(x)
            .map(|e| state.group_intermediaries(e, g)),
        (TargetIx::Service(x), MemberIx::User(u)) => state
            .services
            .get(x)
            .map(|e| state.user_intermediaries(e, u)),
        (TargetIx::Service(x), MemberIx::Group(g)) => state
            .services
            .get(x)
            .map(|e| state.group_intermediaries(e, g)),
        (TargetIx::Handle(x), MemberIx::User(u)) => state
            .handles
            .get(x)
            .map(|e| state.user_intermediaries(e, u)),
        (TargetIx::Handle(x), MemberIx::Group(g)) => state
            .handles
            .get(x)
            .map(|e| state.group_intermediaries(e, g)),
    };
    hops.ok_or(Error::NotFound)
}

/// An effective member of the target — or its creator, whom members still see — whose shared
/// record the client may view (`…/users/{uid}`, `…/effective_users/{uid}`, group variants).
pub fn member(
    state: &State,
    client: &Client,
    target: &Target,
    member: &Member,
) -> Result<MemberIx, Error> {
    let t = resolve_target(state, target)?;
    let m = resolve_member(state, member)?;
    if effective_privileges(state, t, m).is_none() && !is_creator(state, t, m) {
        return Err(not_a_member(target, member, false));
    }
    authorize(
        state,
        *client,
        Operation::ViewMember {
            target: t,
            member: m,
        },
    )?;
    Ok(m)
}

fn is_creator(state: &State, t: TargetIx, m: MemberIx) -> bool {
    let MemberIx::User(u) = m else { return false };
    let creator = match t {
        TargetIx::Group(x) => state.groups.get(x).and_then(|e| e.creator.as_deref()),
        TargetIx::Space(x) => state.spaces.get(x).and_then(|e| e.creator.as_deref()),
        TargetIx::Service(x) => state.services.get(x).and_then(|e| e.creator.as_deref()),
        TargetIx::Handle(x) => state.handles.get(x).and_then(|e| e.creator.as_deref()),
    };
    creator == Some(state.users.id_of(u))
}
