//! A chat that logs what it would send.

use std::sync::atomic::{AtomicU64, Ordering};

use async_trait::async_trait;
use tracing::info;

use crate::domain::{MessageRef, Room, RoomId, UserRef};
use crate::model::{Form, FormTrigger, Message};
use crate::ports::{ChatPort, PortError, RoomSpec};

/// Logs every chat call and returns plausible references (`LOG-C1`, `1.000001`).
#[derive(Debug, Default)]
pub struct LogChat {
    next: AtomicU64,
}

impl LogChat {
    /// A new log-only chat.
    pub fn new() -> Self {
        Self::default()
    }

    fn next(&self) -> u64 {
        self.next.fetch_add(1, Ordering::Relaxed) + 1
    }
}

#[async_trait]
impl ChatPort for LogChat {
    async fn create_room(&self, spec: &RoomSpec) -> Result<Room, PortError> {
        let id = format!("LOG-C{}", self.next());
        info!(room = %id, name = %spec.name_hint, topic = %spec.topic, "chat (log-only): create room");
        Ok(Room { url: format!("log://rooms/{id}"), id: RoomId::new(id), name: spec.name_hint.clone() })
    }

    async fn invite(&self, room: &RoomId, users: &[UserRef]) -> Result<(), PortError> {
        info!(%room, ?users, "chat (log-only): invite");
        Ok(())
    }

    async fn post(&self, room: &RoomId, message: &Message) -> Result<MessageRef, PortError> {
        let ts = format!("{}.{:06}", 1, self.next());
        info!(%room, %ts, text = %message.text, "chat (log-only): post");
        Ok(MessageRef { room: room.clone(), ts })
    }

    async fn reply(&self, parent: &MessageRef, message: &Message) -> Result<MessageRef, PortError> {
        let ts = format!("{}.{:06}", 1, self.next());
        info!(room = %parent.room, thread = %parent.ts, text = %message.text, "chat (log-only): reply");
        Ok(MessageRef { room: parent.room.clone(), ts })
    }

    async fn update(&self, target: &MessageRef, message: &Message) -> Result<(), PortError> {
        info!(room = %target.room, ts = %target.ts, text = %message.text, "chat (log-only): update");
        Ok(())
    }

    async fn pin(&self, message: &MessageRef) -> Result<(), PortError> {
        info!(room = %message.room, ts = %message.ts, "chat (log-only): pin");
        Ok(())
    }

    async fn post_ephemeral(&self, room: &RoomId, user: &UserRef, message: &Message) -> Result<(), PortError> {
        info!(%room, %user, text = %message.text, "chat (log-only): ephemeral");
        Ok(())
    }

    async fn open_form(&self, _trigger: &FormTrigger, form: &Form) -> Result<(), PortError> {
        info!(form = form.id.as_str(), "chat (log-only): open form");
        Ok(())
    }

    async fn archive(&self, room: &RoomId) -> Result<(), PortError> {
        info!(%room, "chat (log-only): archive room");
        Ok(())
    }
}
