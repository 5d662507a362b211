//! What the room is told when SIMA gives an effect up.

use crate::domain::{EffectKind, Incident};
use crate::model::Message;

/// The notice posted in the room when an effect failed for good.
pub fn effect_failed(incident: &Incident, effect: EffectKind, error: &str) -> Message {
    super::answer(format!(
        "{} · SIMA could not {}: {error}. Fix the cause, then run `/incident retry`.",
        incident.number,
        effect.describe()
    ))
}
