//! The entity types that have members, and the member types, as type parameters: one generic
//! implementation serves the membership routes of groups, spaces, handle services and handles.

use privzone_model::authorize::Kind;
use privzone_model::change::InviteeKind;
use privzone_model::error::{Missing, Noun};
use privzone_model::privilege::{PrivilegeKind, PrivilegeSet};
use privzone_model::state::{
    Group, Handle, HandleService, MemberIx, MemberTable, Space, State, TargetIx,
};
use privzone_model::{Error, Member, Privileges, Target};
use serde_json::{json, Value};

use super::records;

pub type KindPrivileges<K> = PrivilegeSet<<<K as TargetKind>::Table as MemberTable>::Kind>;

pub trait TargetKind: Send + Sync + 'static {
    type Table: MemberTable;
    /// Path segment, e.g. `handle_services`; also the key of its id lists.
    const PATH: &'static str;
    /// Type name in error details, e.g. `handleService`.
    const GRI: &'static str;
    const KIND: Kind;
    /// What it is called in a 404's description.
    const NOUN: Noun;
    /// Segment under `/groups/{id}` of the entities of this kind the group belongs to
    /// (`parents` for groups, else [`Self::PATH`]).
    const OF_GROUP: &'static str;
    fn resolve(state: &State, id: &str) -> Option<TargetIx>;
    fn table(state: &State, t: TargetIx) -> Option<&Self::Table>;
    /// Every entity of this kind, by id.
    fn ids(state: &State) -> Vec<&str>;
    fn target(id: String) -> Target;
    fn wrap(p: KindPrivileges<Self>) -> Privileges;
    /// Privileges a member gets when a request gives none.
    fn default_privileges() -> KindPrivileges<Self> {
        PrivilegeSet::preset("member")
    }
    fn creator(e: &Self::Table) -> Option<&str>;
    /// Onezone's protected data of the entity.
    fn protected(state: &State, e: &Self::Table) -> Value;
    /// The entities of this kind a user or a group is a direct member of.
    fn direct_of(state: &State, m: MemberIx) -> Vec<TargetIx>;
}

pub struct GroupKind;
pub struct SpaceKind;
pub struct ServiceKind;
pub struct HandleKind;

macro_rules! target_kind {
    (
        $k:ident, $table:ty, $path:literal, $gri:literal, $kind:ident, $of_group:literal,
        $ix:ident, $field:ident, $target:ident, $protected:path,
        user: $user_field:ident, group: $group_field:ident
    ) => {
        impl TargetKind for $k {
            type Table = $table;
            const PATH: &'static str = $path;
            const GRI: &'static str = $gri;
            const KIND: Kind = Kind::$kind;
            const NOUN: Noun = Noun::$kind;
            const OF_GROUP: &'static str = $of_group;
            fn resolve(state: &State, id: &str) -> Option<TargetIx> {
                state.$field.find(id).map(TargetIx::$ix)
            }
            fn table(state: &State, t: TargetIx) -> Option<&$table> {
                match t {
                    TargetIx::$ix(i) => state.$field.get(i),
                    _ => None,
                }
            }
            fn ids(state: &State) -> Vec<&str> {
                state.$field.iter().map(|(_, e)| e.id.as_str()).collect()
            }
            fn target(id: String) -> Target {
                Target::$target(id)
            }
            fn wrap(p: KindPrivileges<Self>) -> Privileges {
                Privileges::$target(p)
            }
            fn creator(e: &$table) -> Option<&str> {
                e.creator.as_deref()
            }
            fn protected(state: &State, e: &$table) -> Value {
                $protected(state, e)
            }
            fn direct_of(state: &State, m: MemberIx) -> Vec<TargetIx> {
                let of = match m {
                    MemberIx::User(u) => state.users.get(u).map(|x| &x.$user_field),
                    MemberIx::Group(g) => state.groups.get(g).map(|x| &x.$group_field),
                };
                of.map_or_else(Vec::new, |v| v.iter().map(|x| TargetIx::$ix(*x)).collect())
            }
        }
    };
}
target_kind!(
    GroupKind, Group, "groups", "group", Group, "parents",
    Group, groups, Group, records::protected_group,
    user: groups, group: parents
);
target_kind!(
    SpaceKind, Space, "spaces", "space", Space, "spaces",
    Space, spaces, Space, records::protected_space,
    user: spaces, group: spaces
);
target_kind!(
    ServiceKind, HandleService, "handle_services", "handleService", HandleService,
    "handle_services", Service, services, HandleService, records::protected_service,
    user: services, group: services
);
target_kind!(
    HandleKind, Handle, "handles", "handle", Handle, "handles",
    Handle, handles, Handle, records::protected_handle,
    user: handles, group: handles
);

