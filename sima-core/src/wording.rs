//! Phrases the posted messages and the post-mortem share: durations and
//! action items in words. Below both, so neither imports the other.

use crate::domain::ActionItem;
use crate::model::RichText;

/// `1h 02m 03s`, `4m 05s`, `6s`; `—` for none.
pub fn human_duration(seconds: Option<f64>) -> String {
    let Some(seconds) = seconds else { return "—".to_owned() };
    let total = seconds.round() as i64;
    let (h, m, s) = (total / 3600, (total % 3600) / 60, total % 60);
    match (h, m) {
        (0, 0) => format!("{s}s"),
        (0, _) => format!("{m}m {s:02}s"),
        _ => format!("{h}h {m:02}m {s:02}s"),
    }
}

/// What an action item says, with its owner and due date: `Alert on expiry (@owner) due 2026-12-01`.
pub(crate) fn action_text(item: &ActionItem) -> RichText {
    let mut line = RichText::new().plain(&item.text);
    if let Some(owner) = &item.owner {
        line = line.plain(" (").mention(owner).plain(")");
    }
    if let Some(due) = item.due {
        line = line.plain(format!(" due {due}"));
    }
    if let Some(ticket) = &item.ticket {
        line = line.plain(" · ").link(&ticket.url, &ticket.key);
        if !ticket.status.trim().is_empty() {
            line = line.plain(format!(" ({})", ticket.status));
        }
    }
    line
}
