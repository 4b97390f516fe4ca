//! `decide` without HTTP: reference §2's precedence (404 → 401/403 → 400 → domain rules), the
//! admin path, and the last-owner rule, for the membership commands and queries.

use super::query;
use super::*;
use crate::catalog::{GroupPrivileges, OzPrivileges, SpacePrivileges};
use crate::change::GroupType;
use crate::error::{Missing, Noun};
use crate::state::{MemberIx, TargetIx};

fn run(state: &mut State, change: Change) {
    state.apply(&change).unwrap();
}

fn space_privileges(names: &[&str]) -> Privileges {
    Privileges::Space(SpacePrivileges::parse(names.iter().copied()).unwrap())
}

/// Users `owner` (owns space `s`, created group `g`), `setter` (set privileges, add and remove
/// users in `s`), `plain` (`space_view` in `s`), `outsider` (nothing), `x` (in nothing) and
/// `admin` (every oz privilege, member of nothing).
fn world() -> State {
    let mut s = State::new();
    for u in ["owner", "setter", "plain", "outsider", "x", "admin"] {
        run(
            &mut s,
            Change::CreateUser {
                user: u.into(),
                username: Some(u.into()),
                full_name: u.into(),
                time: 0,
            },
        );
    }
    run(
        &mut s,
        Change::CreateSpace {
            space: "s".into(),
            name: "S".into(),
            creator: Some("owner".into()),
            time: 0,
        },
    );
    for (u, p) in [
        ("owner", vec![]),
        (
            "setter",
            vec![
                "space_set_privileges",
                "space_add_user",
                "space_remove_user",
            ],
        ),
        ("plain", vec!["space_view"]),
    ] {
        run(
            &mut s,
            Change::AddMember {
                target: space(),
                member: user(u),
                privileges: space_privileges(&p),
            },
        );
    }
    run(
        &mut s,
        Change::AddOwner {
            space: "s".into(),
            user: "owner".into(),
        },
    );
    run(
        &mut s,
        Change::CreateGroup {
            group: "g".into(),
            name: "G".into(),
            group_type: GroupType::Team,
            creator: Some("owner".into()),
            time: 0,
            protected: false,
        },
    );
    run(
        &mut s,
        Change::AddMember {
            target: Target::Group("g".into()),
            member: user("owner"),
            privileges: Privileges::Group(GroupPrivileges::preset("admin")),
        },
    );
    run(
        &mut s,
        Change::SetOzPrivileges {
            subject: user("admin"),
            privileges: OzPrivileges::all(),
        },
    );
    s
}

fn space() -> Target {
    Target::Space("s".into())
}

fn user(id: &str) -> Member {
    Member::User(id.into())
}

fn client(state: &State, id: &str) -> Client {
    Client::User(state.users.find(id).unwrap())
}

fn grant(names: &[&str]) -> Result<PrivilegeUpdate<Privileges>, Error> {
    Ok(PrivilegeUpdate::Patch {
        grant: space_privileges(names),
        revoke: space_privileges(&[]),
    })
}

fn body_error() -> Error {
    Error::MissingAtLeastOneValue(vec!["grant".into(), "revoke".into()])
}

fn add(target: Target, member: Member, privileges: NewMemberPrivileges) -> Command {
    Command::AddMember {
        target,
        member,
        privileges,
    }
}

fn remove(target: Target, member: Member) -> Command {
    Command::RemoveMember { target, member }
}

fn set(member: Member, update: Result<PrivilegeUpdate<Privileges>, Error>) -> Command {
    Command::SetMemberPrivileges {
        target: space(),
        member,
        update,
    }
}

/// The error of deciding `command`, which must fail.
fn refused(state: &State, who: Client, command: Command) -> Error {
    decide(state, &who, command).unwrap_err()
}

