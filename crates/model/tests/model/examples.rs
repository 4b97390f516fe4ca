//! Named scenarios: Onezone's worked examples of §5 and the cases issue #2 lists. Every state here
//! is built only by applying `Change` values to `State::new()`, and every scenario is also checked
//! against the naive reference evaluator.

use std::sync::mpsc;
use std::time::Duration;

use privzone_model::authorize::{authorize, Client, Kind, Operation};
use privzone_model::catalog::{GroupPrivileges, OzPrivileges};
use privzone_model::state::{GroupIx, SpaceIx, TargetIx, UserIx};
use privzone_model::{Change, State};

use crate::reference::Reference;
use crate::support::*;

fn u(state: &State, id: &str) -> UserIx {
    state.users.find(id).unwrap_or_else(|| panic!("user {id}"))
}

fn g(state: &State, id: &str) -> GroupIx {
    state
        .groups
        .find(id)
        .unwrap_or_else(|| panic!("group {id}"))
}

fn s(state: &State, id: &str) -> SpaceIx {
    state
        .spaces
        .find(id)
        .unwrap_or_else(|| panic!("space {id}"))
}

fn ids(state: &State, groups: &[GroupIx]) -> Vec<String> {
    let mut v: Vec<String> = groups
        .iter()
        .map(|x| state.groups.id_of(*x).to_owned())
        .collect();
    v.sort();
    v
}

fn user_ids(state: &State, users: &[UserIx]) -> Vec<String> {
    let mut v: Vec<String> = users
        .iter()
        .map(|x| state.users.id_of(*x).to_owned())
        .collect();
    v.sort();
    v
}

/// The state and the reference agree on every query.
fn agrees_with_reference(changes: &[Change]) {
    let state = build(changes);
    let mut reference = Reference::new();
    for c in changes {
        assert!(reference.apply(c), "reference accepts {c:?}");
    }
    check_invariants(&state);
    let (got, want) = (observe(&state), reference.observe());
    assert!(
        got == want,
        "state and reference differ:\n{}",
        got.diff(&want)
    );
}

/// Runs `f` on another thread and fails if it does not finish in time (a hang is a failure, not a
/// stuck test run).
fn within<T: Send + 'static>(f: impl FnOnce() -> T + Send + 'static) -> T {
    let (tx, rx) = mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(f());
    });
    match rx.recv_timeout(Duration::from_secs(20)) {
        Ok(v) => v,
        Err(mpsc::RecvTimeoutError::Timeout) => panic!("did not finish within 20 s: a hang"),
        Err(mpsc::RecvTimeoutError::Disconnected) => panic!("failed (see the panic above)"),
    }
}

fn all_group_but(name: &str) -> GroupPrivileges {
    GroupPrivileges::all().difference(GroupPrivileges::parse([name]).unwrap())
}

