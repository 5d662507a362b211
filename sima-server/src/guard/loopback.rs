//! Host names of this machine's loopback interface. The settings check
//! `SIMA_PUBLIC_URL` and the listen address with it, so it uses neither the
//! settings nor the state.

/// Whether `host` (a `Host` value) names this machine's loopback interface.
pub(crate) fn is_loopback_host(host: &str) -> bool {
    let host = host.trim().to_ascii_lowercase();
    let name = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or("", |(address, _)| address),
        None => host.rsplit_once(':').map_or(host.as_str(), |(name, port)| {
            if port.chars().all(|c| c.is_ascii_digit()) {
                name
            } else {
                host.as_str()
            }
        }),
    };
    let name = name.trim_end_matches('.');
    name == "localhost" || name.parse::<std::net::IpAddr>().is_ok_and(|ip| ip.is_loopback())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn loopback_names_are_recognised() {
        for host in ["127.0.0.1:3000", "localhost", "LOCALHOST:80", "[::1]:3000", "127.9.9.9", "localhost.:3000"] {
            assert!(is_loopback_host(host), "{host}");
        }
        for host in ["rebind.attacker.test", "evil.example:3000", "127.0.0.1.evil.example", "[::2]:3000", ""] {
            assert!(!is_loopback_host(host), "{host}");
        }
    }
}
