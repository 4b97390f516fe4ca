//! Handles (reference §3.3): registration of a handle for a share, public data, metadata update,
//! delete. Identifiers come from the service's [`crate::registrar`]. The list, protected data and
//! creation routes are served by `entity.rs`, members and privileges by `members.rs`.

use axum::extract::State as AppState;
use axum::routing::{get, patch};
use privzone_model::authorize::{authorize, Client, OnBehalfOf, Operation};
use privzone_model::change::Change;
use privzone_model::command::{decide, Answer, Command};
use privzone_model::error::Noun;
use privzone_model::state::{Handle, HandleIx, State, TargetIx};
use privzone_model::{Error, Member, Target};
use serde_json::{Map, Value};

use super::entity::{add_admin, Create, Owner};
use super::kinds::{no_such, HandleKind};
use super::records::public_handle;
use crate::app::App;
use crate::auth::{new_id, Caller};
use crate::body;
use crate::http::{created, no_content, ok_json, ApiResult, BaseUrl, Ids, JsonBody};
use crate::registrar::{self, Registration};

/// Longest accepted `metadata`, in characters.
pub const METADATA_LIMIT: usize = 100_000;
/// Metadata formats Onezone's handle plugins know; `oai_dc` when a (pre-21.02) client sends none.
pub const METADATA_PREFIXES: [&str; 2] = ["edm", "oai_dc"];
pub const RESOURCE_TYPES: [&str; 1] = ["Share"];

fn handle<'a>(state: &'a State, id: &str) -> Result<(HandleIx, &'a Handle), Error> {
    state
        .handles
        .by_id(id)
        .ok_or_else(|| no_such(Noun::Handle, id))
}

/// `metadata`: an XML document of at most [`METADATA_LIMIT`] characters.
fn metadata(obj: &Map<String, Value>) -> Result<String, Error> {
    let m = body::required_string(obj, "metadata")?;
    if m.chars().count() > METADATA_LIMIT {
        return Err(Error::BadValueTextTooLarge {
            key: "metadata".into(),
            limit: METADATA_LIMIT,
        });
    }
    if !well_formed_xml(&m) {
        return Err(Error::BadValueXml("metadata".into()));
    }
    Ok(m)
}

/// Whether `text` is one well-formed XML document: exactly one root element, every element
/// closed by its own name, well-formed attributes, nothing but whitespace, comments and
/// processing instructions around the root. An empty text is not a document (Onezone's xmerl
/// refuses it too). Namespace prefixes are not resolved, as xmerl does not by default, so
/// `<dc:title>` without its `xmlns:dc` passes.
pub fn well_formed_xml(text: &str) -> bool {
    use quick_xml::events::Event;
    let mut reader = quick_xml::Reader::from_str(text);
    reader.config_mut().check_end_names = true;
    reader.config_mut().check_comments = true;
    let mut depth: usize = 0;
    let mut roots = 0;
    let attributes_ok =
        |e: &quick_xml::events::BytesStart<'_>| e.attributes().with_checks(true).all(|a| a.is_ok());
    loop {
        match reader.read_event() {
            Err(_) => return false,
            Ok(Event::Eof) => return depth == 0 && roots == 1,
            Ok(Event::Start(e)) => {
                if depth == 0 {
                    roots += 1;
                }
                if roots > 1 || !attributes_ok(&e) {
                    return false;
                }
                depth += 1;
            }
            Ok(Event::Empty(e)) => {
                if depth == 0 {
                    roots += 1;
                }
                if roots > 1 || !attributes_ok(&e) {
                    return false;
                }
            }
            Ok(Event::End(_)) => match depth.checked_sub(1) {
                Some(d) => depth = d,
                None => return false,
            },
            Ok(Event::Text(t)) => {
                let outside = depth == 0;
                if outside && !t.iter().all(u8::is_ascii_whitespace) {
                    return false;
                }
                if t.decode().is_err() {
                    return false;
                }
            }
            // Character data and entity references only belong inside the root.
            Ok(Event::CData(_)) | Ok(Event::GeneralRef(_)) if depth == 0 => return false,
            // A declaration or doctype only before the root.
            Ok(Event::Decl(_)) | Ok(Event::DocType(_)) if roots > 0 || depth > 0 => return false,
            Ok(_) => {}
        }
    }
}

