//! Paging: the `page`/`page_size` query parameters and the page type of each listing.

use domain::paging::{PageError, PageRequest};

use super::error::ApiError;

/// The page asked for by the `page` and `page_size` query parameters; 400 naming the
/// parameter when out of range.
pub fn page(page: Option<u64>, page_size: Option<u64>) -> Result<PageRequest, ApiError> {
    PageRequest::new(page, page_size).map_err(|e| {
        let field = if matches!(e, PageError::PageOutOfRange { .. }) {
            "page"
        } else {
            "page_size"
        };
        ApiError::from(application::AppError::field(field, e.to_string()))
    })
}

/// Declares a page type `{items, total, page, page_size}` for one item type.
macro_rules! page_dto {
    ($name:ident, $item:ty, $doc:literal) => {
        #[doc = $doc]
        #[derive(Debug, Clone, poem_openapi::Object)]
        pub struct $name {
            /// This page's items.
            pub items: Vec<$item>,
            /// All matching items.
            pub total: u64,
            /// 1-based page number.
            pub page: u64,
            /// Items per page (max 100).
            pub page_size: u64,
        }

        impl $name {
            /// From a domain page, converting each item.
            pub fn from_page<T>(p: domain::paging::Page<T>, f: impl FnMut(T) -> $item) -> Self {
                let p = p.map(f);
                Self {
                    items: p.items,
                    total: p.total,
                    page: p.page,
                    page_size: p.page_size,
                }
            }
        }
    };
}
pub(crate) use page_dto;
