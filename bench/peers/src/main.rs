//! privzone's model, Cedar and Casbin side by side on the same generated deployment.
//!
//! `peers --engine privzone|cedar|casbin --edges N [--samples N] [--budget SECONDS]
//!        [--answers FILE] [--expect FILE]`
//!
//! One engine per process, so that its resident memory is its own: the deployment (an
//! engine-neutral list of edges, see `deployment.rs`) and the samples are generated first, then
//! the resident set is read, the engine loads the deployment (timed), the resident set is read
//! again, and every sample is checked one by one (timed with `Instant`; at most `--samples`
//! checks, and no more after `--budget` seconds). `--answers` writes one byte per checked sample
//! (b'1' allowed, b'0' denied); `--expect` reads privzone's file and fails on the first
//! difference, naming the sample. bench/peers/run drives the three engines and prints the table.
//!
//! What each engine computes is Onezone's rule (reference §5, crates/model/src/effective.rs): a
//! user holds privilege p in entity T when a direct membership edge into T carries p and its
//! member is the user or a group the user belongs to at any depth (union over all paths;
//! privileges inside intermediate groups do not count).
//!
//! - privzone: `Change`s applied to `State`, then `State::effective_user_privileges`.
//! - Cedar: `User` entities whose parents are their direct groups, `Group` entities whose
//!   parents are their parent groups (Cedar's `in` is transitive); every target (`Group`,
//!   `Space`, `HandleService`) has one attribute per privilege, the set of its direct members
//!   holding it; one policy per privilege:
//!   `permit(principal is User, action == Action::"p", resource is K)
//!    when { resource has p && principal in resource.p };`
//! - Casbin: RBAC whose roles are groups: `g(user, group)` and `g(child, parent)` in one role
//!   graph (so a user inherits every group above its groups), and one policy line
//!   `p(member, target, privilege)` per privilege of each direct edge, the target in the domain
//!   field; matcher `r.dom == p.dom && r.act == p.act && g(r.sub, p.sub)`. The role manager's
//!   depth limit is raised from casbin's default 10 to 64 (the deployment nests 11 deep).

mod deployment;

use std::collections::{HashMap, HashSet};
use std::process::ExitCode;
use std::str::FromStr;
use std::time::{Duration, Instant};

use deployment::{Deployment, Kind, Member, Sample};

type Res<T> = Result<T, String>;

struct Args {
    engine: String,
    edges: usize,
    samples: usize,
    budget: Duration,
    answers: Option<String>,
    expect: Option<String>,
}

fn parse_args() -> Res<Args> {
    let mut a = Args {
        engine: String::new(),
        edges: 10_000,
        samples: 10_000,
        budget: Duration::from_secs(60),
        answers: None,
        expect: None,
    };
    let mut it = std::env::args().skip(1);
    while let Some(flag) = it.next() {
        let mut value = || it.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--engine" => a.engine = value()?,
            "--edges" => a.edges = parse_count(&value()?)?,
            "--samples" => a.samples = parse_count(&value()?)?,
            "--budget" => {
                a.budget =
                    Duration::from_secs_f64(value()?.parse().map_err(|e| format!("--budget: {e}"))?)
            }
            "--answers" => a.answers = Some(value()?),
            "--expect" => a.expect = Some(value()?),
            _ => return Err(format!("unknown argument {flag}")),
        }
    }
    if !matches!(a.engine.as_str(), "privzone" | "cedar" | "casbin") {
        return Err("--engine privzone|cedar|casbin is required".into());
    }
    Ok(a)
}

/// 10000, 10k, 1M, 1_000_000.
fn parse_count(s: &str) -> Res<usize> {
    let s = s.replace('_', "");
    let (num, mult) = match s.chars().last() {
        Some('k' | 'K') => (&s[..s.len() - 1], 1_000),
        Some('m' | 'M') => (&s[..s.len() - 1], 1_000_000),
        _ => (&s[..], 1),
    };
    num.parse::<usize>()
        .map(|n| n * mult)
        .map_err(|e| format!("{s}: {e}"))
}

