//! The JSON shapes of the REST API as OpenAPI schemas. The handlers build their bodies with
//! `serde_json::json!`, so these types exist only to describe them; `tests/api/openapi.rs` checks
//! real responses against the document. Privilege names, which differ per entity kind, are built
//! from the model's catalogs in [`super::privileges`].

#![allow(dead_code)]

use serde::Serialize;
use serde_json::Value;
use utoipa::ToSchema;

/// Every error: `{"error":{"id","description","details"?}}` (Onezone's error ids).
#[derive(Serialize, ToSchema)]
pub struct ErrorBody {
    pub error: ErrorObject,
}

#[derive(Serialize, ToSchema)]
pub struct ErrorObject {
    /// Onezone's error id, e.g. `forbidden`, `notFound`, `badValueString`, `unauthorized`.
    pub id: String,
    /// A human-readable message.
    pub description: String,
    /// Error-specific data, e.g. `{"key":"name"}` or `{"authError":{"id":"badToken"}}`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, nullable = false)]
    pub details: Option<Value>,
}

/// Who created an entity: a user, or `nobody` (`id` null) when created on behalf of nobody.
#[derive(Serialize, ToSchema)]
pub struct Creator {
    #[schema(pattern = "^(user|nobody)$")]
    #[serde(rename = "type")]
    pub kind: String,
    #[schema(required = true)]
    pub id: Option<String>,
}

/// A user as other members see it ("shared" data).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserShared {
    pub user_id: String,
    pub full_name: String,
    #[schema(required = true)]
    pub username: Option<String>,
    /// Unix seconds.
    pub creation_time: i64,
    /// Deprecated name of `fullName`.
    pub name: String,
    /// Deprecated name of `username`.
    #[schema(required = true)]
    pub login: Option<String>,
    /// Deprecated name of `username`.
    #[schema(required = true)]
    pub alias: Option<String>,
}

/// A user as the user and holders of `oz_users_view` see it ("protected" data).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UserProtected {
    pub user_id: String,
    pub full_name: String,
    #[schema(required = true)]
    pub username: Option<String>,
    /// Always empty: privzone keeps no e-mail addresses.
    pub emails: Vec<String>,
    /// Always empty: privzone has no identity providers.
    #[schema(value_type = Vec<Object>)]
    pub linked_accounts: Vec<Value>,
    /// Whether the user has a password (HTTP Basic login).
    pub basic_auth_enabled: bool,
    pub blocked: bool,
    pub creation_time: i64,
    /// Deprecated name of `fullName`.
    pub name: String,
    /// Deprecated name of `username`.
    #[schema(required = true)]
    pub login: Option<String>,
    /// Deprecated name of `username`.
    #[schema(required = true)]
    pub alias: Option<String>,
    /// Deprecated name of `emails`.
    pub email_list: Vec<String>,
}

/// A group as other members see it ("shared" data).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupShared {
    pub group_id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: GroupType,
    pub creation_time: i64,
}

/// A group as its members and admins see it ("protected" data).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct GroupProtected {
    pub group_id: String,
    pub name: String,
    #[serde(rename = "type")]
    pub kind: GroupType,
    pub creator: Creator,
    pub creation_time: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum GroupType {
    Organization,
    Unit,
    Team,
    RoleHolders,
}

/// A space as its members and admins see it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct SpaceProtected {
    pub space_id: String,
    pub name: String,
    /// Always empty: privzone runs without Oneproviders.
    #[schema(value_type = Object)]
    pub providers: Value,
    pub creator: Creator,
    pub creation_time: i64,
    pub shares_count: u64,
}

/// A handle service as its members and admins see it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandleServiceProtected {
    pub handle_service_id: String,
    pub name: String,
    pub proxy_endpoint: String,
    /// The registrar's settings, e.g. `{"type":"DOI","host":…,"doiEndpoint":…}`.
    #[schema(value_type = Object)]
    pub service_properties: Value,
    pub creator: Creator,
    pub creation_time: i64,
}

/// What anyone may see of a handle service.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandleServicePublic {
    pub handle_service_id: String,
    pub name: String,
}

