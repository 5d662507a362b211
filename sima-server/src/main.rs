//! The SIMA reference server.
fn main() {}
