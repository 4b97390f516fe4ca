//! The entity types that have members, and the member types, as type parameters: one generic
//! implementation serves the membership routes of groups, spaces, handle services and handles.

use privzone_model::privilege::{PrivilegeKind, PrivilegeSet};
use privzone_model::state::{
    Group, GroupIx, Handle, HandleService, MemberIx, MemberTable, Space, State, TargetIx, UserIx,
};
use privzone_model::{Member, Privileges, Target};
use serde_json::{json, Value};

pub type KindPrivileges<K> = PrivilegeSet<<<K as TargetKind>::Table as MemberTable>::Kind>;

pub trait TargetKind: Send + Sync + 'static {
    type Table: MemberTable;
    /// Path segment, e.g. `handle_services`.
    const PATH: &'static str;
    /// Type name in error details, e.g. `handleService`.
    const GRI: &'static str;
    fn resolve(state: &State, id: &str) -> Option<TargetIx>;
    fn table(state: &State, t: TargetIx) -> Option<&Self::Table>;
    fn target(id: String) -> Target;
    fn wrap(p: KindPrivileges<Self>) -> Privileges;
    /// Privileges a member gets when a request gives none.
    fn default_privileges() -> KindPrivileges<Self> {
        PrivilegeSet::preset("member")
    }
}

pub struct GroupKind;
pub struct SpaceKind;
pub struct ServiceKind;
pub struct HandleKind;

macro_rules! target_kind {
    ($k:ident, $table:ty, $path:literal, $gri:literal, $ix:ident, $field:ident, $target:ident, $privs:ident) => {
        impl TargetKind for $k {
            type Table = $table;
            const PATH: &'static str = $path;
            const GRI: &'static str = $gri;
            fn resolve(state: &State, id: &str) -> Option<TargetIx> {
                state.$field.find(id).map(TargetIx::$ix)
            }
            fn table(state: &State, t: TargetIx) -> Option<&$table> {
                match t {
                    TargetIx::$ix(i) => state.$field.get(i),
                    _ => None,
                }
            }
            fn target(id: String) -> Target {
                Target::$target(id)
            }
            fn wrap(p: KindPrivileges<Self>) -> Privileges {
                Privileges::$privs(p)
            }
        }
    };
}
target_kind!(GroupKind, Group, "groups", "group", Group, groups, Group, Group);
target_kind!(SpaceKind, Space, "spaces", "space", Space, spaces, Space, Space);
target_kind!(ServiceKind, HandleService, "handle_services", "handleService", Service, services, HandleService, HandleService);
target_kind!(HandleKind, Handle, "handles", "handle", Handle, handles, Handle, Handle);

pub trait MemberKind: Send + Sync + 'static {
    /// Path segment and list key (`users` / `groups`).
    const LIST_KEY: &'static str;
    /// Body key for `badValueIdNotFound` (`userId` / `groupId`).
    const ID_KEY: &'static str;
    const GRI: &'static str;
    fn resolve(state: &State, id: &str) -> Option<MemberIx>;
    fn member(id: String) -> Member;
    fn direct<T: MemberTable>(t: &T, m: MemberIx) -> Option<PrivilegeSet<T::Kind>>;
    fn effective<T: MemberTable>(state: &State, t: &T, m: MemberIx) -> Option<PrivilegeSet<T::Kind>>;
    fn direct_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String>;
    fn effective_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String>;
    /// The member's shared record.
    fn record(state: &State, m: MemberIx) -> Value;
}

pub struct UserMember;
pub struct GroupMember;

impl MemberKind for UserMember {
    const LIST_KEY: &'static str = "users";
    const ID_KEY: &'static str = "userId";
    const GRI: &'static str = "user";
    fn resolve(state: &State, id: &str) -> Option<MemberIx> {
        state.users.find(id).map(MemberIx::User)
    }
    fn member(id: String) -> Member {
        Member::User(id)
    }
    fn direct<T: MemberTable>(t: &T, m: MemberIx) -> Option<PrivilegeSet<T::Kind>> {
        match m {
            MemberIx::User(u) => t.users().get(&u).copied(),
            MemberIx::Group(_) => None,
        }
    }
    fn effective<T: MemberTable>(state: &State, t: &T, m: MemberIx) -> Option<PrivilegeSet<T::Kind>> {
        match m {
            MemberIx::User(u) => state.effective_user_privileges(t, u),
            MemberIx::Group(_) => None,
        }
    }
    fn direct_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String> {
        t.users().keys().map(|u| state.users.id_of(*u).to_owned()).collect()
    }
    fn effective_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String> {
        state.effective_users(t).into_iter().map(|u| state.users.id_of(u).to_owned()).collect()
    }
    fn record(state: &State, m: MemberIx) -> Value {
        match m {
            MemberIx::User(u) => user_record(state, u),
            MemberIx::Group(g) => group_record(state, g),
        }
    }
}

impl MemberKind for GroupMember {
    const LIST_KEY: &'static str = "groups";
    const ID_KEY: &'static str = "groupId";
    const GRI: &'static str = "group";
    fn resolve(state: &State, id: &str) -> Option<MemberIx> {
        state.groups.find(id).map(MemberIx::Group)
    }
    fn member(id: String) -> Member {
        Member::Group(id)
    }
    fn direct<T: MemberTable>(t: &T, m: MemberIx) -> Option<PrivilegeSet<T::Kind>> {
        match m {
            MemberIx::Group(g) => t.groups().get(&g).copied(),
            MemberIx::User(_) => None,
        }
    }
    fn effective<T: MemberTable>(state: &State, t: &T, m: MemberIx) -> Option<PrivilegeSet<T::Kind>> {
        match m {
            MemberIx::Group(g) => state.effective_group_privileges(t, g),
            MemberIx::User(_) => None,
        }
    }
    fn direct_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String> {
        t.groups().keys().map(|g| state.groups.id_of(*g).to_owned()).collect()
    }
    fn effective_ids<T: MemberTable>(state: &State, t: &T) -> Vec<String> {
        state.effective_groups(t).into_iter().map(|g| state.groups.id_of(g).to_owned()).collect()
    }
    fn record(state: &State, m: MemberIx) -> Value {
        match m {
            MemberIx::User(u) => user_record(state, u),
            MemberIx::Group(g) => group_record(state, g),
        }
    }
}

/// Onezone's "shared" user: what other members may see.
pub fn user_record(state: &State, u: UserIx) -> Value {
    match state.users.get(u) {
        Some(user) => json!({
            "userId": user.id,
            "fullName": user.full_name,
            "username": user.username,
            "creationTime": user.creation_time,
            "name": user.full_name,
            "login": user.username,
            "alias": user.username,
        }),
        None => Value::Null,
    }
}

/// Onezone's "shared" group.
pub fn group_record(state: &State, g: GroupIx) -> Value {
    match state.groups.get(g) {
        Some(group) => json!({
            "groupId": group.id,
            "name": group.name,
            "type": group.group_type.as_str(),
            "creationTime": group.creation_time,
        }),
        None => Value::Null,
    }
}

/// Privilege names as a JSON list, alphabetical.
pub fn privileges_json<P: PrivilegeKind>(set: PrivilegeSet<P>) -> Value {
    json!({ "privileges": set.to_names() })
}
