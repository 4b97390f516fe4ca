//! Operations of the handlers that are generic over entity and member kinds (`entity.rs`,
//! `members.rs`, `member_of.rs`, `tokens.rs`): one `#[utoipa::path]` cannot describe every
//! instantiation, so they are built here by looping over the same kinds, with the paths taken
//! from the kinds' own constants.

use privzone_model::privilege::PrivilegeKind;
use privzone_model::state::MemberTable;
use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::{Content, Paths, Ref, RefOr, Required, ResponseBuilder};

use super::privileges::prefix;
use crate::routes::kinds::{
    GroupKind, GroupMember, HandleKind, MemberKind, ServiceKind, SpaceKind, TargetKind, UserMember,
};
use crate::routes::members::{legacy_segment, segment};

/// One operation: what it does, its request body schema and its success response.
struct Op<'a> {
    summary: String,
    body: Option<&'a str>,
    status: u16,
    response: Option<String>,
}

fn op(summary: impl Into<String>, status: u16, response: Option<String>) -> Op<'static> {
    Op {
        summary: summary.into(),
        body: None,
        status,
        response,
    }
}

fn with_body<'a>(summary: impl Into<String>, body: &'a str, status: u16) -> Op<'a> {
    Op {
        summary: summary.into(),
        body: Some(body),
        status,
        response: None,
    }
}

fn json(schema: &str) -> Content {
    Content::new(Some(RefOr::Ref(Ref::from_schema_name(schema))))
}

fn add(paths: &mut Paths, method: HttpMethod, path: &str, o: Op<'_>) {
    let description = match o.status {
        201 => "Created; `Location` is the new resource",
        204 => "Done",
        _ => "OK",
    };
    let mut response = ResponseBuilder::new().description(description);
    if let Some(schema) = &o.response {
        response = response.content("application/json", json(schema));
    }
    let mut operation = OperationBuilder::new()
        .summary(Some(o.summary))
        .response(o.status.to_string(), response.build());
    if let Some(body) = o.body {
        operation = operation.request_body(Some(
            RequestBodyBuilder::new()
                .content("application/json", json(body))
                .required(Some(Required::True))
                .build(),
        ));
    }
    paths.add_path_operation(path, vec![method], operation.build());
}

/// The privilege schema prefix of entity kind `K`, e.g. `HandleService`.
fn privileges_of<K: TargetKind>() -> String {
    prefix(<<K::Table as MemberTable>::Kind as PrivilegeKind>::ENTITY)
}

/// The schema prefix of entity kind `K`'s records, e.g. `HandleService`.
fn record_of<K: TargetKind>() -> String {
    prefix(K::GRI)
}

/// Entity kind `K` in words, e.g. `handle service`.
fn human<K: TargetKind>() -> String {
    K::PATH.trim_end_matches('s').replace('_', " ")
}

/// Creation, list of all and protected data (`entity.rs`).
fn entity<K: TargetKind>(paths: &mut Paths) {
    let (p, of) = (K::PATH, K::OF_GROUP);
    let r = record_of::<K>();
    let create = format!("Create{r}");
    let gri = human::<K>();
    add(
        paths,
        HttpMethod::Post,
        &format!("/{p}"),
        with_body(
            format!("Create a {gri} on behalf of nobody (admins)"),
            &create,
            201,
        ),
    );
    add(
        paths,
        HttpMethod::Get,
        &format!("/{p}"),
        op(
            format!("List every {gri} (oz list privilege)"),
            200,
            Some(format!("{r}Ids")),
        ),
    );
    add(
        paths,
        HttpMethod::Post,
        &format!("/user/{p}"),
        with_body(
            format!("Create a {gri}; the client becomes its admin member"),
            &create,
            201,
        ),
    );
    add(
        paths,
        HttpMethod::Post,
        &format!("/groups/{{id}}/{of}"),
        with_body(
            format!("Create a {gri}; group `id` becomes its admin member"),
            &create,
            201,
        ),
    );
    add(
        paths,
        HttpMethod::Get,
        &format!("/{p}/{{id}}"),
        op(
            format!("A {gri}'s protected data"),
            200,
            Some(format!("{r}Protected")),
        ),
    );
}

