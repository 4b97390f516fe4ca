//! Who may do what: every operation of the REST API (reference §3 and §8) and its rule, in one
//! place. A rule is "entity privileges of the client (effective), or the admin path": the admin
//! path requires *all* listed oz privileges as effective oz privileges of the client.
//!
//! An [`Authorized`] value can only be made by [`authorize`]; the service requires one before it
//! plans any change, so no write can skip its check.

use crate::catalog::{GroupPriv, HandlePriv, HandleServicePriv, OzPriv, SpacePriv};
use crate::change::InviteeKind;
use crate::error::Error;
use crate::privilege::{PrivilegeKind, PrivilegeSet};
use crate::state::{GroupIx, MemberIx, ServiceIx, ShareIx, SpaceIx, State, TargetIx, UserIx};

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

/// Proof that the client passed [`authorize`] for `op`.
#[derive(Debug, Clone, Copy)]
pub struct Authorized {
    pub op: Operation,
    pub client: Client,
    _sealed: (),
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

/// Names of the privileges each entity type uses for membership operations.
struct MembershipRules {
    view: &'static str,
    view_privileges: &'static str,
    set_privileges: &'static str,
    add_user: &'static str,
    remove_user: &'static str,
    add_group: &'static str,
    remove_group: &'static str,
    update: &'static str,
    delete: &'static str,
    /// Plural used in oz privilege names: `groups`, `spaces`, `handle_services`, `handles`.
    oz: &'static str,
}

const GROUP_RULES: MembershipRules = MembershipRules {
    view: "group_view",
    view_privileges: "group_view_privileges",
    set_privileges: "group_set_privileges",
    add_user: "group_add_user",
    remove_user: "group_remove_user",
    add_group: "group_add_child",
    remove_group: "group_remove_child",
    update: "group_update",
    delete: "group_delete",
    oz: "groups",
};
const SPACE_RULES: MembershipRules = MembershipRules {
    view: "space_view",
    view_privileges: "space_view_privileges",
    set_privileges: "space_set_privileges",
    add_user: "space_add_user",
    remove_user: "space_remove_user",
    add_group: "space_add_group",
    remove_group: "space_remove_group",
    update: "space_update",
    delete: "space_delete",
    oz: "spaces",
};
// Handle services and handles have no *_set_privileges: managing members needs *_update.
const SERVICE_RULES: MembershipRules = MembershipRules {
    view: "handle_service_view",
    view_privileges: "handle_service_view",
    set_privileges: "handle_service_update",
    add_user: "handle_service_update",
    remove_user: "handle_service_update",
    add_group: "handle_service_update",
    remove_group: "handle_service_update",
    update: "handle_service_update",
    delete: "handle_service_delete",
    oz: "handle_services",
};
const HANDLE_RULES: MembershipRules = MembershipRules {
    view: "handle_view",
    view_privileges: "handle_view",
    set_privileges: "handle_update",
    add_user: "handle_update",
    remove_user: "handle_update",
    add_group: "handle_update",
    remove_group: "handle_update",
    update: "handle_update",
    delete: "handle_delete",
    oz: "handles",
};

fn rules(t: TargetIx) -> &'static MembershipRules {
    match t {
        TargetIx::Group(_) => &GROUP_RULES,
        TargetIx::Space(_) => &SPACE_RULES,
        TargetIx::Service(_) => &SERVICE_RULES,
        TargetIx::Handle(_) => &HANDLE_RULES,
    }
}

fn oz_name(plural: &str, action: &str) -> String {
    format!("oz_{plural}_{action}")
}

struct Check<'a> {
    state: &'a State,
    user: UserIx,
    oz: PrivilegeSet<OzPriv>,
}

