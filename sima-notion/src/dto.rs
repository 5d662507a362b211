//! Notion API wire types (`Notion-Version: 2025-09-03`). Crate-private.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

/// A `text` rich-text object:
/// `{"type":"text","text":{"content":…,"link":{"url":…}},"annotations":{…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RichText {
    #[serde(rename = "type")]
    pub(crate) kind: RichTextKind,
    pub(crate) text: TextContent,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) annotations: Option<Annotations>,
}

impl RichText {
    pub(crate) fn text(content: impl Into<String>) -> Self {
        Self { kind: RichTextKind::Text, text: TextContent { content: content.into(), link: None }, annotations: None }
    }
}

/// The only rich-text kind SIMA writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum RichTextKind {
    Text,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TextContent {
    pub(crate) content: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) link: Option<LinkObject>,
}

/// `{"url": …}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct LinkObject {
    pub(crate) url: String,
}

/// The styles SIMA sets; the others keep Notion's defaults.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Annotations {
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) bold: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) italic: bool,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) code: bool,
}

/// A block: `{"object":"block","type":"paragraph","paragraph":{…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct BlockObject {
    pub(crate) object: String,
    #[serde(rename = "type")]
    pub(crate) kind: String,
    #[serde(flatten)]
    pub(crate) body: BlockBody,
}

impl BlockObject {
    pub(crate) fn new(body: BlockBody) -> Self {
        Self { object: "block".into(), kind: body.kind().into(), body }
    }

    /// This block and every block nested in it.
    pub(crate) fn element_count(&self) -> usize {
        match &self.body {
            BlockBody::Table(table) => 1 + table.children.iter().map(Self::element_count).sum::<usize>(),
            _ => 1,
        }
    }
}

/// The type-named member of a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum BlockBody {
    #[serde(rename = "heading_1")]
    Heading1(RichTextBlock),
    #[serde(rename = "heading_2")]
    Heading2(RichTextBlock),
    #[serde(rename = "heading_3")]
    Heading3(RichTextBlock),
    Paragraph(RichTextBlock),
    BulletedListItem(RichTextBlock),
    ToDo(ToDoBlock),
    Table(TableBlock),
    TableRow(TableRowBlock),
}

impl BlockBody {
    pub(crate) fn kind(&self) -> &'static str {
        match self {
            Self::Heading1(_) => "heading_1",
            Self::Heading2(_) => "heading_2",
            Self::Heading3(_) => "heading_3",
            Self::Paragraph(_) => "paragraph",
            Self::BulletedListItem(_) => "bulleted_list_item",
            Self::ToDo(_) => "to_do",
            Self::Table(_) => "table",
            Self::TableRow(_) => "table_row",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct RichTextBlock {
    pub(crate) rich_text: Vec<RichText>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ToDoBlock {
    pub(crate) rich_text: Vec<RichText>,
    pub(crate) checked: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TableBlock {
    pub(crate) table_width: usize,
    pub(crate) has_column_header: bool,
    pub(crate) has_row_header: bool,
    /// `table_row` blocks, the header first.
    pub(crate) children: Vec<BlockObject>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TableRowBlock {
    pub(crate) cells: Vec<Vec<RichText>>,
}

/// A page property value, keyed by its type.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub(crate) enum PropertyValue {
    Title(Vec<RichText>),
    RichText(Vec<RichText>),
    Select(SelectOption),
    Date(DateValue),
    Number(f64),
    Url(String),
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct SelectOption {
    pub(crate) name: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DateValue {
    /// RFC 3339.
    pub(crate) start: String,
}

/// `parent` of a page created in a data source.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct DataSourceParent {
    pub(crate) data_source_id: String,
}

/// The body of `POST /v1/pages`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct CreatePageRequest {
    pub(crate) parent: DataSourceParent,
    pub(crate) properties: BTreeMap<String, PropertyValue>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub(crate) children: Vec<BlockObject>,
}

/// The body of `PATCH /v1/blocks/{id}/children`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct AppendBlockChildrenRequest {
    pub(crate) children: Vec<BlockObject>,
}

/// The body of `POST /v1/data_sources/{id}/query`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct QueryDataSourceRequest {
    pub(crate) filter: PropertyFilter,
    pub(crate) page_size: u32,
}

/// `{"property": name, "rich_text": {"equals": value}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct PropertyFilter {
    pub(crate) property: String,
    pub(crate) rich_text: TextFilter,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TextFilter {
    pub(crate) equals: String,
}

/// The fields SIMA reads from a page, a block or a query result.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ObjectRef {
    pub(crate) object: String,
    pub(crate) id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) url: Option<String>,
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub(crate) in_trash: bool,
}