/// Members and their privileges (`members.rs`).
fn members<K: TargetKind, M: MemberKind>(paths: &mut Paths) {
    let (p, seg, gri) = (K::PATH, segment::<K, M>(), human::<K>());
    let who = M::GRI;
    let privs = privileges_of::<K>();
    let ids = Some(format!("{}Ids", prefix(M::GRI)));
    let record = Some(format!("{}Shared", prefix(M::GRI)));
    let list = Some(format!("{privs}PrivilegeList"));
    for effective in [false, true] {
        let (e, adj) = if effective {
            ("effective_", "effective")
        } else {
            ("", "direct")
        };
        add(
            paths,
            HttpMethod::Get,
            &format!("/{p}/{{id}}/{e}{seg}"),
            op(format!("List the {gri}'s {adj} {who}s"), 200, ids.clone()),
        );
        add(
            paths,
            HttpMethod::Get,
            &format!("/{p}/{{id}}/{e}{seg}/{{mid}}"),
            op(
                format!("A {who} member of the {gri} ({adj})"),
                200,
                record.clone(),
            ),
        );
        add(
            paths,
            HttpMethod::Get,
            &format!("/{p}/{{id}}/{e}{seg}/{{mid}}/privileges"),
            op(
                format!("The {adj} privileges of a {who} in the {gri}"),
                200,
                list.clone(),
            ),
        );
    }
    let one = format!("/{p}/{{id}}/{seg}/{{mid}}");
    let add_member = format!("{privs}AddMember");
    add(
        paths,
        HttpMethod::Put,
        &one,
        with_body(
            format!("Add a {who} as a direct member of the {gri}"),
            &add_member,
            201,
        ),
    );
    add(
        paths,
        HttpMethod::Delete,
        &one,
        op(format!("Remove a direct {who} member"), 204, None),
    );
    let update = format!("{privs}PrivilegeUpdate");
    let set = format!("{privs}PrivilegeOperation");
    add(
        paths,
        HttpMethod::Patch,
        &format!("{one}/privileges"),
        with_body(
            format!("Change a direct {who} member's privileges (either API generation)"),
            &update,
            204,
        ),
    );
    add(
        paths,
        HttpMethod::Put,
        &format!("{one}/privileges"),
        with_body(
            format!("Change a direct {who} member's privileges (legacy PUT)"),
            &set,
            204,
        ),
    );
    if let Some(legacy) = legacy_segment::<K, M>() {
        let old = format!("/{p}/{{id}}/{legacy}/{{mid}}/privileges");
        add(
            paths,
            HttpMethod::Get,
            &old,
            op(
                format!("The direct privileges of a {who} in the {gri} (17.06 path)"),
                200,
                list,
            ),
        );
        add(
            paths,
            HttpMethod::Patch,
            &old,
            with_body(
                format!("Change a direct {who} member's privileges (17.06 path)"),
                &update,
                204,
            ),
        );
        add(
            paths,
            HttpMethod::Put,
            &old,
            with_body(
                format!("Change a direct {who} member's privileges (17.06 path, legacy PUT)"),
                &set,
                204,
            ),
        );
    }
}

/// Membership intermediaries (`members.rs`): users always, groups as members.
fn membership<K: TargetKind>(paths: &mut Paths) {
    for seg in [segment::<K, UserMember>(), segment::<K, GroupMember>()] {
        add(
            paths,
            HttpMethod::Get,
            &format!("/{}/{{id}}/effective_{seg}/{{mid}}/membership", K::PATH),
            op(
                format!(
                    "Through which groups a member belongs to the {}",
                    human::<K>()
                ),
                200,
                Some("Intermediaries".into()),
            ),
        );
    }
}

/// What the client, a user and a group belong to (`member_of.rs`).
fn member_of<K: TargetKind>(paths: &mut Paths) {
    let (p, of, gri) = (K::PATH, K::OF_GROUP, human::<K>());
    let r = record_of::<K>();
    let ids = Some(format!("{r}Ids"));
    let protected = Some(format!("{r}Protected"));
    // Through a group, a parent group shows its shared record.
    let through_group = if K::PATH == "groups" {
        Some("GroupShared".to_owned())
    } else {
        protected.clone()
    };
    for (e, adj) in [("", "direct"), ("effective_", "effective")] {
        add(
            paths,
            HttpMethod::Get,
            &format!("/user/{e}{p}"),
            op(
                format!("The client's {adj} {gri} memberships"),
                200,
                ids.clone(),
            ),
        );
        add(
            paths,
            HttpMethod::Get,
            &format!("/user/{e}{p}/{{rid}}"),
            op(
                format!("A {gri} the client belongs to ({adj})"),
                200,
                protected.clone(),
            ),
        );
        add(
            paths,
            HttpMethod::Get,
            &format!("/users/{{id}}/{e}{p}"),
            op(
                format!("A user's {adj} {gri} memberships"),
                200,
                ids.clone(),
            ),
        );
        add(
            paths,
            HttpMethod::Get,
            &format!("/groups/{{id}}/{e}{of}"),
            op(
                format!("A group's {adj} {gri} memberships"),
                200,
                ids.clone(),
            ),
        );
        add(
            paths,
            HttpMethod::Get,
            &format!("/groups/{{id}}/{e}{of}/{{rid}}"),
            op(
                format!("A {gri} the group belongs to ({adj})"),
                200,
                through_group.clone(),
            ),
        );
    }
    add(
        paths,
        HttpMethod::Delete,
        &format!("/user/{p}/{{rid}}"),
        op(format!("The client leaves a {gri}"), 204, None),
    );
    add(
        paths,
        HttpMethod::Delete,
        &format!("/groups/{{id}}/{of}/{{rid}}"),
        op(format!("The group leaves a {gri}"), 204, None),
    );
}

