//! The machinery of Onezone's own REST tests (oz-worker `test_distributed/api_test_utils.erl` and
//! `api_test_scenarios.erl`), ported so that the `upstream_*` modules read like the suites they
//! port: a client matrix (correct clients succeed, `nobody` → 401 `unauthorized`, forbidden clients
//! → 403 `forbidden`), `bad_values` data specs sent by a correct client, and the privilege
//! scenarios that flip a privilege and watch the operation flip between allowed and 403.

use std::cell::{Cell, RefCell};
use std::collections::HashMap;

use reqwest::Method;
use serde_json::{json, Value};

use crate::harness::{Auth, Response, TestServer};

/// `?PRIVILEGES_RANDOMIZATION_REPEATS` in `api_test_scenarios.erl`.
pub const REPEATS: usize = 25;

/// A server plus `root`: a token user holding every oz privilege (upstream's `root` client is a
/// logic-level one; over REST the closest is a full admin). Setup goes through it.
pub struct Ctx {
    pub s: TestServer,
    pub root: Auth,
    rng: Cell<u64>,
    /// `SetPrivsFun`/`GetPrivsFun` of a scenario when they are not the tested path itself: the
    /// scenario's path → where privileges are set (all) and read (the first).
    state: RefCell<HashMap<String, Vec<Vec<String>>>>,
}

impl Ctx {
    pub async fn start() -> Ctx {
        let s = TestServer::start().await;
        let r = s.get("/privileges", &Auth::Nobody).await;
        r.expect(200);
        let all_oz = r.set("admin");
        let (root_id, root) = s.user("root").await;
        let refs: Vec<&str> = all_oz.iter().map(String::as_str).collect();
        s.grant_oz(&root_id, &refs).await;
        Ctx {
            s,
            root,
            rng: Cell::new(0x9e37_79b9_7f4a_7c15),
            state: RefCell::new(HashMap::new()),
        }
    }

    /// `oz_test_utils:create_user/1`: a fresh user with an access token.
    pub async fn user(&self) -> (String, Auth) {
        let n = self.next();
        self.s.user(&format!("user{n:x}")).await
    }

    /// `{admin, Privs}` of a client spec: a fresh user holding exactly these oz privileges.
    pub async fn admin(&self, privs: &[&str]) -> Auth {
        let (id, auth) = self.user().await;
        if !privs.is_empty() {
            self.s.grant_oz(&id, privs).await;
        }
        auth
    }

    fn next(&self) -> u64 {
        // xorshift64: deterministic "random" sublists, so a failure reproduces.
        let mut x = self.rng.get();
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.rng.set(x);
        x
    }

    /// `lists_utils:random_sublist/1`.
    pub fn random_sublist(&self, all: &[String]) -> Vec<String> {
        all.iter()
            .filter(|_| self.next().is_multiple_of(2))
            .cloned()
            .collect()
    }

    /// A random number in 1..=n (`rand:uniform/1`).
    pub fn uniform(&self, n: usize) -> usize {
        (self.next() % n as u64) as usize + 1
    }

    /// The `admin` list of `GET {kind}/privileges` (e.g. `/groups/privileges`).
    pub async fn all_privs(&self, kind: &str) -> Vec<String> {
        self.privs_level(kind, "admin").await
    }

    pub async fn privs_level(&self, kind: &str, level: &str) -> Vec<String> {
        let r = self
            .s
            .get(&format!("/{kind}/privileges"), &Auth::Nobody)
            .await;
        r.expect(200);
        r.set(level)
    }

    pub async fn call(
        &self,
        method: Method,
        path: &str,
        auth: &Auth,
        body: Option<Value>,
    ) -> Response {
        self.s.request(method, path, auth, body).await
    }

