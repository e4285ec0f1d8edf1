//! Pagination of lists: `?page=1&page_size=20`, at most 100 a page.

use thiserror::Error;

/// The largest page a client may ask for.
pub const MAX_PAGE_SIZE: u64 = 100;
/// The page size used when the client names none.
pub const DEFAULT_PAGE_SIZE: u64 = 20;
/// The highest page number (keeps every offset far inside the database's integer range).
pub const MAX_PAGE: u64 = 1_000_000;

/// A validated page request (1-based page number).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageRequest {
    page: u64,
    page_size: u64,
}

/// Why a page request was refused.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum PageError {
    /// Pages are numbered from 1 to [`MAX_PAGE`].
    #[error("page must be between 1 and {max}")]
    PageOutOfRange {
        /// The highest page.
        max: u64,
    },
    /// `page_size` must be between 1 and the maximum.
    #[error("page_size must be between 1 and {max}")]
    PageSize {
        /// The maximum allowed.
        max: u64,
    },
}

impl PageRequest {
    /// Validates `page` (default 1) and `page_size` (default 20, max 100).
    pub fn new(page: Option<u64>, page_size: Option<u64>) -> Result<Self, PageError> {
        let page = page.unwrap_or(1);
        let page_size = page_size.unwrap_or(DEFAULT_PAGE_SIZE);
        if page == 0 || page > MAX_PAGE {
            return Err(PageError::PageOutOfRange { max: MAX_PAGE });
        }
        if page_size == 0 || page_size > MAX_PAGE_SIZE {
            return Err(PageError::PageSize { max: MAX_PAGE_SIZE });
        }
        Ok(Self { page, page_size })
    }
    /// The 1-based page number.
    pub fn page(&self) -> u64 {
        self.page
    }
    /// Items per page.
    pub fn page_size(&self) -> u64 {
        self.page_size
    }
    /// Rows to skip.
    pub fn offset(&self) -> u64 {
        (self.page - 1).saturating_mul(self.page_size)
    }
}

impl Default for PageRequest {
    fn default() -> Self {
        Self {
            page: 1,
            page_size: DEFAULT_PAGE_SIZE,
        }
    }
}

/// One page of results.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    /// The items on this page.
    pub items: Vec<T>,
    /// All matching items, across pages.
    pub total: u64,
    /// The 1-based page number.
    pub page: u64,
    /// Items per page.
    pub page_size: u64,
}

impl<T> Page<T> {
    /// The page `request` asked for: `items` out of `total` matches.
    pub fn answer(request: PageRequest, items: Vec<T>, total: u64) -> Self {
        Page {
            items,
            total,
            page: request.page(),
            page_size: request.page_size(),
        }
    }

    /// A page with no matches.
    pub fn empty(request: PageRequest) -> Self {
        Self::answer(request, Vec::new(), 0)
    }

    /// Maps each item, keeping the paging figures.
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            total: self.total,
            page: self.page,
            page_size: self.page_size,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_bounds() {
        let p = PageRequest::new(None, None).expect("defaults are valid");
        assert_eq!((p.page(), p.page_size(), p.offset()), (1, 20, 0));
        assert_eq!(
            PageRequest::new(Some(0), None),
            Err(PageError::PageOutOfRange { max: MAX_PAGE })
        );
        assert_eq!(
            PageRequest::new(Some(200_000_000_000_000_000), None),
            Err(PageError::PageOutOfRange { max: MAX_PAGE })
        );
        assert_eq!(
            PageRequest::new(None, Some(101)),
            Err(PageError::PageSize { max: 100 })
        );
        assert_eq!(
            PageRequest::new(None, Some(0)),
            Err(PageError::PageSize { max: 100 })
        );
        let p = PageRequest::new(Some(3), Some(100)).expect("valid");
        assert_eq!(p.offset(), 200);
    }
}
