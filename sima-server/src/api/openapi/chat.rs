//! The routes chat platforms call, which `sima-slack` and `sima-teams` serve
//! (nested under `/slack` and `/teams` by `crate::router`): their handlers
//! live in those crates, so their operations are described here, from one
//! table, with the schemes that authenticate them. The server's tests check
//! that every row is a route the server serves, with that method only.

use utoipa::openapi::path::{HttpMethod, OperationBuilder};
use utoipa::openapi::request_body::RequestBodyBuilder;
use utoipa::openapi::schema::{ObjectBuilder, Schema, Type};
use utoipa::openapi::security::{
    ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
};
use utoipa::openapi::{Components, ContentBuilder, OpenApi, PathItem, Ref, ResponseBuilder};
use utoipa::ToSchema;

use crate::error::ErrorBody;

/// Security scheme of Slack's `X-Slack-Signature` header.
pub const SLACK_SIGNATURE: &str = "slack_signature";
/// Security scheme of Slack's `X-Slack-Request-Timestamp` header.
pub const SLACK_TIMESTAMP: &str = "slack_request_timestamp";
/// Security scheme of the Bot Framework's JWT.
pub const BOT_FRAMEWORK: &str = "bot_framework";

/// Who calls a chat route.
#[derive(Clone, Copy)]
enum Caller {
    Slack,
    Teams,
}

/// One route a chat platform calls: always a `POST`.
struct ChatRoute {
    path: &'static str,
    operation_id: &'static str,
    summary: &'static str,
    description: &'static str,
    caller: Caller,
    /// The body's media type and what it holds.
    body: (&'static str, fn() -> Schema),
    /// What a 200 may carry (JSON), beside nothing.
    answer: &'static str,
}

/// Every route `sima_slack::router` and `sima_teams::router` serve, as this server nests them.
const CHAT_ROUTES: [ChatRoute; 4] = [
    ChatRoute {
        path: "/slack/commands",
        operation_id: "slack_command",
        summary: "A Slack slash command (`/incident …`)",
        description: "Slack's slash-command request. Answered within 3 s: the command's reply (shown only to \
                      its author) or nothing, the rest follows through the Web API and `response_url`.",
        caller: Caller::Slack,
        body: ("application/x-www-form-urlencoded", slash_command),
        answer: "The reply to show the command's author, in Slack's message JSON",
    },
    ChatRoute {
        path: "/slack/interactions",
        operation_id: "slack_interaction",
        summary: "A Slack interaction (a button, a modal's submission)",
        description: "Slack's interactivity request: the form field `payload` holds the interaction's JSON.",
        caller: Caller::Slack,
        body: ("application/x-www-form-urlencoded", interaction),
        answer: "A `response_action` (a modal's field errors) when there is one",
    },
    ChatRoute {
        path: "/slack/events",
        operation_id: "slack_event",
        summary: "A Slack Events API delivery",
        description: "`url_verification` is answered with its `challenge`; `event_callback`s are acted on once \
                      per `event_id`, however often Slack delivers them (`X-Slack-Retry-Num`).",
        caller: Caller::Slack,
        body: ("application/json", event),
        answer: "`{\"challenge\"}` for a `url_verification`",
    },
    ChatRoute {
        path: "/teams/messages",
        operation_id: "teams_activity",
        summary: "A Microsoft Teams activity (the bot's messaging endpoint)",
        description: "A Bot Framework activity: a message to the bot, a card's button or form (`invoke`), a \
                      change of members. Checked against its token, then its tenant (`channelData.tenant.id`), \
                      team and Connector; replies go through the configured Connector. Served when \
                      `SIMA_CHAT=teams`; otherwise every `/teams` path answers 401 saying what to set.",
        caller: Caller::Teams,
        body: ("application/json", activity),
        answer: "An `invoke`'s answer (a card or a dialog)",
    },
];

/// Adds the chat routes and their security schemes to `document`.
pub(super) fn describe(document: &mut OpenApi) {
    let components = document.components.get_or_insert_with(Default::default);
    add_schemes(components);
    for route in &CHAT_ROUTES {
        let item = PathItem::new(HttpMethod::Post, operation(route));
        document.paths.paths.insert(route.path.to_owned(), item);
    }
}

fn add_schemes(components: &mut Components) {
    let signature = "Slack's request signature: `X-Slack-Signature: v0=<hex HMAC-SHA256>` of \
                     `v0:<X-Slack-Request-Timestamp>:<body>`, keyed with the Slack app's signing secret \
                     (`SIMA_SLACK_SIGNING_SECRET`). Slack signs every request; no one else can. Without the \
                     secret every `/slack` path answers 401.";
    let timestamp = "Slack's `X-Slack-Request-Timestamp` (Unix seconds), signed with the body; a request more \
                     than 5 minutes old or ahead is refused, so a captured request cannot be replayed later.";
    for (name, header, description) in
        [(SLACK_SIGNATURE, "X-Slack-Signature", signature), (SLACK_TIMESTAMP, "X-Slack-Request-Timestamp", timestamp)]
    {
        let key = ApiKey::Header(ApiKeyValue::with_description(header, description));
        components.add_security_scheme(name, SecurityScheme::ApiKey(key));
    }
    let bot = HttpBuilder::new()
        .scheme(HttpAuthScheme::Bearer)
        .bearer_format("JWT")
        .description(Some(
            "`Authorization: Bearer <JWT>` issued by the Bot Framework: signed with a key from its OpenID \
             metadata (`SIMA_TEAMS_OPENID_URL`) endorsed for the activity's channel, for the audience \
             `SIMA_TEAMS_APP_ID`, not expired.",
        ))
        .build();
    components.add_security_scheme(BOT_FRAMEWORK, SecurityScheme::Http(bot));
}

fn operation(route: &ChatRoute) -> utoipa::openapi::path::Operation {
    let (media_type, schema) = route.body;
    let body = RequestBodyBuilder::new()
        .content(media_type, ContentBuilder::new().schema(Some(schema())).build())
        .required(Some(utoipa::openapi::Required::True))
        .build();
    let (security, tag, not_configured) = match route.caller {
        Caller::Slack => (
            SecurityRequirement::new(SLACK_SIGNATURE, Vec::<String>::new()).add(SLACK_TIMESTAMP, Vec::<String>::new()),
            "slack",
            "no signing secret is configured (`unauthorized`)",
        ),
        Caller::Teams => (
            SecurityRequirement::new(BOT_FRAMEWORK, Vec::<String>::new()),
            "teams",
            "Teams is not configured (`unauthorized`)",
        ),
    };
    let refused = match route.caller {
        Caller::Slack => "A missing, wrong or stale signature",
        Caller::Teams => "A missing, forged or expired token, or an activity of another tenant, team or Connector",
    };
    OperationBuilder::new()
        .operation_id(Some(route.operation_id))
        .summary(Some(route.summary))
        .description(Some(route.description))
        .tag(tag)
        .request_body(Some(body))
        .security(security)
        .response(
            "200",
            ResponseBuilder::new().description(format!("Acknowledged. {}.", route.answer)).content(
                "application/json",
                ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::Object))).build(),
            ),
        )
        .response("400", text("The body is not what the platform sends (what is wrong, in plain text)"))
        .response(
            "401",
            text(&format!("{refused} (plain text); as JSON when {not_configured}"))
                .content("application/json", error_content()),
        )
        .response("413", text("The body is over 1 MiB"))
        .response(
            "503",
            text(
                "Not handled now; the platform retries (plain text); as JSON when the server is full \
                  (`overloaded`) or the request took too long (`timeout`)",
            )
            .content("application/json", error_content()),
        )
        .build()
}