    /// Scenarios on `path` set privileges at other paths: each privilege granted goes to one
    /// randomly chosen partition (every path in it), privileges revoked are revoked everywhere
    /// (the `SetPrivsFun`s of upstream's effective-privilege cases); read at the first path.
    pub fn state_at(&self, path: &str, partitions: &[&[String]]) {
        let partitions = partitions.iter().map(|p| p.to_vec()).collect();
        self.state.borrow_mut().insert(path.to_owned(), partitions);
    }

    fn partitions(&self, path: &str) -> Vec<Vec<String>> {
        self.state
            .borrow()
            .get(path)
            .cloned()
            .unwrap_or_else(|| vec![vec![path.to_owned()]])
    }

    fn targets(&self, path: &str) -> Vec<String> {
        self.partitions(path).concat()
    }

    /// Direct privileges at `path` (…/users/{id}/privileges), read by root.
    pub async fn privs(&self, path: &str) -> Vec<String> {
        let path = &self.targets(path)[0];
        let r = self.s.get(path, &self.root).await;
        r.expect(200);
        r.set("privileges")
    }

    /// `SetPrivsFun(Grant, Revoke)`: PATCH by root.
    pub async fn set_privs(&self, path: &str, grant: &[String], revoke: &[String]) {
        self.s
            .patch(path, &self.root, json!({"grant": grant, "revoke": revoke}))
            .await
            .expect(204);
    }

    /// Sets the privileges at `path` to exactly `privs` (within `all`).
    pub async fn put_privs(&self, path: &str, privs: &[String], all: &[String]) {
        let revoke: Vec<String> = all.iter().filter(|p| !privs.contains(p)).cloned().collect();
        let partitions = self.partitions(path);
        let mut grants = vec![vec![]; partitions.len()];
        for p in privs {
            grants[self.uniform(partitions.len()) - 1].push(p.clone());
        }
        for (targets, grant) in partitions.iter().zip(grants) {
            for target in targets {
                self.set_privs(target, &grant, &revoke).await;
            }
        }
    }

    /// Members listed under `key` at `path`, read by root.
    pub async fn list(&self, path: &str, key: &str) -> Vec<String> {
        let r = self.s.get(path, &self.root).await;
        r.expect(200);
        r.set(key)
    }

    /// The unauthorized and forbidden rows of a client spec: `nobody` → 401 `unauthorized`, each
    /// forbidden client → 403 `forbidden` (sent with the required data set `body`).
    pub async fn expect_denied(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        forbidden: &[&Auth],
    ) {
        self.call(method.clone(), path, &Auth::Nobody, body.clone())
            .await
            .expect_error(401, "unauthorized");
        for (i, auth) in forbidden.iter().enumerate() {
            let r = self.call(method.clone(), path, auth, body.clone()).await;
            assert_eq!(
                (r.status.as_u16(), r.error_id()),
                (403, Some("forbidden")),
                "forbidden client #{i} on {method} {path}: {}",
                r.text
            );
        }
    }

    /// The admin path needs *all* the oz privileges the upstream case lists: an admin lacking any
    /// one of them is forbidden (reference §8).
    pub async fn expect_partial_admins_forbidden(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        privs: &[&str],
    ) {
        for missing in privs {
            let rest: Vec<&str> = privs.iter().copied().filter(|p| p != missing).collect();
            let admin = self.admin(&rest).await;
            let r = self.call(method.clone(), path, &admin, body.clone()).await;
            assert_eq!(
                (r.status.as_u16(), r.error_id()),
                (403, Some("forbidden")),
                "admin without {missing} on {method} {path}: {}",
                r.text
            );
        }
    }