/// Applies a plan the way the writer does, and checks the state it leaves.
fn apply(state: &mut State, plan: Plan) {
    for change in plan.into_parts().0 {
        state.apply(&change).unwrap();
    }
    assert_eq!(state.check_invariants(), Vec::<String>::new());
}

#[test]
fn a_missing_entity_or_member_is_404_even_for_nobody() {
    let s = world();
    let missing = Target::Space("nope".into());
    for who in [Client::Nobody, client(&s, "outsider"), client(&s, "admin")] {
        for command in [
            add(missing.clone(), user("x"), NewMemberPrivileges::Default),
            remove(missing.clone(), user("plain")),
            Command::SetMemberPrivileges {
                target: missing.clone(),
                member: user("plain"),
                update: Err(body_error()),
            },
            // The member must exist, and be a direct member, for a remove or an update.
            remove(space(), user("no-such-user")),
            remove(space(), user("x")),
            set(user("no-such-user"), grant(&[])),
            set(user("x"), Err(body_error())),
        ] {
            assert_eq!(refused(&s, who, command).id(), "notFound");
        }
    }
    // The 404 names what is missing.
    assert_eq!(
        refused(&s, Client::Nobody, remove(missing, user("plain"))),
        Error::Missing(Missing::Entity(Noun::Space, "nope".into()))
    );
    assert_eq!(
        refused(&s, Client::Nobody, remove(space(), user("x"))),
        Error::Missing(Missing::Member {
            member: Noun::User,
            id: "x".into(),
            of: Noun::Space,
            direct: true
        })
    );
}

#[test]
fn nobody_is_401_and_a_client_without_the_privilege_403() {
    let s = world();
    let commands = || {
        [
            add(space(), user("x"), NewMemberPrivileges::Default),
            remove(space(), user("plain")),
            set(user("plain"), grant(&["space_read_data"])),
        ]
    };
    for command in commands() {
        assert_eq!(refused(&s, Client::Nobody, command), Error::Unauthorized);
    }
    for who in ["plain", "outsider"] {
        for command in commands() {
            assert_eq!(refused(&s, client(&s, who), command), Error::Forbidden);
        }
    }
}

#[test]
fn body_errors_come_after_authorization() {
    let s = world();
    let setter = client(&s, "setter");
    // An invalid update: 401 for nobody, 403 without the privilege, only then 400.
    assert_eq!(
        refused(&s, Client::Nobody, set(user("plain"), Err(body_error()))),
        Error::Unauthorized
    );
    assert_eq!(
        refused(
            &s,
            client(&s, "plain"),
            set(user("plain"), Err(body_error()))
        ),
        Error::Forbidden
    );
    assert_eq!(
        refused(&s, setter, set(user("plain"), Err(body_error()))),
        body_error()
    );
    // A member id that does not exist is a body error of a PUT (400), after authorization.
    let admin = client(&s, "admin");
    let nobody_such = || add(space(), user("no-such"), NewMemberPrivileges::Default);
    assert_eq!(
        refused(&s, client(&s, "plain"), nobody_such()),
        Error::Forbidden
    );
    assert_eq!(
        refused(&s, admin, nobody_such()),
        Error::BadValueIdNotFound("userId".into())
    );
    // The body comes before the membership rules: an invalid body to an existing member is 400.
    assert_eq!(
        refused(
            &s,
            admin,
            add(
                space(),
                user("plain"),
                NewMemberPrivileges::Malformed(Error::MalformedData)
            )
        ),
        Error::MalformedData
    );
}

