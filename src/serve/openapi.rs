//! The API's OpenAPI 3.1 document, generated from [`ROUTES`] (the API's
//! calls, one typed description each) and the schemas of the types the
//! handlers answer with. `tests/serve.rs` checks every documented call is
//! served and every answer it receives matches this document.

use crate::accounts::Role;
use crate::detect::Platform;
use crate::queue::{Action, Status};
use crate::store::{ClaimSort, LIVENESS};
use serde_json::{Map, Value, json};

/// One API call.
pub struct Route {
    pub method: &'static str,
    /// The path under `/api/v1`, with `{id}` for the id.
    pub path: &'static str,
    pub summary: &'static str,
    /// The least role that may call it.
    pub role: Role,
    /// The request body's schema, if it takes one.
    pub body: Option<&'static str>,
    /// The success status and the answer's schema.
    pub ok: (u16, &'static str),
    /// Error statuses it may answer besides 401.
    pub errors: &'static [u16],
    /// The query parameters it takes.
    pub query: Query,
}

/// Query parameters of a call.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Query {
    None,
    /// The queue's filters, `offset` and `limit`.
    Filters,
    /// `q`, `offset` and `limit`.
    Search,
}

pub const ROUTES: &[Route] = &[
    Route {
        method: "get",
        path: "/claims",
        summary: "The claims the filters select, one page",
        role: Role::Viewer,
        body: None,
        ok: (200, "ClaimPage"),
        errors: &[400],
        query: Query::Filters,
    },
    Route {
        method: "post",
        path: "/claims",
        summary: "Queue a post by hand, by its URL",
        role: Role::Checker,
        body: Some("NewClaim"),
        ok: (201, "Created"),
        errors: &[400, 403, 409],
        query: Query::None,
    },
    Route {
        method: "get",
        path: "/claims/{id}",
        summary: "Everything known about one claim (as `embarc queue show ID --json`)",
        role: Role::Viewer,
        body: None,
        ok: (200, "ClaimDetail"),
        errors: &[404],
        query: Query::None,
    },
    Route {
        method: "post",
        path: "/claims/{id}/status",
        summary: "Set a claim's status (a note is required when changing a decision)",
        role: Role::Checker,
        body: Some("StatusChange"),
        ok: (200, "ClaimEvent"),
        errors: &[400, 403, 404, 409],
        query: Query::None,
    },
    Route {
        method: "post",
        path: "/claims/{id}/notes",
        summary: "Add a note to a claim's history",
        role: Role::Checker,
        body: Some("Note"),
        ok: (200, "ClaimEvent"),
        errors: &[400, 403, 404],
        query: Query::None,
    },
    Route {
        method: "put",
        path: "/claims/{id}/assignee",
        summary: "Give a claim to someone (null: to nobody)",
        role: Role::Checker,
        body: Some("Assignee"),
        ok: (200, "ClaimEvent"),
        errors: &[400, 403, 404, 409],
        query: Query::None,
    },
    Route {
        method: "get",
        path: "/posts/{id}",
        summary: "Everything known about one post: snapshots, checks, warnings, and every citing article with the paragraph around the citation",
        role: Role::Viewer,
        body: None,
        ok: (200, "PostDetail"),
        errors: &[404],
        query: Query::None,
    },
    Route {
        method: "get",
        path: "/articles/{id}",
        summary: "One article: its captures (SHA-256, WARC location) and the posts it cites",
        role: Role::Viewer,
        body: None,
        ok: (200, "ArticleView"),
        errors: &[404],
        query: Query::None,
    },
    Route {
        method: "get",
        path: "/search",
        summary: "Posts by text, handle, author or URL and articles by URL (every word must match, as a word or its start), best first",
        role: Role::Viewer,
        body: None,
        ok: (200, "SearchPage"),
        errors: &[400],
        query: Query::Search,
    },
    Route {
        method: "get",
        path: "/report",
        summary: "The link-rot report (as `embarc report --json`)",
        role: Role::Viewer,
        body: None,
        ok: (200, "Report"),
        errors: &[],
        query: Query::None,
    },
];

fn string() -> Value {
    json!({"type": "string"})
}

fn opt_string() -> Value {
    json!({"type": ["string", "null"]})
}

fn int() -> Value {
    json!({"type": "integer"})
}

fn opt_int() -> Value {
    json!({"type": ["integer", "null"]})
}

