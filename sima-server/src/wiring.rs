//! The parts the settings name: the store, and one adapter per port, each
//! the provider [`crate::providers`] chose.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sima_core::chat::InboundHandler;
use sima_core::domain::RoomId;
use sima_core::ports::{ChatPort, DocsPort, IncidentStore, PagingPort, SessionStore};
use sima_core::{LogChat, LogPager, MarkdownDocs};
use sima_slack::{SlackChat, SlackConfig};
use sima_teams::{TeamsChat, TeamsConfig, TeamsState};

use crate::providers::{ChatProvider, DocsProvider, PagingProvider};
use crate::settings::Settings;

/// The Slack adapter's configuration, when a bot token is set.
pub(crate) fn slack_config(settings: &Settings) -> Option<SlackConfig> {
    let slack = &settings.slack;
    let token = slack.bot_token.as_ref()?;
    let mut config = SlackConfig::new(token.clone(), slack.signing_secret.clone().unwrap_or_default());
    if let Some(url) = &slack.api_url {
        config = config.with_api_url(url.clone());
    }
    config.team_id = slack.team_id.clone();
    Some(config)
}

/// The Teams adapter's configuration, when its four credentials are set.
/// Rooms are archived through Graph; `SIMA_ARCHIVE_AFTER` says when (`off`: never).
pub(crate) fn teams_config(settings: &Settings) -> Option<TeamsConfig> {
    let teams = &settings.teams;
    let (Some(tenant), Some(app), Some(password), Some(team)) =
        (&teams.tenant_id, &teams.app_id, &teams.app_password, &teams.team_id)
    else {
        return None;
    };
    let mut config = TeamsConfig::new(tenant.clone(), app.clone(), password.clone(), team.clone());
    if let Some(url) = &teams.graph_url {
        config.graph_url = url.clone();
    }
    if let Some(url) = &teams.connector_url {
        config.connector_url = url.clone();
    }
    config.token_url = teams.token_url.clone();
    if let Some(url) = &teams.openid_url {
        config.openid_metadata_url = url.clone();
    }
    config.archive_rooms = true;
    Some(config)
}

/// Teams, wired once: the chat port the engine posts through and the route
/// that answers Teams share one `TeamsChat` (a form the engine opens while
/// handling a button is the dialog the route answers with).
#[derive(Clone)]
pub struct Teams {
    config: TeamsConfig,
    chat: TeamsChat,
}

impl Teams {
    /// The chat port.
    pub fn chat_port(&self) -> Arc<dyn ChatPort> {
        Arc::new(self.chat.clone())
    }

    /// The state of `POST /teams/messages`, handing activities to `handler`.
    pub fn state(&self, handler: Arc<dyn InboundHandler>) -> TeamsState {
        TeamsState::new(&self.config, self.chat.clone(), handler)
    }
}

/// Teams, when `SIMA_CHAT` names it.
///
/// # Errors
/// Its settings are missing, or a URL is unusable.
pub fn teams(settings: &Settings) -> anyhow::Result<Option<Teams>> {
    if settings.chat_provider()? != ChatProvider::Teams {
        return Ok(None);
    }
    let missing = settings.teams.missing();
    let Some(config) = teams_config(settings).filter(|_| missing.is_empty()) else {
        anyhow::bail!("SIMA_CHAT=teams needs {}", missing.join(", "));
    };
    let chat = TeamsChat::new(config.clone()).context("configuring Teams")?;
    Ok(Some(Teams { config, chat }))
}

/// The company-wide channel incidents are announced in: Teams' own
/// (`SIMA_TEAMS_BROADCAST_CHANNEL`) when Teams is the chat, else the Slack one.
pub fn broadcast_room(settings: &Settings) -> RoomId {
    let teams = settings.chat_provider().ok() == Some(ChatProvider::Teams);
    match &settings.teams.broadcast_channel {
        Some(channel) if teams => RoomId::new(channel.clone()),
        _ => RoomId::new(settings.broadcast_channel.clone()),
    }
}

/// The chat adapter `SIMA_CHAT` names.
///
/// # Errors
/// An unknown provider, or one whose credentials are missing or wrong.
pub fn chat(settings: &Settings) -> anyhow::Result<Arc<dyn ChatPort>> {
    Ok(match settings.chat_provider()? {
        ChatProvider::Slack => {
            let config = slack_config(settings).context("SIMA_CHAT=slack needs SIMA_SLACK_BOT_TOKEN")?;
            Arc::new(SlackChat::new(config).context("configuring Slack")?)
        }
        ChatProvider::Teams => match teams(settings)? {
            Some(teams) => teams.chat_port(),
            None => anyhow::bail!("SIMA_CHAT=teams needs {}", settings.teams.missing().join(", ")),
        },
        ChatProvider::Log => Arc::new(LogChat::new()),
    })
}