    /// The `bad_values` of a data spec: `correct` body with `key` replaced by `value` → `status`
    /// with error `id` and `details.key` = key.
    pub async fn expect_bad_values(
        &self,
        method: Method,
        path: &str,
        client: &Auth,
        correct: &Value,
        bad: &[(&str, Value, &str)],
    ) {
        for (key, value, id) in bad {
            let mut body = correct.clone();
            body[*key] = value.clone();
            let r = self.call(method.clone(), path, client, Some(body)).await;
            assert_eq!(
                (r.status.as_u16(), r.error_id()),
                (400, Some(*id)),
                "bad value {key} = {value} on {method} {path}: {}",
                r.text
            );
            // these errors name no key (reference §6)
            if ![
                "badValueName",
                "badValueUsername",
                "badValueFullName",
                "badValuePassword",
            ]
            .contains(id)
            {
                assert_eq!(r.body["error"]["details"]["key"], json!(key), "{}", r.text);
            }
        }
    }

    /// `api_test_scenarios:get_privileges/9` for a GET of direct privileges at `path`.
    /// `correct` and `forbidden` are the original client spec; `entity` is a client whose effective
    /// privileges come from the privileges at `path` (so it is not in the spec); `subject_is_entity`
    /// when `path` names the entity itself (self may always read its own privileges).
    #[allow(clippy::too_many_arguments)]
    pub async fn get_privileges(
        &self,
        path: &str,
        correct: &[&Auth],
        forbidden: &[&Auth],
        initial: &[String],
        all: &[String],
        const_privs: &[String],
        entity: &Auth,
        view: &str,
        subject_is_entity: bool,
    ) {
        // the original spec
        self.expect_denied(Method::GET, path, None, forbidden).await;
        for c in correct {
            let r = self.s.get(path, c).await;
            r.expect(200);
            assert_eq!(r.set("privileges"), sorted(initial), "{path}");
        }
        self.run_get_privs_tests(path, correct, all, const_privs)
            .await;
        // the entity with the view privilege can read
        let mut with_view: Vec<String> = const_privs.to_vec();
        with_view.push(view.to_owned());
        with_view.sort();
        with_view.dedup();
        self.put_privs(path, &with_view, all).await;
        self.run_get_privs_tests(path, &[entity], all, &with_view)
            .await;
        // all but view: only self may still read
        let but_view: Vec<String> = all.iter().filter(|p| *p != view).cloned().collect();
        self.put_privs(path, &but_view, all).await;
        if subject_is_entity {
            // upstream keeps the view privilege here; privzone is checked without it too
            for _ in 0..REPEATS {
                let privs = self.random_sublist(&but_view);
                self.put_privs(path, &privs, all).await;
                let r = self.s.get(path, entity).await;
                r.expect(200);
                assert_eq!(r.set("privileges"), privs, "self GET {path} without {view}");
            }
        } else {
            self.expect_denied(Method::GET, path, None, &[entity]).await;
        }
    }

    async fn run_get_privs_tests(
        &self,
        path: &str,
        clients: &[&Auth],
        all: &[String],
        const_privs: &[String],
    ) {
        for _ in 0..REPEATS {
            let mut privs = self.random_sublist(all);
            privs.extend(const_privs.iter().cloned());
            let privs = sorted_owned(privs);
            for c in clients {
                self.put_privs(path, &privs, all).await;
                let r = self.s.get(path, c).await;
                r.expect(200);
                assert_eq!(r.set("privileges"), privs, "GET {path}");
            }
        }
    }

    /// `api_test_scenarios:update_privileges/7` for a PATCH at `path` (the privileges it changes are
    /// read back from `path` too).
    pub async fn update_privileges(
        &self,
        path: &str,
        correct: &[&Auth],
        forbidden: &[&Auth],
        all: &[String],
        entity: &Auth,
        update: &str,
    ) {
        // the original spec, no constant privileges
        self.run_update_privs_tests(path, correct, forbidden, all, &[])
            .await;
        // the entity holding the update privilege may update
        let upd = vec![update.to_owned()];
        self.put_privs(path, &upd, all).await;
        self.run_update_privs_tests(path, &[entity], &[], all, &upd)
            .await;
        // without it, it is forbidden and nothing changes
        self.put_privs(path, &[], all).await;
        let but: Vec<String> = all.iter().filter(|p| *p != update).cloned().collect();
        for _ in 0..REPEATS {
            let initial = self.random_initial(&but, &[]);
            self.put_privs(path, &initial, all).await;
            let (grant, revoke) = self.random_split(&but);
            let r = self
                .s
                .patch(path, entity, json!({"grant": grant, "revoke": revoke}))
                .await;
            r.expect_error(403, "forbidden");
            assert_eq!(
                self.privs(path).await,
                initial,
                "PATCH {path} by a forbidden entity"
            );
        }
    }