/// oz-worker `group_users_api_test_SUITE:list_eff_user_privileges_test`: U1 is a direct member of
/// G1, a member of G3 ⊂ G2 ⊂ G1 with every privilege in G3, and of G4 ⊂ G1 with all but one
/// privilege in G4. U1's effective privileges in G1 are its direct privileges ∪ P_G2(G1) ∪
/// P_G4(G1); what U1 holds in G3 and G4 does not count.
#[test]
fn list_eff_user_privileges_test() {
    let p_g2 = ["group_view", "group_add_user", "group_view_privileges"];
    let p_g4 = ["group_view", "group_update"];
    let changes = vec![
        create_user("U1"),
        create_group("G1"),
        create_group("G2"),
        create_group("G3"),
        create_group("G4"),
        add(in_group("G1"), user("U1"), gp(&["group_view"])),
        add(in_group("G1"), group("G2"), gp(&p_g2)),
        add(in_group("G2"), group("G3"), gp(&["group_view"])),
        add(
            in_group("G3"),
            user("U1"),
            privzone_model::Privileges::Group(GroupPrivileges::all()),
        ),
        add(in_group("G1"), group("G4"), gp(&p_g4)),
        add(
            in_group("G4"),
            user("U1"),
            privzone_model::Privileges::Group(all_group_but("group_delete")),
        ),
    ];
    let state = build(&changes);
    let (g1, u1) = (state.groups.get(g(&state, "G1")).unwrap(), u(&state, "U1"));

    let eff = state
        .effective_user_privileges(g1, u1)
        .expect("U1 is an effective member of G1");
    assert_eq!(
        eff.to_names(),
        vec![
            "group_add_user",
            "group_update",
            "group_view",
            "group_view_privileges"
        ]
    );
    assert!(!eff.contains_name("group_delete") && !eff.contains_name("group_set_privileges"));

    let via = state.user_intermediaries(g1, u1);
    assert!(via.direct);
    assert_eq!(ids(&state, &via.groups), ["G2", "G4"]);
    assert_eq!(ids(&state, &state.effective_groups(g1)), ["G2", "G3", "G4"]);
    assert_eq!(user_ids(&state, &state.effective_users(g1)), ["U1"]);
    // G3 reaches G1 only through G2, so it holds exactly P_G2(G1) there.
    assert_eq!(
        state
            .effective_group_privileges(g1, g(&state, "G3"))
            .unwrap()
            .to_names(),
        {
            let mut v = p_g2.to_vec();
            v.sort();
            v
        }
    );
    // In G2, U1 holds P_G3(G2), not what it holds in G3.
    let g2 = state.groups.get(g(&state, "G2")).unwrap();
    assert_eq!(
        state.effective_user_privileges(g2, u1).unwrap().to_names(),
        ["group_view"]
    );
    agrees_with_reference(&changes);
}

/// oz-worker `hservice_users_api_test_SUITE:get_eff_user_privileges_test`: U3 is in G3 ⊂ G1 and in
/// G2; G1 and G2 are direct members of the handle service; U3 is not ⇒ eff = P_G1 ∪ P_G2.
#[test]
fn get_eff_user_privileges_test() {
    let changes = vec![
        create_user("U3"),
        create_group("G1"),
        create_group("G2"),
        create_group("G3"),
        create_service("HS"),
        add(
            in_service("HS"),
            group("G1"),
            hsp(&["handle_service_view", "handle_service_register_handle"]),
        ),
        add(
            in_service("HS"),
            group("G2"),
            hsp(&["handle_service_view", "handle_service_list_handles"]),
        ),
        add(in_group("G1"), group("G3"), gp(&["group_view"])),
        add(
            in_group("G3"),
            user("U3"),
            privzone_model::Privileges::Group(GroupPrivileges::all()),
        ),
        add(in_group("G2"), user("U3"), gp(&["group_view"])),
    ];
    let state = build(&changes);
    let hs = state
        .services
        .get(state.services.find("HS").unwrap())
        .unwrap();
    let u3 = u(&state, "U3");
    assert_eq!(
        state.effective_user_privileges(hs, u3).unwrap().to_names(),
        [
            "handle_service_list_handles",
            "handle_service_register_handle",
            "handle_service_view"
        ]
    );
    let via = state.user_intermediaries(hs, u3);
    assert!(!via.direct);
    assert_eq!(ids(&state, &via.groups), ["G1", "G2"]);
    assert_eq!(
        state
            .effective_group_privileges(hs, g(&state, "G3"))
            .unwrap()
            .to_names(),
        ["handle_service_register_handle", "handle_service_view"]
    );
    agrees_with_reference(&changes);
}

