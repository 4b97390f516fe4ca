//! The whole in-memory state: entities, the membership graph and credentials, built only by
//! applying [`Change`]s in order.
//!
//! Enforces: every edge is stored on both ends (target → member with privileges, member → target
//! without), and each group's `ancestors` closure (itself plus every group above it, cycles
//! included) is kept up to date on every nesting change, so effective queries never walk the graph.

use std::collections::VecDeque;

use rustc_hash::{FxHashMap, FxHashSet};

use crate::catalog::{
    GroupPrivileges, HandlePrivileges, HandleServicePrivileges, OzPrivileges, SpacePrivileges,
};
use crate::change::{
    Change, GroupType, Member, PasswordHash, Privileges, Target, TokenHash, TokenKind,
};
use crate::table::{Identified, Ix, Table};

pub type UserIx = Ix<User>;
pub type GroupIx = Ix<Group>;
pub type SpaceIx = Ix<Space>;
pub type ShareIx = Ix<Share>;
pub type ServiceIx = Ix<HandleService>;
pub type HandleIx = Ix<Handle>;
pub type TokenIx = Ix<Token>;

type Edges<M, K> = FxHashMap<M, K>;

pub struct User {
    pub id: String,
    pub username: Option<String>,
    pub full_name: String,
    pub creation_time: i64,
    pub oz: OzPrivileges,
    pub password: Option<PasswordHash>,
    pub blocked: bool,
    pub groups: Vec<GroupIx>,
    pub spaces: Vec<SpaceIx>,
    pub services: Vec<ServiceIx>,
    pub handles: Vec<HandleIx>,
}

pub struct Group {
    pub id: String,
    pub name: String,
    pub group_type: GroupType,
    pub creator: Option<String>,
    pub creation_time: i64,
    pub protected: bool,
    pub oz: OzPrivileges,
    pub users: Edges<UserIx, GroupPrivileges>,
    pub children: Edges<GroupIx, GroupPrivileges>,
    pub parents: Vec<GroupIx>,
    /// This group and every group it is an effective member of, sorted.
    pub ancestors: Vec<GroupIx>,
    pub spaces: Vec<SpaceIx>,
    pub services: Vec<ServiceIx>,
    pub handles: Vec<HandleIx>,
}

pub struct Space {
    pub id: String,
    pub name: String,
    pub creator: Option<String>,
    pub creation_time: i64,
    pub owners: Vec<UserIx>,
    pub users: Edges<UserIx, SpacePrivileges>,
    pub groups: Edges<GroupIx, SpacePrivileges>,
    pub shares: Vec<ShareIx>,
}

pub struct Share {
    pub id: String,
    pub name: String,
    pub space: SpaceIx,
    pub root_file_id: String,
    pub file_type: String,
    pub creation_time: i64,
    pub handle: Option<HandleIx>,
}

pub struct HandleService {
    pub id: String,
    pub name: String,
    pub proxy_endpoint: String,
    pub service_properties: serde_json::Value,
    pub creator: Option<String>,
    pub creation_time: i64,
    pub users: Edges<UserIx, HandleServicePrivileges>,
    pub groups: Edges<GroupIx, HandleServicePrivileges>,
    pub handles: Vec<HandleIx>,
}

pub struct Handle {
    pub id: String,
    pub service: ServiceIx,
    pub resource_type: String,
    pub resource_id: String,
    pub metadata_prefix: String,
    pub metadata: String,
    pub public_handle: String,
    pub creator: Option<String>,
    pub creation_time: i64,
    pub timestamp: i64,
    pub users: Edges<UserIx, HandlePrivileges>,
    pub groups: Edges<GroupIx, HandlePrivileges>,
}

pub struct Token {
    pub id: String,
    pub user: UserIx,
    pub name: String,
    pub secret: TokenHash,
    pub kind: TokenKind,
    pub revoked: bool,
    pub creation_time: i64,
    /// Time caveat: the token is unusable after this unix second.
    pub valid_until: Option<i64>,
}

macro_rules! identified {
    ($($t:ty),*) => { $(impl Identified for $t { fn id(&self) -> &str { &self.id } })* };
}
identified!(User, Group, Space, Share, HandleService, Handle, Token);