fn strings() -> Value {
    json!({"type": "array", "items": {"type": "string"}})
}

fn reference(name: &str) -> Value {
    json!({"$ref": format!("#/components/schemas/{name}")})
}

fn list(name: &str) -> Value {
    json!({"type": "array", "items": reference(name)})
}

/// An object with exactly these fields, all present.
fn object(fields: Vec<(&str, Value)>) -> Value {
    let required: Vec<&str> = fields.iter().map(|(k, _)| *k).collect();
    let properties: Map<String, Value> = fields
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
    json!({"type": "object", "properties": properties, "required": required, "additionalProperties": false})
}

fn enumeration(values: &[&str], nullable: bool) -> Value {
    let mut values: Vec<Value> = values.iter().map(|v| json!(v)).collect();
    if nullable {
        values.push(Value::Null);
    }
    json!({"enum": values})
}

fn claim_fields() -> Vec<(&'static str, Value)> {
    vec![
        ("id", json!({"type": "integer"})),
        ("label", string()),
        ("status", reference("Status")),
        ("assignee", opt_string()),
        ("reason", opt_string()),
        ("created_at", string()),
        ("updated_at", string()),
        ("decided_at", opt_string()),
        ("decided_by", opt_string()),
        ("post", reference("ClaimPost")),
        ("citations", list("ClaimCitation")),
        ("warnings", list("Warning")),
        (
            "latest_check",
            json!({"oneOf": [reference("Check"), {"type": "null"}]}),
        ),
        ("events", list("ClaimEvent")),
    ]
}