#[test]
fn effective_oz_privileges_are_the_union_through_three_nested_groups() {
    let changes = vec![
        create_user("U"),
        create_user("V"),
        create_group("G1"),
        create_group("G2"),
        create_group("G3"),
        add(in_group("G2"), group("G1"), gp(&[])),
        add(in_group("G3"), group("G2"), gp(&[])),
        add(in_group("G1"), user("U"), gp(&["group_view"])),
        add(in_group("G3"), user("V"), gp(&["group_view"])),
        set_oz(user("U"), &["oz_tokens_manage"]),
        set_oz(group("G1"), &["oz_users_list"]),
        set_oz(group("G2"), &["oz_groups_list"]),
        set_oz(group("G3"), &["oz_spaces_list"]),
    ];
    let mut state = build(&changes);
    let (uu, vv) = (u(&state, "U"), u(&state, "V"));
    assert_eq!(
        state.effective_user_oz(uu).to_names(),
        [
            "oz_groups_list",
            "oz_spaces_list",
            "oz_tokens_manage",
            "oz_users_list"
        ]
    );
    assert_eq!(state.effective_user_oz(vv).to_names(), ["oz_spaces_list"]);
    assert_eq!(
        state.effective_group_oz(g(&state, "G1")).to_names(),
        ["oz_groups_list", "oz_spaces_list", "oz_users_list"]
    );
    assert_eq!(
        state.effective_group_oz(g(&state, "G2")).to_names(),
        ["oz_groups_list", "oz_spaces_list"]
    );
    assert_eq!(
        state.effective_group_oz(g(&state, "G3")).to_names(),
        ["oz_spaces_list"]
    );
    // The admin path of authorization uses the effective oz privileges.
    assert!(authorize(&state, Client::User(uu), Operation::ListAll(Kind::Space)).is_ok());
    assert!(authorize(&state, Client::User(vv), Operation::ListAll(Kind::Group)).is_err());
    agrees_with_reference(&changes);

    // Unnesting G2 from G3 takes G3's privileges away from everyone below.
    state.apply(&remove(in_group("G3"), group("G2"))).unwrap();
    assert_eq!(
        state.effective_user_oz(uu).to_names(),
        ["oz_groups_list", "oz_tokens_manage", "oz_users_list"]
    );
    assert!(authorize(&state, Client::User(uu), Operation::ListAll(Kind::Space)).is_err());
}

#[test]
fn the_admins_group_gives_every_oz_privilege_to_members_of_its_children() {
    let changes = vec![
        create_user("admin"),
        create_group("admins"),
        create_group("ops"),
        set_oz(group("admins"), &[]),
        Change::SetOzPrivileges {
            subject: group("admins"),
            privileges: OzPrivileges::all(),
        },
        add(in_group("admins"), group("ops"), gp(&["group_view"])),
        add(in_group("ops"), user("admin"), gp(&["group_view"])),
    ];
    let state = build(&changes);
    assert_eq!(
        state.effective_user_oz(u(&state, "admin")),
        OzPrivileges::all()
    );
    assert_eq!(state.effective_user_oz(u(&state, "admin")).len(), 91);
    agrees_with_reference(&changes);
}

#[test]
fn intermediaries_are_the_first_hops() {
    // Space S: U direct; GA and GB direct groups; U in GC ⊂ GA and in GB; GD ⊂ GC.
    let changes = vec![
        create_user("U"),
        create_space("S"),
        create_group("GA"),
        create_group("GB"),
        create_group("GC"),
        create_group("GD"),
        add(in_space("S"), user("U"), sp(&["space_view"])),
        add(in_space("S"), group("GA"), sp(&["space_read_data"])),
        add(in_space("S"), group("GB"), sp(&["space_write_data"])),
        add(in_group("GA"), group("GC"), gp(&[])),
        add(in_group("GC"), group("GD"), gp(&[])),
        add(in_group("GC"), user("U"), gp(&[])),
        add(in_group("GB"), user("U"), gp(&[])),
    ];
    let state = build(&changes);
    let space = state.spaces.get(s(&state, "S")).unwrap();
    let via = state.user_intermediaries(space, u(&state, "U"));
    assert!(via.direct);
    assert_eq!(ids(&state, &via.groups), ["GA", "GB"]);
    assert_eq!(
        state
            .effective_user_privileges(space, u(&state, "U"))
            .unwrap()
            .to_names(),
        ["space_read_data", "space_view", "space_write_data"]
    );
    let via_gd = state.group_intermediaries(space, g(&state, "GD"));
    assert!(!via_gd.direct);
    assert_eq!(ids(&state, &via_gd.groups), ["GA"]);
    let via_ga = state.group_intermediaries(space, g(&state, "GA"));
    assert!(via_ga.direct && via_ga.groups.is_empty());
    agrees_with_reference(&changes);
}

