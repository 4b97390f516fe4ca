//! Property tests: random membership graphs (diamonds, cycles, chains up to 300 deep, a group of up
//! to 2,000 users) built from random `Change` sequences; every effective query of `State` must
//! equal the naive reference evaluator, the maintained state must equal a replay into a fresh
//! state, and every change must survive a JSON round trip.

use proptest::prelude::*;
use proptest::test_runner::TestCaseError;

use privzone_model::{Change, Member, State, Target};

use crate::reference::Reference;
use crate::support::*;

/// One random step, by indices into fixed pools of ids so that shrinking stays meaningful.
#[derive(Debug, Clone)]
enum Op {
    CreateUser(usize),
    DeleteUser(usize),
    CreateGroup(usize),
    DeleteGroup(usize),
    CreateSpace(usize),
    DeleteSpace(usize),
    CreateHandle(usize),
    DeleteHandle(usize),
    /// Adds or, when already a member, sets privileges of a user in a target.
    User {
        target: (usize, usize),
        user: usize,
        mask: u128,
    },
    /// Adds or sets privileges of a group in a target (group targets nest groups).
    Group {
        target: (usize, usize),
        group: usize,
        mask: u128,
    },
    RemoveUser {
        target: (usize, usize),
        user: usize,
    },
    RemoveGroup {
        target: (usize, usize),
        group: usize,
    },
    OzUser {
        user: usize,
        mask: u128,
    },
    OzGroup {
        group: usize,
        mask: u128,
    },
    Owner {
        space: usize,
        user: usize,
        add: bool,
    },
}

#[derive(Debug, Clone, Copy)]
struct Sizes {
    users: usize,
    groups: usize,
    spaces: usize,
    services: usize,
    handles: usize,
}

fn uid(i: usize) -> String {
    format!("u{i:04}")
}

/// Zero-padded so that id order is creation order (it only speeds up the reference's sweeps).
fn gid(i: usize) -> String {
    format!("g{i:04}")
}

fn target_of(sizes: &Sizes, (kind, i): (usize, usize)) -> Target {
    // kind 0..=5 favours groups (nesting) over the other targets.
    match kind {
        0..=2 => Target::Group(gid(i % sizes.groups)),
        3 if sizes.spaces > 0 => Target::Space(format!("s{}", i % sizes.spaces)),
        4 if sizes.services > 0 => Target::HandleService(format!("hs{}", i % sizes.services)),
        5 if sizes.handles > 0 => Target::Handle(format!("h{}", i % sizes.handles)),
        _ => Target::Group(gid(i % sizes.groups)),
    }
}

/// The changes that set up every pool entity.
fn setup(sizes: &Sizes) -> Vec<Change> {
    let mut out = Vec::new();
    out.extend((0..sizes.users).map(|i| create_user(&uid(i))));
    out.extend((0..sizes.groups).map(|i| create_group(&gid(i))));
    out.extend((0..sizes.spaces).map(|i| create_space(&format!("s{i}"))));
    out.extend((0..sizes.services).map(|i| create_service(&format!("hs{i}"))));
    if sizes.services > 0 {
        out.extend(
            (0..sizes.handles)
                .map(|i| create_handle(&format!("h{i}"), &format!("hs{}", i % sizes.services))),
        );
    }
    out
}

/// The change an op stands for, given which direct memberships exist (add vs set).
fn change_of(sizes: &Sizes, op: &Op, state: &State) -> Change {
    let is_member =
        |t: &Target, m: &Member| match (state.resolve_target(t), state.resolve_member(m)) {
            (Some(t), Some(m)) => state.is_direct_member(t, m),
            _ => false,
        };
    let upsert = |target: Target, member: Member, mask: u128| {
        let privileges = privileges_from_mask(&target, mask);
        if is_member(&target, &member) {
            Change::SetPrivileges {
                target,
                member,
                privileges,
            }
        } else {
            Change::AddMember {
                target,
                member,
                privileges,
            }
        }
    };
    match op {
        Op::CreateUser(i) => create_user(&uid(i % sizes.users)),
        Op::DeleteUser(i) => Change::DeleteUser {
            user: uid(i % sizes.users),
        },
        Op::CreateGroup(i) => create_group(&gid(i % sizes.groups)),
        Op::DeleteGroup(i) => Change::DeleteGroup {
            group: gid(i % sizes.groups),
        },
        Op::CreateSpace(i) => create_space(&format!("s{}", i % sizes.spaces.max(1))),
        Op::DeleteSpace(i) => Change::DeleteSpace {
            space: format!("s{}", i % sizes.spaces.max(1)),
        },
        Op::CreateHandle(i) => create_handle(&format!("h{}", i % sizes.handles.max(1)), "hs0"),
        Op::DeleteHandle(i) => Change::DeleteHandle {
            handle: format!("h{}", i % sizes.handles.max(1)),
        },
        Op::User { target, user, mask } => upsert(
            target_of(sizes, *target),
            Member::User(uid(user % sizes.users)),
            *mask,
        ),
        Op::Group {
            target,
            group,
            mask,
        } => upsert(
            target_of(sizes, *target),
            Member::Group(gid(group % sizes.groups)),
            *mask,
        ),
        Op::RemoveUser { target, user } => remove(
            target_of(sizes, *target),
            Member::User(uid(user % sizes.users)),
        ),
        Op::RemoveGroup { target, group } => remove(
            target_of(sizes, *target),
            Member::Group(gid(group % sizes.groups)),
        ),
        Op::OzUser { user, mask } => Change::SetOzPrivileges {
            subject: Member::User(uid(user % sizes.users)),
            privileges: oz_from_mask(*mask),
        },
        Op::OzGroup { group, mask } => Change::SetOzPrivileges {
            subject: Member::Group(gid(group % sizes.groups)),
            privileges: oz_from_mask(*mask),
        },
        Op::Owner { space, user, add } => {
            let (space, user) = (
                format!("s{}", space % sizes.spaces.max(1)),
                uid(user % sizes.users),
            );
            if *add {
                Change::AddOwner { space, user }
            } else {
                Change::RemoveOwner { space, user }
            }
        }
    }
}