/// (VmRSS, VmHWM) in bytes, from /proc/self/status.
fn memory() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kib| kib * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}

/// A loaded engine: answers one sample.
trait Engine {
    fn check(&self, s: &Sample) -> Res<bool>;
}

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("peers: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Res<()> {
    let args = parse_args()?;
    let t = Instant::now();
    let d = deployment::generate(args.edges);
    let samples = deployment::samples(&d, args.samples);
    eprintln!(
        "peers[{}]: deployment generated in {:.1} s: {}",
        args.engine,
        t.elapsed().as_secs_f64(),
        d.describe()
    );
    let (rss0, _) = memory();
    let t = Instant::now();
    let engine: Box<dyn Engine> = match args.engine.as_str() {
        "privzone" => Box::new(privzone::load(&d)?),
        "cedar" => Box::new(cedar::load(&d)?),
        _ => Box::new(casbin_engine::load(&d)?),
    };
    let load = t.elapsed();
    let (rss1, hwm1) = memory();
    eprintln!(
        "peers[{}]: loaded in {:.2} s, resident +{} MiB",
        args.engine,
        load.as_secs_f64(),
        (rss1.saturating_sub(rss0)) >> 20
    );

    let expect = match &args.expect {
        Some(f) => Some(std::fs::read(f).map_err(|e| format!("{f}: {e}"))?),
        None => None,
    };
    let mut times: Vec<Duration> = Vec::with_capacity(samples.len());
    let mut answers: Vec<u8> = Vec::with_capacity(samples.len());
    let mut mismatches = Vec::new();
    let started = Instant::now();
    for (i, s) in samples.iter().enumerate() {
        if started.elapsed() > args.budget {
            break;
        }
        let t = Instant::now();
        let allowed = std::hint::black_box(engine.check(std::hint::black_box(s)))?;
        times.push(t.elapsed());
        answers.push(if allowed { b'1' } else { b'0' });
        if let Some(want) = expect.as_ref().and_then(|e| e.get(i)) {
            if *want != answers[i] {
                mismatches.push(i);
            }
        }
    }
    let checked = answers.len();
    if let Some(f) = &args.answers {
        std::fs::write(f, &answers).map_err(|e| format!("{f}: {e}"))?;
    }
    let compared = expect.as_ref().map_or(0, |e| e.len().min(checked));
    times.sort_unstable();
    let pct = |p: f64| {
        times
            .get(((times.len() as f64 * p) as usize).min(times.len().saturating_sub(1)))
            .map_or(0.0, |d| d.as_secs_f64() * 1e6)
    };
    let allowed = answers.iter().filter(|a| **a == b'1').count();
    // One line for bench/peers/run, key=value.
    println!(
        "engine={} edges={} load_s={:.3} rss_mib={:.1} peak_mib={:.1} checked={} of={} allowed={} p50_us={:.2} p99_us={:.2} compared={} mismatches={}",
        args.engine,
        d.edges.len(),
        load.as_secs_f64(),
        rss1.saturating_sub(rss0) as f64 / (1 << 20) as f64,
        hwm1 as f64 / (1 << 20) as f64,
        checked,
        samples.len(),
        allowed,
        pct(0.50),
        pct(0.99),
        compared,
        mismatches.len()
    );
    if !mismatches.is_empty() {
        for &i in mismatches.iter().take(5) {
            let s = &samples[i];
            eprintln!(
                "peers[{}]: sample {i}: {} {} in {} {:?}: {} says {}, privzone says {}",
                args.engine,
                s.user,
                s.privilege,
                s.target,
                s.kind,
                args.engine,
                answers[i] == b'1',
                answers[i] != b'1'
            );
        }
        return Err(format!(
            "{} of {compared} answers differ from privzone's",
            mismatches.len()
        ));
    }
    drop(engine);
    Ok(())
}