/// A create request checked against one state: everything the change needs except the identifier.
struct Plan {
    registration: Registration,
    creator: Option<String>,
    member: Option<Member>,
}

/// An id in the body that must exist; Onezone reports a missing one while authorizing.
fn existing<T>(
    obj: &Map<String, Value>,
    key: &str,
    find: impl Fn(&str) -> Option<T>,
) -> Result<T, Error> {
    obj.get(key)
        .and_then(Value::as_str)
        .and_then(find)
        .ok_or_else(|| Error::BadValueIdNotFound(key.into()))
}

/// An id in the body that names an existing entity. Onezone validates these two keys as
/// `{any, {exists, …}}`: there is no type check, so a number, list or `null` is simply an id
/// that does not exist (`badValueIdNotFound`); only a missing key is `missingRequiredValue`.
fn existing_id(obj: &Map<String, Value>, key: &str) -> Result<String, Error> {
    match obj.get(key) {
        None => Err(Error::MissingRequiredValue(key.into())),
        Some(Value::String(s)) => Ok(s.clone()),
        Some(_) => Err(Error::BadValueIdNotFound(key.into())),
    }
}

/// Resolve (404) → authorize (401/403; unknown service/share ids are 400 here already on the
/// `/user` and `/groups` routes) → validate (400) → 409 if the share already has a handle.
fn plan(state: &State, client: Client, owner: &Owner, body: &Value) -> Result<Plan, Error> {
    let on_behalf = owner.on_behalf(state)?;
    let (service, share) = match (on_behalf, client) {
        (OnBehalfOf::Nobody, _) | (_, Client::Nobody) => (None, None),
        _ => {
            let obj = body::object(body)?;
            let service = existing(obj, "handleServiceId", |id| state.services.find(id))?;
            let share = existing(obj, "resourceId", |id| state.shares.find(id))?;
            (Some(service), Some(share))
        }
    };
    let ok = authorize(
        state,
        client,
        Operation::CreateHandle {
            on_behalf,
            service,
            share,
        },
    )?;
    let creator = ok.user().map(|u| state.users.id_of(u).to_owned());

    let obj = body::object(body)?;
    let service_id = existing_id(obj, "handleServiceId")?;
    let (_, service) = state
        .services
        .by_id(&service_id)
        .ok_or_else(|| Error::BadValueIdNotFound("handleServiceId".into()))?;
    let resource_type = body::required_string(obj, "resourceType")?;
    if !RESOURCE_TYPES.contains(&resource_type.as_str()) {
        return Err(Error::BadValueNotAllowed {
            key: "resourceType".into(),
            allowed: RESOURCE_TYPES.iter().map(|s| s.to_string()).collect(),
            value: Some(Value::String(resource_type)),
        });
    }
    let resource_id = existing_id(obj, "resourceId")?;
    let (_, share) = state
        .shares
        .by_id(&resource_id)
        .ok_or_else(|| Error::BadValueIdNotFound("resourceId".into()))?;
    let metadata_prefix =
        body::optional_string(obj, "metadataPrefix")?.unwrap_or_else(|| "oai_dc".to_owned());
    if !METADATA_PREFIXES.contains(&metadata_prefix.as_str()) {
        return Err(Error::BadValueNotAllowed {
            key: "metadataPrefix".into(),
            allowed: METADATA_PREFIXES.iter().map(|s| s.to_string()).collect(),
            value: Some(Value::String(metadata_prefix)),
        });
    }
    let metadata = metadata(obj)?;
    if share.handle.is_some() {
        return Err(Error::AlreadyExists);
    }
    let member = owner.clone().admin(creator.clone());
    Ok(Plan {
        registration: Registration {
            service_id,
            proxy_endpoint: service.proxy_endpoint.clone(),
            service_properties: service.service_properties.clone(),
            resource_type,
            resource_id,
            metadata_prefix,
            metadata,
        },
        creator,
        member,
    })
}