/// What anyone may see of a handle.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandlePublic {
    pub handle_id: String,
    pub handle_service_id: String,
    /// The identifier the registrar minted, e.g. a DOI URL.
    pub public_handle: String,
    pub resource_type: ResourceType,
    pub resource_id: String,
    pub metadata_prefix: MetadataPrefix,
    /// XML metadata.
    pub metadata: String,
    /// Last metadata change, ISO-8601 UTC.
    pub timestamp: String,
    pub creation_time: i64,
}

/// A handle as its members and admins see it.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct HandleProtected {
    pub handle_id: String,
    pub handle_service_id: String,
    pub public_handle: String,
    pub resource_type: ResourceType,
    pub resource_id: String,
    pub metadata_prefix: MetadataPrefix,
    pub metadata: String,
    pub timestamp: String,
    pub creation_time: i64,
    pub creator: Creator,
}

#[derive(Serialize, ToSchema)]
pub enum ResourceType {
    Share,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MetadataPrefix {
    Edm,
    OaiDc,
}

/// A share of a space (privzone's shares extension).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Share {
    pub share_id: String,
    pub space_id: String,
    pub name: String,
    /// Always empty.
    pub description: String,
    pub public_url: String,
    pub public_rest_url: String,
    pub root_file_id: String,
    pub file_type: FileType,
    /// The handle registered for the share, if any.
    #[schema(required = true)]
    pub handle_id: Option<String>,
    pub creation_time: i64,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum FileType {
    Dir,
    Reg,
}

/// A named token (its text is never shown again after creation).
#[derive(Serialize, ToSchema)]
pub struct TokenRecord {
    pub id: String,
    pub name: String,
    /// The owner: `{"type":"user","id":…}`.
    pub subject: Creator,
    /// `{"accessToken":{}}`, `{"identityToken":{}}`, or
    /// `{"inviteToken":{"inviteType":"userJoinGroup","groupId":…}}` (`userJoinSpace`,
    /// `groupJoinGroup`, `groupJoinSpace` with `spaceId`).
    #[serde(rename = "type")]
    #[schema(value_type = Object)]
    pub kind: Value,
    /// The token's time caveat, if it has one: `[{"type":"time","validUntil":…}]`.
    #[schema(value_type = Vec<Object>)]
    pub caveats: Vec<Value>,
    pub metadata: TokenMetadata,
    pub revoked: bool,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenMetadata {
    pub creation_time: i64,
}

/// A new named token: its id and its text, shown only here.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct TokenCreated {
    pub token_id: String,
    pub token: String,
}

/// An invite token's text, to hand to whoever joins with `POST …/join`.
#[derive(Serialize, ToSchema)]
pub struct InviteToken {
    pub token: String,
}

/// The first hops through which a member belongs to an entity: `{"type":<kind>,"id":"self"}` for
/// a direct membership, then one `{"type":"group","id":…}` per group it belongs through.
#[derive(Serialize, ToSchema)]
pub struct Intermediaries {
    pub intermediaries: Vec<Intermediary>,
}

#[derive(Serialize, ToSchema)]
pub struct Intermediary {
    #[serde(rename = "type")]
    pub kind: String,
    pub id: String,
}

/// Readiness: the service's name, version and build, and its store revision.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Configuration {
    pub name: String,
    pub version: String,
    pub build: String,
    pub revision: u64,
    pub compatible_oneprovider_versions: Vec<String>,
    pub subdomain_delegation_supported: bool,
}

#[derive(Serialize, ToSchema)]
pub struct Health {
    #[schema(pattern = "^healthy$")]
    pub status: String,
}

/// Ids of users.
#[derive(Serialize, ToSchema)]
pub struct UserIds {
    pub users: Vec<String>,
}

/// Ids of groups.
#[derive(Serialize, ToSchema)]
pub struct GroupIds {
    pub groups: Vec<String>,
}

/// Ids of spaces.
#[derive(Serialize, ToSchema)]
pub struct SpaceIds {
    pub spaces: Vec<String>,
}

/// Ids of handle services.
#[derive(Serialize, ToSchema)]
pub struct HandleServiceIds {
    pub handle_services: Vec<String>,
}

/// Ids of handles.
#[derive(Serialize, ToSchema)]
pub struct HandleIds {
    pub handles: Vec<String>,
}

/// Ids of shares.
#[derive(Serialize, ToSchema)]
pub struct ShareIds {
    pub shares: Vec<String>,
}