fn op() -> impl Strategy<Value = Op> {
    let ix = 0usize..64;
    let target = (0usize..6, 0usize..64);
    let mask = any::<u128>();
    prop_oneof![
        1 => ix.clone().prop_map(Op::CreateUser),
        1 => ix.clone().prop_map(Op::DeleteUser),
        1 => ix.clone().prop_map(Op::CreateGroup),
        1 => ix.clone().prop_map(Op::DeleteGroup),
        1 => ix.clone().prop_map(Op::CreateSpace),
        1 => ix.clone().prop_map(Op::DeleteSpace),
        1 => ix.clone().prop_map(Op::CreateHandle),
        1 => ix.clone().prop_map(Op::DeleteHandle),
        12 => (target.clone(), ix.clone(), mask).prop_map(|(target, user, mask)| Op::User { target, user, mask }),
        16 => (target.clone(), ix.clone(), mask).prop_map(|(target, group, mask)| Op::Group { target, group, mask }),
        3 => (target.clone(), ix.clone()).prop_map(|(target, user)| Op::RemoveUser { target, user }),
        4 => (target, ix.clone()).prop_map(|(target, group)| Op::RemoveGroup { target, group }),
        2 => (ix.clone(), mask).prop_map(|(user, mask)| Op::OzUser { user, mask }),
        2 => (ix.clone(), mask).prop_map(|(group, mask)| Op::OzGroup { group, mask }),
        1 => (ix.clone(), ix, any::<bool>()).prop_map(|(space, user, add)| Op::Owner { space, user, add }),
    ]
}

fn sizes() -> impl Strategy<Value = Sizes> {
    (1usize..=20, 1usize..=16, 0usize..=3, 0usize..=2, 0usize..=3).prop_map(
        |(users, groups, spaces, services, handles)| Sizes {
            users,
            groups,
            spaces,
            services,
            handles,
        },
    )
}

/// A random history: pools, then random steps (most of them membership changes).
fn history() -> impl Strategy<Value = (Sizes, Vec<Op>)> {
    (sizes(), prop::collection::vec(op(), 0..120))
}

/// Applies `change` to the state and the reference; both must accept or both reject it.
fn step(
    state: &mut State,
    reference: &mut Reference,
    change: &Change,
) -> Result<bool, TestCaseError> {
    let accepted = state.apply(change).is_ok();
    let reference_accepted = reference.apply(change);
    prop_assert_eq!(accepted, reference_accepted, "acceptance of {:?}", change);
    Ok(accepted)
}

fn same_as_reference(state: &State, reference: &Reference) -> Result<(), TestCaseError> {
    check_invariants(state);
    let (got, want) = (observe(state), reference.observe());
    prop_assert!(
        got == want,
        "state and reference differ:\n{}",
        got.diff(&want)
    );
    Ok(())
}

