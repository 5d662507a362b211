//! The app manifests: the HTTP one points Slack at the router's routes, the
//! Socket Mode one turns Socket Mode on and declares no request URL; both ask
//! for the same command, events and scopes.

fn manifest(name: &str) -> String {
    std::fs::read_to_string(format!("{}/{name}", env!("CARGO_MANIFEST_DIR"))).unwrap()
}

fn assert_same_app(manifest: &str, name: &str) {
    for needle in ["command: /incident", "should_escape: true", "- member_joined_channel", "- app_mention"] {
        assert!(manifest.contains(needle), "{name} lacks {needle}");
    }
    let scopes = [
        "commands",
        "chat:write",
        "channels:manage",
        "channels:read",
        "groups:write",
        "groups:read",
        "usergroups:read",
        "users:read",
        "users:read.email",
    ];
    for scope in scopes.into_iter().chain(["pins:write", "app_mentions:read"]) {
        assert!(manifest.contains(&format!("      - {scope}\n")), "{name} lacks scope {scope}");
    }
}

#[test]
fn the_manifest_declares_the_routes_and_escaping() {
    let manifest = manifest("manifest.yml");
    assert_same_app(&manifest, "manifest.yml");
    for needle in [
        "url: https://sima.example.com/slack/commands",
        "request_url: https://sima.example.com/slack/interactions",
        "request_url: https://sima.example.com/slack/events",
        "socket_mode_enabled: false",
    ] {
        assert!(manifest.contains(needle), "manifest lacks {needle}");
    }
}

#[test]
fn the_socket_mode_manifest_turns_socket_mode_on_without_request_urls() {
    let manifest = manifest("manifest.socket.yml");
    assert_same_app(&manifest, "manifest.socket.yml");
    assert!(manifest.contains("socket_mode_enabled: true"));
    let declared: Vec<&str> =
        manifest.lines().filter(|l| !l.trim_start().starts_with('#')).filter(|l| l.contains("url:")).collect();
    assert!(declared.is_empty(), "Socket Mode needs no request URL: {declared:?}");
    let http = self::manifest("manifest.yml");
    let without_urls = |m: &str| -> Vec<String> {
        m.lines()
            .filter(|l| !l.trim_start().starts_with('#') && !l.contains("url:") && !l.contains("socket_mode_enabled"))
            .map(str::to_owned)
            .collect()
    };
    assert_eq!(without_urls(&manifest), without_urls(&http), "the same app apart from the transport");
}