/// A paginated list (query results, block children).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct ListResponse {
    pub(crate) object: String,
    pub(crate) results: Vec<ObjectRef>,
    #[serde(default)]
    pub(crate) next_cursor: Option<String>,
    #[serde(default)]
    pub(crate) has_more: bool,
}

/// The error envelope: `{"object":"error","status":…,"code":…,"message":…}`.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub(crate) struct ErrorResponse {
    #[serde(default)]
    pub(crate) object: String,
    #[serde(default)]
    pub(crate) status: u16,
    #[serde(default)]
    pub(crate) code: String,
    #[serde(default)]
    pub(crate) message: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub(crate) request_id: Option<String>,
}

#[cfg(test)]
mod tests {
    use serde::de::DeserializeOwned;
    use serde_json::Value;

    use super::*;

    /// Requests SIMA writes must serialize back to the recorded JSON exactly.
    fn exact_round_trip<T: Serialize + DeserializeOwned>(fixture: &str) -> T {
        let original: Value = serde_json::from_str(fixture).unwrap();
        let typed: T = serde_json::from_value(original.clone()).unwrap();
        assert_eq!(serde_json::to_value(&typed).unwrap(), original, "fixture does not round-trip");
        typed
    }

    /// Responses carry more than SIMA reads: what it reads must survive a round trip.
    fn read_round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(fixture: &str) -> T {
        let typed: T = serde_json::from_str(fixture).unwrap();
        let again: T = serde_json::from_value(serde_json::to_value(&typed).unwrap()).unwrap();
        assert_eq!(again, typed);
        typed
    }

    #[test]
    fn create_page_request_round_trips() {
        let request: CreatePageRequest = exact_round_trip(include_str!("../tests/fixtures/create_page_request.json"));
        assert_eq!(request.parent.data_source_id, "d9824bdc-8445-4327-be8b-5b47500af6ce");
        assert!(matches!(request.properties["Severity"], PropertyValue::Select(ref s) if s.name == "sev1"));
        assert!(matches!(request.properties["MTTA (min)"], PropertyValue::Number(n) if n == 4.5));
        let kinds: Vec<_> = request.children.iter().map(|b| b.kind.as_str()).collect();
        assert_eq!(kinds, ["heading_2", "paragraph", "bulleted_list_item", "to_do", "table"]);
        let BlockBody::Table(table) = &request.children[4].body else { panic!("not a table") };
        assert_eq!(table.children.len(), 2);
        assert_eq!(request.children[4].element_count(), 3);
    }

    #[test]
    fn append_request_round_trips() {
        let request: AppendBlockChildrenRequest =
            exact_round_trip(include_str!("../tests/fixtures/append_block_children_request.json"));
        assert_eq!(request.children.len(), 2);
    }

    #[test]
    fn query_request_round_trips() {
        let request: QueryDataSourceRequest =
            exact_round_trip(include_str!("../tests/fixtures/query_data_source_request.json"));
        assert_eq!(request.filter.rich_text.equals, "INC-42");
    }

    #[test]
    fn page_response_is_read() {
        let page: ObjectRef = read_round_trip(include_str!("../tests/fixtures/page_response.json"));
        assert_eq!(page.object, "page");
        assert_eq!(page.id, "59833787-2cf9-4fdf-8782-e53db20768a5");
        assert_eq!(page.url.as_deref(), Some("https://www.notion.so/INC-42-598337872cf94fdf8782e53db20768a5"));
        assert!(!page.in_trash);
    }

    #[test]
    fn query_response_is_read() {
        let list: ListResponse = read_round_trip(include_str!("../tests/fixtures/query_data_source_response.json"));
        assert_eq!(list.results.len(), 1);
        assert_eq!(list.results[0].id, "59833787-2cf9-4fdf-8782-e53db20768a5");
        assert!(!list.has_more);
    }

    #[test]
    fn block_children_response_is_read() {
        let list: ListResponse = read_round_trip(include_str!("../tests/fixtures/block_children_response.json"));
        assert_eq!(list.results.len(), 2);
        assert_eq!(list.next_cursor.as_deref(), Some("c1b2e3a4-0000-4000-8000-000000000002"));
        assert!(list.has_more);
    }

    #[test]
    fn error_envelope_is_read() {
        let error: ErrorResponse = exact_round_trip(include_str!("../tests/fixtures/error_validation.json"));
        assert_eq!((error.status, error.code.as_str()), (400, "validation_error"));
    }
}