/// An answer whose body is plain text.
fn text(description: &str) -> ResponseBuilder {
    let plain = ContentBuilder::new().schema(Some(ObjectBuilder::new().schema_type(Type::String))).build();
    ResponseBuilder::new().description(description).content("text/plain; charset=utf-8", plain)
}

/// The server's own error body.
fn error_content() -> utoipa::openapi::Content {
    ContentBuilder::new().schema(Some(Ref::from_schema_name(ErrorBody::name()))).build()
}

/// An object of string properties, `required` among them.
fn strings(description: &str, properties: &[(&str, &str)], required: &[&str]) -> Schema {
    let mut object = ObjectBuilder::new().schema_type(Type::Object).description(Some(description));
    for (name, about) in properties {
        object = object.property(*name, ObjectBuilder::new().schema_type(Type::String).description(Some(*about)));
    }
    for name in required {
        object = object.required(*name);
    }
    object.build().into()
}

fn slash_command() -> Schema {
    strings(
        "Slack's slash-command fields (others are ignored)",
        &[
            ("command", "`/incident`"),
            ("text", "What follows the command: `declare`, `status investigating …`, `help`"),
            ("user_id", "Who typed it"),
            ("channel_id", "Where"),
            ("team_id", "The workspace"),
            ("response_url", "Where later replies to the command go"),
            ("trigger_id", "Opens a modal"),
        ],
        &["command", "user_id", "channel_id"],
    )
}

fn interaction() -> Schema {
    strings(
        "Slack's interactivity form",
        &[("payload", "The interaction, as JSON: `block_actions` or `view_submission`")],
        &["payload"],
    )
}

fn event() -> Schema {
    strings(
        "A Slack Events API envelope",
        &[
            ("type", "`url_verification` or `event_callback`"),
            ("challenge", "For `url_verification`: what to answer"),
            ("event_id", "For `event_callback`: the delivery, acted on once"),
            ("team_id", "The workspace"),
        ],
        &["type"],
    )
}

fn activity() -> Schema {
    strings(
        "A Bot Framework activity (the fields read; `from`, `conversation`, `channelData` and `value` are objects)",
        &[
            ("type", "`message`, `invoke` or `conversationUpdate`"),
            ("id", "The activity, acted on once per conversation"),
            ("channelId", "`msteams`"),
            ("serviceUrl", "Where Teams would take replies; the configured Connector is used instead"),
            ("text", "A message's text: `incident declare`, `incident status …`"),
        ],
        &["type"],
    )
}