    /// `api_test_scenarios:delete_privileges/7`: from all privileges, each correct client's DELETE
    /// leaves none; denied clients change nothing; the entity without `delete` is forbidden.
    pub async fn delete_privileges(
        &self,
        path: &str,
        correct: &[&Auth],
        forbidden: &[&Auth],
        all: &[String],
        entity: &Auth,
        delete: &str,
    ) {
        self.put_privs(path, all, all).await;
        self.expect_denied(Method::DELETE, path, None, forbidden)
            .await;
        assert_eq!(self.privs(path).await, sorted(all), "denied DELETE {path}");
        for c in correct {
            self.put_privs(path, all, all).await;
            self.s.delete(path, c).await.expect(204);
            assert!(self.privs(path).await.is_empty(), "DELETE {path}");
        }
        let but: Vec<String> = all.iter().filter(|p| *p != delete).cloned().collect();
        self.put_privs(path, &but, all).await;
        self.s
            .delete(path, entity)
            .await
            .expect_error(403, "forbidden");
        assert_eq!(
            self.privs(path).await,
            sorted(&but),
            "DELETE {path} by a forbidden entity"
        );
    }

    fn random_initial(&self, all: &[String], const_privs: &[String]) -> Vec<String> {
        // RandPrivs = lists:sublist(AllPrivs, rand:uniform(length(AllPrivs)))
        let n = self.uniform(all.len());
        let mut v: Vec<String> = all[..n].to_vec();
        v.extend(const_privs.iter().cloned());
        sorted_owned(v)
    }

    fn random_split(&self, all: &[String]) -> (Vec<String>, Vec<String>) {
        let l = self.random_sublist(all);
        if l.is_empty() {
            return (vec![], vec![]);
        }
        let n = self.uniform(l.len());
        (l[..n].to_vec(), l[n..].to_vec())
    }

    async fn run_update_privs_tests(
        &self,
        path: &str,
        correct: &[&Auth],
        forbidden: &[&Auth],
        all: &[String],
        const_privs: &[String],
    ) {
        for _ in 0..REPEATS {
            let (grant, revoke) = self.random_split(all);
            // at_least_one = [grant, revoke]: both, then each alone
            let bodies = [
                json!({"grant": grant, "revoke": revoke}),
                json!({"grant": grant}),
                json!({"revoke": revoke}),
            ];
            let initial = self.random_initial(all, const_privs);
            self.put_privs(path, &initial, all).await;
            self.expect_denied(Method::PATCH, path, Some(bodies[0].clone()), forbidden)
                .await;
            assert_eq!(
                self.privs(path).await,
                initial,
                "denied PATCH {path} changed privileges"
            );
            for c in correct {
                for body in &bodies {
                    let initial = self.random_initial(all, const_privs);
                    self.put_privs(path, &initial, all).await;
                    self.s.patch(path, c, body.clone()).await.expect(204);
                    let g = strings(&body["grant"]);
                    let r = strings(&body["revoke"]);
                    let mut expected: Vec<String> =
                        initial.iter().filter(|p| !r.contains(p)).cloned().collect();
                    expected.extend(g);
                    assert_eq!(
                        self.privs(path).await,
                        sorted_owned(expected),
                        "PATCH {path} {body}"
                    );
                }
            }
        }
    }