/// Runs a history against the reference, comparing every few steps; returns the accepted changes.
fn run_history(
    sizes: &Sizes,
    ops: &[Op],
    compare_every: usize,
) -> Result<(State, Vec<Change>), TestCaseError> {
    let mut state = State::new();
    let mut reference = Reference::new();
    let mut accepted = Vec::new();
    for c in setup(sizes) {
        prop_assert!(step(&mut state, &mut reference, &c)?);
        accepted.push(c);
    }
    for (i, op) in ops.iter().enumerate() {
        let c = change_of(sizes, op, &state);
        if step(&mut state, &mut reference, &c)? {
            accepted.push(c);
        }
        if compare_every > 0 && i % compare_every == compare_every - 1 {
            same_as_reference(&state, &reference)?;
        }
    }
    same_as_reference(&state, &reference)?;
    Ok((state, accepted))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 256, max_shrink_iters: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// Random graphs with diamonds and cycles, deletes and re-creations: every effective query.
    #[test]
    fn effective_queries_match_the_reference_on_random_histories((sizes, ops) in history()) {
        run_history(&sizes, &ops, 15)?;
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, max_shrink_iters: 2_000, failure_persistence: None, ..ProptestConfig::default() })]

    /// The maintained state equals a from-scratch replay of the accepted changes, its `ancestors`
    /// closures equal a BFS recomputation, and rejected changes leave no trace.
    #[test]
    fn maintained_state_equals_a_rebuild((sizes, ops) in history()) {
        let mut state = State::new();
        let mut accepted = Vec::new();
        for c in setup(&sizes) {
            state.apply(&c).unwrap();
            accepted.push(c);
        }
        for op in &ops {
            let c = change_of(&sizes, op, &state);
            let before = stored(&state);
            match state.apply(&c) {
                Ok(()) => accepted.push(c),
                Err(_) => prop_assert!(stored(&state) == before, "rejected {:?} changed the state", c),
            }
        }
        check_invariants(&state);
        let rebuilt = build(&accepted);
        check_invariants(&rebuilt);
        prop_assert!(stored(&state) == stored(&rebuilt), "stored graph differs from its rebuild");
        prop_assert!(observe(&state) == observe(&rebuilt), "answers differ from the rebuild's");
    }

    /// Every change survives JSON: serialize, deserialize, equal value, same state when applied.
    #[test]
    fn changes_survive_a_json_round_trip((sizes, ops) in history()) {
        let mut state = State::new();
        let mut replayed = State::new();
        let mut round_trip = |state: &mut State, c: &Change| -> Result<(), TestCaseError> {
            let json = serde_json::to_string(c).unwrap();
            let back: Change = serde_json::from_str(&json).unwrap();
            prop_assert_eq!(&back, c);
            prop_assert_eq!(state.apply(c).is_ok(), replayed.apply(&back).is_ok(), "{}", json);
            Ok(())
        };
        for c in setup(&sizes) {
            round_trip(&mut state, &c)?;
        }
        for op in &ops {
            let c = change_of(&sizes, op, &state);
            round_trip(&mut state, &c)?;
        }
        prop_assert!(stored(&state) == stored(&replayed));
        prop_assert!(observe(&state) == observe(&replayed));
    }
}

// ---------------------------------------------------------------------------------------------
// Long chains: depth up to 300, optional cycle-closing edge, shortcuts, a middle delete

#[derive(Debug, Clone)]
struct Chain {
    depth: usize,
    /// Order in which the nesting edges g_i ⊂ g_{i+1} are added (a permutation of 0..depth-1).
    order: Vec<usize>,
    /// (chain position, user) memberships; users u0..u4.
    users: Vec<(usize, usize)>,
    /// Chain positions that are direct members of the space, with a privilege mask.
    in_space: Vec<(usize, u128)>,
    /// Extra edges lower ⊂ upper (diamonds/shortcuts) as (from, to) positions.
    shortcuts: Vec<(usize, usize)>,
    /// Close the chain into a cycle: top ⊂ bottom.
    cycle: bool,
    oz: Vec<(usize, u128)>,
    /// Delete this chain position at the end.
    delete: Option<usize>,
}

fn chain() -> impl Strategy<Value = Chain> {
    // The deepest chain Onezone's tests use (300) is always among the cases.
    prop_oneof![1 => Just(300usize), 3 => 1usize..=300].prop_flat_map(|depth| {
        let pos = 0..depth;
        (
            Just((0..depth.saturating_sub(1)).collect::<Vec<_>>()).prop_shuffle(),
            prop::collection::vec((pos.clone(), 0usize..5), 1..8),
            prop::collection::vec((pos.clone(), any::<u128>()), 1..4),
            prop::collection::vec((pos.clone(), pos.clone()), 0..4),
            any::<bool>(),
            prop::collection::vec((pos.clone(), any::<u128>()), 0..3),
            prop::option::of(pos),
        )
            .prop_map(
                move |(order, users, in_space, shortcuts, cycle, oz, delete)| Chain {
                    depth,
                    order,
                    users,
                    in_space,
                    shortcuts,
                    cycle,
                    oz,
                    delete,
                },
            )
    })
}

