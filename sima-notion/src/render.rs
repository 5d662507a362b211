//! Neutral documents to Notion properties and blocks, within Notion's limits.
//!
//! Limits kept (Notion's request limits): a rich-text `content` holds at most
//! 2000 characters (counted in UTF-16 units, as Notion counts, so never more
//! than 2000 characters either); any array holds at most 100 elements; a
//! request nests children at most two levels deep and carries at most 1000
//! blocks and 500 KB. Long texts become several rich-text objects, then
//! several blocks; long tables become several tables, each repeating the
//! header; the page body is cut into requests of at most 100 top-level blocks.
//!
//! Neutral rich text becomes Notion rich-text objects: bold, italic and code
//! are annotations, links and rooms are `text.link`s (http and https only;
//! Notion refuses other URLs), people are shown as `@id` (SIMA knows chat
//! users, not Notion users) and emoji as their Unicode character. Notion
//! never interprets the `content` of a text object, so user text needs no
//! escaping: it is sent as typed.

use std::collections::BTreeMap;

use chrono::{DateTime, SecondsFormat, Utc};
use sima_core::model::{emoji_char, DocBlock, Inline, PostmortemProperties, RichText as Text};

use crate::config::PropertyNames;
use crate::dto::{
    Annotations, BlockBody, BlockObject, DateValue, LinkObject, PropertyValue, RichText, RichTextBlock, SelectOption,
    TableBlock, TableRowBlock, ToDoBlock,
};

/// Most UTF-16 units in one rich-text `content`.
pub(crate) const MAX_TEXT_UNITS: usize = 2000;
/// Most elements in any array (children, rich text, cells).
pub(crate) const MAX_ARRAY: usize = 100;
/// Most block elements, nested ones included, in one request.
pub(crate) const MAX_BLOCKS_PER_REQUEST: usize = 1000;
/// Bytes of blocks per request, under Notion's 500 KB with room for properties.
const MAX_BLOCK_BYTES_PER_REQUEST: usize = 400_000;
/// Bytes of text in one block, so that a block always fits in a request.
const MAX_TEXT_BYTES_PER_BLOCK: usize = 100_000;
/// Data rows per table: the header row is the 100th child.
const MAX_ROWS_PER_TABLE: usize = MAX_ARRAY - 1;

/// `text` cut into pieces of at most [`MAX_TEXT_UNITS`], at character boundaries.
pub(crate) fn split_text(text: &str) -> Vec<String> {
    let mut pieces = Vec::new();
    let mut current = String::new();
    let mut units = 0;
    for c in text.chars() {
        if units + c.len_utf16() > MAX_TEXT_UNITS {
            pieces.push(std::mem::take(&mut current));
            units = 0;
        }
        units += c.len_utf16();
        current.push(c);
    }
    if !current.is_empty() {
        pieces.push(current);
    }
    pieces
}

/// The Notion rich-text objects of `text`, each at most [`MAX_TEXT_UNITS`].
fn rich_pieces(text: &Text) -> Vec<RichText> {
    let mut out = Vec::new();
    for inline in text.inlines() {
        let mut style = Annotations::default();
        let (content, url) = match inline {
            Inline::Plain(t) => (t.clone(), None),
            Inline::Bold(t) => {
                style.bold = true;
                (t.clone(), None)
            }
            Inline::Italic(t) => {
                style.italic = true;
                (t.clone(), None)
            }
            Inline::Code(t) => {
                style.code = true;
                (t.clone(), None)
            }
            Inline::Link { url, .. } | Inline::Room(sima_core::domain::Room { url, .. }) => {
                (inline.plain_text(), Some(url.clone()))
            }
            Inline::Mention(_) => (inline.plain_text(), None),
            Inline::Emoji(name) => (emoji_char(name).unwrap_or_default().to_owned(), None),
        };
        let url = url.filter(|u| (u.starts_with("https://") || u.starts_with("http://")) && u.len() <= MAX_TEXT_UNITS);
        for piece in split_text(&content) {
            let mut rich = RichText::text(piece);
            rich.text.link = url.clone().map(|url| LinkObject { url });
            rich.annotations = (style != Annotations::default()).then_some(style);
            out.push(rich);
        }
    }
    out
}