    /// `api_test_scenarios:delete_entity/5`'s second half: once deleted, every client gets 404.
    pub async fn expect_not_found_for_all(&self, method: Method, path: &str, clients: &[&Auth]) {
        for c in clients.iter().copied().chain([&Auth::Nobody]) {
            self.call(method.clone(), path, c, None)
                .await
                .expect_error(404, "notFound");
        }
    }
}

pub fn sorted(v: &[String]) -> Vec<String> {
    sorted_owned(v.to_vec())
}

pub fn sorted_owned(mut v: Vec<String>) -> Vec<String> {
    v.sort();
    v.dedup();
    v
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

pub fn minus(all: &[String], privs: &[&str]) -> Vec<String> {
    all.iter()
        .filter(|p| !privs.contains(&p.as_str()))
        .cloned()
        .collect()
}

/// `Location` ends with the path upstream expects (`?URL(Config, Path)`).
#[track_caller]
pub fn expect_location(r: &Response, path: &str) {
    let l = r.header("location").unwrap_or_default();
    assert!(
        l.ends_with(&format!("/api/v3/onezone{path}")),
        "Location {l}, expected …{path}"
    );
}

/// `?CORRECT_NAME` of `api_test_utils.hrl`.
pub const CORRECT_NAME: &str = "_πœę ßþą_śðæŋ-əłżź.ćńµジ(ャパル)パスで 日本を- 旅す.る()";

/// `?BAD_VALUES_NAME(?ERROR_BAD_VALUE_NAME)` (the key is `name`).
pub fn bad_values_name() -> Vec<(&'static str, Value, &'static str)> {
    let mut v: Vec<(&str, Value, &str)> = [
        "", "a", "-asd", "/asd", ":asd", "asd★", "asd-", ".asd", "asd ", " asd ", " asd",
    ]
    .iter()
    .map(|n| ("name", json!(n), "badValueName"))
    .collect();
    v.push(("name", json!("a".repeat(129)), "badValueName"));
    v.push(("name", json!(1234), "badValueString"));
    v
}

/// The bad_values of a group create: type and name.
pub fn group_bad_values() -> Vec<(&'static str, Value, &'static str)> {
    let mut v = vec![
        ("type", json!("kingdom"), "badValueNotAllowed"),
        ("type", json!(1234), "badValueString"),
    ];
    v.extend(bad_values_name());
    v
}

/// The bad_values of a handle service create.
pub fn hservice_bad_values() -> Vec<(&'static str, Value, &'static str)> {
    let mut v = vec![
        ("proxyEndpoint", json!(1234), "badValueString"),
        ("serviceProperties", json!(1234), "badValueJSON"),
        ("serviceProperties", json!({}), "badValueEmpty"),
    ];
    v.extend(bad_values_name());
    v
}

pub fn hservice_body() -> Value {
    json!({
        "name": "LifeWatch DataCite",
        "proxyEndpoint": "172.17.0.9:8080/api/v1",
        "serviceProperties": {"type": "DOI", "host": "https://mds.test.datacite.org", "prefix": "10.5072"}
    })
}

/// `?CORRECT_USER_NAME` of `api_test_utils.hrl`.
pub const CORRECT_USER_NAME: &str = "πœęßパル-µńćźżąśð日本を- 旅す. d'Arras, Jr.";

/// `?BAD_VALUES_FULL_NAME(?ERROR_BAD_VALUE_FULL_NAME)`.
pub fn bad_values_full_name() -> Vec<(&'static str, Value, &'static str)> {
    let mut v: Vec<(&str, Value, &str)> = [
        "", "T", "-Tom", "/Tom", ":Tom", "Tom★", "Tom-", ".Tom", "Tom ", " Tom ", " Tom",
    ]
    .iter()
    .map(|n| ("fullName", json!(n), "badValueFullName"))
    .collect();
    v.push(("fullName", json!("a".repeat(129)), "badValueFullName"));
    v.push(("fullName", json!(1234), "badValueString"));
    v
}