#[test]
fn naming_privileges_in_a_put_needs_the_set_privileges_rule_even_when_they_are_invalid() {
    let mut s = world();
    // `adder` may add users to spaces by the admin path, but not set their privileges.
    run(
        &mut s,
        Change::CreateUser {
            user: "adder".into(),
            username: None,
            full_name: "adder".into(),
            time: 0,
        },
    );
    run(
        &mut s,
        Change::SetOzPrivileges {
            subject: user("adder"),
            privileges: OzPrivileges::parse([
                "oz_spaces_add_relationships",
                "oz_users_add_relationships",
            ])
            .unwrap(),
        },
    );
    let adder = client(&s, "adder");
    let invalid = || Error::BadValueListOfStrings("privileges".into());
    for privileges in [
        NewMemberPrivileges::Given(space_privileges(&["space_view"])),
        NewMemberPrivileges::Invalid(invalid()),
    ] {
        assert_eq!(
            refused(&s, adder, add(space(), user("x"), privileges)),
            Error::Forbidden
        );
    }
    // A body that is not an object names no privileges: authorized, then 400.
    assert_eq!(
        refused(
            &s,
            adder,
            add(
                space(),
                user("x"),
                NewMemberPrivileges::Malformed(Error::MalformedData)
            )
        ),
        Error::MalformedData
    );
    assert_eq!(
        refused(
            &s,
            client(&s, "admin"),
            add(space(), user("x"), NewMemberPrivileges::Invalid(invalid()))
        ),
        invalid()
    );
    // Without `privileges`, the member gets the kind's member preset.
    let plan = decide(
        &s,
        &adder,
        add(space(), user("x"), NewMemberPrivileges::Default),
    )
    .unwrap();
    assert_eq!(
        plan.changes(),
        [Change::AddMember {
            target: space(),
            member: user("x"),
            privileges: Privileges::Space(SpacePrivileges::preset("member")),
        }]
    );
    assert_eq!(
        plan.answer(),
        &Answer::MemberAdded {
            target: space(),
            member: user("x")
        }
    );
    apply(&mut s, plan);
}

#[test]
fn already_a_member_and_self_relation_come_last() {
    let s = world();
    let again = refused(
        &s,
        client(&s, "admin"),
        add(space(), user("plain"), NewMemberPrivileges::Default),
    );
    assert_eq!(
        again,
        Error::RelationAlreadyExists {
            child_type: "user",
            child_id: "plain".into(),
            parent_type: "space",
            parent_id: "s".into(),
        }
    );
    // Someone without the privilege learns nothing about the membership.
    assert_eq!(
        refused(
            &s,
            client(&s, "plain"),
            add(space(), user("plain"), NewMemberPrivileges::Default)
        ),
        Error::Forbidden
    );
    let g = || Target::Group("g".into());
    let owner = client(&s, "owner");
    assert_eq!(
        refused(
            &s,
            owner,
            add(g(), Member::Group("g".into()), NewMemberPrivileges::Default)
        ),
        Error::CannotAddRelationToSelf
    );
    assert_eq!(
        refused(
            &s,
            Client::Nobody,
            add(g(), Member::Group("g".into()), NewMemberPrivileges::Default)
        ),
        Error::Unauthorized
    );
    // A group (or space) admin adds only itself as a user: others join with invite tokens.
    assert_eq!(
        refused(&s, owner, add(g(), user("x"), NewMemberPrivileges::Default)),
        Error::Forbidden
    );
}

#[test]
fn the_admin_path_decides_without_any_membership() {
    let mut s = world();
    let admin = client(&s, "admin");
    let plan = decide(
        &s,
        &admin,
        add(
            space(),
            user("x"),
            NewMemberPrivileges::Given(space_privileges(&["space_view"])),
        ),
    )
    .unwrap();
    assert_eq!(plan.authorized().client, admin);
    apply(&mut s, plan);
    let plan = decide(&s, &admin, set(user("x"), grant(&["space_read_data"]))).unwrap();
    assert_eq!(
        plan.changes(),
        [Change::SetPrivileges {
            target: space(),
            member: user("x"),
            privileges: space_privileges(&["space_view", "space_read_data"]),
        }]
    );
    apply(&mut s, plan);
    let plan = decide(&s, &admin, remove(space(), user("x"))).unwrap();
    assert_eq!(
        plan.changes(),
        [Change::RemoveMember {
            target: space(),
            member: user("x")
        }]
    );
    apply(&mut s, plan);
    assert!(!s.is_direct_member(
        TargetIx::Space(s.spaces.find("s").unwrap()),
        MemberIx::User(s.users.find("x").unwrap())
    ));
}