#[test]
fn membership_with_no_privileges_is_still_membership() {
    let changes = vec![
        create_user("U"),
        create_group("G"),
        create_group("C"),
        create_space("S"),
        add(in_space("S"), group("G"), sp(&[])),
        add(in_group("G"), group("C"), gp(&[])),
        add(in_group("C"), user("U"), gp(&[])),
    ];
    let state = build(&changes);
    let space = state.spaces.get(s(&state, "S")).unwrap();
    assert_eq!(
        state
            .effective_user_privileges(space, u(&state, "U"))
            .map(|p| p.len()),
        Some(0)
    );
    assert!(state.is_effective_user(space, u(&state, "U")));
    let tid = TargetIx::Space(s(&state, "S"));
    assert!(authorize(&state, Client::User(u(&state, "U")), Operation::View(tid)).is_ok());
    assert!(authorize(&state, Client::User(u(&state, "U")), Operation::Update(tid)).is_err());
    agrees_with_reference(&changes);
}

/// A ⊂ B ⊂ A: nothing hangs, and the fixpoint semantics of effective.rs hold: every group on a
/// cycle is an effective member (and effective parent) of every group on it, itself included.
#[test]
fn a_two_group_cycle_does_not_hang_and_has_fixpoint_semantics() {
    let changes = vec![
        create_user("U"),
        create_group("A"),
        create_group("B"),
        create_space("S"),
        add(in_group("A"), user("U"), gp(&["group_view"])),
        add(
            in_group("B"),
            group("A"),
            gp(&["group_view", "group_add_user"]),
        ),
        add(
            in_group("A"),
            group("B"),
            gp(&["group_view", "group_update"]),
        ),
        add(in_space("S"), group("A"), sp(&["space_view"])),
    ];
    let c = changes.clone();
    within(move || {
        let state = build(&c);
        let (a, b) = (g(&state, "A"), g(&state, "B"));
        let (ga, gb) = (state.groups.get(a).unwrap(), state.groups.get(b).unwrap());
        let uu = u(&state, "U");
        // U is direct in A and comes back to A through B, with P_B(A).
        assert_eq!(
            state.effective_user_privileges(ga, uu).unwrap().to_names(),
            ["group_update", "group_view"]
        );
        assert_eq!(
            state.effective_user_privileges(gb, uu).unwrap().to_names(),
            ["group_add_user", "group_view"]
        );
        assert_eq!(ids(&state, &state.user_ancestry(uu)), ["A", "B"]);
        assert_eq!(ids(&state, &state.effective_parents(a)), ["A", "B"]);
        assert_eq!(ids(&state, &state.effective_groups(ga)), ["A", "B"]);
        // A is its own effective member, through B.
        assert_eq!(
            state.effective_group_privileges(ga, a).unwrap().to_names(),
            ["group_update", "group_view"]
        );
        let via = state.group_intermediaries(ga, a);
        assert!(!via.direct);
        assert_eq!(ids(&state, &via.groups), ["B"]);
        let space = state.spaces.get(s(&state, "S")).unwrap();
        assert_eq!(ids(&state, &state.effective_groups(space)), ["A", "B"]);
        assert_eq!(user_ids(&state, &state.effective_users(space)), ["U"]);
        assert_eq!(
            state
                .effective_group_privileges(space, b)
                .unwrap()
                .to_names(),
            ["space_view"]
        );
        check_invariants(&state);
    });
    within(move || agrees_with_reference(&changes));
}

