//! sima-store-postgres: placeholder until the adapter lands.
