//! sima-slack: placeholder until the adapter lands.