#[test]
fn a_longer_cycle_with_a_tail_and_its_breaking_do_not_hang() {
    // X ⊂ A ⊂ B ⊂ C ⊂ A, U in X, space S holds C; oz on B.
    let mut changes = vec![
        create_user("U"),
        create_space("S"),
        create_group("X"),
        create_group("A"),
        create_group("B"),
        create_group("C"),
        add(in_group("A"), group("X"), gp(&["group_view"])),
        add(in_group("B"), group("A"), gp(&["group_view"])),
        add(in_group("C"), group("B"), gp(&["group_view"])),
        add(in_group("A"), group("C"), gp(&["group_delete"])),
        add(in_group("X"), user("U"), gp(&[])),
        add(in_space("S"), group("C"), sp(&["space_view"])),
        set_oz(group("B"), &["oz_groups_view"]),
    ];
    let c = changes.clone();
    within(move || {
        let state = build(&c);
        let uu = u(&state, "U");
        assert_eq!(ids(&state, &state.user_ancestry(uu)), ["A", "B", "C", "X"]);
        assert_eq!(state.effective_user_oz(uu).to_names(), ["oz_groups_view"]);
        assert_eq!(
            state.effective_group_oz(g(&state, "C")).to_names(),
            ["oz_groups_view"]
        );
        assert_eq!(
            ids(&state, &state.effective_parents(g(&state, "X"))),
            ["A", "B", "C"]
        );
        assert_eq!(
            ids(&state, &state.effective_parents(g(&state, "B"))),
            ["A", "B", "C"]
        );
        let ga = state.groups.get(g(&state, "A")).unwrap();
        assert_eq!(
            state.effective_user_privileges(ga, uu).unwrap().to_names(),
            ["group_delete", "group_view"]
        );
    });
    within({
        let c = changes.clone();
        move || agrees_with_reference(&c)
    });
    // Breaking the cycle: C leaves A.
    changes.push(remove(in_group("A"), group("C")));
    let c = changes.clone();
    within(move || {
        let state = build(&c);
        assert_eq!(ids(&state, &state.effective_parents(g(&state, "B"))), ["C"]);
        assert_eq!(
            ids(&state, &state.effective_parents(g(&state, "X"))),
            ["A", "B", "C"]
        );
        let ga = state.groups.get(g(&state, "A")).unwrap();
        assert_eq!(
            state
                .effective_user_privileges(ga, u(&state, "U"))
                .unwrap()
                .to_names(),
            ["group_view"]
        );
        check_invariants(&state);
    });
    within(move || agrees_with_reference(&changes));
}