impl Check<'_> {
    /// The admin path: every listed oz privilege.
    fn admin(&self, names: &[&str]) -> bool {
        names.iter().all(|n| self.oz.contains_name(n))
    }

    fn admin_of(&self, plural: &str, action: &str) -> bool {
        self.oz.contains_name(&oz_name(plural, action))
    }

    fn has<K: PrivilegeKind>(set: Option<PrivilegeSet<K>>, name: &str) -> bool {
        set.is_some_and(|s| s.contains_name(name))
    }

    /// The client's effective privilege `name` in `t` (space owners hold every space privilege).
    fn in_target(&self, t: TargetIx, name: &str) -> bool {
        let s = self.state;
        match t {
            TargetIx::Group(g) => s.groups.get(g).is_some_and(|x| {
                Self::has::<GroupPriv>(s.effective_user_privileges(x, self.user), name)
            }),
            TargetIx::Space(sp) => s.spaces.get(sp).is_some_and(|x| {
                x.owners.contains(&self.user)
                    || Self::has::<SpacePriv>(s.effective_user_privileges(x, self.user), name)
            }),
            TargetIx::Service(sv) => s.services.get(sv).is_some_and(|x| {
                Self::has::<HandleServicePriv>(s.effective_user_privileges(x, self.user), name)
            }),
            TargetIx::Handle(h) => s.handles.get(h).is_some_and(|x| {
                Self::has::<HandlePriv>(s.effective_user_privileges(x, self.user), name)
            }),
        }
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
            O::ViewOzPrivileges(m) => self.is_self(m) || self.admin(&["oz_view_privileges"]),
            O::SetOzPrivileges(_) => self.admin(&["oz_set_privileges"]),

            O::CreateUser => self.admin(&["oz_users_create"]),
            O::ListUsers => self.admin(&["oz_users_list"]),
            O::ViewUser(u) => u == self.user || self.admin(&["oz_users_view"]),
            O::UpdateUser(u) => u == self.user || self.admin(&["oz_users_update"]),
            O::DeleteUser(u) => u == self.user || self.admin(&["oz_users_delete"]),
            O::ManagePassword(_) => self.admin(&["oz_users_manage_passwords"]),
            O::ManageTokensOf(u) => u == self.user || self.admin(&["oz_tokens_manage"]),
            O::ListUserRelationships(u) => {
                u == self.user || self.admin(&["oz_users_list_relationships"])
            }

            O::ListAll(kind) => self.admin(&[match kind {
                Kind::Group => "oz_groups_list",
                Kind::Space => "oz_spaces_list",
                Kind::HandleService => "oz_handle_services_list",
                Kind::Handle => "oz_handles_list",
                Kind::Share => "oz_shares_list",
            }]),
            O::View(t) => self.is_member_of(t) || self.admin_of(rules(t).oz, "view"),
            O::Update(t) => {
                self.in_target(t, rules(t).update)
                    || self.manages_handle(t)
                    || self.admin_of(rules(t).oz, "update")
            }
            O::Delete(t) => {
                self.in_target(t, rules(t).delete)
                    || self.manages_handle(t)
                    || self.admin_of(rules(t).oz, "delete")
            }

            O::ListMembers(t) => {
                self.in_target(t, rules(t).view) || self.admin_of(rules(t).oz, "list_relationships")
            }
            O::ViewMemberPrivileges { target, member } => {
                self.is_self(member)
                    || self.in_target(target, rules(target).view_privileges)
                    || self.admin_of(rules(target).oz, "view_privileges")
            }
            O::SetMemberPrivileges { target, .. } => {
                self.in_target(target, rules(target).set_privileges)
                    || self.admin_of(rules(target).oz, "set_privileges")
            }
            O::AddMember {
                target,
                member,
                with_privileges,
            } => {
                let r = rules(target);
                let set_ok = !with_privileges || self.in_target(target, r.set_privileges);
                let entity = match (target, member) {
                    // Only self-add: other users join groups and spaces with invite tokens
                    // (space_logic_plugin authorizes `{user, UserId}` only for `?USER(UserId)`).
                    (TargetIx::Group(_) | TargetIx::Space(_), Candidate::User(u)) => {
                        u == Some(self.user) && self.in_target(target, r.add_user)
                    }
                    (TargetIx::Group(_), Candidate::Group(c)) => {
                        self.in_target(target, r.add_group)
                            && c.is_some_and(|c| {
                                self.in_target(TargetIx::Group(c), "group_add_parent")
                            })
                    }
                    (_, Candidate::User(_)) => self.in_target(target, r.add_user),
                    (_, Candidate::Group(_)) => self.in_target(target, r.add_group),
                };
                // Reference §3.2/§3.3: the admin path of adding to a handle service or handle is
                // the two add privileges, with or without `privileges`; groups and spaces also
                // want the set privilege then.
                let admin_set_ok = !with_privileges
                    || matches!(target, TargetIx::Service(_) | TargetIx::Handle(_))
                    || self.admin_of(r.oz, "set_privileges");
                let admin = match (target, member) {
                    (TargetIx::Group(_), Candidate::Group(_)) => {
                        self.admin(&["oz_groups_add_relationships"])
                    }
                    (_, Candidate::User(_)) => {
                        self.admin_of(r.oz, "add_relationships")
                            && self.admin(&["oz_users_add_relationships"])
                    }
                    (_, Candidate::Group(_)) => {
                        self.admin_of(r.oz, "add_relationships")
                            && self.admin(&["oz_groups_add_relationships"])
                    }
                };
                (entity && set_ok) || (admin && admin_set_ok)
            }
            O::RemoveMember { target, member } => {
                let r = rules(target);
                let (entity, other) = match member {
                    MemberIx::User(_) => (r.remove_user, "oz_users_remove_relationships"),
                    MemberIx::Group(_) => (r.remove_group, "oz_groups_remove_relationships"),
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
                    || (self.admin_of(r.oz, "remove_relationships") && self.admin(&[other]))
            }
            O::ViewMember { target, member } => {
                let r = rules(target);
                let by_entity = self.in_target(target, r.view);
                let special = match member {
                    MemberIx::User(u) => {
                        u == self.user
                            || (self.is_member_of(target)
                                && self.creator_of(target) == Some(self.state.users.id_of(u)))
                    }
                    MemberIx::Group(g) => self.is_member_of(TargetIx::Group(g)),
                };
                let admin = match member {
                    MemberIx::User(_) => self.admin(&["oz_users_view"]),
                    MemberIx::Group(_) => self.admin(&["oz_groups_view"]),
                };
                by_entity || special || admin
            }
            O::ViewMembership { target, member } => {
                let special = match member {
                    MemberIx::User(u) => u == self.user,
                    MemberIx::Group(g) => self.is_member_of(TargetIx::Group(g)),
                };
                special
                    || self.in_target(target, rules(target).view)
                    || self.admin_of(rules(target).oz, "view")
            }

            O::CreateGroup(OnBehalfOf::Nobody) => self.admin(&["oz_groups_create"]),
            O::CreateGroup(OnBehalfOf::Client) => true,
            O::CreateGroup(OnBehalfOf::Group(g))
            | O::CreateRelatedGroup {
                group: g,
                as_parent: true,
            } => {
                self.in_target(TargetIx::Group(g), "group_add_parent")
                    || self.admin(&["oz_groups_create", "oz_groups_add_relationships"])
            }
            O::CreateRelatedGroup {
                group,
                as_parent: false,
            } => {
                self.in_target(TargetIx::Group(group), "group_add_child")
                    || self.admin(&["oz_groups_create", "oz_groups_add_relationships"])
            }
            O::GroupLeaves { group, target } => {
                let (privilege, plural) = match target {
                    TargetIx::Group(_) => ("group_leave_parent", "groups"),
                    TargetIx::Space(_) => ("group_leave_space", "spaces"),
                    TargetIx::Service(_) => ("group_leave_handle_service", "handle_services"),
                    TargetIx::Handle(_) => ("group_leave_handle", "handles"),
                };
                self.in_target(TargetIx::Group(group), privilege)
                    || (self.admin(&["oz_groups_remove_relationships"])
                        && self.admin_of(plural, "remove_relationships"))
            }
            O::CreateSpace(OnBehalfOf::Nobody) => self.admin(&["oz_spaces_create"]),
            O::CreateSpace(OnBehalfOf::Client) => true,
            O::CreateSpace(OnBehalfOf::Group(g)) => {
                self.in_target(TargetIx::Group(g), "group_add_space")
                    || self.admin(&["oz_spaces_create", "oz_groups_add_relationships"])
            }
            O::ViewOwners(s) => {
                self.in_target(TargetIx::Space(s), "space_view")
                    || self.admin(&["oz_spaces_view"])
                    || self.admin(&["oz_spaces_list_relationships"])
            }
            O::ManageOwners(s) => {
                self.state
                    .spaces
                    .get(s)
                    .is_some_and(|x| x.owners.contains(&self.user))
                    || self.admin(&["oz_spaces_set_privileges"])
            }
            O::CreateShare(s) => {
                self.in_target(TargetIx::Space(s), "space_manage_shares")
                    || self.admin(&["oz_shares_create"])
            }
            O::ViewShare(sh) => {
                self.state
                    .shares
                    .get(sh)
                    .is_some_and(|x| self.is_member_of(TargetIx::Space(x.space)))
                    || self.admin(&["oz_shares_view"])
            }
            O::UpdateShare(sh) => self.manages_shares_of(sh) || self.admin(&["oz_shares_update"]),
            O::DeleteShare(sh) => self.manages_shares_of(sh) || self.admin(&["oz_shares_delete"]),
            O::ViewThroughGroup { group, target } => {
                self.in_target(TargetIx::Group(group), "group_view")
                    || self.is_member_of(target)
                    || self.admin_of(rules(target).oz, "view")
            }
            O::CreateHandleService(OnBehalfOf::Nobody) => {
                self.admin(&["oz_handle_services_create"])
            }
            O::CreateHandleService(OnBehalfOf::Client) => {
                self.admin(&["oz_handle_services_create"])
            }
            O::CreateHandleService(OnBehalfOf::Group(g)) => {
                (self.in_target(TargetIx::Group(g), "group_create_handle_service")
                    && self.admin(&["oz_handle_services_create"]))
                    || self.admin(&["oz_handle_services_create", "oz_groups_add_relationships"])
            }
            O::CreateHandle {
                on_behalf,
                service,
                share,
            } => {
                let space = share
                    .and_then(|sh| self.state.shares.get(sh))
                    .map(|s| s.space);
                let shares_ok = space
                    .is_some_and(|s| self.in_target(TargetIx::Space(s), "space_manage_shares"));
                let register_ok = service.is_some_and(|sv| {
                    self.in_target(TargetIx::Service(sv), "handle_service_register_handle")
                });
                match on_behalf {
                    OnBehalfOf::Nobody => self.admin(&["oz_handles_create"]),
                    OnBehalfOf::Client => {
                        (shares_ok && register_ok)
                            || self.admin(&["oz_handles_create", "oz_users_add_relationships"])
                    }
                    OnBehalfOf::Group(g) => {
                        let group_in_service = service
                            .and_then(|sv| self.state.services.get(sv))
                            .is_some_and(|s| self.state.effective_group_privileges(s, g).is_some());
                        (group_in_service
                            && shares_ok
                            && register_ok
                            && self.in_target(TargetIx::Group(g), "group_create_handle"))
                            || self.admin(&["oz_handles_create", "oz_groups_add_relationships"])
                    }
                }
            }
            O::ListHandlesOfService(s) => {
                self.in_target(TargetIx::Service(s), "handle_service_list_handles")
                    || self.admin(&["oz_handle_services_list_relationships"])
            }
            O::ViewHandleOfService(s) => {
                self.in_target(TargetIx::Service(s), "handle_service_view")
                    || self.admin(&["oz_handles_view"])
            }
            O::CreateInvite { target, invitee } => {
                let r = rules(target);
                let privilege = match invitee {
                    InviteeKind::User => r.add_user,
                    InviteeKind::Group => r.add_group,
                };
                self.in_target(target, privilege) || self.admin_of(r.oz, "add_relationships")
            }
            O::GroupJoins { group, target } => {
                let privilege = match target {
                    Kind::Group => "group_add_parent",
                    Kind::Space => "group_add_space",
                    Kind::HandleService => "group_create_handle_service",
                    Kind::Handle => "group_create_handle",
                    Kind::Share => return false,
                };
                self.in_target(TargetIx::Group(group), privilege)
                    || self.admin(&["oz_groups_add_relationships"])
            }
        }
    }

    fn manages_shares_of(&self, sh: ShareIx) -> bool {
        self.state
            .shares
            .get(sh)
            .is_some_and(|x| self.in_target(TargetIx::Space(x.space), "space_manage_shares"))
    }

    /// A handle may also be updated or deleted through `handle_service_manage_handles`.
    fn manages_handle(&self, t: TargetIx) -> bool {
        match t {
            TargetIx::Handle(h) => self.state.handles.get(h).is_some_and(|x| {
                self.in_target(
                    TargetIx::Service(x.service),
                    "handle_service_manage_handles",
                )
            }),
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
        Ok(Authorized {
            op,
            client,
            _sealed: (),
        })
    } else {
        Err(Error::Forbidden)
    }
}

