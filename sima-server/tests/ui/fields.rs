//! Incident types and custom fields on the dashboard: the incident page
//! shows the type and the values under the fields' labels, escaped; the
//! list filters by `type` and by one `field=<name>:<value>`, and refuses an
//! unknown type or field, or a value the field would refuse, with a 400
//! page saying what to write.

use serde_json::{json, Value};
use sima_server::Settings;

use crate::helpers::UiApp;

const MODEL: &str = r#"
[[fields]]
name = "category"
label = "Attack category"
kind = "select"
options = ["phishing", "malware", "leak"]

[[fields]]
name = "systems"
label = "Systems hit"
kind = "multi_select"
options = ["mail", "vpn", "wiki"]

[[fields]]
name = "records"
label = "Records exposed"
kind = "number"

[[fields]]
name = "vendor"
label = "Vendor name"
kind = "text"

[[incident_types]]
name = "security"
description = "Breaches and attacks"
fields = ["category", "systems", "records"]

[[incident_types]]
name = "vendor-outage"
fields = ["vendor"]
"#;

async fn app() -> UiApp {
    let file: Settings = toml::from_str(MODEL).expect("a valid configuration");
    UiApp::spawn_with(|settings| {
        settings.fields = file.fields;
        settings.incident_types = file.incident_types;
    })
    .await
}

/// Declares an incident of `incident_type` with `fields`; returns its `INC-n`.
async fn declare(app: &UiApp, summary: &str, incident_type: Option<&str>, fields: Value) -> String {
    let mut body = json!({ "domain": "identity", "summary": summary, "severity": "sev2" });
    if let Some(incident_type) = incident_type {
        body["type"] = json!(incident_type);
        body["fields"] = fields;
    }
    let response =
        app.http.post(format!("{}/api/v1/incidents", app.address)).json(&body).send().await.expect("an answer");
    assert!(response.status().is_success(), "declare {summary}: {}", response.status());
    let body: Value = response.json().await.expect("JSON");
    body["number"].as_str().expect("a number").to_owned()
}

/// The `INC-n`s linked from a page, in order.
fn numbers_in(html: &str) -> Vec<String> {
    html.split("href=\"/ui/incidents/").skip(1).filter_map(|rest| rest.split('"').next()).map(str::to_owned).collect()
}