fn chain_changes(c: &Chain) -> Vec<Change> {
    let mut out = vec![create_space("s0")];
    out.extend((0..5).map(|i| create_user(&uid(i))));
    out.extend((0..c.depth).map(|i| create_group(&gid(i))));
    for &i in &c.order {
        out.push(add(
            in_group(&gid(i + 1)),
            group(&gid(i)),
            gp(&["group_view"]),
        ));
    }
    for &(from, to) in &c.shortcuts {
        out.push(add(
            in_group(&gid(to)),
            group(&gid(from)),
            gp(&["group_add_child"]),
        ));
    }
    if c.cycle && c.depth > 1 {
        out.push(add(
            in_group(&gid(0)),
            group(&gid(c.depth - 1)),
            gp(&["group_update"]),
        ));
    }
    for &(p, u) in &c.users {
        out.push(add(in_group(&gid(p)), user(&uid(u)), gp(&["group_view"])));
    }
    for &(p, mask) in &c.in_space {
        out.push(add(
            in_space("s0"),
            group(&gid(p)),
            privileges_from_mask(&in_space("s0"), mask),
        ));
    }
    for &(p, mask) in &c.oz {
        out.push(Change::SetOzPrivileges {
            subject: group(&gid(p)),
            privileges: oz_from_mask(mask),
        });
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 12, max_shrink_iters: 200, failure_persistence: None, ..ProptestConfig::default() })]

    /// Chains up to 300 deep (with shortcuts, a possible cycle and a delete in the middle).
    #[test]
    fn long_chains_match_the_reference(c in chain()) {
        let mut state = State::new();
        let mut reference = Reference::new();
        for change in chain_changes(&c) {
            // Duplicate shortcuts or memberships are rejected by both, which is fine.
            step(&mut state, &mut reference, &change)?;
        }
        same_as_reference(&state, &reference)?;
        if let Some(p) = c.delete {
            step(&mut state, &mut reference, &Change::DeleteGroup { group: gid(p) })?;
            same_as_reference(&state, &reference)?;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Wide fan-out: one group with up to 2,000 users, nested along two paths (a diamond)

#[derive(Debug, Clone)]
struct Wide {
    users: usize,
    /// Users also direct in the space (indices modulo `users`), with a mask.
    direct: Vec<(usize, u128)>,
    /// Users removed from the wide group at the end.
    removed: Vec<usize>,
    masks: [u128; 4],
    nest_under_both: bool,
}

fn wide() -> impl Strategy<Value = Wide> {
    (
        prop_oneof![1 => Just(2_000usize), 3 => 1usize..=2_000],
        prop::collection::vec((any::<usize>(), any::<u128>()), 0..10),
        prop::collection::vec(any::<usize>(), 0..10),
        any::<[u128; 4]>(),
        any::<bool>(),
    )
        .prop_map(|(users, direct, removed, masks, nest_under_both)| Wide {
            users,
            direct,
            removed,
            masks,
            nest_under_both,
        })
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 8, max_shrink_iters: 100, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn a_wide_group_matches_the_reference(w in wide()) {
        // W ⊂ P1 ⊂ T, W ⊂ P2 ⊂ T; space s0 holds T and W directly; handle service hs0 holds P2.
        let mut changes = vec![create_space("s0"), create_service("hs0")];
        changes.extend(["W", "P1", "P2", "T"].map(create_group));
        changes.extend((0..w.users).map(|i| create_user(&uid(i))));
        changes.extend((0..w.users).map(|i| add(in_group("W"), user(&uid(i)), gp(&["group_view"]))));
        changes.push(add(in_group("P1"), group("W"), privileges_from_mask(&in_group("P1"), w.masks[0])));
        if w.nest_under_both {
            changes.push(add(in_group("P2"), group("W"), privileges_from_mask(&in_group("P2"), w.masks[1])));
        }
        changes.push(add(in_group("T"), group("P1"), gp(&["group_view"])));
        changes.push(add(in_group("T"), group("P2"), gp(&["group_update"])));
        changes.push(add(in_space("s0"), group("T"), privileges_from_mask(&in_space("s0"), w.masks[2])));
        changes.push(add(in_space("s0"), group("W"), privileges_from_mask(&in_space("s0"), w.masks[3])));
        changes.push(add(in_service("hs0"), group("P2"), hsp(&["handle_service_view"])));
        for &(i, mask) in &w.direct {
            changes.push(add(in_space("s0"), user(&uid(i % w.users)), privileges_from_mask(&in_space("s0"), mask)));
        }
        for &i in &w.removed {
            changes.push(remove(in_group("W"), user(&uid(i % w.users))));
        }
        let mut state = State::new();
        let mut reference = Reference::new();
        for c in &changes {
            step(&mut state, &mut reference, c)?;
        }
        same_as_reference(&state, &reference)?;
    }
}
