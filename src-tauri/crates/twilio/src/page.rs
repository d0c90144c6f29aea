use serde::Deserialize;

/// The `meta` block of a Video v1 list page.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PageMeta {
    pub page: u32,
    pub page_size: u32,
    #[serde(default)]
    pub next_page_url: Option<String>,
}