#[tokio::test]
async fn the_incident_page_shows_the_type_and_labelled_values_escaped() {
    let app = app().await;
    let leak = json!({ "category": "leak", "systems": ["vpn", "mail"], "records": 1200 });
    let n = declare(&app, "Leaked export", Some("security"), leak).await;
    let vendor = json!({ "vendor": "<script>alert(1)</script> & Co" });
    let m = declare(&app, "Supplier down", Some("vendor-outage"), vendor).await;

    let (status, html) = app.get(&format!("/ui/incidents/{n}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"<dt>Type</dt><dd class="type">security</dd>"#), "{html}");
    assert!(html.contains("<dt>Attack category</dt><dd>leak</dd>"), "{html}");
    assert!(html.contains("<dt>Systems hit</dt><dd>mail, vpn</dd>"), "{html}");
    assert!(html.contains("<dt>Records exposed</dt><dd>1200</dd>"), "{html}");
    let category = html.find("Attack category").expect("shown");
    assert!(category < html.find("Records exposed").expect("shown"), "in the schema's order");

    let (status, html) = app.get(&format!("/ui/incidents/{m}")).await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains("<dt>Vendor name</dt><dd>&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co</dd>"), "{html}");
    assert!(!html.contains("<script>alert"), "escaped: {html}");

    let plain = declare(&app, "Plain outage", None, Value::Null).await;
    let (_, html) = app.get(&format!("/ui/incidents/{plain}")).await;
    assert!(!html.contains("<dt>Type</dt>"), "no type, no line: {html}");
}

#[tokio::test]
async fn the_list_filters_by_type_and_by_one_field_value() {
    let app = app().await;
    let leak = declare(&app, "Leak", Some("security"), json!({ "category": "leak", "systems": ["vpn"] })).await;
    let phishing =
        declare(&app, "Phishing", Some("security"), json!({ "category": "phishing", "systems": ["mail", "vpn"] }))
            .await;
    let vendor = declare(&app, "Supplier", Some("vendor-outage"), json!({ "vendor": "Acme" })).await;
    let plain = declare(&app, "Plain", None, Value::Null).await;

    let listed = |query: &'static str| {
        let app = &app;
        async move {
            let (status, html) = app.get(&format!("/ui/?status=open&{query}")).await;
            assert_eq!(status, 200, "{query}: {html}");
            numbers_in(&html)
        }
    };
    assert_eq!(listed("type=security").await, [phishing.as_str(), leak.as_str()]);
    assert_eq!(listed("type=vendor-outage").await, [vendor.as_str()]);
    assert_eq!(listed("field=category:leak").await, [leak.as_str()]);
    assert_eq!(listed("field=category%3A%20Leak%20").await, [leak.as_str()], "read as the field reads values");
    assert_eq!(listed("field=systems:vpn").await, [phishing.as_str(), leak.as_str()], "a multi-select holding it");
    assert_eq!(listed("field=systems:mail").await, [phishing.as_str()]);
    assert_eq!(listed("type=security&field=vendor:Acme").await, Vec::<&str>::new());
    assert_eq!(
        listed("type=&field=").await,
        [plain.as_str(), vendor.as_str(), phishing.as_str(), leak.as_str()],
        "empty means any"
    );

    let (status, html) = app.get("/ui/?type=security").await;
    assert_eq!(status, 200, "{html}");
    assert!(html.contains(r#"<option value="security" selected>security</option>"#), "{html}");
    let (_, html) = app.get("/ui/?type=security&field=category:phishing&status=open").await;
    assert!(html.contains(r#"name="field" value="category:phishing""#), "{html}");
    assert!(!html.contains("cursor="), "one page: {html}");
}

#[tokio::test]
async fn a_filtered_page_stays_full_past_incidents_that_do_not_match() {
    let app = app().await;
    let first = declare(&app, "Old leak", Some("security"), json!({ "category": "leak" })).await;
    for i in 0..60 {
        declare(&app, &format!("Noise {i}"), None, Value::Null).await;
    }
    let last = declare(&app, "New leak", Some("security"), json!({ "category": "leak" })).await;
    let (status, html) = app.get("/ui/?status=open&type=security").await;
    assert_eq!(status, 200, "{html}");
    assert_eq!(numbers_in(&html), [last, first], "found past the first store page");
}

#[tokio::test]
async fn unknown_types_and_fields_or_wrong_values_are_a_400_page_saying_what_to_fix() {
    let app = app().await;
    let long = format!("/ui/?field=category:{}", "x".repeat(5000));
    for (path, hint) in [
        ("/ui/?type=hr", "`type`: `hr` is not an incident type: use `security` or `vendor-outage`"),
        ("/ui/?type=%3Cb%3Ehr%3C%2Fb%3E", "`type`: `&lt;b&gt;hr&lt;/b&gt;` is not an incident type"),
        ("/ui/?field=colour:red", "`field`: `colour` is not a field: use `category`, `systems`, `records` or `vendor`"),
        ("/ui/?field=category", "write `&lt;name&gt;:&lt;value&gt;`"),
        ("/ui/?field=category:", "give a value after `category:`"),
        ("/ui/?field=category:ransom", "option `ransom` is unknown"),
        ("/ui/?field=records:lots", "is not a number"),
        ("/ui/?field=records:1e400", "is not a number"),
        (long.as_str(), "`field`: is too long"),
        ("/ui/?type=security&type=vendor-outage", "`type`"),
        ("/ui/?field=category:leak&field=records:1", "`field`"),
    ] {
        let (status, html) = app.get(path).await;
        assert_eq!(status, 400, "{path}: {html}");
        assert!(html.contains(hint), "{path}: {hint} in {html}");
        assert!(!html.contains("<b>hr"), "escaped: {html}");
    }
}