/// A change that does not fit the state it is applied to. The service validates before it
/// applies, so this means a bug or a corrupt log.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("change does not apply: {0}")]
pub struct ApplyError(pub String);

fn missing(what: &str, id: &str) -> ApplyError {
    ApplyError(format!("{what} {id:?} does not exist"))
}

/// An entity whose members hold privileges of one kind.
pub trait MemberTable {
    type Kind: crate::privilege::PrivilegeKind;
    fn users(&self) -> &Edges<UserIx, crate::privilege::PrivilegeSet<Self::Kind>>;
    fn groups(&self) -> &Edges<GroupIx, crate::privilege::PrivilegeSet<Self::Kind>>;
}

macro_rules! member_table {
    ($t:ty, $k:ty, $groups:ident) => {
        impl MemberTable for $t {
            type Kind = $k;
            fn users(&self) -> &Edges<UserIx, crate::privilege::PrivilegeSet<$k>> {
                &self.users
            }
            fn groups(&self) -> &Edges<GroupIx, crate::privilege::PrivilegeSet<$k>> {
                &self.$groups
            }
        }
    };
}
member_table!(Group, crate::catalog::GroupPriv, children);
member_table!(Space, crate::catalog::SpacePriv, groups);
member_table!(HandleService, crate::catalog::HandleServicePriv, groups);
member_table!(Handle, crate::catalog::HandlePriv, groups);

#[derive(Default)]
pub struct State {
    pub users: Table<User>,
    pub groups: Table<Group>,
    pub spaces: Table<Space>,
    pub shares: Table<Share>,
    pub services: Table<HandleService>,
    pub handles: Table<Handle>,
    pub tokens: Table<Token>,
    usernames: FxHashMap<String, UserIx>,
    token_secrets: FxHashMap<TokenHash, TokenIx>,
    user_tokens: FxHashMap<UserIx, Vec<TokenIx>>,
}

fn remove_from<T: PartialEq>(v: &mut Vec<T>, x: &T) {
    if let Some(i) = v.iter().position(|y| y == x) {
        v.swap_remove(i);
    }
}

/// A resolved member.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum MemberIx {
    User(UserIx),
    Group(GroupIx),
}

/// A resolved target.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum TargetIx {
    Group(GroupIx),
    Space(SpaceIx),
    Service(ServiceIx),
    Handle(HandleIx),
}

impl State {
    pub fn new() -> Self {
        Self::default()
    }

    pub fn user_by_username(&self, username: &str) -> Option<UserIx> {
        self.usernames.get(username).copied()
    }

    pub fn token_by_secret(&self, secret: &TokenHash) -> Option<TokenIx> {
        self.token_secrets.get(secret).copied()
    }

    pub fn tokens_of(&self, user: UserIx) -> &[TokenIx] {
        self.user_tokens.get(&user).map_or(&[], Vec::as_slice)
    }

    pub fn resolve_member(&self, m: &Member) -> Option<MemberIx> {
        match m {
            Member::User(id) => self.users.find(id).map(MemberIx::User),
            Member::Group(id) => self.groups.find(id).map(MemberIx::Group),
        }
    }

    pub fn resolve_target(&self, t: &Target) -> Option<TargetIx> {
        match t {
            Target::Group(id) => self.groups.find(id).map(TargetIx::Group),
            Target::Space(id) => self.spaces.find(id).map(TargetIx::Space),
            Target::HandleService(id) => self.services.find(id).map(TargetIx::Service),
            Target::Handle(id) => self.handles.find(id).map(TargetIx::Handle),
        }
    }

