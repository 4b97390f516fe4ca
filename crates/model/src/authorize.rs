//! Who may do what: every operation of the REST API (reference §3 and §8) and its rule, in one
//! place. A rule is "entity privileges of the client (effective), or the admin path": the admin
//! path requires *all* listed oz privileges as effective oz privileges of the client.
//!
//! An [`Authorized`] value can only be made by [`authorize`]. A [`crate::command::Plan`] is built
//! only from one, and the server's `Tx::apply_plan` takes only plans, so a handler converted to
//! commands cannot write without this check; handlers not yet converted call `authorize` by hand.

use crate::catalog::{
    group, handle, handle_service, oz, space, GroupPriv, HandlePriv, HandleServicePriv, OzPriv,
    SpacePriv,
};
use crate::change::InviteeKind;
use crate::error::Error;
use crate::privilege::{Privilege, PrivilegeKind, PrivilegeSet};
use crate::state::{
    GroupIx, HandleIx, MemberIx, ServiceIx, ShareIx, SpaceIx, State, TargetIx, UserIx,
};

/// Who is calling.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    Nobody,
    User(UserIx),
}

/// Where a created entity belongs (Onezone's "auth hint").
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OnBehalfOf {
    /// Admin route (`POST /groups`, `/handle_services`, …): nobody becomes a member.
    Nobody,
    /// `/user/...`: the client becomes a member.
    Client,
    /// `/groups/{gid}/...`: the group becomes a member.
    Group(GroupIx),
}

/// Every operation privzone authorizes, with its resolved subjects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Operation {
    /// Anything a signed-in user does to itself (`/user`, its lists, its tokens, leaving).
    OwnAccount,
    ViewOzPrivileges(MemberIx),
    SetOzPrivileges(MemberIx),

    CreateUser,
    ListUsers,
    ViewUser(UserIx),
    UpdateUser(UserIx),
    DeleteUser(UserIx),
    ManagePassword(UserIx),
    ManageTokensOf(UserIx),
    /// GET `/users/{id}/groups`, `/effective_spaces`, … — a user's memberships.
    ListUserRelationships(UserIx),

    ListAll(Kind),
    /// GET of an entity's protected data: any effective member, or the admin view privilege.
    View(TargetIx),
    Update(TargetIx),
    Delete(TargetIx),

    ListMembers(TargetIx),
    ViewMemberPrivileges {
        target: TargetIx,
        member: MemberIx,
    },
    SetMemberPrivileges {
        target: TargetIx,
        member: MemberIx,
    },
    /// `member` is `None` when the id given does not exist (the body check reports it later).
    AddMember {
        target: TargetIx,
        member: Candidate,
        with_privileges: bool,
    },
    RemoveMember {
        target: TargetIx,
        member: MemberIx,
    },
    /// GET `…/users/{uid}` or `…/groups/{gid}` (the member's shared record) and its membership path.
    ViewMember {
        target: TargetIx,
        member: MemberIx,
    },
    ViewMembership {
        target: TargetIx,
        member: MemberIx,
    },

    CreateGroup(OnBehalfOf),
    /// POST `/groups/{id}/children` (new child) or `/groups/{id}/parents` (new parent).
    CreateRelatedGroup {
        group: GroupIx,
        as_parent: bool,
    },
    /// A group leaves a target it is a direct member of (`DELETE /groups/{id}/parents/{pid}`, …).
    GroupLeaves {
        group: GroupIx,
        target: TargetIx,
    },
    CreateSpace(OnBehalfOf),
    ViewOwners(SpaceIx),
    ManageOwners(SpaceIx),
    CreateShare(SpaceIx),
    ViewShare(ShareIx),
    /// PATCH `/shares/{id}`: `space_manage_shares` in the share's space, or `oz_shares_update`.
    UpdateShare(ShareIx),
    /// DELETE `/shares/{id}`: `space_manage_shares` in the share's space, or `oz_shares_delete`.
    DeleteShare(ShareIx),
    /// GET of an entity the group belongs to, through the group (`/groups/{id}/spaces/{sid}`,
    /// `/parents/{pid}`, …): `group_view` in the group, or what a plain GET of it needs.
    ViewThroughGroup {
        group: GroupIx,
        target: TargetIx,
    },
    CreateHandleService(OnBehalfOf),
    /// `service`/`share` are `None` when the body names none that exists: only admins pass then.
    CreateHandle {
        on_behalf: OnBehalfOf,
        service: Option<ServiceIx>,
        share: Option<ShareIx>,
    },
    ListHandlesOfService(ServiceIx),
    /// GET `/handle_services/{id}/handles/{hid}`.
    ViewHandleOfService(ServiceIx),
    CreateInvite {
        target: TargetIx,
        invitee: InviteeKind,
    },
    /// A group joins an entity of kind `target` with an invite token. The rule depends on the
    /// kind only, so it is decided before the token in the body is examined.
    GroupJoins {
        group: GroupIx,
        target: Kind,
    },
}