fn schemas() -> Value {
    let statuses = Status::ALL.map(Status::as_str);
    let actions = [
        Action::Created,
        Action::Status,
        Action::Assign,
        Action::Note,
    ]
    .map(Action::as_str);
    let mut detail = claim_fields();
    detail.push(("snapshots", list("ClaimSnapshot")));
    detail.push(("checks", list("Check")));
    detail.push(("kept_media", list("Media")));
    detail.push(("media_not_kept", list("MissedMedia")));
    json!({
        "Status": enumeration(&statuses, false),
        "Error": object(vec![("error", string())]),
        "ClaimPost": object(vec![
            ("platform", string()), ("post_id", opt_string()), ("post_url", opt_string()),
            ("handle", opt_string()), ("author_name", opt_string()), ("posted_at", opt_string()),
            ("date", opt_string()), ("display_date", opt_string()), ("first_seen_at", string()),
            ("text", opt_string()), ("labels", strings()), ("media", strings()),
            ("state", opt_string()), ("reason", opt_string()), ("checked_at", opt_string()),
            ("archived_url", opt_string()),
        ]),
        "ClaimCitation": object(vec![
            ("article_url", string()), ("kind", string()), ("shape", string()),
            ("source_url", opt_string()), ("first_captured_at", string()), ("last_captured_at", string()),
        ]),
        "Warning": object(vec![("kind", string()), ("detail", string())]),
        "Check": object(vec![
            ("checked_at", string()), ("state", string()), ("reason", opt_string()),
            ("http_status", json!({"type": ["integer", "null"]})), ("evidence", string()),
            ("endpoint", string()), ("archived_url", opt_string()),
        ]),
        "ClaimEvent": object(vec![
            ("at", string()), ("actor", string()), ("action", enumeration(&actions, false)),
            ("from_status", enumeration(&statuses, true)), ("to_status", enumeration(&statuses, true)),
            ("assignee", opt_string()), ("note", opt_string()),
        ]),
        "ClaimSnapshot": object(vec![
            ("source", string()), ("article_url", opt_string()), ("taken_at", string()),
            ("text", opt_string()), ("author_name", opt_string()), ("handle", opt_string()),
            ("display_date", opt_string()), ("posted_at", opt_string()), ("lang", opt_string()),
            ("media", strings()), ("labels", strings()),
        ]),
        "PostDetail": object(vec![
            ("id", int()), ("platform", string()), ("post_id", opt_string()), ("post_url", opt_string()),
            ("handle", opt_string()), ("author_name", opt_string()), ("posted_at", opt_string()),
            ("date", opt_string()), ("first_seen_at", string()), ("state", opt_string()),
            ("reason", opt_string()), ("checked_at", opt_string()), ("archived_url", opt_string()),
            ("claim", opt_int()), ("snapshots", list("ClaimSnapshot")), ("checks", list("Check")),
            ("warnings", list("Warning")), ("citations", list("PostCitation")),
            ("media", list("Media")), ("media_not_kept", list("MissedMedia")),
        ]),
        "MissedMedia": object(vec![
            ("url", string()), ("kind", enumeration(&["photo", "video", "thumbnail"], false)),
            ("result", enumeration(&["too_large", "refused", "failed"], false)),
            ("http_status", opt_int()), ("detail", string()), ("fetched_at", string()),
        ]),
        "Media": object(vec![
            ("id", int()), ("url", string()), ("kind", enumeration(&["photo", "video", "thumbnail"], false)),
            ("content_type", opt_string()), ("size", opt_int()), ("sha256", opt_string()),
            ("warc", json!({"type": ["object", "null"], "properties": {"file": string(), "offset": int()}})),
            ("fetched_at", string()),
        ]),
        "PostCitation": object(vec![
            ("article", int()), ("article_url", string()), ("kind", string()), ("occurrence", int()),
            ("shape", string()), ("source_url", opt_string()), ("text", opt_string()),
            ("first_captured_at", string()), ("last_captured_at", string()), ("capture", int()),
            ("paragraph", opt_string()),
        ]),
        "ArticleView": object(vec![
            ("id", int()), ("url", string()), ("site", string()), ("first_seen_at", string()),
            ("state", opt_string()), ("reason", opt_string()), ("checked_at", opt_string()),
            ("archived_url", opt_string()), ("captures", list("Capture")), ("citations", list("ArticlePost")),
        ]),
        "Capture": object(vec![
            ("id", int()), ("article", int()), ("article_url", string()), ("captured_at", string()),
            ("last_seen_at", opt_string()), ("source", string()), ("http_status", opt_int()),
            ("final_url", opt_string()), ("content_type", opt_string()), ("encoding", opt_string()),
            ("sha256", string()), ("size", int()), ("payload_digest", opt_string()),
            ("warc_file", opt_string()), ("warc_offset", opt_int()),
        ]),
        "ArticlePost": object(vec![
            ("post", int()), ("platform", string()), ("post_id", opt_string()), ("post_url", opt_string()),
            ("handle", opt_string()), ("author_name", opt_string()), ("kind", string()), ("occurrence", int()),
            ("shape", string()), ("source_url", opt_string()), ("text", opt_string()), ("claim", opt_int()),
        ]),
        "SearchPage": object(vec![
            ("query", string()), ("total_posts", json!({"type": "integer", "minimum": 0})),
            ("total_articles", json!({"type": "integer", "minimum": 0})),
            ("offset", json!({"type": "integer", "minimum": 0})), ("limit", json!({"type": "integer", "minimum": 1})),
            ("posts", list("PostHit")), ("articles", list("ArticleHit")),
        ]),
        "PostHit": object(vec![
            ("post", int()), ("platform", string()), ("post_id", opt_string()), ("post_url", opt_string()),
            ("handle", opt_string()), ("author_name", opt_string()), ("text", opt_string()), ("claim", opt_int()),
        ]),
        "ArticleHit": object(vec![
            ("article", int()), ("url", string()), ("site", string()), ("first_seen_at", string()),
        ]),
        "Claim": object(claim_fields()),
        "ClaimDetail": object(detail),
        "ClaimPage": object(vec![
            ("total", json!({"type": "integer", "minimum": 0})),
            ("offset", json!({"type": "integer", "minimum": 0})),
            ("limit", json!({"type": "integer", "minimum": 1})),
            ("claims", list("Claim")),
        ]),
        "Created": object(vec![("claim", json!({"type": "integer"})), ("new_post", json!({"type": "boolean"}))]),
        "NewClaim": object(vec![("post_url", string()), ("reason", string())]),
        "StatusChange": {
            "type": "object",
            "properties": {"status": reference("Status"), "note": opt_string()},
            "required": ["status"],
            "additionalProperties": false,
        },
        "Note": object(vec![("note", string())]),
        "Assignee": object(vec![("assignee", opt_string())]),
        "Report": {
            "type": "object",
            "description": "The `embarc report --json` document (see README.md, `embarc report`).",
            "properties": {
                "posts": {"type": "object"}, "by_platform": {"type": "object"}, "by_site": {"type": "object"},
                "articles": {"type": "object"}, "deaths": {"type": "object"},
                "gone_posts": {"type": "array"}, "gone_articles": {"type": "array"}, "transitions": {"type": "array"},
            },
            "required": ["posts", "by_platform", "by_site", "articles", "deaths", "gone_posts", "gone_articles", "transitions"],
        },
    })
}

