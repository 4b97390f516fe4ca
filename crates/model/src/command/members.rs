//! The membership commands of every entity kind with members (groups, spaces, handle services,
//! handles), and the domain rules they share: a group is not its own child, a member is added
//! once, and a space keeps at least one owner.

use super::{Answer, Leaver, NewMemberPrivileges, Plan, PrivilegeUpdate};
use crate::authorize::{authorize, Candidate, Client, Operation};
use crate::change::{Change, Member, Privileges, Target};
use crate::error::{Error, Missing, Noun};
use crate::privilege::PrivilegeSet;
use crate::state::{MemberIx, MemberTable, State, TargetIx};

/// Onezone's type name of a target in error details.
pub(crate) fn target_type(t: &Target) -> &'static str {
    match t {
        Target::Group(_) => "group",
        Target::Space(_) => "space",
        Target::HandleService(_) => "handleService",
        Target::Handle(_) => "handle",
    }
}

fn target_id(t: &Target) -> &str {
    match t {
        Target::Group(id) | Target::Space(id) | Target::HandleService(id) | Target::Handle(id) => {
            id
        }
    }
}

fn member_parts(m: &Member) -> (&'static str, &str) {
    match m {
        Member::User(id) => ("user", id),
        Member::Group(id) => ("group", id),
    }
}

/// The body key naming a member of this type (`badValueIdNotFound`).
fn id_key(m: &Member) -> &'static str {
    match m {
        Member::User(_) => "userId",
        Member::Group(_) => "groupId",
    }
}

fn target_noun(t: &Target) -> Noun {
    match t {
        Target::Group(_) => Noun::Group,
        Target::Space(_) => Noun::Space,
        Target::HandleService(_) => Noun::HandleService,
        Target::Handle(_) => Noun::Handle,
    }
}

fn member_noun(m: &Member) -> Noun {
    match m {
        Member::User(_) => Noun::User,
        Member::Group(_) => Noun::Group,
    }
}

/// The entity, or 404 naming it.
pub(crate) fn resolve_target(state: &State, t: &Target) -> Result<TargetIx, Error> {
    state
        .resolve_target(t)
        .ok_or_else(|| Error::Missing(Missing::Entity(target_noun(t), target_id(t).to_owned())))
}

/// The member, or 404 naming it.
pub(crate) fn resolve_member(state: &State, m: &Member) -> Result<MemberIx, Error> {
    state.resolve_member(m).ok_or_else(|| {
        let (_, id) = member_parts(m);
        Error::Missing(Missing::Entity(member_noun(m), id.to_owned()))
    })
}

/// 404: `member` is not a member (`direct`: not a direct one) of `target`.
pub(crate) fn not_a_member(target: &Target, member: &Member, direct: bool) -> Error {
    Error::Missing(Missing::Member {
        member: member_noun(member),
        id: member_parts(member).1.to_owned(),
        of: target_noun(target),
        direct,
    })
}

fn direct_in<T: MemberTable>(e: &T, m: MemberIx) -> Option<PrivilegeSet<T::Kind>> {
    match m {
        MemberIx::User(u) => e.users().get(&u).copied(),
        MemberIx::Group(g) => e.groups().get(&g).copied(),
    }
}

fn effective_in<T: MemberTable>(
    state: &State,
    e: &T,
    m: MemberIx,
) -> Option<PrivilegeSet<T::Kind>> {
    match m {
        MemberIx::User(u) => state.effective_user_privileges(e, u),
        MemberIx::Group(g) => state.effective_group_privileges(e, g),
    }
}

/// The direct privileges of `m` in `t`, if `m` is a direct member.
pub(crate) fn direct_privileges(state: &State, t: TargetIx, m: MemberIx) -> Option<Privileges> {
    match t {
        TargetIx::Group(x) => state
            .groups
            .get(x)
            .and_then(|e| direct_in(e, m))
            .map(Privileges::Group),
        TargetIx::Space(x) => state
            .spaces
            .get(x)
            .and_then(|e| direct_in(e, m))
            .map(Privileges::Space),
        TargetIx::Service(x) => state
            .services
            .get(x)
            .and_then(|e| direct_in(e, m))
            .map(Privileges::HandleService),
        TargetIx::Handle(x) => state
            .handles
            .get(x)
            .and_then(|e| direct_in(e, m))
            .map(Privileges::Handle),
    }
}

