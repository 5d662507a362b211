//! What may be printed of a URL, and where credentials may be sent.

/// Whether credentials may be sent to `url`: `https://`, or `http://` to a
/// loopback host.
pub fn is_safe_provider_url(url: &str) -> bool {
    let url = url.trim();
    let lower = url.to_ascii_lowercase();
    if lower.starts_with("https://") {
        return true;
    }
    let Some(rest) = lower.strip_prefix("http://") else { return false };
    let authority = rest.split(['/', '?', '#']).next().unwrap_or_default();
    !authority.contains('@') && crate::guard::is_loopback_host(authority)
}

/// `postgres://user:password@host/db` with the password replaced.
pub fn redact_url(url: &str) -> String {
    let Some((scheme, rest)) = url.split_once("://") else { return url.to_owned() };
    let (authority, tail) = rest.split_once('/').map_or((rest, None), |(a, t)| (a, Some(t)));
    let shown = match authority.rsplit_once('@') {
        Some((user, host)) => match user.split_once(':') {
            Some((name, _)) => format!("{name}:[redacted]@{host}"),
            None => authority.to_owned(),
        },
        None => authority.to_owned(),
    };
    let tail = tail.map(|t| {
        // Query parameters such as `password=` or `sslpassword=` are hidden too.
        match t.split_once('?') {
            Some((path, query)) => {
                let query: Vec<String> = query
                    .split('&')
                    .map(|kv| match kv.split_once('=') {
                        Some((k, _)) if k.to_ascii_lowercase().contains("password") => format!("{k}=[redacted]"),
                        _ => kv.to_owned(),
                    })
                    .collect();
                format!("{path}?{}", query.join("&"))
            }
            None => t.to_owned(),
        }
    });
    match tail {
        Some(t) => format!("{scheme}://{shown}/{t}"),
        None => format!("{scheme}://{shown}"),
    }
}