/// `text` as rich-text arrays, one per block: each at most 100 pieces and
/// [`MAX_TEXT_BYTES_PER_BLOCK`]. Empty text gives one empty array.
fn rich_text_groups(text: &Text) -> Vec<Vec<RichText>> {
    let mut groups = vec![Vec::new()];
    let mut bytes = 0;
    for piece in rich_pieces(text) {
        let size = piece.text.content.len();
        let full = groups.last().is_some_and(|group| {
            group.len() == MAX_ARRAY || (!group.is_empty() && bytes + size > MAX_TEXT_BYTES_PER_BLOCK)
        });
        if full {
            groups.push(Vec::new());
            bytes = 0;
        }
        bytes += size;
        if let Some(group) = groups.last_mut() {
            group.push(piece);
        }
    }
    groups
}

/// `text` as one rich-text array (a property): at most 100 pieces, the rest dropped.
fn rich_text(text: &str) -> Vec<RichText> {
    split_text(text).into_iter().take(MAX_ARRAY).map(RichText::text).collect()
}

/// A table cell: at most 100 pieces, the rest dropped.
fn rich_cell(text: &Text) -> Vec<RichText> {
    rich_pieces(text).into_iter().take(MAX_ARRAY).collect()
}

/// Roughly the bytes a cell takes in a request.
fn cell_bytes(text: &Text) -> usize {
    text.inlines()
        .iter()
        .map(|i| i.plain_text().len() + if let Inline::Link { url, .. } = i { url.len() } else { 0 })
        .sum()
}

fn text_blocks(text: &Text, body: fn(RichTextBlock) -> BlockBody) -> Vec<BlockObject> {
    rich_text_groups(text).into_iter().map(|rich_text| BlockObject::new(body(RichTextBlock { rich_text }))).collect()
}

/// The page properties of a post-mortem.
pub(crate) fn properties(
    title: &str,
    facts: &PostmortemProperties,
    names: &PropertyNames,
) -> BTreeMap<String, PropertyValue> {
    let mut properties = BTreeMap::new();
    let mut set = |name: &str, value: PropertyValue| {
        if !name.is_empty() {
            properties.insert(name.to_owned(), value);
        }
    };
    set(&names.title, PropertyValue::Title(rich_text(title)));
    set(&names.number, PropertyValue::RichText(rich_text(&facts.number)));
    for (name, option) in
        [(&names.severity, &facts.severity), (&names.domain, &facts.domain), (&names.status, &facts.status)]
    {
        if let Some(option) = select(option) {
            set(name, PropertyValue::Select(option));
        }
    }
    set(&names.started_at, date(facts.started_at));
    if let Some(resolved_at) = facts.resolved_at {
        set(&names.resolved_at, date(resolved_at));
    }
    for (name, minutes) in [(&names.mtta_minutes, facts.mtta_minutes), (&names.mttr_minutes, facts.mttr_minutes)] {
        if let Some(minutes) = minutes.filter(|m| m.is_finite()) {
            set(name, PropertyValue::Number((minutes * 10.0).round() / 10.0));
        }
    }
    if let Some(manager) = facts.incident_manager.as_deref().filter(|m| !m.is_empty()) {
        set(&names.incident_manager, PropertyValue::RichText(rich_text(manager)));
    }
    if let Some(url) = facts.room_url.as_deref().filter(|u| !u.is_empty() && u.chars().count() <= MAX_TEXT_UNITS) {
        set(&names.channel, PropertyValue::Url(url.to_owned()));
    }
    properties
}

/// A select option: Notion refuses commas in option names.
fn select(name: &str) -> Option<SelectOption> {
    let name = name.trim().replace(',', " ");
    (!name.is_empty()).then(|| SelectOption { name: name.chars().take(100).collect() })
}

fn date(at: DateTime<Utc>) -> PropertyValue {
    PropertyValue::Date(DateValue { start: at.to_rfc3339_opts(SecondsFormat::Secs, true) })
}