    /// Applies one change. On error the state is unchanged.
    pub fn apply(&mut self, change: &Change) -> Result<(), ApplyError> {
        match change {
            Change::CreateUser {
                user,
                username,
                full_name,
                time,
            } => {
                if let Some(name) = username {
                    if self.usernames.contains_key(name) {
                        return Err(ApplyError(format!("username {name:?} is taken")));
                    }
                }
                let ix = self
                    .users
                    .insert(User {
                        id: user.clone(),
                        username: username.clone(),
                        full_name: full_name.clone(),
                        creation_time: *time,
                        oz: OzPrivileges::empty(),
                        password: None,
                        blocked: false,
                        groups: Vec::new(),
                        spaces: Vec::new(),
                        services: Vec::new(),
                        handles: Vec::new(),
                    })
                    .ok_or_else(|| ApplyError(format!("user {user:?} exists")))?;
                if let Some(name) = username {
                    self.usernames.insert(name.clone(), ix);
                }
            }
            Change::UpdateUser {
                user,
                username,
                full_name,
            } => {
                let ix = self.users.find(user).ok_or_else(|| missing("user", user))?;
                if let Some(name) = username {
                    if self.usernames.get(name).is_some_and(|&other| other != ix) {
                        return Err(ApplyError(format!("username {name:?} is taken")));
                    }
                }
                let u = self
                    .users
                    .get_mut(ix)
                    .ok_or_else(|| missing("user", user))?;
                if let Some(name) = username {
                    if let Some(old) = u.username.replace(name.clone()) {
                        self.usernames.remove(&old);
                    }
                    self.usernames.insert(name.clone(), ix);
                }
                if let Some(f) = full_name {
                    u.full_name = f.clone();
                }
            }
            Change::SetPassword { user, hash } => {
                let ix = self.users.find(user).ok_or_else(|| missing("user", user))?;
                let u = self
                    .users
                    .get_mut(ix)
                    .ok_or_else(|| missing("user", user))?;
                u.password = hash.clone();
            }
            Change::SetUserBlocked { user, blocked } => {
                let ix = self.users.find(user).ok_or_else(|| missing("user", user))?;
                let u = self
                    .users
                    .get_mut(ix)
                    .ok_or_else(|| missing("user", user))?;
                u.blocked = *blocked;
            }
            Change::DeleteUser { user } => self.delete_user(user)?,

            Change::CreateGroup {
                group,
                name,
                group_type,
                creator,
                time,
                protected,
            } => {
                let ix = self
                    .groups
                    .insert(Group {
                        id: group.clone(),
                        name: name.clone(),
                        group_type: *group_type,
                        creator: creator.clone(),
                        creation_time: *time,
                        protected: *protected,
                        oz: OzPrivileges::empty(),
                        users: Edges::default(),
                        children: Edges::default(),
                        parents: Vec::new(),
                        ancestors: Vec::new(),
                        spaces: Vec::new(),
                        services: Vec::new(),
                        handles: Vec::new(),
                    })
                    .ok_or_else(|| ApplyError(format!("group {group:?} exists")))?;
                if let Some(g) = self.groups.get_mut(ix) {
                    g.ancestors.push(ix);
                }
            }
            Change::UpdateGroup {
                group,
                name,
                group_type,
            } => {
                let ix = self
                    .groups
                    .find(group)
                    .ok_or_else(|| missing("group", group))?;
                let g = self
                    .groups
                    .get_mut(ix)
                    .ok_or_else(|| missing("group", group))?;
                if let Some(n) = name {
                    g.name = n.clone();
                }
                if let Some(t) = group_type {
                    g.group_type = *t;
                }
            }
            Change::DeleteGroup { group } => self.delete_group(group)?,

            Change::CreateSpace {
                space,
                name,
                creator,
                time,
            } => {
                self.spaces
                    .insert(Space {
                        id: space.clone(),
                        name: name.clone(),
                        creator: creator.clone(),
                        creation_time: *time,
                        owners: Vec::new(),
                        users: Edges::default(),
                        groups: Edges::default(),
                        shares: Vec::new(),
                    })
                    .ok_or_else(|| ApplyError(format!("space {space:?} exists")))?;
            }
            Change::UpdateSpace { space, name } => {
                let ix = self
                    .spaces
                    .find(space)
                    .ok_or_else(|| missing("space", space))?;
                if let Some(s) = self.spaces.get_mut(ix) {
                    s.name = name.clone();
                }
            }
            Change::DeleteSpace { space } => self.delete_space(space)?,
            Change::AddOwner { space, user } => {
                let s = self
                    .spaces
                    .find(space)
                    .ok_or_else(|| missing("space", space))?;
                let u = self.users.find(user).ok_or_else(|| missing("user", user))?;
                let sp = self
                    .spaces
                    .get_mut(s)
                    .ok_or_else(|| missing("space", space))?;
                if sp.owners.contains(&u) {
                    return Err(ApplyError(format!(
                        "user {user:?} already owns space {space:?}"
                    )));
                }
                sp.owners.push(u);
            }
            Change::RemoveOwner { space, user } => {
                let s = self
                    .spaces
                    .find(space)
                    .ok_or_else(|| missing("space", space))?;
                let u = self.users.find(user).ok_or_else(|| missing("user", user))?;
                let sp = self
                    .spaces
                    .get_mut(s)
                    .ok_or_else(|| missing("space", space))?;
                if !sp.owners.contains(&u) {
                    return Err(ApplyError(format!(
                        "user {user:?} does not own space {space:?}"
                    )));
                }
                remove_from(&mut sp.owners, &u);
            }

            Change::CreateShare {
                share,
                space,
                name,
                root_file_id,
                file_type,
                time,
            } => {
                let s = self
                    .spaces
                    .find(space)
                    .ok_or_else(|| missing("space", space))?;
                let ix = self
                    .shares
                    .insert(Share {
                        id: share.clone(),
                        name: name.clone(),
                        space: s,
                        root_file_id: root_file_id.clone(),
                        file_type: file_type.clone(),
                        creation_time: *time,
                        handle: None,
                    })
                    .ok_or_else(|| ApplyError(format!("share {share:?} exists")))?;
                if let Some(sp) = self.spaces.get_mut(s) {
                    sp.shares.push(ix);
                }
            }
            Change::UpdateShare { share, name } => {
                let ix = self
                    .shares
                    .find(share)
                    .ok_or_else(|| missing("share", share))?;
                if let Some(s) = self.shares.get_mut(ix) {
                    s.name = name.clone();
                }
            }
            Change::DeleteShare { share } => {
                let ix = self
                    .shares
                    .find(share)
                    .ok_or_else(|| missing("share", share))?;
                self.remove_share(ix);
            }

            Change::CreateHandleService {
                service,
                name,
                proxy_endpoint,
                service_properties,
                creator,
                time,
            } => {
                self.services
                    .insert(HandleService {
                        id: service.clone(),
                        name: name.clone(),
                        proxy_endpoint: proxy_endpoint.clone(),
                        service_properties: service_properties.clone(),
                        creator: creator.clone(),
                        creation_time: *time,
                        users: Edges::default(),
                        groups: Edges::default(),
                        handles: Vec::new(),
                    })
                    .ok_or_else(|| ApplyError(format!("handle service {service:?} exists")))?;
            }
            Change::UpdateHandleService {
                service,
                name,
                proxy_endpoint,
                service_properties,
            } => {
                let ix = self
                    .services
                    .find(service)
                    .ok_or_else(|| missing("handle service", service))?;
                if let Some(s) = self.services.get_mut(ix) {
                    if let Some(n) = name {
                        s.name = n.clone();
                    }
                    if let Some(p) = proxy_endpoint {
                        s.proxy_endpoint = p.clone();
                    }
                    if let Some(p) = service_properties {
                        s.service_properties = p.clone();
                    }
                }
            }
            Change::DeleteHandleService { service } => {
                let ix = self
                    .services
                    .find(service)
                    .ok_or_else(|| missing("handle service", service))?;
                let handles = self
                    .services
                    .get(ix)
                    .map(|s| s.handles.clone())
                    .unwrap_or_default();
                for h in handles {
                    self.remove_handle(h);
                }
                if let Some(s) = self.services.remove(ix) {
                    for u in s.users.keys() {
                        if let Some(u) = self.users.get_mut(*u) {
                            remove_from(&mut u.services, &ix);
                        }
                    }
                    for g in s.groups.keys() {
                        if let Some(g) = self.groups.get_mut(*g) {
                            remove_from(&mut g.services, &ix);
                        }
                    }
                }
            }

            Change::CreateHandle {
                handle,
                service,
                resource_type,
                resource_id,
                metadata_prefix,
                metadata,
                public_handle,
                creator,
                time,
            } => {
                let s = self
                    .services
                    .find(service)
                    .ok_or_else(|| missing("handle service", service))?;
                let share = self.shares.find(resource_id);
                if let Some(sh) = share.and_then(|sh| self.shares.get(sh)) {
                    if sh.handle.is_some() {
                        return Err(ApplyError(format!(
                            "share {resource_id:?} already has a handle"
                        )));
                    }
                }
                let ix = self
                    .handles
                    .insert(Handle {
                        id: handle.clone(),
                        service: s,
                        resource_type: resource_type.clone(),
                        resource_id: resource_id.clone(),
                        metadata_prefix: metadata_prefix.clone(),
                        metadata: metadata.clone(),
                        public_handle: public_handle.clone(),
                        creator: creator.clone(),
                        creation_time: *time,
                        timestamp: *time,
                        users: Edges::default(),
                        groups: Edges::default(),
                    })
                    .ok_or_else(|| ApplyError(format!("handle {handle:?} exists")))?;
                if let Some(sv) = self.services.get_mut(s) {
                    sv.handles.push(ix);
                }
                if let Some(sh) = share.and_then(|sh| self.shares.get_mut(sh)) {
                    sh.handle = Some(ix);
                }
            }
            Change::UpdateHandle {
                handle,
                metadata,
                time,
            } => {
                let ix = self
                    .handles
                    .find(handle)
                    .ok_or_else(|| missing("handle", handle))?;
                if let Some(h) = self.handles.get_mut(ix) {
                    h.metadata = metadata.clone();
                    h.timestamp = *time;
                }
            }
            Change::DeleteHandle { handle } => {
                let ix = self
                    .handles
                    .find(handle)
                    .ok_or_else(|| missing("handle", handle))?;
                self.remove_handle(ix);
            }

            Change::AddMember {
                target,
                member,
                privileges,
            } => self.set_member(target, member, *privileges, Some(true))?,
            Change::SetPrivileges {
                target,
                member,
                privileges,
            } => self.set_member(target, member, *privileges, Some(false))?,
            Change::RemoveMember { target, member } => self.remove_member(target, member)?,
            Change::SetOzPrivileges {
                subject,
                privileges,
            } => match subject {
                Member::User(id) => {
                    let ix = self.users.find(id).ok_or_else(|| missing("user", id))?;
                    if let Some(u) = self.users.get_mut(ix) {
                        u.oz = *privileges;
                    }
                }
                Member::Group(id) => {
                    let ix = self.groups.find(id).ok_or_else(|| missing("group", id))?;
                    if let Some(g) = self.groups.get_mut(ix) {
                        g.oz = *privileges;
                    }
                }
            },

            Change::CreateToken {
                token,
                user,
                name,
                secret,
                kind,
                time,
                valid_until,
            } => {
                let u = self.users.find(user).ok_or_else(|| missing("user", user))?;
                if self.token_secrets.contains_key(secret) {
                    return Err(ApplyError("token secret collision".into()));
                }
                let ix = self
                    .tokens
                    .insert(Token {
                        id: token.clone(),
                        user: u,
                        name: name.clone(),
                        secret: secret.clone(),
                        kind: kind.clone(),
                        revoked: false,
                        creation_time: *time,
                        valid_until: *valid_until,
                    })
                    .ok_or_else(|| ApplyError(format!("token {token:?} exists")))?;
                self.token_secrets.insert(secret.clone(), ix);
                self.user_tokens.entry(u).or_default().push(ix);
            }
            Change::SetTokenRevoked { token, revoked } => {
                let ix = self
                    .tokens
                    .find(token)
                    .ok_or_else(|| missing("token", token))?;
                if let Some(t) = self.tokens.get_mut(ix) {
                    t.revoked = *revoked;
                }
            }
            Change::DeleteToken { token } => {
                let ix = self
                    .tokens
                    .find(token)
                    .ok_or_else(|| missing("token", token))?;
                self.remove_token(ix);
            }
        }
        Ok(())
    }

