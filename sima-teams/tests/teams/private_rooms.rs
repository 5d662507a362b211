//! A private incident's room on Teams: refused as unsupported, never made as
//! a standard channel the whole team could read.

use sima_core::ports::{ChatPort, PortError, RoomSpec};

use crate::helpers::{received, Teams};

#[tokio::test]
async fn a_private_room_is_refused_as_unsupported_without_creating_a_channel() {
    let teams = Teams::bare().await;
    let spec = RoomSpec {
        name_hint: "incident_11_25_leaked-credentials".into(),
        topic: "Leaked credentials (open)".into(),
        key: "inc-7".into(),
        private: true,
    };
    let refused = teams.chat().create_room(&spec).await.unwrap_err();
    assert!(matches!(&refused, PortError::Unsupported(why) if why.contains("private")), "{refused:?}");
    assert!(received(&teams.graph, "POST", "/").await.is_empty(), "no channel was created");
}