/// The effective privileges of `m` in `t` (reference §5), if `m` is an effective member.
pub(crate) fn effective_privileges(state: &State, t: TargetIx, m: MemberIx) -> Option<Privileges> {
    match t {
        TargetIx::Group(x) => state
            .groups
            .get(x)
            .and_then(|e| effective_in(state, e, m))
            .map(Privileges::Group),
        TargetIx::Space(x) => state
            .spaces
            .get(x)
            .and_then(|e| effective_in(state, e, m))
            .map(Privileges::Space),
        TargetIx::Service(x) => state
            .services
            .get(x)
            .and_then(|e| effective_in(state, e, m))
            .map(Privileges::HandleService),
        TargetIx::Handle(x) => state
            .handles
            .get(x)
            .and_then(|e| effective_in(state, e, m))
            .map(Privileges::Handle),
    }
}

/// The privileges a member gets when a request gives none: the kind's `member` preset.
fn default_privileges(t: &Target) -> Privileges {
    match t {
        Target::Group(_) => Privileges::Group(PrivilegeSet::preset("member")),
        Target::Space(_) => Privileges::Space(PrivilegeSet::preset("member")),
        Target::HandleService(_) => Privileges::HandleService(PrivilegeSet::preset("member")),
        Target::Handle(_) => Privileges::Handle(PrivilegeSet::preset("member")),
    }
}

fn same_kind(t: &Target, p: &Privileges) -> bool {
    matches!(
        (t, p),
        (Target::Group(_), Privileges::Group(_))
            | (Target::Space(_), Privileges::Space(_))
            | (Target::HandleService(_), Privileges::HandleService(_))
            | (Target::Handle(_), Privileges::Handle(_))
    )
}

fn kind_mismatch() -> Error {
    Error::Internal("privileges of another kind than their target".into())
}

/// The rules of a new direct membership of `m` in `t`: a group is not its own child (400
/// `cannotAddRelationToSelf`), and a direct member is not added twice (409
/// `relationAlreadyExists`). Nesting cycles are allowed, as in Onezone.
pub fn new_membership(
    state: &State,
    t: TargetIx,
    m: MemberIx,
    target: &Target,
    member: &Member,
) -> Result<(), Error> {
    if matches!((t, m), (TargetIx::Group(a), MemberIx::Group(b)) if a == b) {
        return Err(Error::CannotAddRelationToSelf);
    }
    if state.is_direct_member(t, m) {
        let (child_type, child_id) = member_parts(member);
        return Err(Error::RelationAlreadyExists {
            child_type,
            child_id: child_id.to_owned(),
            parent_type: target_type(target),
            parent_id: target_id(target).to_owned(),
        });
    }
    Ok(())
}

/// The last-owner rule, before a direct member `m` leaves `t` (removed, or by itself): owners are
/// direct members of their space, so an owner gives up ownership with the membership (the change
/// returned), and the last owner cannot go (400 `cannotRemoveLastOwner`).
pub fn release_ownership(state: &State, t: TargetIx, m: MemberIx) -> Result<Option<Change>, Error> {
    let (TargetIx::Space(s), MemberIx::User(u)) = (t, m) else {
        return Ok(None);
    };
    let Some(space) = state.spaces.get(s) else {
        return Ok(None);
    };
    if !space.owners.contains(&u) {
        return Ok(None);
    }
    let id = state.spaces.id_of(s).to_owned();
    if space.owners.len() == 1 {
        return Err(Error::CannotRemoveLastOwner {
            entity_type: "od_space",
            entity_id: id,
        });
    }
    Ok(Some(Change::RemoveOwner {
        space: id,
        user: state.users.id_of(u).to_owned(),
    }))
}