    fn remove_token(&mut self, ix: TokenIx) {
        if let Some(t) = self.tokens.remove(ix) {
            self.token_secrets.remove(&t.secret);
            if let Some(list) = self.user_tokens.get_mut(&t.user) {
                remove_from(list, &ix);
            }
        }
    }

    fn remove_share(&mut self, ix: ShareIx) {
        if let Some(sh) = self.shares.remove(ix) {
            if let Some(sp) = self.spaces.get_mut(sh.space) {
                remove_from(&mut sp.shares, &ix);
            }
        }
    }

    fn remove_handle(&mut self, ix: HandleIx) {
        let Some(h) = self.handles.remove(ix) else {
            return;
        };
        if let Some(s) = self.services.get_mut(h.service) {
            remove_from(&mut s.handles, &ix);
        }
        if let Some(sh) = self
            .shares
            .find(&h.resource_id)
            .and_then(|i| self.shares.get_mut(i))
        {
            if sh.handle == Some(ix) {
                sh.handle = None;
            }
        }
        for u in h.users.keys() {
            if let Some(u) = self.users.get_mut(*u) {
                remove_from(&mut u.handles, &ix);
            }
        }
        for g in h.groups.keys() {
            if let Some(g) = self.groups.get_mut(*g) {
                remove_from(&mut g.handles, &ix);
            }
        }
    }