/// The member a PUT wants to add, which may not exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Candidate {
    User(Option<UserIx>),
    Group(Option<GroupIx>),
}

/// Entity kinds with an admin list route.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Group,
    Space,
    HandleService,
    Handle,
    Share,
}

/// Proof that the client passed [`authorize`] for `op` (`non_exhaustive`: no other crate can
/// make one).
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub struct Authorized {
    pub op: Operation,
    pub client: Client,
}

impl Authorized {
    /// The signed-in user (authorization always requires one).
    pub fn user(&self) -> Option<UserIx> {
        match self.client {
            Client::User(u) => Some(u),
            Client::Nobody => None,
        }
    }
}

/// The privileges an entity type uses for membership operations, typed by its kind.
struct MembershipRules<K> {
    view: Privilege<K>,
    view_privileges: Privilege<K>,
    set_privileges: Privilege<K>,
    add_user: Privilege<K>,
    remove_user: Privilege<K>,
    add_group: Privilege<K>,
    remove_group: Privilege<K>,
    update: Privilege<K>,
    delete: Privilege<K>,
}

/// A role of [`MembershipRules`], so one rule can name it for any kind of target.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Role {
    View,
    ViewPrivileges,
    SetPrivileges,
    AddUser,
    RemoveUser,
    AddGroup,
    RemoveGroup,
    Update,
    Delete,
}

impl<K> MembershipRules<K> {
    fn get(&self, role: Role) -> Privilege<K> {
        match role {
            Role::View => self.view,
            Role::ViewPrivileges => self.view_privileges,
            Role::SetPrivileges => self.set_privileges,
            Role::AddUser => self.add_user,
            Role::RemoveUser => self.remove_user,
            Role::AddGroup => self.add_group,
            Role::RemoveGroup => self.remove_group,
            Role::Update => self.update,
            Role::Delete => self.delete,
        }
    }
}

const GROUP_RULES: MembershipRules<GroupPriv> = MembershipRules {
    view: group::VIEW,
    view_privileges: group::VIEW_PRIVILEGES,
    set_privileges: group::SET_PRIVILEGES,
    add_user: group::ADD_USER,
    remove_user: group::REMOVE_USER,
    add_group: group::ADD_CHILD,
    remove_group: group::REMOVE_CHILD,
    update: group::UPDATE,
    delete: group::DELETE,
};
const SPACE_RULES: MembershipRules<SpacePriv> = MembershipRules {
    view: space::VIEW,
    view_privileges: space::VIEW_PRIVILEGES,
    set_privileges: space::SET_PRIVILEGES,
    add_user: space::ADD_USER,
    remove_user: space::REMOVE_USER,
    add_group: space::ADD_GROUP,
    remove_group: space::REMOVE_GROUP,
    update: space::UPDATE,
    delete: space::DELETE,
};
// Handle services and handles have no *_set_privileges: managing members needs *_update.
const SERVICE_RULES: MembershipRules<HandleServicePriv> = MembershipRules {
    view: handle_service::VIEW,
    view_privileges: handle_service::VIEW,
    set_privileges: handle_service::UPDATE,
    add_user: handle_service::UPDATE,
    remove_user: handle_service::UPDATE,
    add_group: handle_service::UPDATE,
    remove_group: handle_service::UPDATE,
    update: handle_service::UPDATE,
    delete: handle_service::DELETE,
};
const HANDLE_RULES: MembershipRules<HandlePriv> = MembershipRules {
    view: handle::VIEW,
    view_privileges: handle::VIEW,
    set_privileges: handle::UPDATE,
    add_user: handle::UPDATE,
    remove_user: handle::UPDATE,
    add_group: handle::UPDATE,
    remove_group: handle::UPDATE,
    update: handle::UPDATE,
    delete: handle::DELETE,
};

