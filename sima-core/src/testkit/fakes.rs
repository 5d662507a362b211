//! Fake platforms that record every call and behave like the real ones
//! where it matters: rooms are idempotent by key, pages by dedup key.

use std::collections::{BTreeMap, VecDeque};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use async_trait::async_trait;

use crate::domain::{DocRef, MessageRef, PageRef, Room, RoomId, UserRef};
use crate::model::{Document, Form, FormTrigger, Message};
use crate::ports::{ChatPort, Clock, DocsPort, Page, PagingPort, PortError, RoomSpec};

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

/// Simulated platform latency and scripted failures, shared by the fakes.
#[derive(Default)]
struct Behaviour {
    latency: Option<(Arc<dyn Clock>, Duration)>,
    failures: Mutex<VecDeque<(&'static str, PortError)>>,
}

impl Behaviour {
    async fn call(&self, method: &'static str) -> Result<(), PortError> {
        if let Some((clock, latency)) = &self.latency {
            clock.sleep(*latency).await;
        }
        let mut failures = lock(&self.failures);
        if let Some(pos) = failures.iter().position(|(m, _)| *m == method) {
            if let Some((_, error)) = failures.remove(pos) {
                return Err(error);
            }
        }
        Ok(())
    }
}

/// One call a [`FakeChat`] received.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ChatCall {
    /// `create_room`.
    CreateRoom(RoomSpec),
    /// `invite`.
    Invite(RoomId, Vec<UserRef>),
    /// `post`.
    Post(RoomId, Message),
    /// `reply`.
    Reply(MessageRef, Message),
    /// `update`.
    Update(MessageRef, Message),
    /// `pin`.
    Pin(MessageRef),
    /// `post_ephemeral`.
    Ephemeral(RoomId, UserRef, Message),
    /// `open_form`.
    OpenForm(FormTrigger, Form),
    /// `archive`.
    Archive(RoomId),
}

/// A chat platform in memory.
#[derive(Default)]
pub struct FakeChat {
    behaviour: Behaviour,
    calls: Mutex<Vec<ChatCall>>,
    rooms: Mutex<BTreeMap<String, Room>>,
    next_ts: Mutex<u64>,
}

impl FakeChat {
    /// A chat that answers at once.
    pub fn new() -> Self {
        Self::default()
    }

    /// A chat whose every call takes `latency` on `clock`.
    pub fn with_latency(clock: Arc<dyn Clock>, latency: Duration) -> Self {
        Self { behaviour: Behaviour { latency: Some((clock, latency)), ..Behaviour::default() }, ..Self::default() }
    }

    /// The next call to `method` (`create_room`, `post`…) fails with `error`.
    pub fn fail_next(&self, method: &'static str, error: PortError) {
        lock(&self.behaviour.failures).push_back((method, error));
    }

    /// Every call so far, in order.
    pub fn calls(&self) -> Vec<ChatCall> {
        lock(&self.calls).clone()
    }

    /// Rooms that exist on the platform.
    pub fn rooms(&self) -> Vec<Room> {
        lock(&self.rooms).values().cloned().collect()
    }

    async fn enter(&self, method: &'static str, call: ChatCall) -> Result<(), PortError> {
        lock(&self.calls).push(call);
        self.behaviour.call(method).await
    }

    fn ts(&self, room: &RoomId) -> MessageRef {
        let mut next = lock(&self.next_ts);
        *next += 1;
        MessageRef { room: room.clone(), ts: format!("1700000000.{:06}", *next) }
    }
}

#[async_trait]
impl ChatPort for FakeChat {
    async fn create_room(&self, spec: &RoomSpec) -> Result<Room, PortError> {
        self.enter("create_room", ChatCall::CreateRoom(spec.clone())).await?;
        let mut rooms = lock(&self.rooms);
        let count = rooms.len() + 1;
        let room = rooms.entry(spec.key.clone()).or_insert_with(|| Room {
            id: RoomId::new(format!("C{count:04}")),
            name: spec.name_hint.clone(),
            url: format!("https://chat.example/rooms/C{count:04}"),
        });
        Ok(room.clone())
    }

    async fn invite(&self, room: &RoomId, users: &[UserRef]) -> Result<(), PortError> {
        self.enter("invite", ChatCall::Invite(room.clone(), users.to_vec())).await
    }

    async fn post(&self, room: &RoomId, message: &Message) -> Result<MessageRef, PortError> {
        self.enter("post", ChatCall::Post(room.clone(), message.clone())).await?;
        Ok(self.ts(room))
    }

    async fn reply(&self, parent: &MessageRef, message: &Message) -> Result<MessageRef, PortError> {
        self.enter("reply", ChatCall::Reply(parent.clone(), message.clone())).await?;
        Ok(self.ts(&parent.room))
    }

    async fn update(&self, target: &MessageRef, message: &Message) -> Result<(), PortError> {
        self.enter("update", ChatCall::Update(target.clone(), message.clone())).await
    }