// ---------------------------------------------------------------------------------------------

mod privzone {
    use super::*;
    use privzone_model::catalog::{GroupPrivileges, HandleServicePrivileges, SpacePrivileges};
    use privzone_model::change::GroupType;
    use privzone_model::{Change, Privileges, State, Target};

    pub struct Privzone(State);

    fn apply(state: &mut State, c: Change) -> Res<()> {
        state
            .apply(&c)
            .map_err(|e| format!("privzone rejects {c:?}: {e:?}"))?;
        Ok(())
    }

    pub fn load(d: &Deployment) -> Res<Privzone> {
        let mut s = State::new();
        for u in 0..d.users as u32 {
            let id = d.user_id(u);
            apply(
                &mut s,
                Change::CreateUser {
                    full_name: id.clone(),
                    user: id,
                    username: None,
                    time: 0,
                },
            )?;
        }
        for g in &d.groups {
            apply(
                &mut s,
                Change::CreateGroup {
                    name: g.clone(),
                    group: g.clone(),
                    group_type: GroupType::Team,
                    creator: None,
                    time: 0,
                    protected: false,
                },
            )?;
        }
        for i in 0..d.spaces as u32 {
            let id = d.target_id(Kind::Space, i);
            apply(
                &mut s,
                Change::CreateSpace {
                    name: id.clone(),
                    space: id,
                    creator: None,
                    time: 0,
                },
            )?;
        }
        for i in 0..d.services as u32 {
            let id = d.target_id(Kind::Service, i);
            apply(
                &mut s,
                Change::CreateHandleService {
                    name: id.clone(),
                    service: id,
                    proxy_endpoint: "https://proxy.example".into(),
                    service_properties: serde_json::Value::Null,
                    creator: None,
                    time: 0,
                },
            )?;
        }
        for e in &d.edges {
            let (kind, t) = e.target;
            let id = d.target_id(kind, t);
            let names = deployment::names(kind, e.privs);
            let bad = |e| format!("privilege: {e:?}");
            let (target, privileges) = match kind {
                Kind::Group => (
                    Target::Group(id),
                    Privileges::Group(GroupPrivileges::parse(names).map_err(bad)?),
                ),
                Kind::Space => (
                    Target::Space(id),
                    Privileges::Space(SpacePrivileges::parse(names).map_err(bad)?),
                ),
                Kind::Service => (
                    Target::HandleService(id),
                    Privileges::HandleService(HandleServicePrivileges::parse(names).map_err(bad)?),
                ),
            };
            let member = match e.member {
                Member::User(u) => privzone_model::Member::User(d.user_id(u)),
                Member::Group(g) => privzone_model::Member::Group(d.groups[g as usize].clone()),
            };
            apply(
                &mut s,
                Change::AddMember {
                    target,
                    member,
                    privileges,
                },
            )?;
        }
        Ok(Privzone(s))
    }

    impl Engine for Privzone {
        fn check(&self, q: &Sample) -> Res<bool> {
            let s = &self.0;
            let Some(u) = s.users.find(&q.user) else {
                return Ok(false);
            };
            let holds = match q.kind {
                Kind::Group => s
                    .groups
                    .find(&q.target)
                    .and_then(|t| s.groups.get(t))
                    .and_then(|t| s.effective_user_privileges(t, u))
                    .is_some_and(|p| p.contains_name(q.privilege)),
                Kind::Space => s
                    .spaces
                    .find(&q.target)
                    .and_then(|t| s.spaces.get(t))
                    .and_then(|t| s.effective_user_privileges(t, u))
                    .is_some_and(|p| p.contains_name(q.privilege)),
                Kind::Service => s
                    .services
                    .find(&q.target)
                    .and_then(|t| s.services.get(t))
                    .and_then(|t| s.effective_user_privileges(t, u))
                    .is_some_and(|p| p.contains_name(q.privilege)),
            };
            Ok(holds)
        }
    }
}

