//! The rendered documents, kept in memory: the store is read and the three
//! documents rendered at most once per refresh period (`[status] refresh_secs`), by one request while the
//! others are answered from the last rendering. While the store fails, the
//! last rendering is served, marked stale; before any rendering, nothing is.
//!
//! Trade-off: the last rendering is what the store said at its last
//! successful read, so an incident made private in the `refresh_secs` before
//! an outage stays on the stale page until the store answers again (as it
//! stays, for `max-age`, in the caches of browsers and proxies). Serving
//! nothing instead would take the page down exactly when customers read it.

use std::collections::HashMap;
use std::sync::{Arc, RwLock};
use std::time::Duration;

use axum::body::Bytes;
use chrono::{DateTime, Utc};
use sha2::{Digest, Sha256};
use sima_core::domain::{Incident, Status};
use sima_core::ports::IncidentFilter;
use sima_core::IncidentService;
use tokio::time::Instant;

use super::model::{build, window_start, ComponentDef, PublicPage};
use super::strings::Strings;
use super::summary::PageInfo;
use super::{atom, render_html, summary};

/// How long a read of the store may take before the page is served stale.
const LOAD_TIMEOUT: Duration = Duration::from_secs(3);

/// One rendered document and its entity tag.
#[derive(Debug, Clone)]
pub(crate) struct Document {
    /// The bytes served.
    pub(crate) body: Bytes,
    /// `"<hex>"`: a digest of the body.
    pub(crate) etag: String,
}

impl Document {
    /// `body` with its tag.
    pub(crate) fn new(body: String) -> Self {
        let etag = format!("\"{}\"", hex::encode(&Sha256::digest(body.as_bytes())[..16]));
        Self { body: Bytes::from(body), etag }
    }
}

/// The documents of one reading of the store.
#[derive(Debug)]
pub(crate) struct Rendering {
    /// The model they were rendered from.
    pub(crate) page: PublicPage,
    /// `/status/incidents/{id}`, by public id.
    pub(crate) incident_pages: HashMap<String, Document>,
    /// `/status`.
    pub(crate) html: Document,
    /// `/status/feed.atom`.
    pub(crate) atom: Document,
    /// `/status/api/v2/summary.json`.
    pub(crate) summary: Document,
    /// When the store was last read successfully, if this rendering is
    /// served because a later read failed.
    pub(crate) stale_since: Option<DateTime<Utc>>,
    /// When the store was read for it.
    read_at: DateTime<Utc>,
}

/// What the page is made of: the store (through the service) and the configuration.
#[derive(Debug, Clone)]
pub(crate) struct Source {
    /// Reads the store.
    pub(crate) service: IncidentService,
    /// The components, in order.
    pub(crate) components: Vec<ComponentDef>,
    /// Title, links, page id.
    pub(crate) info: PageInfo,
    /// The words.
    pub(crate) strings: Strings,
}

impl Source {
    /// Renders the documents of `page`.
    fn render(&self, page: PublicPage, read_at: DateTime<Utc>, stale_since: Option<DateTime<Utc>>) -> Rendering {
        let stale = stale_since.is_some();
        let incident_pages = page
            .incidents
            .iter()
            .map(|incident| {
                let body = render_html::incident_page(&page, incident, &self.info, &self.strings, stale);
                (incident.id.clone(), Document::new(body))
            })
            .collect();
        Rendering {
            incident_pages,
            html: Document::new(render_html::page(&page, &self.info, &self.strings, stale)),
            atom: Document::new(atom::render(&page, &self.info, &self.strings)),
            summary: Document::new(summary::render(&page, &self.info, &self.strings)),
            page,
            stale_since,
            read_at,
        }
    }

    /// The incidents that may be shown: declared in the window, and the
    /// older ones not closed (still open publicly, perhaps).
    async fn incidents(&self, now: DateTime<Utc>) -> Result<Vec<Incident>, sima_core::ServiceError> {
        let since = window_start(now);
        let mut incidents = self.service.list(&IncidentFilter { from: Some(since), ..Default::default() }).await?;
        for status in Status::ALL.into_iter().filter(|s| !s.is_terminal()) {
            let older = IncidentFilter { status: Some(status), to: Some(since), ..Default::default() };
            incidents.extend(self.service.list(&older).await?);
        }
        Ok(incidents)
    }
}

#[derive(Debug, Default)]
struct Slot {
    /// The last rendering, and when the store was last tried for it.
    current: Option<(Instant, Arc<Rendering>)>,
    /// When a read last failed with nothing rendered yet.
    failed: Option<Instant>,
}

/// The cache of the page's documents; cheap to share.
#[derive(Debug)]
pub(crate) struct StatusCache {
    source: Source,
    /// The answer to an unknown incident id (it depends on the configuration only).
    not_found: Bytes,
    refresh: Duration,
    slot: RwLock<Slot>,
    reading: tokio::sync::Mutex<()>,
}

impl StatusCache {
    /// A cache over `source`, reading the store at most once per `refresh`.
    pub(crate) fn new(source: Source, refresh: Duration) -> Self {
        let not_found = Bytes::from(render_html::not_found(&source.info, &source.strings));
        Self { source, not_found, refresh, slot: RwLock::default(), reading: tokio::sync::Mutex::new(()) }
    }

    /// The page answering an unknown incident id.
    pub(crate) fn not_found(&self) -> Bytes {
        self.not_found.clone()
    }

