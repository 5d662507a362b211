//! sima-store-sqlite: placeholder until the adapter lands.