fn filter_parameters() -> Value {
    let statuses: Vec<&str> = ["open", "all"]
        .into_iter()
        .chain(Status::ALL.map(Status::as_str))
        .collect();
    let q = |name: &str, schema: Value, description: &str| json!({"name": name, "in": "query", "required": false, "schema": schema, "description": description});
    json!([
        q(
            "status",
            enumeration(&statuses, false),
            "open (default: unstarted and in_progress), all, or one status"
        ),
        q("label", string(), "the claim's label, case-insensitively"),
        q(
            "assignee",
            string(),
            "a name, or `mine` for the token's own name"
        ),
        q("platform", string(), &Platform::names()),
        q(
            "state",
            enumeration(&LIVENESS, false),
            "the post's liveness"
        ),
        q(
            "sort",
            enumeration(&ClaimSort::ALL.map(ClaimSort::as_str), false),
            "oldest (default), newest, updated"
        ),
        q(
            "offset",
            json!({"type": "integer", "minimum": 0}),
            "claims to skip"
        ),
        q(
            "limit",
            json!({"type": "integer", "minimum": 1, "maximum": super::api::MAX_LIMIT}),
            "claims to return (default 50)"
        ),
    ])
}

fn search_parameters() -> Vec<Value> {
    vec![
        json!({"name": "q", "in": "query", "required": true, "schema": string(),
               "description": "the words to find; punctuation and operators are ignored"}),
        json!({"name": "offset", "in": "query", "required": false,
               "schema": {"type": "integer", "minimum": 0}, "description": "hits of each kind to skip"}),
        json!({"name": "limit", "in": "query", "required": false,
               "schema": {"type": "integer", "minimum": 1, "maximum": crate::store::MAX_HITS},
               "description": "hits of each kind to return (default 50)"}),
    ]
}

fn reason(status: u16) -> &'static str {
    match status {
        400 => "bad input",
        401 => "no, unknown or revoked token",
        403 => "the token's role is too low",
        404 => "no such claim, post or article",
        409 => "refused by the queue's rules (the reason is in the message)",
        _ => "error",
    }
}

/// The whole document.
pub fn document() -> Value {
    let mut paths = Map::new();
    for r in ROUTES {
        let mut responses = Map::new();
        responses.insert(
            r.ok.0.to_string(),
            json!({"description": "done", "content": {"application/json": {"schema": reference(r.ok.1)}}}),
        );
        for status in [401].iter().chain(r.errors) {
            responses.insert(
                status.to_string(),
                json!({"description": reason(*status), "content": {"application/json": {"schema": reference("Error")}}}),
            );
        }
        let mut op = json!({
            "summary": r.summary,
            "description": format!("Needs a {} token.", r.role),
            "responses": responses,
        });
        let mut params = Vec::new();
        if r.path.contains("{id}") {
            params.push(json!({"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}));
        }
        match r.query {
            Query::None => {}
            Query::Filters => {
                params.extend(filter_parameters().as_array().cloned().unwrap_or_default())
            }
            Query::Search => params.extend(search_parameters()),
        }
        if !params.is_empty() {
            op["parameters"] = Value::Array(params);
        }
        if let Some(body) = r.body {
            op["requestBody"] = json!({"required": true, "content": {"application/json": {"schema": reference(body)}}});
        }
        let entry = paths.entry(r.path.to_string()).or_insert_with(|| json!({}));
        entry[r.method] = op;
    }
    json!({
        "openapi": "3.1.0",
        "info": {
            "title": "embarc API",
            "version": env!("CARGO_PKG_VERSION"),
            "description": "The verification queue and the link-rot report of an embarc archive. Errors are {\"error\": \"...\"}.",
        },
        "servers": [{"url": "/api/v1"}],
        "security": [{"bearer": []}],
        "components": {
            "securitySchemes": {"bearer": {"type": "http", "scheme": "bearer", "description": "a token from `embarc token create`"}},
            "schemas": schemas(),
        },
        "paths": paths,
    })
}