impl Create for HandleKind {
    async fn create(
        app: App,
        caller: Caller,
        base: BaseUrl,
        owner: Owner,
        body: Value,
    ) -> ApiResult {
        let id = new_id();
        let path = owner.location::<HandleKind>(&id);
        // Register first (a registrar may call a proxy); the write re-checks against the latest
        // state and records the minted identifier, so replaying the log never mints again.
        let registration = plan(&app.read(), caller.client, &owner, &body)?.registration;
        let minted = registrar::for_service(&registration.service_properties)
            .register(&registration)
            .await?;
        let (_, revision) = app
            .write(caller.actor.clone(), move |tx| {
                let p = plan(tx.state(), caller.client, &owner, &body)?;
                let r = p.registration;
                let time = tx.now();
                tx.apply(Change::CreateHandle {
                    handle: id.clone(),
                    service: r.service_id,
                    resource_type: r.resource_type,
                    resource_id: r.resource_id,
                    metadata_prefix: r.metadata_prefix,
                    metadata: r.metadata,
                    public_handle: minted.public_handle,
                    creator: p.creator,
                    time,
                })?;
                add_admin::<HandleKind>(tx, id, p.member)
            })
            .await?;
        created(&base, &path, revision)
    }
}

/// GET `/handles/{id}/public` — anyone.
#[utoipa::path(
    get,
    path = "/handles/{id}/public",
    summary = "A handle's public data",
    security(()),
    responses((status = 200, description = "OK", body = crate::openapi::schemas::HandlePublic)),
)]
pub async fn get_public(AppState(app): AppState<App>, Ids(id): Ids<String>) -> ApiResult {
    let state = app.read();
    let (_, h) = handle(&state, &id)?;
    ok_json(Value::Object(public_handle(&state, h)))
}

/// The checks of a metadata update; returns the new metadata and what the registrar needs.
fn plan_update(
    state: &State,
    client: Client,
    id: &str,
    body: &Value,
) -> Result<(String, String, Value), Error> {
    let (ix, h) = handle(state, id)?;
    authorize(state, client, Operation::Update(TargetIx::Handle(ix)))?;
    let metadata = metadata(body::object(body)?)?;
    let props = state
        .services
        .get(h.service)
        .map(|s| s.service_properties.clone())
        .unwrap_or(Value::Null);
    Ok((metadata, h.public_handle.clone(), props))
}

/// PATCH `/handles/{id}` — `{"metadata": xml}`.
#[utoipa::path(
    patch,
    path = "/handles/{id}",
    summary = "Replace a handle's metadata",
    request_body = crate::openapi::schemas::UpdateHandle,
    responses((status = 204, description = "Done")),
)]
pub async fn update(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
    JsonBody(body): JsonBody,
) -> ApiResult {
    let (metadata, public_handle, props) = plan_update(&app.read(), caller.client, &id, &body)?;
    registrar::for_service(&props)
        .update_metadata(&public_handle, &metadata)
        .await?;
    let (_, revision) = app
        .write(caller.actor.clone(), move |tx| {
            let (metadata, _, _) = plan_update(tx.state(), caller.client, &id, &body)?;
            let time = tx.now();
            tx.apply(Change::UpdateHandle {
                handle: id,
                metadata,
                time,
            })
        })
        .await?;
    no_content(revision)
}

/// DELETE `/handles/{id}`; the registrar is told afterwards.
#[utoipa::path(
    delete,
    path = "/handles/{id}",
    summary = "Delete a handle",
    responses((status = 204, description = "Done")),
)]
pub async fn delete(
    AppState(app): AppState<App>,
    caller: Caller,
    Ids(id): Ids<String>,
) -> ApiResult {
    let command = Command::Delete {
        target: Target::Handle(id),
    };
    let client = caller.client;
    let (answer, revision) = app
        .write_plan(caller.actor.clone(), move |state| {
            decide(state, &client, command)
        })
        .await?;
    let Answer::HandleDeleted {
        public_handle,
        service_properties: props,
    } = answer
    else {
        return no_content(revision);
    };
    // The handle is gone here; a proxy that fails to forget it is only worth a log line.
    if let Err(e) = registrar::for_service(&props)
        .deregister(&public_handle)
        .await
    {
        tracing::warn!(
            request = super::request_id(),
            error = %e,
            %public_handle,
            "registrar failed to deregister a handle"
        );
    }
    no_content(revision)
}

pub fn routes(router: super::Api) -> super::Api {
    router
        .route("/handles/{id}", patch(update).delete(delete))
        .route("/handles/{id}/public", get(get_public))
}