/// The page body: top-level blocks, in order.
pub(crate) fn blocks(document: &[DocBlock]) -> Vec<BlockObject> {
    let mut out = Vec::new();
    for block in document {
        match block {
            DocBlock::Heading { level, text } => {
                let body = match level {
                    0 | 1 => BlockBody::Heading1,
                    2 => BlockBody::Heading2,
                    _ => BlockBody::Heading3,
                };
                out.extend(text_blocks(&Text::from(text.as_str()), body));
            }
            DocBlock::Paragraph { text } => out.extend(text_blocks(text, BlockBody::Paragraph)),
            DocBlock::Bullets { items } => {
                for item in items {
                    out.extend(text_blocks(item, BlockBody::BulletedListItem));
                }
            }
            DocBlock::Todos { items } => {
                for todo in items {
                    out.extend(rich_text_groups(&todo.text).into_iter().map(|rich_text| {
                        BlockObject::new(BlockBody::ToDo(ToDoBlock { rich_text, checked: todo.done }))
                    }));
                }
            }
            DocBlock::Table { header, rows } => out.extend(tables(header, rows)),
        }
    }
    out
}

/// One or more tables (at most 99 rows and [`MAX_TEXT_BYTES_PER_BLOCK`] each),
/// each starting with the header row.
fn tables(header: &[String], rows: &[Vec<Text>]) -> Vec<BlockObject> {
    let width = if header.is_empty() { rows.iter().map(Vec::len).max().unwrap_or(0) } else { header.len() };
    let width = width.min(MAX_ARRAY);
    if width == 0 {
        return Vec::new();
    }
    let row = |cells: &[Text]| {
        let cells = (0..width).map(|i| cells.get(i).map_or_else(Vec::new, rich_cell)).collect();
        BlockObject::new(BlockBody::TableRow(TableRowBlock { cells }))
    };
    let has_header = !header.is_empty();
    let header_row = has_header.then(|| row(&header.iter().map(|h| Text::from(h.as_str())).collect::<Vec<_>>()));
    let header_bytes = header.iter().map(String::len).sum::<usize>();
    let mut out = Vec::new();
    let mut current: Vec<BlockObject> = Vec::new();
    let mut bytes = header_bytes;
    let finish = |current: Vec<BlockObject>, out: &mut Vec<BlockObject>| {
        let children = header_row.iter().cloned().chain(current).collect();
        out.push(BlockObject::new(BlockBody::Table(TableBlock {
            table_width: width,
            has_column_header: has_header,
            has_row_header: false,
            children,
        })));
    };
    for cells in rows {
        let row_bytes = cells.iter().map(cell_bytes).sum::<usize>();
        let limit = if has_header { MAX_ROWS_PER_TABLE } else { MAX_ARRAY };
        if !current.is_empty() && (current.len() == limit || bytes + row_bytes > MAX_TEXT_BYTES_PER_BLOCK) {
            finish(std::mem::take(&mut current), &mut out);
            bytes = header_bytes;
        }
        bytes += row_bytes;
        current.push(row(cells));
    }
    if !current.is_empty() || out.is_empty() {
        finish(current, &mut out);
    }
    out
}

/// `blocks` cut into requests: each at most 100 top-level blocks, 1000 blocks
/// in all and [`MAX_BLOCK_BYTES_PER_REQUEST`].
pub(crate) fn chunks(blocks: &[BlockObject]) -> Vec<&[BlockObject]> {
    let mut out = Vec::new();
    let (mut start, mut elements, mut bytes) = (0, 0, 0);
    for (i, block) in blocks.iter().enumerate() {
        let block_elements = block.element_count();
        let block_bytes = serde_json::to_vec(block).map_or(0, |json| json.len());
        let count = i - start;
        if count > 0
            && (count == MAX_ARRAY
                || elements + block_elements > MAX_BLOCKS_PER_REQUEST
                || bytes + block_bytes > MAX_BLOCK_BYTES_PER_REQUEST)
        {
            out.push(&blocks[start..i]);
            (start, elements, bytes) = (i, 0, 0);
        }
        elements += block_elements;
        bytes += block_bytes;
    }
    if start < blocks.len() {
        out.push(&blocks[start..]);
    }
    out
}

#[cfg(test)]
mod tests {
    use chrono::TimeZone;
    use sima_core::model::Todo;