#[test]
fn deleting_a_group_in_the_middle_of_a_chain_updates_the_ancestry_below() {
    // G1 ⊂ G2 ⊂ G3 ⊂ S; U in G1, V in G2; G2 has oz privileges.
    let mut changes = vec![
        create_user("U"),
        create_user("V"),
        create_space("S"),
        create_group("G1"),
        create_group("G2"),
        create_group("G3"),
        add(in_group("G2"), group("G1"), gp(&["group_view"])),
        add(in_group("G3"), group("G2"), gp(&["group_view"])),
        add(in_space("S"), group("G3"), sp(&["space_view"])),
        add(in_group("G1"), user("U"), gp(&["group_view"])),
        add(in_group("G2"), user("V"), gp(&["group_view"])),
        set_oz(group("G2"), &["oz_users_list"]),
    ];
    let before = build(&changes);
    assert_eq!(
        ids(&before, &before.user_ancestry(u(&before, "U"))),
        ["G1", "G2", "G3"]
    );
    assert!(before.is_effective_user(before.spaces.get(s(&before, "S")).unwrap(), u(&before, "U")));

    changes.push(Change::DeleteGroup { group: "G2".into() });
    let mut state = build(&changes);
    let (uu, g1, g3) = (u(&state, "U"), g(&state, "G1"), g(&state, "G3"));
    assert!(state.groups.find("G2").is_none());
    assert_eq!(state.groups.get(g1).unwrap().ancestors, vec![g1]);
    assert!(state.groups.get(g1).unwrap().parents.is_empty());
    assert!(state.groups.get(g3).unwrap().children.is_empty());
    assert_eq!(ids(&state, &state.user_ancestry(uu)), ["G1"]);
    assert!(state.effective_parents(g1).is_empty());
    assert!(state.effective_user_oz(uu).is_empty());
    let space = state.spaces.get(s(&state, "S")).unwrap();
    assert!(state.effective_users(space).is_empty());
    assert_eq!(ids(&state, &state.effective_groups(space)), ["G3"]);
    assert!(state.users.get(u(&state, "V")).unwrap().groups.is_empty());
    check_invariants(&state);
    agrees_with_reference(&changes);

    // Nesting G1 directly under G3 brings U back into S.
    let renest = add(in_group("G3"), group("G1"), gp(&[]));
    state.apply(&renest).unwrap();
    changes.push(renest);
    let space = state.spaces.get(s(&state, "S")).unwrap();
    assert_eq!(
        state
            .effective_user_privileges(space, uu)
            .unwrap()
            .to_names(),
        ["space_view"]
    );
    agrees_with_reference(&changes);

    // A group with the deleted id can be created again, and starts empty.
    let again = create_group("G2");
    state.apply(&again).unwrap();
    changes.push(again);
    assert!(state
        .groups
        .get(g(&state, "G2"))
        .unwrap()
        .children
        .is_empty());
    agrees_with_reference(&changes);
}

#[test]
fn deleting_a_user_removes_every_membership_and_ownership() {
    let changes = vec![
        create_user("U"),
        create_group("G"),
        create_space("S"),
        create_service("HS"),
        create_handle("H", "HS"),
        add(in_group("G"), user("U"), gp(&["group_view"])),
        add(in_space("S"), user("U"), sp(&["space_view"])),
        add(in_service("HS"), user("U"), hsp(&["handle_service_view"])),
        add(in_handle("H"), user("U"), hp(&["handle_view"])),
        Change::AddOwner {
            space: "S".into(),
            user: "U".into(),
        },
        Change::DeleteUser { user: "U".into() },
    ];
    let state = build(&changes);
    assert!(state.users.find("U").is_none());
    assert!(state.groups.get(g(&state, "G")).unwrap().users.is_empty());
    let space = state.spaces.get(s(&state, "S")).unwrap();
    assert!(space.users.is_empty() && space.owners.is_empty());
    check_invariants(&state);
    agrees_with_reference(&changes);
}

#[test]
fn unnesting_one_side_of_a_diamond_keeps_the_other_path() {
    // G0 ⊂ G1 ⊂ G3 and G0 ⊂ G2 ⊂ G3; U in G0.
    let mut changes = vec![
        create_user("U"),
        create_group("G0"),
        create_group("G1"),
        create_group("G2"),
        create_group("G3"),
        add(in_group("G1"), group("G0"), gp(&[])),
        add(in_group("G2"), group("G0"), gp(&[])),
        add(
            in_group("G3"),
            group("G1"),
            gp(&["group_view", "group_update"]),
        ),
        add(
            in_group("G3"),
            group("G2"),
            gp(&["group_view", "group_delete"]),
        ),
        add(in_group("G0"), user("U"), gp(&[])),
    ];
    let state = build(&changes);
    let g3 = state.groups.get(g(&state, "G3")).unwrap();
    assert_eq!(
        state
            .effective_user_privileges(g3, u(&state, "U"))
            .unwrap()
            .to_names(),
        ["group_delete", "group_update", "group_view"]
    );
    agrees_with_reference(&changes);
    changes.push(remove(in_group("G1"), group("G0")));
    let state = build(&changes);
    let g3 = state.groups.get(g(&state, "G3")).unwrap();
    assert_eq!(
        state
            .effective_user_privileges(g3, u(&state, "U"))
            .unwrap()
            .to_names(),
        ["group_delete", "group_view"]
    );
    assert_eq!(
        ids(
            &state,
            &state.user_intermediaries(g3, u(&state, "U")).groups
        ),
        ["G2"]
    );
    agrees_with_reference(&changes);
}