/// Reference §2, create: the target (404) → authorize, with the member possibly missing (401/403)
/// → the body (400) → the member exists (400 `badValueIdNotFound`) → the membership rules.
pub(super) fn add(
    state: &State,
    client: Client,
    target: Target,
    member: Member,
    privileges: NewMemberPrivileges,
) -> Result<Plan, Error> {
    let t = resolve_target(state, &target)?;
    let m = state.resolve_member(&member);
    let candidate = match (&member, m) {
        (Member::User(_), Some(MemberIx::User(u))) => Candidate::User(Some(u)),
        (Member::User(_), _) => Candidate::User(None),
        (Member::Group(_), Some(MemberIx::Group(g))) => Candidate::Group(Some(g)),
        (Member::Group(_), _) => Candidate::Group(None),
    };
    let with_privileges = matches!(
        privileges,
        NewMemberPrivileges::Given(_) | NewMemberPrivileges::Invalid(_)
    );
    let authorized = authorize(
        state,
        client,
        Operation::AddMember {
            target: t,
            member: candidate,
            with_privileges,
        },
    )?;
    let privileges = match privileges {
        NewMemberPrivileges::Default => default_privileges(&target),
        NewMemberPrivileges::Given(p) => p,
        NewMemberPrivileges::Invalid(e) | NewMemberPrivileges::Malformed(e) => return Err(e),
    };
    if !same_kind(&target, &privileges) {
        return Err(kind_mismatch());
    }
    let m = m.ok_or_else(|| Error::BadValueIdNotFound(id_key(&member).into()))?;
    new_membership(state, t, m, &target, &member)?;
    let answer = Answer::MemberAdded {
        target: target.clone(),
        member: member.clone(),
    };
    let change = Change::AddMember {
        target,
        member,
        privileges,
    };
    Ok(Plan::new(authorized, vec![change], answer))
}

/// Reference §2, delete: the target, the member, a direct membership (404) → authorize
/// (401/403) → the last-owner rule.
pub(super) fn remove(
    state: &State,
    client: Client,
    target: Target,
    member: Member,
) -> Result<Plan, Error> {
    let t = resolve_target(state, &target)?;
    let m = resolve_member(state, &member)?;
    if !state.is_direct_member(t, m) {
        return Err(not_a_member(&target, &member, true));
    }
    let authorized = authorize(
        state,
        client,
        Operation::RemoveMember {
            target: t,
            member: m,
        },
    )?;
    let mut changes: Vec<Change> = release_ownership(state, t, m)?.into_iter().collect();
    changes.push(Change::RemoveMember { target, member });
    Ok(Plan::new(authorized, changes, Answer::Done))
}

/// Reference §2, update: the target, the member, a direct membership (404) → authorize (401/403)
/// → the update (400). An update that leaves the set as it was plans no change.
pub(super) fn set_privileges(
    state: &State,
    client: Client,
    target: Target,
    member: Member,
    update: Result<PrivilegeUpdate<Privileges>, Error>,
) -> Result<Plan, Error> {
    let t = resolve_target(state, &target)?;
    let m = resolve_member(state, &member)?;
    let old = direct_privileges(state, t, m).ok_or_else(|| not_a_member(&target, &member, true))?;
    let authorized = authorize(
        state,
        client,
        Operation::SetMemberPrivileges {
            target: t,
            member: m,
        },
    )?;
    let new = update?.apply(old).ok_or_else(kind_mismatch)?;
    let changes = if new == old {
        Vec::new()
    } else {
        vec![Change::SetPrivileges {
            target,
            member,
            privileges: new,
        }]
    };
    Ok(Plan::new(authorized, changes, Answer::Done))
}

/// Leaving: the subject (401 for a client that is nobody; 404 for an unknown group) → the target
/// (404) → a direct membership (404) → authorize (the client always; a group with its
/// `group_leave_*` privilege or the admin path) → the last-owner rule.
pub(super) fn leave(
    state: &State,
    client: Client,
    who: Leaver,
    target: Target,
) -> Result<Plan, Error> {
    let member = match who {
        Leaver::Client => match client {
            Client::User(u) => Member::User(state.users.id_of(u).to_owned()),
            Client::Nobody => return Err(Error::Unauthorized),
        },
        Leaver::Group(g) => Member::Group(g),
    };
    let m = resolve_member(state, &member)?;
    let t = resolve_target(state, &target)?;
    if !state.is_direct_member(t, m) {
        return Err(not_a_member(&target, &member, true));
    }
    let op = match m {
        MemberIx::User(_) => Operation::OwnAccount,
        MemberIx::Group(g) => Operation::GroupLeaves {
            group: g,
            target: t,
        },
    };
    let authorized = authorize(state, client, op)?;
    let mut changes: Vec<Change> = release_ownership(state, t, m)?.into_iter().collect();
    changes.push(Change::RemoveMember { target, member });
    Ok(Plan::new(authorized, changes, Answer::Done))
}