#[test]
fn an_update_that_changes_nothing_plans_nothing() {
    let s = world();
    let plan = decide(
        &s,
        &client(&s, "setter"),
        set(user("plain"), grant(&["space_view"])),
    )
    .unwrap();
    assert!(plan.changes().is_empty());
    assert_eq!(plan.answer(), &Answer::Done);
}

#[test]
fn the_last_owner_stays_and_an_owner_leaves_ownership_with_the_membership() {
    let mut s = world();
    let admin = client(&s, "admin");
    // Even the admin path cannot remove the last owner.
    assert_eq!(
        refused(&s, admin, remove(space(), user("owner"))),
        Error::CannotRemoveLastOwner {
            entity_type: "od_space",
            entity_id: "s".into()
        }
    );
    // Only an owner removes an owner through the space's privileges.
    assert_eq!(
        refused(&s, client(&s, "setter"), remove(space(), user("owner"))),
        Error::Forbidden
    );
    run(
        &mut s,
        Change::AddOwner {
            space: "s".into(),
            user: "plain".into(),
        },
    );
    let plan = decide(&s, &client(&s, "plain"), remove(space(), user("owner"))).unwrap();
    assert_eq!(
        plan.changes(),
        [
            Change::RemoveOwner {
                space: "s".into(),
                user: "owner".into()
            },
            Change::RemoveMember {
                target: space(),
                member: user("owner")
            }
        ]
    );
    apply(&mut s, plan);
    let sp = s.spaces.get(s.spaces.find("s").unwrap()).unwrap();
    assert_eq!(sp.owners, vec![s.users.find("plain").unwrap()]);
}

#[test]
fn privilege_updates_of_both_generations() {
    use crate::catalog::SpacePriv;
    let p = |n: &[&str]| SpacePrivileges::parse(n.iter().copied()).unwrap();
    let old = p(&["space_view", "space_read_data"]);
    let cases: [(PrivilegeUpdate<PrivilegeSet<SpacePriv>>, _); 4] = [
        (
            PrivilegeUpdate::Patch {
                grant: p(&["space_write_data"]),
                revoke: p(&["space_write_data", "space_read_data"]),
            },
            p(&["space_view", "space_write_data"]),
        ),
        (PrivilegeUpdate::Set(p(&["space_view"])), p(&["space_view"])),
        (
            PrivilegeUpdate::Grant(p(&["space_write_data"])),
            p(&["space_view", "space_read_data", "space_write_data"]),
        ),
        (
            PrivilegeUpdate::Revoke(p(&["space_view"])),
            p(&["space_read_data"]),
        ),
    ];
    for (update, new) in cases {
        assert_eq!(update.apply(old), new);
        assert_eq!(
            update.map(Privileges::Space).apply(Privileges::Space(old)),
            Some(Privileges::Space(new))
        );
    }
    // Privileges of another kind never apply.
    let group = PrivilegeUpdate::Set(Privileges::Group(GroupPrivileges::empty()));
    assert_eq!(group.apply(Privileges::Space(old)), None);
}

