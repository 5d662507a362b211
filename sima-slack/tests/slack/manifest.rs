//! The app manifest points Slack at the router's routes.

#[test]
fn the_manifest_declares_the_routes_and_escaping() {
    let manifest = std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/manifest.yml")).unwrap();
    for needle in [
        "command: /incident",
        "url: https://sima.example.com/slack/commands",
        "request_url: https://sima.example.com/slack/interactions",
        "request_url: https://sima.example.com/slack/events",
        "should_escape: true",
        "- member_joined_channel",
        "- app_mention",
    ] {
        assert!(manifest.contains(needle), "manifest lacks {needle}");
    }
    for scope in ["commands", "chat:write", "channels:manage", "channels:read", "pins:write", "app_mentions:read"] {
        assert!(manifest.contains(&format!("      - {scope}\n")), "manifest lacks scope {scope}");
    }
}