    fn delete_user(&mut self, id: &str) -> Result<(), ApplyError> {
        let ix = self.users.find(id).ok_or_else(|| missing("user", id))?;
        let Some(u) = self.users.remove(ix) else {
            return Err(missing("user", id));
        };
        if let Some(name) = &u.username {
            self.usernames.remove(name);
        }
        for g in &u.groups {
            if let Some(g) = self.groups.get_mut(*g) {
                g.users.remove(&ix);
            }
        }
        for s in &u.spaces {
            if let Some(s) = self.spaces.get_mut(*s) {
                s.users.remove(&ix);
            }
        }
        for s in self.spaces_owned_by(ix) {
            if let Some(s) = self.spaces.get_mut(s) {
                remove_from(&mut s.owners, &ix);
            }
        }
        for s in &u.services {
            if let Some(s) = self.services.get_mut(*s) {
                s.users.remove(&ix);
            }
        }
        for h in &u.handles {
            if let Some(h) = self.handles.get_mut(*h) {
                h.users.remove(&ix);
            }
        }
        for t in self.user_tokens.remove(&ix).unwrap_or_default() {
            if let Some(t) = self.tokens.remove(t) {
                self.token_secrets.remove(&t.secret);
            }
        }
        Ok(())
    }

    pub fn spaces_owned_by(&self, user: UserIx) -> Vec<SpaceIx> {
        self.spaces
            .iter()
            .filter(|(_, s)| s.owners.contains(&user))
            .map(|(ix, _)| ix)
            .collect()
    }