/// The admin path's oz privileges for one entity type (`oz_<plural>_<action>`).
struct OzRules {
    view: Privilege<OzPriv>,
    update: Privilege<OzPriv>,
    delete: Privilege<OzPriv>,
    list_relationships: Privilege<OzPriv>,
    view_privileges: Privilege<OzPriv>,
    set_privileges: Privilege<OzPriv>,
    add_relationships: Privilege<OzPriv>,
    remove_relationships: Privilege<OzPriv>,
}

const OZ_GROUPS: OzRules = OzRules {
    view: oz::GROUPS_VIEW,
    update: oz::GROUPS_UPDATE,
    delete: oz::GROUPS_DELETE,
    list_relationships: oz::GROUPS_LIST_RELATIONSHIPS,
    view_privileges: oz::GROUPS_VIEW_PRIVILEGES,
    set_privileges: oz::GROUPS_SET_PRIVILEGES,
    add_relationships: oz::GROUPS_ADD_RELATIONSHIPS,
    remove_relationships: oz::GROUPS_REMOVE_RELATIONSHIPS,
};
const OZ_SPACES: OzRules = OzRules {
    view: oz::SPACES_VIEW,
    update: oz::SPACES_UPDATE,
    delete: oz::SPACES_DELETE,
    list_relationships: oz::SPACES_LIST_RELATIONSHIPS,
    view_privileges: oz::SPACES_VIEW_PRIVILEGES,
    set_privileges: oz::SPACES_SET_PRIVILEGES,
    add_relationships: oz::SPACES_ADD_RELATIONSHIPS,
    remove_relationships: oz::SPACES_REMOVE_RELATIONSHIPS,
};
const OZ_HANDLE_SERVICES: OzRules = OzRules {
    view: oz::HANDLE_SERVICES_VIEW,
    update: oz::HANDLE_SERVICES_UPDATE,
    delete: oz::HANDLE_SERVICES_DELETE,
    list_relationships: oz::HANDLE_SERVICES_LIST_RELATIONSHIPS,
    view_privileges: oz::HANDLE_SERVICES_VIEW_PRIVILEGES,
    set_privileges: oz::HANDLE_SERVICES_SET_PRIVILEGES,
    add_relationships: oz::HANDLE_SERVICES_ADD_RELATIONSHIPS,
    remove_relationships: oz::HANDLE_SERVICES_REMOVE_RELATIONSHIPS,
};
const OZ_HANDLES: OzRules = OzRules {
    view: oz::HANDLES_VIEW,
    update: oz::HANDLES_UPDATE,
    delete: oz::HANDLES_DELETE,
    list_relationships: oz::HANDLES_LIST_RELATIONSHIPS,
    view_privileges: oz::HANDLES_VIEW_PRIVILEGES,
    set_privileges: oz::HANDLES_SET_PRIVILEGES,
    add_relationships: oz::HANDLES_ADD_RELATIONSHIPS,
    remove_relationships: oz::HANDLES_REMOVE_RELATIONSHIPS,
};

