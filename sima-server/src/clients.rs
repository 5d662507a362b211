//! Who a request counts against: the client address behind the declared
//! proxies, IPv6 clients by their /64, and two budgets per client, one for
//! callers that present a credential and one for everybody else. The
//! settings, the shared state and the guards use it; it uses none of them.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::num::NonZeroU32;
use std::time::Duration;

use axum::http::HeaderMap;
use governor::clock::{Clock as _, DefaultClock};
use governor::{DefaultKeyedRateLimiter, Quota, RateLimiter};
use ipnet::IpNet;

/// The proxies whose `X-Forwarded-For` entries are believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies {
    networks: Vec<IpNet>,
    /// `limits.trust_forwarded_for`: believe one hop, whoever the peer is.
    any_peer: bool,
}

impl TrustedProxies {
    /// Parses `limits.trusted_proxies` (CIDRs or single addresses).
    ///
    /// # Errors
    /// The entry that is not an address or a network, and how to write one.
    pub fn parse(entries: &[String], any_peer: bool) -> Result<Self, String> {
        let networks = entries
            .iter()
            .map(|entry| {
                let entry = entry.trim();
                entry.parse::<IpNet>().or_else(|_| entry.parse::<IpAddr>().map(IpNet::from)).map_err(|_| {
                    format!("`{entry}` in limits.trusted_proxies is not an address or network (e.g. 10.0.0.0/8, ::1)")
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Self { networks, any_peer })
    }

    /// Whether any proxy is declared.
    pub fn declared(&self) -> bool {
        self.any_peer || !self.networks.is_empty()
    }

    fn trusts(&self, address: IpAddr) -> bool {
        let address = canonical(address);
        self.networks.iter().any(|network| network.contains(&address))
    }

    /// The client behind the chain: starting at the peer, each trusted hop
    /// hands over to the address it appended to `X-Forwarded-For`, right to
    /// left; the first address no declared proxy owns is the client.
    pub fn client(&self, peer: IpAddr, headers: &HeaderMap) -> IpAddr {
        let mut client = canonical(peer);
        if !(self.any_peer || self.trusts(client)) {
            return client;
        }
        let hops: Vec<&str> = headers
            .get_all("x-forwarded-for")
            .iter()
            .filter_map(|value| value.to_str().ok())
            .flat_map(|value| value.split(','))
            .collect();
        for hop in hops.iter().rev() {
            let Ok(address) = hop.trim().parse::<IpAddr>() else { return client };
            client = canonical(address);
            if !self.trusts(client) {
                return client;
            }
        }
        client
    }
}

/// IPv4-mapped IPv6 addresses as IPv4.
fn canonical(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(address, IpAddr::V4),
        v4 => v4,
    }
}

/// The budget key of a client: its IPv4 address, or its IPv6 /64 (one
/// subscriber's network, which it may rotate through freely).
pub fn budget_key(client: IpAddr) -> IpAddr {
    match canonical(client) {
        IpAddr::V6(v6) => {
            let prefix = u128::from(v6) & !((1u128 << 64) - 1);
            IpAddr::V6(Ipv6Addr::from(prefix))
        }
        v4 => v4,
    }
}

/// Per-client request budgets: anonymous traffic cannot spend the budget of
/// callers that present a credential (API or webhook token, a session).
pub struct ClientLimiter {
    anonymous: DefaultKeyedRateLimiter<IpAddr>,
    credentialed: DefaultKeyedRateLimiter<IpAddr>,
    proxies: TrustedProxies,
}

impl std::fmt::Debug for ClientLimiter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ClientLimiter").field("proxies", &self.proxies).finish_non_exhaustive()
    }
}

impl ClientLimiter {
    /// A limiter allowing each client `requests_per_second`, sustained, and
    /// `burst` at once (0 counts as 1), telling clients apart behind `proxies`.
    pub fn new(requests_per_second: u32, burst: u32, proxies: TrustedProxies) -> Self {
        let rate = NonZeroU32::new(requests_per_second).unwrap_or(NonZeroU32::MIN);
        let burst = NonZeroU32::new(burst).unwrap_or(NonZeroU32::MIN);
        let quota = Quota::per_second(rate).allow_burst(burst);
        Self { anonymous: RateLimiter::keyed(quota), credentialed: RateLimiter::keyed(quota), proxies }
    }