    fn delete_group(&mut self, id: &str) -> Result<(), ApplyError> {
        let ix = self.groups.find(id).ok_or_else(|| missing("group", id))?;
        let descendants = self.descendants(ix);
        let Some(g) = self.groups.remove(ix) else {
            return Err(missing("group", id));
        };
        for u in g.users.keys() {
            if let Some(u) = self.users.get_mut(*u) {
                remove_from(&mut u.groups, &ix);
            }
        }
        for c in g.children.keys() {
            if let Some(c) = self.groups.get_mut(*c) {
                remove_from(&mut c.parents, &ix);
            }
        }
        for p in &g.parents {
            if let Some(p) = self.groups.get_mut(*p) {
                p.children.remove(&ix);
            }
        }
        for s in &g.spaces {
            if let Some(s) = self.spaces.get_mut(*s) {
                s.groups.remove(&ix);
            }
        }
        for s in &g.services {
            if let Some(s) = self.services.get_mut(*s) {
                s.groups.remove(&ix);
            }
        }
        for h in &g.handles {
            if let Some(h) = self.handles.get_mut(*h) {
                h.groups.remove(&ix);
            }
        }
        for d in descendants {
            if d != ix {
                self.recompute_ancestors(d);
            }
        }
        Ok(())
    }

    fn delete_space(&mut self, id: &str) -> Result<(), ApplyError> {
        let ix = self.spaces.find(id).ok_or_else(|| missing("space", id))?;
        let shares = self
            .spaces
            .get(ix)
            .map(|s| s.shares.clone())
            .unwrap_or_default();
        for sh in shares {
            self.remove_share(sh);
        }
        let Some(s) = self.spaces.remove(ix) else {
            return Err(missing("space", id));
        };
        for u in s.users.keys() {
            if let Some(u) = self.users.get_mut(*u) {
                remove_from(&mut u.spaces, &ix);
            }
        }
        for g in s.groups.keys() {
            if let Some(g) = self.groups.get_mut(*g) {
                remove_from(&mut g.spaces, &ix);
            }
        }
        Ok(())
    }

