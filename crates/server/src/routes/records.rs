//! Entity records as Onezone shows them: the "shared" records other members see, the
//! "protected" records of members and admins, and the public data of handles. Each record is
//! built here once, whichever route serves it.

use privzone_model::state::{
    Group, GroupIx, Handle, HandleService, MemberIx, Space, State, TargetIx, UserIx,
};
use serde_json::{json, Map, Value};

/// Onezone's `creator` field: `{"type":"user","id":…}`, or `nobody` when unknown.
pub fn creator_json(creator: &Option<String>) -> Value {
    match creator {
        Some(id) => json!({"type": "user", "id": id}),
        None => json!({"type": "nobody", "id": null}),
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

/// The shared record of a member.
pub fn member_record(state: &State, m: MemberIx) -> Value {
    match m {
        MemberIx::User(u) => user_record(state, u),
        MemberIx::Group(g) => group_record(state, g),
    }
}

/// Onezone's protected group data.
pub fn protected_group(_state: &State, g: &Group) -> Value {
    json!({
        "groupId": g.id,
        "name": g.name,
        "type": g.group_type.as_str(),
        "creator": creator_json(&g.creator),
        "creationTime": g.creation_time,
    })
}

/// Onezone's protected space data (no providers: privzone runs without Oneproviders).
pub fn protected_space(_state: &State, s: &Space) -> Value {
    json!({
        "spaceId": s.id,
        "name": s.name,
        "providers": {},
        "creator": creator_json(&s.creator),
        "creationTime": s.creation_time,
        "sharesCount": s.shares.len(),
    })
}

/// Onezone's protected handle service data.
pub fn protected_service(_state: &State, s: &HandleService) -> Value {
    json!({
        "handleServiceId": s.id,
        "name": s.name,
        "proxyEndpoint": s.proxy_endpoint,
        "serviceProperties": s.service_properties,
        "creator": creator_json(&s.creator),
        "creationTime": s.creation_time,
    })
}

/// A handle's public data: what anyone may see.
pub fn public_handle(state: &State, h: &Handle) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("handleId".into(), json!(h.id));
    m.insert(
        "handleServiceId".into(),
        json!(state.services.id_of(h.service)),
    );
    m.insert("publicHandle".into(), json!(h.public_handle));
    m.insert("resourceType".into(), json!(h.resource_type));
    m.insert("resourceId".into(), json!(h.resource_id));
    m.insert("metadataPrefix".into(), json!(h.metadata_prefix));
    m.insert("metadata".into(), json!(h.metadata));
    m.insert("timestamp".into(), json!(iso8601(h.timestamp)));
    m.insert("creationTime".into(), json!(h.creation_time));
    m
}

/// A handle's protected data: what members and admins see.
pub fn protected_handle(state: &State, h: &Handle) -> Value {
    let mut m = public_handle(state, h);
    m.insert("creator".into(), creator_json(&h.creator));
    Value::Object(m)
}

/// The protected record of any entity with members; `null` for a stale index.
pub fn protected_record(state: &State, t: TargetIx) -> Value {
    let record = match t {
        TargetIx::Group(x) => state.groups.get(x).map(|g| protected_group(state, g)),
        TargetIx::Space(x) => state.spaces.get(x).map(|s| protected_space(state, s)),
        TargetIx::Service(x) => state.services.get(x).map(|s| protected_service(state, s)),
        TargetIx::Handle(x) => state.handles.get(x).map(|h| protected_handle(state, h)),
    };
    record.unwrap_or(Value::Null)
}

/// Unix seconds as ISO-8601 UTC (`2024-10-21T12:00:00Z`).
pub fn iso8601(secs: i64) -> String {
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Civil date from days since 1970-01-01 (Howard Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem % 3600 / 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::iso8601;

    #[test]
    fn iso8601_dates() {
        assert_eq!(iso8601(0), "1970-01-01T00:00:00Z");
        assert_eq!(iso8601(951_782_400), "2000-02-29T00:00:00Z");
        assert_eq!(iso8601(1_729_512_000), "2024-10-21T12:00:00Z");
    }
}