/// The paging adapter `SIMA_PAGING` names.
///
/// # Errors
/// An unknown provider, or one whose configuration is wrong.
pub fn paging(settings: &Settings) -> anyhow::Result<Arc<dyn PagingPort>> {
    Ok(match settings.paging_provider()? {
        PagingProvider::PagerDuty => {
            let pd = &settings.pagerduty;
            let mut config = sima_pagerduty::PagerDutyConfig::new(pd.routing_key.as_ref().map_or("", |k| k.expose()));
            if pd.routing_key.is_none() {
                config.default_routing_key = None;
            }
            if let Some(url) = &pd.events_url {
                config = config.with_events_url(url.clone());
            }
            for service in settings.services() {
                if let Ok(crate::settings::Paging::Key(key)) = settings.paging_of(service.name.as_str()) {
                    config = config.with_routing_key(service.name.as_str(), key.expose());
                }
            }
            Arc::new(sima_pagerduty::PagerDutyPager::new(config).context("configuring PagerDuty")?)
        }
        PagingProvider::Log => Arc::new(LogPager),
    })
}

/// The post-mortem adapter `SIMA_DOCS` names.
///
/// # Errors
/// An unknown provider, or one whose configuration is wrong.
pub fn docs(settings: &Settings) -> anyhow::Result<Arc<dyn DocsPort>> {
    Ok(match settings.docs_provider()? {
        DocsProvider::Notion => {
            let notion = &settings.notion;
            let (Some(token), Some(source)) = (&notion.token, &notion.data_source_id) else {
                anyhow::bail!("SIMA_DOCS=notion needs SIMA_NOTION_TOKEN and SIMA_NOTION_DATA_SOURCE_ID");
            };
            let mut config = sima_notion::NotionConfig::new(token.expose(), source.clone());
            config.private_data_source_id = notion.private_data_source_id.clone();
            if let Some(url) = &notion.api_url {
                config = config.with_api_url(url.clone());
            }
            Arc::new(sima_notion::NotionDocs::new(config).context("configuring Notion")?)
        }
        DocsProvider::Confluence => {
            let confluence = &settings.confluence;
            let (Some(url), Some(email), Some(token), Some(space)) =
                (&confluence.url, &confluence.email, &confluence.api_token, &confluence.space_id)
            else {
                anyhow::bail!("SIMA_DOCS=confluence needs {}", confluence.missing().join(", "));
            };
            let mut config = sima_confluence::ConfluenceConfig::new(url.clone(), space.clone(), token.clone())
                .with_email(email.clone());
            config.parent_id = confluence.parent_id.clone();
            config.private_parent_id = confluence.private_parent_id.clone();
            Arc::new(sima_confluence::ConfluenceDocs::new(config).context("configuring Confluence")?)
        }
        DocsProvider::Markdown => Arc::new(
            MarkdownDocs::new(settings.postmortem_dir.clone())
                .with_url_base(format!("{}/postmortems", settings.public_url.trim_end_matches('/'))),
        ),
    })
}

/// How long any caller waits for a PostgreSQL connection before the store
/// answers `Transient` (an API 503 with `Retry-After`, a "could not record
/// this yet" in Slack, a retried effect).
///
/// This is how outages fail fast. While PostgreSQL is down, sqlx keeps
/// retrying the connection until the pool's acquire timeout, so the timeout
/// is how long a request waits to learn the database is gone; half a second
/// keeps every answer well inside a second (and a Slack acknowledgement, which
/// may touch the store twice, inside Slack's 3 s). No circuit breaker is
/// needed on top: a refused connection costs a few milliseconds, the pool
/// reconnects on its own once the database is back, and nothing has to be
/// reset. The same deadline bounds waiting for a busy pool, where a quick 503
/// is the right answer too.
pub const STORE_ACQUIRE_TIMEOUT: Duration = Duration::from_millis(500);

/// The store, seen as the incident store and as the session store.
pub type Stores = (Arc<dyn IncidentStore>, Arc<dyn SessionStore>);

/// Opens the database `SIMA_DATABASE_URL` names, running its migrations
/// (with `auto_migrate` off: none, and a schema that is not current is refused).
///
/// # Errors
/// The database cannot be opened or migrated, or its schema is not current.
pub async fn connect_store(settings: &Settings) -> anyhow::Result<Stores> {
    let url = &settings.database_url;
    if let Some(warning) = settings.database_tls_warning() {
        tracing::warn!("{warning}");
    }
    Ok(if settings.is_postgres() {
        let mut config = sima_store_postgres::PgStoreConfig::new(url.clone());
        config.acquire_timeout_ms = Some(STORE_ACQUIRE_TIMEOUT.as_millis().try_into().unwrap_or(u64::MAX));
        config.migrate = settings.auto_migrate;
        let store = Arc::new(sima_store_postgres::PgStore::connect(&config).await.context("connecting to PostgreSQL")?);
        if !settings.auto_migrate {
            crate::schema::require_current(&store.pending_migrations().await.context("reading the schema")?)?;
        }
        (store.clone(), store)
    } else {
        let mut config = sima_store_sqlite::SqliteStoreConfig::new(url.clone());
        config.migrate = settings.auto_migrate;
        let store =
            Arc::new(sima_store_sqlite::SqliteStore::connect(&config).await.context("opening the SQLite database")?);
        if !settings.auto_migrate {
            crate::schema::require_current(&store.pending_migrations().await.context("reading the schema")?)?;
        }
        (store.clone(), store)
    })
}