    use super::*;

    fn texts(block: &BlockObject) -> Vec<&str> {
        let rich: Vec<&RichText> = match &block.body {
            BlockBody::Heading1(b)
            | BlockBody::Heading2(b)
            | BlockBody::Heading3(b)
            | BlockBody::Paragraph(b)
            | BlockBody::BulletedListItem(b) => b.rich_text.iter().collect(),
            BlockBody::ToDo(b) => b.rich_text.iter().collect(),
            BlockBody::TableRow(b) => b.cells.iter().flatten().collect(),
            BlockBody::Table(_) => Vec::new(),
        };
        rich.into_iter().map(|r| r.text.content.as_str()).collect()
    }

    #[test]
    fn text_is_split_at_2000_utf16_units() {
        assert!(split_text("").is_empty());
        let pieces = split_text(&"a".repeat(4500));
        assert_eq!(pieces.iter().map(|p| p.len()).collect::<Vec<_>>(), [2000, 2000, 500]);
        // An emoji is two UTF-16 units and is never cut in half.
        let pieces = split_text(&"😀".repeat(1500));
        assert_eq!(pieces.iter().map(|p| p.chars().count()).collect::<Vec<_>>(), [1000, 500]);
        assert_eq!(pieces.concat(), "😀".repeat(1500));
    }

    #[test]
    fn a_long_paragraph_keeps_every_piece_in_order() {
        let text: String = (0..4500).map(|i| char::from(b'a' + (i % 26) as u8)).collect();
        let out = blocks(&[DocBlock::Paragraph { text: text.clone().into() }]);
        assert_eq!(out.len(), 1);
        let pieces = texts(&out[0]);
        assert_eq!(pieces.len(), 3);
        assert!(pieces.iter().all(|p| p.chars().count() <= 2000));
        assert_eq!(pieces.concat(), text);
    }

    #[test]
    fn a_huge_paragraph_spills_into_more_blocks() {
        let out = blocks(&[DocBlock::Paragraph { text: "a".repeat(2000 * 150).into() }]);
        assert_eq!(out.len(), 3, "100 KB of text per block");
        assert!(out.iter().all(|b| texts(b).len() <= MAX_ARRAY));
        assert_eq!(out.iter().map(|b| texts(b).concat().len()).sum::<usize>(), 300_000);
    }

    #[test]
    fn blocks_map_to_notion_types() {
        let out = blocks(&[
            DocBlock::Heading { level: 1, text: "Post-mortem".into() },
            DocBlock::Heading { level: 2, text: "Timeline".into() },
            DocBlock::Heading { level: 3, text: "Details".into() },
            DocBlock::Paragraph { text: Text::new() },
            DocBlock::Bullets { items: vec!["a".into(), "b".into()] },
            DocBlock::Todos { items: vec![Todo { text: "fix".into(), done: true }] },
            DocBlock::Table { header: vec!["Time".into(), "Event".into()], rows: vec![vec!["09:26".into()]] },
        ]);
        let kinds: Vec<_> = out.iter().map(|b| b.kind.as_str()).collect();
        assert_eq!(
            kinds,
            [
                "heading_1",
                "heading_2",
                "heading_3",
                "paragraph",
                "bulleted_list_item",
                "bulleted_list_item",
                "to_do",
                "table"
            ]
        );
        assert!(matches!(&out[6].body, BlockBody::ToDo(t) if t.checked));
        let BlockBody::Table(table) = &out[7].body else { panic!("not a table") };
        assert_eq!(table.table_width, 2);
        assert_eq!(texts(&table.children[1]), ["09:26"], "short rows are padded with empty cells");
        let BlockBody::TableRow(row) = &table.children[1].body else { panic!("not a row") };
        assert_eq!(row.cells.len(), 2);
    }