// ---------------------------------------------------------------------------------------------

mod cedar {
    use super::*;
    use cedar_policy::{
        Authorizer, Context, Decision, Entities, Entity, EntityId, EntityTypeName, EntityUid,
        PolicySet, Request, RestrictedExpression,
    };

    pub struct Cedar {
        entities: Entities,
        policies: PolicySet,
        authorizer: Authorizer,
        user: EntityTypeName,
        action: EntityTypeName,
        types: [EntityTypeName; 3],
    }

    fn type_name(kind: Kind) -> &'static str {
        match kind {
            Kind::Group => "Group",
            Kind::Space => "Space",
            Kind::Service => "HandleService",
        }
    }

    fn ty(name: &str) -> Res<EntityTypeName> {
        EntityTypeName::from_str(name).map_err(|e| format!("cedar type {name}: {e}"))
    }

    pub fn load(d: &Deployment) -> Res<Cedar> {
        let user_ty = ty("User")?;
        let group_ty = ty("Group")?;
        let types = [ty("Group")?, ty("Space")?, ty("HandleService")?];
        let kind_ix = |k: Kind| Kind::ALL.iter().position(|x| *x == k).unwrap_or(0);
        let uid = |t: &EntityTypeName, id: String| {
            EntityUid::from_type_name_and_id(t.clone(), EntityId::new(id))
        };
        let member_uid = |m: Member| match m {
            Member::User(_) => uid(&user_ty, d.member_id(m)),
            Member::Group(_) => uid(&group_ty, d.member_id(m)),
        };

        // Parents (direct groups of users, parent groups of groups) and, per target, the set
        // of direct members holding each privilege.
        let mut user_parents: Vec<HashSet<EntityUid>> = vec![HashSet::new(); d.users];
        let mut group_parents: Vec<HashSet<EntityUid>> = vec![HashSet::new(); d.groups.len()];
        type Holders = HashMap<&'static str, Vec<EntityUid>>;
        let mut holders: [HashMap<u32, Holders>; 3] = Default::default();
        for e in &d.edges {
            let (kind, t) = e.target;
            if kind == Kind::Group {
                let parent = uid(&group_ty, d.groups[t as usize].clone());
                match e.member {
                    Member::User(u) => user_parents[u as usize].insert(parent),
                    Member::Group(g) => group_parents[g as usize].insert(parent),
                };
            }
            let by_privilege = holders[kind_ix(kind)].entry(t).or_default();
            for p in deployment::names(kind, e.privs) {
                by_privilege
                    .entry(p)
                    .or_default()
                    .push(member_uid(e.member));
            }
        }
        let attrs = |h: Option<Holders>| -> HashMap<String, RestrictedExpression> {
            h.unwrap_or_default()
                .into_iter()
                .map(|(p, members)| {
                    (
                        p.to_string(),
                        RestrictedExpression::new_set(
                            members
                                .into_iter()
                                .map(RestrictedExpression::new_entity_uid),
                        ),
                    )
                })
                .collect()
        };
        let mut entities: Vec<Entity> = Vec::with_capacity(d.users + d.groups.len());
        for (u, parents) in user_parents.into_iter().enumerate() {
            entities.push(Entity::new_no_attrs(
                uid(&user_ty, d.user_id(u as u32)),
                parents,
            ));
        }
        let [mut group_h, mut space_h, mut service_h] = holders;
        for (g, parents) in group_parents.into_iter().enumerate() {
            let attrs = attrs(group_h.remove(&(g as u32)));
            let e = Entity::new(uid(&group_ty, d.groups[g].clone()), attrs, parents)
                .map_err(|e| format!("cedar entity: {e}"))?;
            entities.push(e);
        }
        for (kind, count, h) in [
            (Kind::Space, d.spaces, &mut space_h),
            (Kind::Service, d.services, &mut service_h),
        ] {
            for i in 0..count as u32 {
                let attrs = attrs(h.remove(&i));
                let e = Entity::new(
                    uid(&types[kind_ix(kind)], d.target_id(kind, i)),
                    attrs,
                    HashSet::new(),
                )
                .map_err(|e| format!("cedar entity: {e}"))?;
                entities.push(e);
            }
        }
        let entities =
            Entities::from_entities(entities, None).map_err(|e| format!("cedar entities: {e}"))?;

        let mut text = String::new();
        for kind in Kind::ALL {
            for p in kind.names() {
                text.push_str(&format!(
                    "permit(principal is User, action == Action::\"{p}\", resource is {}) when {{ resource has {p} && principal in resource.{p} }};\n",
                    type_name(kind)
                ));
            }
        }
        let policies = PolicySet::from_str(&text).map_err(|e| format!("cedar policies: {e}"))?;
        Ok(Cedar {
            entities,
            policies,
            authorizer: Authorizer::new(),
            user: user_ty,
            action: ty("Action")?,
            types,
        })
    }

    impl Engine for Cedar {
        fn check(&self, s: &Sample) -> Res<bool> {
            let kind = Kind::ALL.iter().position(|x| *x == s.kind).unwrap_or(0);
            let principal =
                EntityUid::from_type_name_and_id(self.user.clone(), EntityId::new(&s.user));
            let action =
                EntityUid::from_type_name_and_id(self.action.clone(), EntityId::new(s.privilege));
            let resource = EntityUid::from_type_name_and_id(
                self.types[kind].clone(),
                EntityId::new(&s.target),
            );
            let request = Request::new(principal, action, resource, Context::empty(), None)
                .map_err(|e| format!("cedar request: {e}"))?;
            let response = self
                .authorizer
                .is_authorized(&request, &self.policies, &self.entities);
            if let Some(e) = response.diagnostics().errors().next() {
                return Err(format!("cedar evaluation error: {e}"));
            }
            Ok(response.decision() == Decision::Allow)
        }
    }
}