#[test]
fn space_owners_hold_every_space_privilege_without_being_members() {
    let mut state = build(&[
        create_user("O"),
        create_user("M"),
        create_space("S"),
        add(in_space("S"), user("M"), sp(&["space_view"])),
        Change::AddOwner {
            space: "S".into(),
            user: "O".into(),
        },
    ]);
    let (o, m, sx) = (u(&state, "O"), u(&state, "M"), s(&state, "S"));
    let t = TargetIx::Space(sx);
    let space = state.spaces.get(sx).unwrap();
    assert_eq!(space.owners, vec![o]);
    // Ownership is not a privilege list: GET endpoints show none for the owner.
    assert_eq!(state.effective_user_privileges(space, o), None);
    for op in [
        Operation::View(t),
        Operation::Update(t),
        Operation::Delete(t),
        Operation::ManageOwners(sx),
    ] {
        assert!(
            authorize(&state, Client::User(o), op).is_ok(),
            "owner may {op:?}"
        );
    }
    assert!(authorize(&state, Client::User(m), Operation::View(t)).is_ok());
    assert!(authorize(&state, Client::User(m), Operation::Delete(t)).is_err());
    // An owner cannot be added twice, and only an owner can be removed.
    let twice = Change::AddOwner {
        space: "S".into(),
        user: "O".into(),
    };
    assert!(state.apply(&twice).is_err());
    assert!(state
        .apply(&Change::RemoveOwner {
            space: "S".into(),
            user: "M".into()
        })
        .is_err());
    state
        .apply(&Change::RemoveOwner {
            space: "S".into(),
            user: "O".into(),
        })
        .unwrap();
    assert!(authorize(&state, Client::User(o), Operation::Delete(t)).is_err());
    assert!(authorize(&state, Client::User(o), Operation::View(t)).is_err());
}

#[test]
fn rejected_changes_leave_the_state_unchanged() {
    let changes = vec![
        create_user("U"),
        create_group("G"),
        create_space("S"),
        add(in_group("G"), user("U"), gp(&["group_view"])),
    ];
    let mut state = build(&changes);
    let before = (stored(&state), observe(&state));
    let bad = [
        add(in_group("G"), user("U"), gp(&[])),  // already a member
        add(in_group("G"), group("G"), gp(&[])), // own member
        add(in_space("S"), user("U"), gp(&["group_view"])), // wrong privilege kind
        add(in_space("nope"), user("U"), sp(&[])), // missing target
        add(in_space("S"), user("nope"), sp(&[])), // missing member
        set(in_space("S"), user("U"), sp(&[])),  // not a member
        remove(in_space("S"), user("U")),        // not a member
        create_group("G"),                       // exists
        Change::DeleteGroup {
            group: "nope".into(),
        },
        Change::DeleteUser {
            user: "nope".into(),
        },
        set_oz(group("nope"), &[]),
    ];
    let mut reference = Reference::new();
    for c in &changes {
        assert!(reference.apply(c));
    }
    for c in &bad {
        assert!(state.apply(c).is_err(), "{c:?} is rejected");
        assert!(!reference.apply(c), "the reference rejects {c:?} too");
        assert_eq!(
            (stored(&state), observe(&state)),
            before,
            "{c:?} left no trace"
        );
    }
}