    /// The client a request from `peer` (unknown: `None`) counts against.
    pub fn client(&self, peer: Option<IpAddr>, headers: &HeaderMap) -> IpAddr {
        let peer = peer.unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED));
        self.proxies.client(peer, headers)
    }

    /// `Ok` if `client` may make one more request from the budget of its
    /// kind, else how long to wait.
    pub fn check(&self, client: IpAddr, credentialed: bool) -> Result<(), Duration> {
        let limiter = if credentialed { &self.credentialed } else { &self.anonymous };
        limiter
            .check_key(&budget_key(client))
            .map_err(|not_until| not_until.wait_time_from(DefaultClock::default().now()))
    }

    /// Forgets clients whose budget is full again, so memory stays bounded.
    pub fn shrink(&self) {
        for limiter in [&self.anonymous, &self.credentialed] {
            limiter.retain_recent();
            limiter.shrink_to_fit();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use axum::http::HeaderValue;

    fn forwarded(value: &'static str) -> HeaderMap {
        let mut headers = HeaderMap::new();
        headers.insert("x-forwarded-for", HeaderValue::from_static(value));
        headers
    }

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn without_declared_proxies_the_peer_is_the_client() {
        let proxies = TrustedProxies::default();
        assert_eq!(proxies.client(ip("10.0.0.5"), &forwarded("6.6.6.6")), ip("10.0.0.5"));
        assert!(!proxies.declared());
    }

    #[test]
    fn two_declared_hops_are_walked_back_to_the_client() {
        let proxies = TrustedProxies::parse(&["10.0.0.0/8".into(), "192.0.2.7".into()], false).unwrap();
        // client 203.0.113.9 → outer proxy 192.0.2.7 → inner proxy 10.0.0.5 → us
        let headers = forwarded("6.6.6.6, 203.0.113.9, 192.0.2.7");
        assert_eq!(proxies.client(ip("10.0.0.5"), &headers), ip("203.0.113.9"), "a spoofed entry is not believed");
        assert_eq!(proxies.client(ip("198.51.100.1"), &headers), ip("198.51.100.1"), "an undeclared peer");
        assert_eq!(proxies.client(ip("10.0.0.5"), &forwarded("garbage")), ip("10.0.0.5"));
    }

    #[test]
    fn the_legacy_flag_believes_one_hop() {
        let proxies = TrustedProxies::parse(&[], true).unwrap();
        assert_eq!(proxies.client(ip("10.0.0.5"), &forwarded("6.6.6.6, 203.0.113.9")), ip("203.0.113.9"));
        assert!(proxies.declared());
    }

    #[test]
    fn wrong_entries_are_named() {
        let error = TrustedProxies::parse(&["10.0.0.0/33".into()], false).unwrap_err();
        assert!(error.contains("10.0.0.0/33"), "{error}");
    }

    #[test]
    fn ipv6_clients_share_their_slash_64() {
        assert_eq!(budget_key(ip("2001:db8:1:2:aaaa::1")), budget_key(ip("2001:db8:1:2:ffff::9")));
        assert_ne!(budget_key(ip("2001:db8:1:2::1")), budget_key(ip("2001:db8:1:3::1")));
        assert_eq!(budget_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn anonymous_traffic_cannot_spend_the_credentialed_budget() {
        let limiter = ClientLimiter::new(1, 2, TrustedProxies::default());
        let proxy = ip("10.0.0.1");
        assert!(limiter.check(proxy, false).is_ok() && limiter.check(proxy, false).is_ok());
        assert!(limiter.check(proxy, false).unwrap_err() > Duration::ZERO);
        assert!(limiter.check(proxy, true).is_ok(), "the credentialed budget is untouched");
        assert!(limiter.check(ip("10.0.0.2"), false).is_ok(), "budgets are per client");
    }
}