/// Ids of tokens.
#[derive(Serialize, ToSchema)]
pub struct TokenIds {
    pub tokens: Vec<String>,
}

// Request bodies. Keys not listed are ignored.

/// `name`: Onezone's name rule — 2-128 letters, digits, brackets and underscores; dashes, spaces
/// and dots too, but not first or last (else 400 `badValueName`).
#[derive(Serialize, ToSchema)]
pub struct NameBody {
    #[schema(min_length = 2, max_length = 128)]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreateSpace {
    /// Onezone's name rule, as for `NameBody`.
    #[schema(min_length = 2, max_length = 128)]
    pub name: String,
}

#[derive(Serialize, ToSchema)]
pub struct CreateGroup {
    /// Onezone's name rule, as for `NameBody`.
    #[schema(min_length = 2, max_length = 128)]
    pub name: String,
    /// Default `team`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub kind: Option<GroupType>,
}

/// At least one of `name`, `type`.
#[derive(Serialize, ToSchema)]
pub struct UpdateGroup {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub kind: Option<GroupType>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateHandleService {
    pub name: String,
    /// Non-empty.
    pub proxy_endpoint: String,
    /// A non-empty object; `{"type":"DOI",…}` selects the registrar.
    #[schema(value_type = Object)]
    pub service_properties: Value,
}

/// At least one of the three.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateHandleService {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub proxy_endpoint: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, nullable = false)]
    pub service_properties: Option<Value>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateHandle {
    pub handle_service_id: String,
    pub resource_type: ResourceType,
    /// The share's id.
    pub resource_id: String,
    /// Default `oai_dc`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub metadata_prefix: Option<MetadataPrefix>,
    /// An XML document of at most 100000 characters.
    pub metadata: String,
}

#[derive(Serialize, ToSchema)]
pub struct UpdateHandle {
    /// An XML document of at most 100000 characters.
    pub metadata: String,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateShare {
    pub name: String,
    pub space_id: String,
    pub root_file_id: String,
    /// Default `dir`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub file_type: Option<FileType>,
}

/// With `password`, `username` is required and the user logs in with HTTP Basic.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct CreateUser {
    /// 2-32 ASCII letters and digits; `.`, `-`, `_` inside.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub username: Option<String>,
    /// At least 8 characters, no colons or whitespace.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub password: Option<String>,
    /// Default `Unnamed User`.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub full_name: Option<String>,
}

/// At least one of `fullName`, `username`.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateOwnUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub full_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub username: Option<String>,
}

/// At least one of `fullName`, `username`, `blocked` (admins only, never oneself).
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateUser {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub full_name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub username: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub blocked: Option<bool>,
}

#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ChangePassword {
    pub old_password: String,
    /// At least 8 characters, no colons or whitespace.
    pub new_password: String,
}

/// At least one of the two; disabling drops the password.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct BasicAuthUpdate {
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub basic_auth_enabled: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub new_password: Option<String>,
}

/// A new named token.
#[derive(Serialize, ToSchema)]
pub struct CreateToken {
    /// Unique among the owner's tokens; Onezone's name rule, as for `NameBody`.
    #[schema(min_length = 2, max_length = 128)]
    pub name: String,
    /// `{"accessToken":{}}` (the default) or `{"identityToken":{}}` (never accepted as REST
    /// authentication).
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, nullable = false)]
    pub kind: Option<Value>,
    /// Time caveats only: `[{"type":"time","validUntil":<unix seconds>}]`; the token stops
    /// authenticating then (401 `tokenCaveatUnverified`). Other caveat types are refused (400).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Vec<Object>>, nullable = false)]
    pub caveats: Option<Vec<Value>>,
}

/// At least one of the three.
#[derive(Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct UpdateToken {
    /// Unique among the owner's tokens.
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub name: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(nullable = false)]
    pub revoked: Option<bool>,
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>, nullable = false)]
    pub custom_metadata: Option<Value>,
}

/// An invite token from `POST …/token`.
#[derive(Serialize, ToSchema)]
pub struct JoinWithToken {
    pub token: String,
}

/// No keys are read; an empty body is accepted.
#[derive(Serialize, ToSchema)]
pub struct EmptyBody {}