// ---------------------------------------------------------------------------------------------

mod casbin_engine {
    use super::*;
    use casbin::prelude::*;
    use casbin::DefaultRoleManager;
    use std::sync::Arc;

    const MODEL: &str = "
[request_definition]
r = sub, dom, act

[policy_definition]
p = sub, dom, act

[role_definition]
g = _, _

[policy_effect]
e = some(where (p.eft == allow))

[matchers]
m = r.dom == p.dom && r.act == p.act && g(r.sub, p.sub)
";

    pub struct Casbin(Enforcer);

    pub fn load(d: &Deployment) -> Res<Casbin> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| format!("runtime: {e}"))?;
        let err = |e: casbin::Error| format!("casbin: {e}");
        runtime.block_on(async {
            let model = DefaultModel::from_str(MODEL).await.map_err(err)?;
            let mut e = Enforcer::new(model, MemoryAdapter::default())
                .await
                .map_err(err)?;
            e.set_role_manager(Arc::new(parking_lot::RwLock::new(DefaultRoleManager::new(
                64,
            ))))
            .map_err(err)?;
            let mut roles = Vec::new();
            let mut rules = Vec::new();
            for edge in &d.edges {
                let (kind, t) = edge.target;
                let target = d.target_id(kind, t);
                let member = d.member_id(edge.member);
                if kind == Kind::Group {
                    roles.push(vec![member.clone(), target.clone()]);
                }
                for p in deployment::names(kind, edge.privs) {
                    rules.push(vec![member.clone(), target.clone(), p.to_string()]);
                }
            }
            e.add_grouping_policies(roles).await.map_err(err)?;
            e.add_policies(rules).await.map_err(err)?;
            Ok(Casbin(e))
        })
    }

    impl Engine for Casbin {
        fn check(&self, s: &Sample) -> Res<bool> {
            self.0
                .enforce((s.user.as_str(), s.target.as_str(), s.privilege))
                .map_err(|e| format!("casbin: {e}"))
        }
    }
}