    #[test]
    fn a_long_table_becomes_tables_of_at_most_100_rows_with_the_header() {
        let rows: Vec<Vec<Text>> =
            (0..250).map(|i| vec![format!("t{i}").into(), format!("event {i}").into()]).collect();
        let out = blocks(&[DocBlock::Table { header: vec!["Time".into(), "Event".into()], rows }]);
        assert_eq!(out.len(), 3);
        let mut seen = Vec::new();
        for block in &out {
            let BlockBody::Table(table) = &block.body else { panic!("not a table") };
            assert!(table.children.len() <= MAX_ARRAY);
            assert_eq!(texts(&table.children[0]), ["Time", "Event"]);
            seen.extend(table.children[1..].iter().map(|row| texts(row)[0].to_owned()));
        }
        assert_eq!(seen, (0..250).map(|i| format!("t{i}")).collect::<Vec<_>>());
    }

    #[test]
    fn chunks_hold_at_most_100_blocks_and_1000_elements() {
        let out = blocks(&[DocBlock::Bullets { items: (0..250).map(|i| format!("event {i}").into()).collect() }]);
        let sizes: Vec<_> = chunks(&out).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [100, 100, 50]);

        // Twenty full tables of 101 elements (the table, its header, 99 rows): 9 fit in 1000.
        let rows: Vec<Vec<Text>> = (0..99 * 20).map(|i| vec![i.to_string().into()]).collect();
        let out = blocks(&[DocBlock::Table { header: vec!["n".into()], rows }]);
        assert_eq!(out.len(), 20);
        let sizes: Vec<_> = chunks(&out).iter().map(|c| c.len()).collect();
        assert_eq!(sizes, [9, 9, 2]);
        assert!(chunks(&[]).is_empty());
    }

    #[test]
    fn rich_text_becomes_annotations_and_links_and_user_text_is_sent_as_typed() {
        let room = sima_core::domain::Room {
            id: sima_core::domain::RoomId::new("C1"),
            name: "incident_x".into(),
            url: "https://acme.slack.com/archives/C1".into(),
        };
        let text = Text::new()
            .emoji("eyes")
            .bold("Root cause")
            .plain(": <!channel> **not bold**")
            .code("cfg")
            .italic("later")
            .link("https://example.com/pm", "open")
            .link("javascript:alert(1)", "bad")
            .room(&room);
        let json = serde_json::to_value(rich_pieces(&text)).unwrap();
        assert_eq!(json[0]["text"]["content"], "👀");
        assert_eq!(json[2]["annotations"]["bold"], true);
        assert_eq!(json[3]["text"]["content"], ": <!channel> **not bold**");
        assert!(json[3].get("annotations").is_none(), "plain text has no annotations");
        assert_eq!(json[4]["annotations"]["code"], true);
        assert_eq!(json[5]["annotations"]["italic"], true);
        assert_eq!(json[6]["text"]["link"]["url"], "https://example.com/pm");
        assert!(json[7]["text"].get("link").is_none(), "only http(s) links are sent");
        assert_eq!(json[7]["text"]["content"], "bad");
        assert_eq!(json[8]["text"]["content"], "#incident_x");
        assert_eq!(json[8]["text"]["link"]["url"], "https://acme.slack.com/archives/C1");
    }

    #[test]
    fn properties_follow_the_configured_names() {
        let facts = PostmortemProperties {
            number: "INC-42".into(),
            severity: "sev1".into(),
            domain: "outbound-email".into(),
            status: "Draft".into(),
            started_at: Utc.with_ymd_and_hms(2025, 3, 14, 9, 26, 0).unwrap(),
            resolved_at: None,
            mtta_minutes: Some(4.4444),
            mttr_minutes: None,
            incident_manager: None,
            room_url: Some("https://acme.slack.com/archives/C0INC42".into()),
        };
        let names = PropertyNames { channel: String::new(), ..PropertyNames::default() };
        let props = properties("INC-42: mail", &facts, &names);
        assert_eq!(
            props.keys().map(String::as_str).collect::<Vec<_>>(),
            ["Domain", "Incident", "MTTA (min)", "Name", "Severity", "Started", "Status"],
            "absent facts and unnamed properties are left out"
        );
        assert_eq!(props["MTTA (min)"], PropertyValue::Number(4.4));
        assert_eq!(props["Started"], PropertyValue::Date(DateValue { start: "2025-03-14T09:26:00Z".into() }));
        assert_eq!(select("a,b"), Some(SelectOption { name: "a b".into() }));
    }
}