fn oz_rules(t: TargetIx) -> &'static OzRules {
    match t {
        TargetIx::Group(_) => &OZ_GROUPS,
        TargetIx::Space(_) => &OZ_SPACES,
        TargetIx::Service(_) => &OZ_HANDLE_SERVICES,
        TargetIx::Handle(_) => &OZ_HANDLES,
    }
}

struct Check<'a> {
    state: &'a State,
    user: UserIx,
    oz: PrivilegeSet<OzPriv>,
}

impl Check<'_> {
    /// The admin path: every listed oz privilege.
    fn admin(&self, privileges: &[Privilege<OzPriv>]) -> bool {
        privileges.iter().all(|p| self.oz.contains(*p))
    }

    fn has<K: PrivilegeKind>(set: Option<PrivilegeSet<K>>, privilege: Privilege<K>) -> bool {
        set.is_some_and(|s| s.contains(privilege))
    }

    /// The client's effective privilege `role` in `t`, in `t`'s own catalog.
    fn in_target(&self, t: TargetIx, role: Role) -> bool {
        match t {
            TargetIx::Group(g) => self.in_group(g, GROUP_RULES.get(role)),
            TargetIx::Space(s) => self.in_space(s, SPACE_RULES.get(role)),
            TargetIx::Service(s) => self.in_service(s, SERVICE_RULES.get(role)),
            TargetIx::Handle(h) => self.in_handle(h, HANDLE_RULES.get(role)),
        }
    }

    fn in_group(&self, g: GroupIx, privilege: Privilege<GroupPriv>) -> bool {
        let s = self.state;
        s.groups
            .get(g)
            .is_some_and(|x| Self::has(s.effective_user_privileges(x, self.user), privilege))
    }

    /// Space owners hold every space privilege.
    fn in_space(&self, sp: SpaceIx, privilege: Privilege<SpacePriv>) -> bool {
        let s = self.state;
        s.spaces.get(sp).is_some_and(|x| {
            x.owners.contains(&self.user)
                || Self::has(s.effective_user_privileges(x, self.user), privilege)
        })
    }

    fn in_service(&self, sv: ServiceIx, privilege: Privilege<HandleServicePriv>) -> bool {
        let s = self.state;
        s.services
            .get(sv)
            .is_some_and(|x| Self::has(s.effective_user_privileges(x, self.user), privilege))
    }

    fn in_handle(&self, h: HandleIx, privilege: Privilege<HandlePriv>) -> bool {
        let s = self.state;
        s.handles
            .get(h)
            .is_some_and(|x| Self::has(s.effective_user_privileges(x, self.user), privilege))
    }

    fn is_member_of(&self, t: TargetIx) -> bool {
        let s = self.state;
        match t {
            TargetIx::Group(g) => s
                .groups
                .get(g)
                .is_some_and(|x| s.is_effective_user(x, self.user)),
            TargetIx::Space(sp) => s.spaces.get(sp).is_some_and(|x| {
                x.owners.contains(&self.user) || s.is_effective_user(x, self.user)
            }),
            TargetIx::Service(sv) => s
                .services
                .get(sv)
                .is_some_and(|x| s.is_effective_user(x, self.user)),
            TargetIx::Handle(h) => s
                .handles
                .get(h)
                .is_some_and(|x| s.is_effective_user(x, self.user)),
        }
    }

    fn creator_of(&self, t: TargetIx) -> Option<&str> {
        let s = self.state;
        match t {
            TargetIx::Group(g) => s.groups.get(g).and_then(|x| x.creator.as_deref()),
            TargetIx::Space(sp) => s.spaces.get(sp).and_then(|x| x.creator.as_deref()),
            TargetIx::Service(sv) => s.services.get(sv).and_then(|x| x.creator.as_deref()),
            TargetIx::Handle(h) => s.handles.get(h).and_then(|x| x.creator.as_deref()),
        }
    }

    fn is_self(&self, m: MemberIx) -> bool {
        m == MemberIx::User(self.user)
    }

    fn allows(&self, op: Operation) -> bool {
        use Operation as O;
        match op {
            O::OwnAccount => true,
            O::ViewOzPrivileges(m) => self.is_self(m) || self.admin(&[oz::VIEW_PRIVILEGES]),
            O::SetOzPrivileges(_) => self.admin(&[oz::SET_PRIVILEGES]),

            O::CreateUser => self.admin(&[oz::USERS_CREATE]),
            O::ListUsers => self.admin(&[oz::USERS_LIST]),
            O::ViewUser(u) => u == self.user || self.admin(&[oz::USERS_VIEW]),
            O::UpdateUser(u) => u == self.user || self.admin(&[oz::USERS_UPDATE]),
            O::DeleteUser(u) => u == self.user || self.admin(&[oz::USERS_DELETE]),
            O::ManagePassword(_) => self.admin(&[oz::USERS_MANAGE_PASSWORDS]),
            O::ManageTokensOf(u) => u == self.user || self.admin(&[oz::TOKENS_MANAGE]),
            O::ListUserRelationships(u) => {
                u == self.user || self.admin(&[oz::USERS_LIST_RELATIONSHIPS])
            }

            O::ListAll(kind) => self.admin(&[match kind {
                Kind::Group => oz::GROUPS_LIST,
                Kind::Space => oz::SPACES_LIST,
                Kind::HandleService => oz::HANDLE_SERVICES_LIST,
                Kind::Handle => oz::HANDLES_LIST,
                Kind::Share => oz::SHARES_LIST,
            }]),
            O::View(t) => self.is_member_of(t) || self.admin(&[oz_rules(t).view]),
            O::Update(t) => {
                self.in_target(t, Role::Update)
                    || self.manages_handle(t)
                    || self.admin(&[oz_rules(t).update])
            }
            O::Delete(t) => {
                self.in_target(t, Role::Delete)
                    || self.manages_handle(t)
                    || self.admin(&[oz_rules(t).delete])
            }

            O::ListMembers(t) => {
                self.in_target(t, Role::View) || self.admin(&[oz_rules(t).list_relationships])
            }
            O::ViewMemberPrivileges { target, member } => {
                self.is_self(member)
                    || self.in_target(target, Role::ViewPrivileges)
                    || self.admin(&[oz_rules(target).view_privileges])
            }
            O::SetMemberPrivileges { target, .. } => {
                self.in_target(target, Role::SetPrivileges)
                    || self.admin(&[oz_rules(target).set_privileges])
            }
            O::AddMember {
                target,
                member,
                with_privileges,
            } => {
                let ozr = oz_rules(target);
                let set_ok = !with_privileges || self.in_target(target, Role::SetPrivileges);
                let entity = match (target, member) {
                    // Only self-add: other users join groups and spaces with invite tokens
                    // (space_logic_plugin authorizes `{user, UserId}` only for `?USER(UserId)`).
                    (TargetIx::Group(_) | TargetIx::Space(_), Candidate::User(u)) => {
                        u == Some(self.user) && self.in_target(target, Role::AddUser)
                    }
                    (TargetIx::Group(_), Candidate::Group(c)) => {
                        self.in_target(target, Role::AddGroup)
                            && c.is_some_and(|c| self.in_group(c, group::ADD_PARENT))
                    }
                    // space_logic_plugin: the group side must agree too (`group_add_space`).
                    (TargetIx::Space(_), Candidate::Group(c)) => {
                        self.in_target(target, Role::AddGroup)
                            && c.is_some_and(|c| self.in_group(c, group::ADD_SPACE))
                    }
                    (_, Candidate::User(_)) => self.in_target(target, Role::AddUser),
                    (_, Candidate::Group(_)) => self.in_target(target, Role::AddGroup),
                };
                // Reference §3.2/§3.3: the admin path of adding to a handle service or handle is
                // the two add privileges, with or without `privileges`; groups and spaces also
                // want the set privilege then.
                let admin_set_ok = !with_privileges
                    || matches!(target, TargetIx::Service(_) | TargetIx::Handle(_))
                    || self.admin(&[ozr.set_privileges]);
                let admin = match (target, member) {
                    (TargetIx::Group(_), Candidate::Group(_)) => {
                        self.admin(&[oz::GROUPS_ADD_RELATIONSHIPS])
                    }
                    (_, Candidate::User(_)) => {
                        self.admin(&[ozr.add_relationships, oz::USERS_ADD_RELATIONSHIPS])
                    }
                    (_, Candidate::Group(_)) => {
                        self.admin(&[ozr.add_relationships, oz::GROUPS_ADD_RELATIONSHIPS])
                    }
                };
                (entity && set_ok) || (admin && admin_set_ok)
            }
            O::RemoveMember { target, member } => {
                let (entity, other) = match member {
                    MemberIx::User(_) => (Role::RemoveUser, oz::USERS_REMOVE_RELATIONSHIPS),
                    MemberIx::Group(_) => (Role::RemoveGroup, oz::GROUPS_REMOVE_RELATIONSHIPS),
                };
                // Only an owner removes an owner from a space.
                let owner_guard = match (target, member) {
                    (TargetIx::Space(s), MemberIx::User(u)) => {
                        self.state.spaces.get(s).is_some_and(|x| {
                            x.owners.contains(&u) && !x.owners.contains(&self.user)
                        })
                    }
                    _ => false,
                };
                (self.in_target(target, entity) && !owner_guard)
                    || self.admin(&[oz_rules(target).remove_relationships, other])
            }
            O::ViewMember { target, member } => {
                let by_entity = self.in_target(target, Role::View);
                let special = match member {
                    MemberIx::User(u) => {
                        u == self.user
                            || (self.is_member_of(target)
                                && self.creator_of(target) == Some(self.state.users.id_of(u)))
                    }
                    MemberIx::Group(g) => self.is_member_of(TargetIx::Group(g)),
                };
                let admin = match member {
                    MemberIx::User(_) => self.admin(&[oz::USERS_VIEW]),
                    MemberIx::Group(_) => self.admin(&[oz::GROUPS_VIEW]),
                };
                by_entity || special || admin
            }
            O::ViewMembership { target, member } => {
                let special = match member {
                    MemberIx::User(u) => u == self.user,
                    MemberIx::Group(g) => self.is_member_of(TargetIx::Group(g)),
                };
                special
                    || self.in_target(target, Role::View)
                    || self.admin(&[oz_rules(target).view])
            }

            O::CreateGroup(OnBehalfOf::Nobody) => self.admin(&[oz::GROUPS_CREATE]),
            O::CreateGroup(OnBehalfOf::Client) => true,
            O::CreateGroup(OnBehalfOf::Group(g))
            | O::CreateRelatedGroup {
                group: g,
                as_parent: true,
            } => {
                self.in_group(g, group::ADD_PARENT)
                    || self.admin(&[oz::GROUPS_CREATE, oz::GROUPS_ADD_RELATIONSHIPS])
            }
            O::CreateRelatedGroup {
                group: g,
                as_parent: false,
            } => {
                self.in_group(g, group::ADD_CHILD)
                    || self.admin(&[oz::GROUPS_CREATE, oz::GROUPS_ADD_RELATIONSHIPS])
            }
            O::GroupLeaves { group: g, target } => {
                let privilege = match target {
                    TargetIx::Group(_) => group::LEAVE_PARENT,
                    TargetIx::Space(_) => group::LEAVE_SPACE,
                    TargetIx::Service(_) => group::LEAVE_HANDLE_SERVICE,
                    TargetIx::Handle(_) => group::LEAVE_HANDLE,
                };
                self.in_group(g, privilege)
                    || self.admin(&[
                        oz::GROUPS_REMOVE_RELATIONSHIPS,
                        oz_rules(target).remove_relationships,
                    ])
            }
            O::CreateSpace(OnBehalfOf::Nobody) => self.admin(&[oz::SPACES_CREATE]),
            O::CreateSpace(OnBehalfOf::Client) => true,
            O::CreateSpace(OnBehalfOf::Group(g)) => {
                self.in_group(g, group::ADD_SPACE)
                    || self.admin(&[oz::SPACES_CREATE, oz::GROUPS_ADD_RELATIONSHIPS])
            }
            O::ViewOwners(s) => {
                self.in_space(s, space::VIEW)
                    || self.admin(&[oz::SPACES_VIEW])
                    || self.admin(&[oz::SPACES_LIST_RELATIONSHIPS])
            }
            O::ManageOwners(s) => {
                self.state
                    .spaces
                    .get(s)
                    .is_some_and(|x| x.owners.contains(&self.user))
                    || self.admin(&[oz::SPACES_SET_PRIVILEGES])
            }
            O::CreateShare(s) => {
                self.in_space(s, space::MANAGE_SHARES) || self.admin(&[oz::SHARES_CREATE])
            }
            O::ViewShare(sh) => {
                self.state
                    .shares
                    .get(sh)
                    .is_some_and(|x| self.is_member_of(TargetIx::Space(x.space)))
                    || self.admin(&[oz::SHARES_VIEW])
            }
            O::UpdateShare(sh) => self.manages_shares_of(sh) || self.admin(&[oz::SHARES_UPDATE]),
            O::DeleteShare(sh) => self.manages_shares_of(sh) || self.admin(&[oz::SHARES_DELETE]),
            O::ViewThroughGroup { group: g, target } => {
                self.in_group(g, group::VIEW)
                    || self.is_member_of(target)
                    || self.admin(&[oz_rules(target).view])
            }
            O::CreateHandleService(OnBehalfOf::Nobody) => self.admin(&[oz::HANDLE_SERVICES_CREATE]),
            O::CreateHandleService(OnBehalfOf::Client) => self.admin(&[oz::HANDLE_SERVICES_CREATE]),
            O::CreateHandleService(OnBehalfOf::Group(g)) => {
                (self.in_group(g, group::CREATE_HANDLE_SERVICE)
                    && self.admin(&[oz::HANDLE_SERVICES_CREATE]))
                    || self.admin(&[oz::HANDLE_SERVICES_CREATE, oz::GROUPS_ADD_RELATIONSHIPS])
            }
            O::CreateHandle {
                on_behalf,
                service,
                share,
            } => {
                let space = share
                    .and_then(|sh| self.state.shares.get(sh))
                    .map(|s| s.space);
                let shares_ok = space.is_some_and(|s| self.in_space(s, space::MANAGE_SHARES));
                let register_ok =
                    service.is_some_and(|sv| self.in_service(sv, handle_service::REGISTER_HANDLE));
                match on_behalf {
                    OnBehalfOf::Nobody => self.admin(&[oz::HANDLES_CREATE]),
                    OnBehalfOf::Client => {
                        (shares_ok && register_ok)
                            || self.admin(&[oz::HANDLES_CREATE, oz::USERS_ADD_RELATIONSHIPS])
                    }
                    OnBehalfOf::Group(g) => {
                        let group_in_service = service
                            .and_then(|sv| self.state.services.get(sv))
                            .is_some_and(|s| self.state.effective_group_privileges(s, g).is_some());
                        (group_in_service
                            && shares_ok
                            && register_ok
                            && self.in_group(g, group::CREATE_HANDLE))
                            || self.admin(&[oz::HANDLES_CREATE, oz::GROUPS_ADD_RELATIONSHIPS])
                    }
                }
            }
            O::ListHandlesOfService(s) => {
                self.in_service(s, handle_service::LIST_HANDLES)
                    || self.admin(&[oz::HANDLE_SERVICES_LIST_RELATIONSHIPS])
            }
            O::ViewHandleOfService(s) => {
                self.in_service(s, handle_service::VIEW) || self.admin(&[oz::HANDLES_VIEW])
            }
            O::CreateInvite { target, invitee } => {
                let role = match invitee {
                    InviteeKind::User => Role::AddUser,
                    InviteeKind::Group => Role::AddGroup,
                };
                self.in_target(target, role) || self.admin(&[oz_rules(target).add_relationships])
            }
            O::GroupJoins { group: g, target } => {
                let privilege = match target {
                    Kind::Group => group::ADD_PARENT,
                    Kind::Space => group::ADD_SPACE,
                    Kind::HandleService => group::CREATE_HANDLE_SERVICE,
                    Kind::Handle => group::CREATE_HANDLE,
                    Kind::Share => return false,
                };
                self.in_group(g, privilege) || self.admin(&[oz::GROUPS_ADD_RELATIONSHIPS])
            }
        }
    }

    fn manages_shares_of(&self, sh: ShareIx) -> bool {
        self.state
            .shares
            .get(sh)
            .is_some_and(|x| self.in_space(x.space, space::MANAGE_SHARES))
    }

    /// A handle may also be updated or deleted through `handle_service_manage_handles`.
    fn manages_handle(&self, t: TargetIx) -> bool {
        match t {
            TargetIx::Handle(h) => self
                .state
                .handles
                .get(h)
                .is_some_and(|x| self.in_service(x.service, handle_service::MANAGE_HANDLES)),
            _ => false,
        }
    }
}