    fn set_member(
        &mut self,
        target: &Target,
        member: &Member,
        privileges: Privileges,
        must_be_new: Option<bool>,
    ) -> Result<(), ApplyError> {
        let t = self
            .resolve_target(target)
            .ok_or_else(|| ApplyError(format!("{target:?} does not exist")))?;
        let m = self
            .resolve_member(member)
            .ok_or_else(|| ApplyError(format!("{member:?} does not exist")))?;
        let mismatch = || ApplyError(format!("privileges {privileges:?} do not fit {target:?}"));
        let exists = self.is_direct_member(t, m);
        match must_be_new {
            Some(true) if exists => {
                return Err(ApplyError(format!(
                    "{member:?} is already a member of {target:?}"
                )))
            }
            Some(false) if !exists => {
                return Err(ApplyError(format!(
                    "{member:?} is not a member of {target:?}"
                )))
            }
            _ => {}
        }
        if let (TargetIx::Group(g), MemberIx::Group(c)) = (t, m) {
            if g == c {
                return Err(ApplyError("a group cannot be its own member".into()));
            }
        }
        match (t, privileges) {
            (TargetIx::Group(g), Privileges::Group(p)) => {
                let tg = self.groups.get_mut(g).ok_or_else(mismatch)?;
                match m {
                    MemberIx::User(u) => {
                        tg.users.insert(u, p);
                    }
                    MemberIx::Group(c) => {
                        tg.children.insert(c, p);
                    }
                }
            }
            (TargetIx::Space(s), Privileges::Space(p)) => {
                let sp = self.spaces.get_mut(s).ok_or_else(mismatch)?;
                match m {
                    MemberIx::User(u) => sp.users.insert(u, p),
                    MemberIx::Group(g) => sp.groups.insert(g, p),
                };
            }
            (TargetIx::Service(s), Privileges::HandleService(p)) => {
                let sv = self.services.get_mut(s).ok_or_else(mismatch)?;
                match m {
                    MemberIx::User(u) => sv.users.insert(u, p),
                    MemberIx::Group(g) => sv.groups.insert(g, p),
                };
            }
            (TargetIx::Handle(h), Privileges::Handle(p)) => {
                let hd = self.handles.get_mut(h).ok_or_else(mismatch)?;
                match m {
                    MemberIx::User(u) => hd.users.insert(u, p),
                    MemberIx::Group(g) => hd.groups.insert(g, p),
                };
            }
            _ => return Err(mismatch()),
        }
        if !exists {
            self.link(t, m);
        }
        Ok(())
    }

    /// Records the member → target side of a new edge.
    fn link(&mut self, t: TargetIx, m: MemberIx) {
        match m {
            MemberIx::User(u) => {
                if let Some(u) = self.users.get_mut(u) {
                    match t {
                        TargetIx::Group(g) => u.groups.push(g),
                        TargetIx::Space(s) => u.spaces.push(s),
                        TargetIx::Service(s) => u.services.push(s),
                        TargetIx::Handle(h) => u.handles.push(h),
                    }
                }
            }
            MemberIx::Group(c) => {
                if let Some(cg) = self.groups.get_mut(c) {
                    match t {
                        TargetIx::Group(g) => cg.parents.push(g),
                        TargetIx::Space(s) => cg.spaces.push(s),
                        TargetIx::Service(s) => cg.services.push(s),
                        TargetIx::Handle(h) => cg.handles.push(h),
                    }
                }
                if let TargetIx::Group(_) = t {
                    self.refresh_below(c);
                }
            }
        }
    }

