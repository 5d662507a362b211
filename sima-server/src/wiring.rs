//! The parts the settings name: the store, and one adapter per port, each
//! the provider [`crate::providers`] chose.

use std::sync::Arc;
use std::time::Duration;

use anyhow::Context;
use sima_core::ports::{ChatPort, DocsPort, IncidentStore, PagingPort, SessionStore};
use sima_core::{LogChat, LogPager, MarkdownDocs};
use sima_slack::{SlackChat, SlackConfig};

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
            for domain in &settings.domains {
                if let Some(key) = &domain.routing_key {
                    config = config.with_routing_key(domain.name.as_str(), key.expose());
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

/// Opens the database `SIMA_DATABASE_URL` names, running its migrations.
///
/// # Errors
/// The database cannot be opened or migrated.
pub async fn connect_store(settings: &Settings) -> anyhow::Result<Stores> {
    let url = &settings.database_url;
    if let Some(warning) = settings.database_tls_warning() {
        tracing::warn!("{warning}");
    }
    Ok(if settings.is_postgres() {
        let mut config = sima_store_postgres::PgStoreConfig::new(url.clone());
        config.acquire_timeout_ms = Some(STORE_ACQUIRE_TIMEOUT.as_millis().try_into().unwrap_or(u64::MAX));
        let store = Arc::new(sima_store_postgres::PgStore::connect(&config).await.context("connecting to PostgreSQL")?);
        (store.clone(), store)
    } else {
        let config = sima_store_sqlite::SqliteStoreConfig::new(url.clone());
        let store =
            Arc::new(sima_store_sqlite::SqliteStore::connect(&config).await.context("opening the SQLite database")?);
        (store.clone(), store)
    })
}
