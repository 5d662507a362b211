//! sima-notion: placeholder until the adapter lands.