    fn remove_member(&mut self, target: &Target, member: &Member) -> Result<(), ApplyError> {
        let t = self
            .resolve_target(target)
            .ok_or_else(|| ApplyError(format!("{target:?} does not exist")))?;
        let m = self
            .resolve_member(member)
            .ok_or_else(|| ApplyError(format!("{member:?} does not exist")))?;
        if !self.is_direct_member(t, m) {
            return Err(ApplyError(format!(
                "{member:?} is not a member of {target:?}"
            )));
        }
        match (t, m) {
            (TargetIx::Group(g), MemberIx::User(u)) => {
                self.groups.get_mut(g).map(|x| x.users.remove(&u));
                if let Some(x) = self.users.get_mut(u) {
                    remove_from(&mut x.groups, &g)
                }
            }
            (TargetIx::Group(g), MemberIx::Group(c)) => {
                self.groups.get_mut(g).map(|x| x.children.remove(&c));
                if let Some(x) = self.groups.get_mut(c) {
                    remove_from(&mut x.parents, &g)
                }
                self.refresh_below(c);
            }
            (TargetIx::Space(s), MemberIx::User(u)) => {
                self.spaces.get_mut(s).map(|x| x.users.remove(&u));
                if let Some(x) = self.users.get_mut(u) {
                    remove_from(&mut x.spaces, &s)
                }
            }
            (TargetIx::Space(s), MemberIx::Group(g)) => {
                self.spaces.get_mut(s).map(|x| x.groups.remove(&g));
                if let Some(x) = self.groups.get_mut(g) {
                    remove_from(&mut x.spaces, &s)
                }
            }
            (TargetIx::Service(s), MemberIx::User(u)) => {
                self.services.get_mut(s).map(|x| x.users.remove(&u));
                if let Some(x) = self.users.get_mut(u) {
                    remove_from(&mut x.services, &s)
                }
            }
            (TargetIx::Service(s), MemberIx::Group(g)) => {
                self.services.get_mut(s).map(|x| x.groups.remove(&g));
                if let Some(x) = self.groups.get_mut(g) {
                    remove_from(&mut x.services, &s)
                }
            }
            (TargetIx::Handle(h), MemberIx::User(u)) => {
                self.handles.get_mut(h).map(|x| x.users.remove(&u));
                if let Some(x) = self.users.get_mut(u) {
                    remove_from(&mut x.handles, &h)
                }
            }
            (TargetIx::Handle(h), MemberIx::Group(g)) => {
                self.handles.get_mut(h).map(|x| x.groups.remove(&g));
                if let Some(x) = self.groups.get_mut(g) {
                    remove_from(&mut x.handles, &h)
                }
            }
        }
        Ok(())
    }

    pub fn is_direct_member(&self, t: TargetIx, m: MemberIx) -> bool {
        fn has<T: MemberTable>(e: Option<&T>, m: MemberIx) -> bool {
            e.is_some_and(|e| match m {
                MemberIx::User(u) => e.users().contains_key(&u),
                MemberIx::Group(g) => e.groups().contains_key(&g),
            })
        }
        match t {
            TargetIx::Group(g) => has(self.groups.get(g), m),
            TargetIx::Space(s) => has(self.spaces.get(s), m),
            TargetIx::Service(s) => has(self.services.get(s), m),
            TargetIx::Handle(h) => has(self.handles.get(h), m),
        }
    }

    /// `g` and every group below it (effective children), each once; tolerates cycles.
    pub fn descendants(&self, g: GroupIx) -> Vec<GroupIx> {
        let mut seen = FxHashSet::default();
        let mut out = Vec::new();
        let mut queue = VecDeque::from([g]);
        seen.insert(g);
        while let Some(x) = queue.pop_front() {
            out.push(x);
            if let Some(grp) = self.groups.get(x) {
                for c in grp.children.keys() {
                    if seen.insert(*c) {
                        queue.push_back(*c);
                    }
                }
            }
        }
        out
    }

    /// Recomputes the ancestor closure of `g` and of every group below it.
    fn refresh_below(&mut self, g: GroupIx) {
        for d in self.descendants(g) {
            self.recompute_ancestors(d);
        }
    }

    fn recompute_ancestors(&mut self, g: GroupIx) {
        let mut seen = FxHashSet::default();
        let mut queue = VecDeque::from([g]);
        seen.insert(g);
        while let Some(x) = queue.pop_front() {
            if let Some(grp) = self.groups.get(x) {
                for p in &grp.parents {
                    if seen.insert(*p) {
                        queue.push_back(*p);
                    }
                }
            }
        }
        let mut ancestors: Vec<GroupIx> = seen.into_iter().collect();
        ancestors.sort_unstable();
        if let Some(grp) = self.groups.get_mut(g) {
            grp.ancestors = ancestors;
        }
    }
}