/// Invite tokens and joining with them (`tokens.rs`).
fn invites<K: TargetKind>(paths: &mut Paths) {
    let (p, of, gri) = (K::PATH, K::OF_GROUP, human::<K>());
    for (seg, who) in [
        (segment::<K, UserMember>(), UserMember::GRI),
        (segment::<K, GroupMember>(), GroupMember::GRI),
    ] {
        add(
            paths,
            HttpMethod::Post,
            &format!("/{p}/{{id}}/{seg}/token"),
            Op {
                summary: format!("An invite token for a {who} to join the {gri}"),
                body: Some("EmptyBody"),
                status: 200,
                response: Some("InviteToken".into()),
            },
        );
    }
    add(
        paths,
        HttpMethod::Post,
        &format!("/user/{p}/join"),
        with_body(
            format!("The client joins a {gri} with an invite token"),
            "JoinWithToken",
            201,
        ),
    );
    add(
        paths,
        HttpMethod::Post,
        &format!("/groups/{{id}}/{of}/join"),
        with_body(
            format!("The group joins a {gri} with an invite token"),
            "JoinWithToken",
            201,
        ),
    );
}

/// Named access tokens (`tokens.rs`): the client's, any user's, and one token by id.
fn named_tokens(paths: &mut Paths) {
    for (base, whose) in [
        ("/user/tokens/named", "the client's"),
        ("/users/{id}/tokens/named", "the user's"),
    ] {
        let ids = Some("TokenIds".to_owned());
        add(
            paths,
            HttpMethod::Get,
            base,
            op(format!("List {whose} named tokens"), 200, ids),
        );
        add(
            paths,
            HttpMethod::Post,
            base,
            Op {
                summary: format!("Create a named access token of {whose}; its text is shown once"),
                body: Some("CreateToken"),
                status: 201,
                response: Some("TokenCreated".into()),
            },
        );
        add(
            paths,
            HttpMethod::Delete,
            base,
            op(format!("Delete every token of {whose}"), 204, None),
        );
        add(
            paths,
            HttpMethod::Get,
            &format!("{base}/name/{{name}}"),
            op(
                format!("One of {whose} tokens by name"),
                200,
                Some("TokenRecord".into()),
            ),
        );
    }
    for base in [
        "/user/tokens/named",
        "/users/{id}/tokens/named",
        "/tokens/named",
    ] {
        let one = format!("{base}/{{tid}}");
        add(
            paths,
            HttpMethod::Get,
            &one,
            op("One named token", 200, Some("TokenRecord".into())),
        );
        add(
            paths,
            HttpMethod::Patch,
            &one,
            with_body("Rename, revoke or annotate a token", "UpdateToken", 204),
        );
        add(
            paths,
            HttpMethod::Delete,
            &one,
            op("Delete a token", 204, None),
        );
    }
}

fn kind<K: TargetKind>(paths: &mut Paths) {
    entity::<K>(paths);
    members::<K, UserMember>(paths);
    members::<K, GroupMember>(paths);
    membership::<K>(paths);
    member_of::<K>(paths);
}

/// Every generic operation.
pub fn paths() -> Paths {
    let mut paths = Paths::new();
    kind::<GroupKind>(&mut paths);
    kind::<SpaceKind>(&mut paths);
    kind::<ServiceKind>(&mut paths);
    kind::<HandleKind>(&mut paths);
    invites::<GroupKind>(&mut paths);
    invites::<SpaceKind>(&mut paths);
    named_tokens(&mut paths);
    paths
}