    fn fresh(&self) -> (Option<Arc<Rendering>>, bool) {
        let slot = self.slot.read().unwrap_or_else(std::sync::PoisonError::into_inner);
        let current = slot.current.as_ref().map(|(_, r)| Arc::clone(r));
        let fresh = slot.current.as_ref().is_some_and(|(at, _)| at.elapsed() < self.refresh)
            || (current.is_none() && slot.failed.is_some_and(|at| at.elapsed() < self.refresh));
        (current, fresh)
    }

    /// The current rendering: from memory while fresh; else the store is read
    /// again (by one caller; the others get the last rendering meanwhile).
    /// `None` when the store has never been read successfully.
    pub(crate) async fn get(&self) -> Option<Arc<Rendering>> {
        let (current, fresh) = self.fresh();
        if fresh {
            return current;
        }
        let _reading = match (&current, self.reading.try_lock()) {
            (_, Ok(guard)) => guard,
            (Some(current), Err(_)) => return Some(Arc::clone(current)),
            (None, Err(_)) => self.reading.lock().await,
        };
        let (current, fresh) = self.fresh();
        if fresh {
            return current;
        }
        let now = self.source.service.now();
        let read = tokio::time::timeout(LOAD_TIMEOUT, self.source.incidents(now)).await;
        let mut slot = self.slot.write().unwrap_or_else(std::sync::PoisonError::into_inner);
        match read {
            Ok(Ok(incidents)) => {
                let page = build(&incidents, &self.source.components, now);
                let rendering = Arc::new(self.source.render(page, now, None));
                slot.current = Some((Instant::now(), Arc::clone(&rendering)));
                slot.failed = None;
                Some(rendering)
            }
            failed => {
                let error = match failed {
                    Ok(Err(error)) => error.to_string(),
                    _ => format!("no answer within {}s", LOAD_TIMEOUT.as_secs()),
                };
                tracing::warn!(%error, "status page: the store could not be read; serving the last rendering");
                let Some(last) = current else {
                    slot.failed = Some(Instant::now());
                    return None;
                };
                let stale = if last.stale_since.is_some() {
                    last
                } else {
                    Arc::new(self.source.render(last.page.clone(), last.read_at, Some(last.read_at)))
                };
                slot.current = Some((Instant::now(), Arc::clone(&stale)));
                Some(stale)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use sima_core::domain::{Actor, PublicStatus, Severity};
    use sima_core::testkit::contract::declaration;
    use sima_core::testkit::TestEngine;
    use sima_core::PublishRequest;

    use super::*;
    use crate::settings::Language;

    fn cache(test: &TestEngine, refresh: Duration) -> StatusCache {
        let source = Source {
            service: test.engine.service().clone(),
            components: vec![ComponentDef {
                name: "Checkout".into(),
                description: String::new(),
                domains: vec![sima_core::domain::Domain::parse("payments").unwrap()],
            }],
            info: PageInfo { title: "Acme".into(), url: "https://status.acme.example".into(), id: "p".into() },
            strings: Strings::new(Language::En, &std::collections::BTreeMap::new()),
        };
        StatusCache::new(source, refresh)
    }

    #[tokio::test]
    async fn the_store_is_read_at_most_once_per_refresh_period() {
        let test = TestEngine::new();
        let service = test.engine.service();
        let cache = cache(&test, Duration::from_millis(300));
        let first = cache.get().await.expect("a rendering");
        assert!(first.page.incidents.is_empty());

        let declared = service.declare(declaration("payments", Severity::Sev1, None)).await.unwrap();
        let request = PublishRequest::new(PublicStatus::Investigating, "Card payments fail");
        service.publish(declared.incident.id(), Actor::Api, request).await.unwrap();
        let again = cache.get().await.expect("a rendering");
        assert!(Arc::ptr_eq(&first, &again), "served from memory within the period");

        tokio::time::sleep(Duration::from_millis(350)).await;
        let fresh = cache.get().await.expect("a rendering");
        assert!(!Arc::ptr_eq(&first, &fresh), "read again after the period");
        assert_eq!(fresh.page.incidents.len(), 1);
        assert_eq!(fresh.page.components[0].status, sima_core::domain::ComponentStatus::MajorOutage);
        assert!(fresh.stale_since.is_none());
        assert_ne!(fresh.html.etag, first.html.etag);
        let text = std::str::from_utf8(&fresh.html.body).unwrap();
        assert!(text.contains("Card payments fail") && text.contains("Major Outage"));
        let id = &fresh.page.incidents[0].id;
        let page = std::str::from_utf8(&fresh.incident_pages[id].body).unwrap();
        assert!(page.contains("Card payments fail"), "the incident page is rendered with the others");
        let summary = &declared.incident.summary().to_string();
        for document in [&fresh.html, &fresh.atom, &fresh.summary, &fresh.incident_pages[id]] {
            let body = std::str::from_utf8(&document.body).unwrap();
            assert!(!body.contains(summary.as_str()), "the internal summary `{summary}` stays internal");
        }
    }

    /// 200 readers arriving together on a cold cache: one reads the store,
    /// the others wait for its rendering (each read makes a new rendering).
    #[tokio::test]
    async fn readers_on_a_cold_cache_read_the_store_once() {
        let test = TestEngine::new();
        let cache = cache(&test, Duration::from_secs(60));
        let held = cache.reading.lock().await;
        let readers = futures::future::join_all((0..200).map(|_| cache.get()));
        let release = async {
            tokio::task::yield_now().await;
            drop(held);
        };
        let (renderings, ()) = tokio::join!(readers, release);
        let first = renderings[0].clone().expect("a rendering");
        assert!(
            renderings.iter().all(|r| r.as_ref().is_some_and(|r| Arc::ptr_eq(r, &first))),
            "one reading of the store for all"
        );
    }
}