/// Id of any entity with members, or "" for a stale index.
pub fn target_id(state: &State, t: TargetIx) -> &str {
    match t {
        TargetIx::Group(x) => state.groups.id_of(x),
        TargetIx::Space(x) => state.spaces.id_of(x),
        TargetIx::Service(x) => state.services.id_of(x),
        TargetIx::Handle(x) => state.handles.id_of(x),
    }
}

pub trait MemberKind: Send + Sync + 'static {
    /// Path segment and list key (`users` / `groups`).
    const LIST_KEY: &'static str;
    /// Body key for `badValueIdNotFound` (`userId` / `groupId`).
    const ID_KEY: &'static str;
    const GRI: &'static str;
    const INVITEE: InviteeKind;
    const NOUN: Noun;
    fn resolve(state: &State, id: &str) -> Option<MemberIx>;
    fn member(id: String) -> Member;
    fn direct_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String>;
    fn effective_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String>;
}

pub struct UserMember;
pub struct GroupMember;

macro_rules! member_kind {
    (
        $k:ident, $list:literal, $id_key:literal, $gri:literal, $variant:ident, $field:ident,
        $effective_members:ident
    ) => {
        impl MemberKind for $k {
            const LIST_KEY: &'static str = $list;
            const ID_KEY: &'static str = $id_key;
            const GRI: &'static str = $gri;
            const INVITEE: InviteeKind = InviteeKind::$variant;
            const NOUN: Noun = Noun::$variant;
            fn resolve(state: &State, id: &str) -> Option<MemberIx> {
                state.$field.find(id).map(MemberIx::$variant)
            }
            fn member(id: String) -> Member {
                Member::$variant(id)
            }
            fn direct_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String> {
                t.$field()
                    .keys()
                    .map(|x| state.$field.id_of(*x).to_owned())
                    .collect()
            }
            fn effective_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String> {
                state
                    .$effective_members(t)
                    .into_iter()
                    .map(|x| state.$field.id_of(x).to_owned())
                    .collect()
            }
        }
    };
}
member_kind!(
    UserMember,
    "users",
    "userId",
    "user",
    User,
    users,
    effective_users
);
member_kind!(
    GroupMember,
    "groups",
    "groupId",
    "group",
    Group,
    groups,
    effective_groups
);

/// 404 naming the entity of kind `noun` with `id` that does not exist.
pub fn no_such(noun: Noun, id: &str) -> Error {
    Error::Missing(Missing::Entity(noun, id.to_owned()))
}

/// 404 saying that `m` is not a member (`direct`: not a direct one) of an entity of kind `K`.
pub fn not_a_member<K: TargetKind>(state: &State, m: MemberIx, direct: bool) -> Error {
    let (member, id) = match m {
        MemberIx::User(u) => (Noun::User, state.users.id_of(u)),
        MemberIx::Group(g) => (Noun::Group, state.groups.id_of(g)),
    };
    Error::Missing(Missing::Member {
        member,
        id: id.to_owned(),
        of: K::NOUN,
        direct,
    })
}

/// Is `m` an effective member of `t`?
pub fn is_effective_member<T: MemberTable>(state: &State, t: &T, m: MemberIx) -> bool {
    match m {
        MemberIx::User(u) => state.effective_user_privileges(t, u).is_some(),
        MemberIx::Group(g) => state.effective_group_privileges(t, g).is_some(),
    }
}

/// Privilege names as a JSON list, alphabetical.
pub fn privileges_json<P: PrivilegeKind>(set: PrivilegeSet<P>) -> Value {
    json!({ "privileges": set.to_names() })
}