#[test]
fn queries_follow_the_same_precedence() {
    let s = world();
    let missing = Target::Space("nope".into());
    assert_eq!(
        query::member_privileges(&s, &Client::Nobody, &missing, &user("plain"), false),
        Err(Error::Missing(Missing::Entity(Noun::Space, "nope".into())))
    );
    // `x` is not a member: 404 before 401.
    assert_eq!(
        query::member_privileges(&s, &Client::Nobody, &space(), &user("x"), true),
        Err(Error::Missing(Missing::Member {
            member: Noun::User,
            id: "x".into(),
            of: Noun::Space,
            direct: false
        }))
    );
    assert_eq!(
        query::member_privileges(&s, &Client::Nobody, &space(), &user("plain"), false),
        Err(Error::Unauthorized)
    );
    assert_eq!(
        query::member_privileges(&s, &client(&s, "outsider"), &space(), &user("plain"), false),
        Err(Error::Forbidden)
    );
    // Self always; the admin path too.
    for who in ["plain", "admin"] {
        assert_eq!(
            query::member_privileges(&s, &client(&s, who), &space(), &user("plain"), true),
            Ok(space_privileges(&["space_view"]))
        );
    }
    let hops = query::membership(&s, &client(&s, "plain"), &space(), &user("plain")).unwrap();
    assert!(hops.direct && hops.groups.is_empty());
    assert_eq!(
        query::membership(&s, &Client::Nobody, &space(), &user("x"))
            .unwrap_err()
            .id(),
        "notFound"
    );
    // A member's record: 404 for someone who is not one, before 401.
    assert_eq!(
        query::member(&s, &Client::Nobody, &space(), &user("x"))
            .unwrap_err()
            .id(),
        "notFound"
    );
    assert!(query::member(&s, &client(&s, "plain"), &space(), &user("owner")).is_ok());
}

#[test]
fn delete_decides_404_then_401_403_then_the_kinds_rule() {
    let mut s = world();
    let delete = |target: Target| Command::Delete { target };
    let missing = Target::Group("nope".into());
    assert_eq!(
        refused(&s, Client::Nobody, delete(missing)),
        Error::Missing(Missing::Entity(Noun::Group, "nope".into()))
    );
    assert_eq!(
        refused(&s, Client::Nobody, delete(space())),
        Error::Unauthorized
    );
    assert_eq!(
        refused(&s, client(&s, "plain"), delete(space())),
        Error::Forbidden
    );
    // A protected group: only an authorized client learns that it is protected.
    run(
        &mut s,
        Change::CreateGroup {
            group: "admins".into(),
            name: "admins".into(),
            group_type: GroupType::Team,
            creator: None,
            time: 0,
            protected: true,
        },
    );
    let admins = || Target::Group("admins".into());
    assert_eq!(
        refused(&s, client(&s, "owner"), delete(admins())),
        Error::Forbidden
    );
    assert_eq!(
        refused(&s, client(&s, "admin"), delete(admins())),
        Error::ProtectedGroup
    );
    // A handle service keeps its handles; a handle's answer carries what its registrar needs.
    for change in [
        Change::CreateHandleService {
            service: "hs".into(),
            name: "HS".into(),
            proxy_endpoint: "https://proxy".into(),
            service_properties: serde_json::json!({"prefix": "21.T"}),
            creator: None,
            time: 0,
        },
        Change::CreateShare {
            share: "sh".into(),
            space: "s".into(),
            name: "share".into(),
            root_file_id: "f".into(),
            file_type: "dir".into(),
            time: 0,
        },
        Change::CreateHandle {
            handle: "h".into(),
            service: "hs".into(),
            resource_type: "Share".into(),
            resource_id: "sh".into(),
            metadata_prefix: "oai_dc".into(),
            metadata: "<metadata/>".into(),
            public_handle: "21.T/abc".into(),
            creator: None,
            time: 0,
        },
    ] {
        run(&mut s, change);
    }
    let admin = client(&s, "admin");
    let hs = || Target::HandleService("hs".into());
    assert_eq!(
        refused(&s, admin, delete(hs())),
        Error::CannotDeleteNonEmptyHandleService
    );
    let plan = decide(&s, &admin, delete(Target::Handle("h".into()))).unwrap();
    assert_eq!(
        plan.answer(),
        &Answer::HandleDeleted {
            public_handle: "21.T/abc".into(),
            service_properties: serde_json::json!({"prefix": "21.T"}),
        }
    );
    apply(&mut s, plan);
    let plan = decide(&s, &admin, delete(hs())).unwrap();
    assert_eq!(
        plan.changes(),
        [Change::DeleteHandleService {
            service: "hs".into()
        }]
    );
    apply(&mut s, plan);
    // The owner deletes the space (owners hold every space privilege).
    let plan = decide(&s, &client(&s, "owner"), delete(space())).unwrap();
    assert_eq!(plan.answer(), &Answer::Done);
    apply(&mut s, plan);
    assert!(s.spaces.find("s").is_none());
}

