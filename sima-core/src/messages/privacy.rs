//! What people read when an incident's visibility changes: the line in its
//! room, and the neutral text that replaces its broadcast while it is private.

use crate::domain::Incident;
use crate::model::{Block, Message, RichText};

/// The room's line for a visibility change made by `who`.
pub(crate) fn visibility_line(private: bool, who: RichText) -> RichText {
    if private {
        RichText::new().emoji("lock").append(who).plain(
            " made this incident private: it is hidden from people outside this room, and its announcement \
                    in the broadcast channel was withdrawn.",
        )
    } else {
        RichText::new().emoji("unlock").append(who).plain(
            " made this incident public again: it is announced in the broadcast channel. This room stays \
                    as it is; invite whoever should follow it.",
        )
    }
}

/// What the broadcast message says while its incident is private: its
/// number, and nothing of what it is about.
pub(crate) fn withdrawn_broadcast(incident: &Incident) -> Message {
    let line = RichText::new()
        .emoji("lock")
        .plain(format!("{} is now private. Its details were removed from this channel.", incident.number()));
    Message { text: line.clone(), blocks: vec![Block::Text { text: line }] }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::tests::declared;
    use crate::domain::tests::t;

    #[test]
    fn the_withdrawn_broadcast_names_the_number_and_nothing_else() {
        let incident = declared(t(0));
        let text = format!("{:?}", withdrawn_broadcast(&incident));
        assert!(text.contains("INC-1 is now private"), "{text}");
        assert!(!text.contains(incident.summary().as_str()), "the summary is withdrawn: {text}");
        assert!(!text.contains(incident.domain().as_str()), "the domain is withdrawn: {text}");
    }
}
