//! postmortem