    async fn pin(&self, message: &MessageRef) -> Result<(), PortError> {
        self.enter("pin", ChatCall::Pin(message.clone())).await
    }

    async fn post_ephemeral(&self, room: &RoomId, user: &UserRef, message: &Message) -> Result<(), PortError> {
        self.enter("post_ephemeral", ChatCall::Ephemeral(room.clone(), user.clone(), message.clone())).await
    }

    async fn open_form(&self, trigger: &FormTrigger, form: &Form) -> Result<(), PortError> {
        self.enter("open_form", ChatCall::OpenForm(trigger.clone(), form.clone())).await
    }

    async fn archive(&self, room: &RoomId) -> Result<(), PortError> {
        self.enter("archive", ChatCall::Archive(room.clone())).await
    }
}

/// An alert on the [`FakePager`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Alert {
    /// The page as last triggered.
    pub page: Page,
    /// Triggers received for this dedup key.
    pub triggers: u32,
    /// Whether it was resolved.
    pub resolved: bool,
}

/// A paging platform in memory: one alert per dedup key, as on PagerDuty.
#[derive(Default)]
pub struct FakePager {
    behaviour: Behaviour,
    alerts: Mutex<BTreeMap<String, Alert>>,
}

impl FakePager {
    /// A pager that answers at once.
    pub fn new() -> Self {
        Self::default()
    }

    /// A pager whose every call takes `latency` on `clock`.
    pub fn with_latency(clock: Arc<dyn Clock>, latency: Duration) -> Self {
        Self { behaviour: Behaviour { latency: Some((clock, latency)), ..Behaviour::default() }, ..Self::default() }
    }

    /// The next call to `method` (`trigger`, `resolve`…) fails with `error`.
    pub fn fail_next(&self, method: &'static str, error: PortError) {
        lock(&self.behaviour.failures).push_back((method, error));
    }

    /// Forgets the failures queued with [`FakePager::fail_next`].
    pub fn clear_failures(&self) {
        lock(&self.behaviour.failures).clear();
    }

    /// Alerts by dedup key.
    pub fn alerts(&self) -> BTreeMap<String, Alert> {
        lock(&self.alerts).clone()
    }
}

#[async_trait]
impl PagingPort for FakePager {
    async fn trigger(&self, page: &Page) -> Result<PageRef, PortError> {
        self.behaviour.call("trigger").await?;
        let mut alerts = lock(&self.alerts);
        let alert = alerts.entry(page.dedup_key.clone()).or_insert_with(|| Alert {
            page: page.clone(),
            triggers: 0,
            resolved: false,
        });
        alert.triggers += 1;
        alert.page = page.clone();
        Ok(PageRef { dedup_key: page.dedup_key.clone(), service: page.service.clone() })
    }

    async fn acknowledge(&self, _page: &PageRef) -> Result<(), PortError> {
        self.behaviour.call("acknowledge").await
    }

    async fn resolve(&self, page: &PageRef) -> Result<(), PortError> {
        self.behaviour.call("resolve").await?;
        match lock(&self.alerts).get_mut(&page.dedup_key) {
            Some(alert) => {
                alert.resolved = true;
                Ok(())
            }
            None => Err(PortError::NotFound(page.dedup_key.clone())),
        }
    }
}

/// A documents platform in memory: one document per incident number.
#[derive(Default)]
pub struct FakeDocs {
    behaviour: Behaviour,
    documents: Mutex<BTreeMap<String, Document>>,
    updates: Mutex<Vec<String>>,
}

impl FakeDocs {
    /// A docs platform that answers at once.
    pub fn new() -> Self {
        Self::default()
    }

    /// The next call to `create_postmortem` fails with `error`.
    pub fn fail_next(&self, error: PortError) {
        lock(&self.behaviour.failures).push_back(("create_postmortem", error));
    }

    /// Documents by incident number, as last written.
    pub fn documents(&self) -> BTreeMap<String, Document> {
        lock(&self.documents).clone()
    }

    /// The incident numbers whose post-mortem was rewritten, once per update.
    pub fn updates(&self) -> Vec<String> {
        lock(&self.updates).clone()
    }
}

#[async_trait]
impl DocsPort for FakeDocs {
    async fn create_postmortem(&self, document: &Document) -> Result<DocRef, PortError> {
        self.behaviour.call("create_postmortem").await?;
        let number = document.properties.number.clone();
        lock(&self.documents).insert(number.clone(), document.clone());
        Ok(DocRef { id: number.clone(), url: format!("https://docs.example/{number}") })
    }

    async fn update_postmortem(&self, doc: &DocRef, document: &Document) -> Result<(), PortError> {
        self.behaviour.call("update_postmortem").await?;
        let mut documents = lock(&self.documents);
        let Some(written) = documents.get_mut(&doc.id) else {
            return Err(PortError::NotFound(format!("post-mortem {}", doc.id)));
        };
        *written = document.clone();
        lock(&self.updates).push(doc.id.clone());
        Ok(())
    }
}