/// Decides `op` for `client`: 401 for nobody, 403 when no rule allows it.
pub fn authorize(state: &State, client: Client, op: Operation) -> Result<Authorized, Error> {
    let Client::User(user) = client else {
        return Err(Error::Unauthorized);
    };
    let check = Check {
        state,
        user,
        oz: state.effective_user_oz(user),
    };
    if check.allows(op) {
        Ok(Authorized { op, client })
    } else {
        Err(Error::Forbidden)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The admin path's tables spell Onezone's `oz_<plural>_<action>` scheme, which the old
    /// rules built with `format!` on every check.
    #[test]
    fn oz_rules_follow_onezones_naming() {
        for (plural, r) in [
            ("groups", &OZ_GROUPS),
            ("spaces", &OZ_SPACES),
            ("handle_services", &OZ_HANDLE_SERVICES),
            ("handles", &OZ_HANDLES),
        ] {
            for (action, p) in [
                ("view", r.view),
                ("update", r.update),
                ("delete", r.delete),
                ("list_relationships", r.list_relationships),
                ("view_privileges", r.view_privileges),
                ("set_privileges", r.set_privileges),
                ("add_relationships", r.add_relationships),
                ("remove_relationships", r.remove_relationships),
            ] {
                assert_eq!(p.name(), format!("oz_{plural}_{action}"));
            }
        }
    }

    const ROLES: [Role; 9] = [
        Role::View,
        Role::ViewPrivileges,
        Role::SetPrivileges,
        Role::AddUser,
        Role::RemoveUser,
        Role::AddGroup,
        Role::RemoveGroup,
        Role::Update,
        Role::Delete,
    ];

    /// Groups and spaces have a distinct privilege per role, so a role that picks the wrong
    /// field shows up as a repeat.
    #[test]
    fn each_role_picks_its_own_privilege() {
        let group: Vec<&str> = ROLES.iter().map(|r| GROUP_RULES.get(*r).name()).collect();
        assert_eq!(
            group,
            [
                "group_view",
                "group_view_privileges",
                "group_set_privileges",
                "group_add_user",
                "group_remove_user",
                "group_add_child",
                "group_remove_child",
                "group_update",
                "group_delete"
            ]
        );
        let space: Vec<&str> = ROLES.iter().map(|r| SPACE_RULES.get(*r).name()).collect();
        assert_eq!(
            space,
            [
                "space_view",
                "space_view_privileges",
                "space_set_privileges",
                "space_add_user",
                "space_remove_user",
                "space_add_group",
                "space_remove_group",
                "space_update",
                "space_delete"
            ]
        );
    }
}