/// Every privilege name the rules above use, so a test can prove each one is in its catalog.
pub fn rule_names() -> Vec<(&'static str, String)> {
    let mut out = Vec::new();
    for r in [&GROUP_RULES, &SPACE_RULES, &SERVICE_RULES, &HANDLE_RULES] {
        let entity = match r.oz {
            "groups" => GroupPriv::ENTITY,
            "spaces" => SpacePriv::ENTITY,
            "handle_services" => HandleServicePriv::ENTITY,
            _ => HandlePriv::ENTITY,
        };
        for n in [
            r.view,
            r.view_privileges,
            r.set_privileges,
            r.add_user,
            r.remove_user,
            r.add_group,
            r.remove_group,
            r.update,
            r.delete,
        ] {
            out.push((entity, n.to_string()));
        }
        for a in [
            "view",
            "update",
            "delete",
            "list_relationships",
            "view_privileges",
            "set_privileges",
            "add_relationships",
            "remove_relationships",
        ] {
            out.push(("oz", oz_name(r.oz, a)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::catalog::{
        GroupPrivileges, HandlePrivileges, HandleServicePrivileges, OzPrivileges, SpacePrivileges,
    };

    #[test]
    fn every_rule_name_is_in_its_catalog() {
        for (entity, name) in rule_names() {
            let ok = match entity {
                "group" => GroupPrivileges::parse([name.as_str()]).is_ok(),
                "space" => SpacePrivileges::parse([name.as_str()]).is_ok(),
                "handle_service" => HandleServicePrivileges::parse([name.as_str()]).is_ok(),
                "handle" => HandlePrivileges::parse([name.as_str()]).is_ok(),
                _ => OzPrivileges::parse([name.as_str()]).is_ok(),
            };
            assert!(ok, "{entity} rule uses unknown privilege {name}");
        }
    }
}