#[test]
fn leaving_is_decided_like_a_removal_by_oneself() {
    let mut s = world();
    let leave = |who: Leaver, target: Target| Command::Leave { who, target };
    // The client subject comes first: nobody is 401 even for a missing target.
    assert_eq!(
        refused(
            &s,
            Client::Nobody,
            leave(Leaver::Client, Target::Space("nope".into()))
        ),
        Error::Unauthorized
    );
    assert_eq!(
        refused(&s, client(&s, "x"), leave(Leaver::Client, space())),
        Error::Missing(Missing::Member {
            member: Noun::User,
            id: "x".into(),
            of: Noun::Space,
            direct: true
        })
    );
    // A group subject: 404 for an unknown group, even for nobody.
    assert_eq!(
        refused(
            &s,
            Client::Nobody,
            leave(Leaver::Group("nope".into()), space())
        )
        .id(),
        "notFound"
    );
    // The last owner cannot leave; a plain member can.
    assert_eq!(
        refused(&s, client(&s, "owner"), leave(Leaver::Client, space())),
        Error::CannotRemoveLastOwner {
            entity_type: "od_space",
            entity_id: "s".into()
        }
    );
    let plan = decide(&s, &client(&s, "plain"), leave(Leaver::Client, space())).unwrap();
    assert_eq!(
        plan.changes(),
        [Change::RemoveMember {
            target: space(),
            member: user("plain")
        }]
    );
    apply(&mut s, plan);
    // A group leaves with `group_leave_space` in it: `owner` is its admin, `setter` is nobody there.
    run(
        &mut s,
        Change::AddMember {
            target: space(),
            member: Member::Group("g".into()),
            privileges: space_privileges(&[]),
        },
    );
    let g_leaves = || leave(Leaver::Group("g".into()), space());
    assert_eq!(
        refused(&s, client(&s, "setter"), g_leaves()),
        Error::Forbidden
    );
    let plan = decide(&s, &client(&s, "owner"), g_leaves()).unwrap();
    apply(&mut s, plan);
}

#[test]
fn update_decides_404_then_401_403_then_the_body() {
    let s = world();
    let update =
        |target: Target, update: Result<EntityUpdate, Error>| Command::Update { target, update };
    let rename = || Ok(EntityUpdate::Space { name: "T".into() });
    assert_eq!(
        refused(
            &s,
            Client::Nobody,
            update(Target::Space("nope".into()), Err(Error::BadValueName))
        )
        .id(),
        "notFound"
    );
    assert_eq!(
        refused(
            &s,
            Client::Nobody,
            update(space(), Err(Error::BadValueName))
        ),
        Error::Unauthorized
    );
    assert_eq!(
        refused(
            &s,
            client(&s, "plain"),
            update(space(), Err(Error::BadValueName))
        ),
        Error::Forbidden
    );
    let owner = client(&s, "owner");
    assert_eq!(
        refused(&s, owner, update(space(), Err(Error::BadValueName))),
        Error::BadValueName
    );
    let plan = decide(&s, &owner, update(space(), rename())).unwrap();
    assert_eq!(
        plan.changes(),
        [Change::UpdateSpace {
            space: "s".into(),
            name: "T".into()
        }]
    );
    // A group's update for a space is the server's mistake, never applied.
    let wrong = Ok(EntityUpdate::Group {
        name: None,
        group_type: None,
    });
    assert_eq!(
        refused(&s, owner, update(space(), wrong)).id(),
        "internalServerError"
    );
}
