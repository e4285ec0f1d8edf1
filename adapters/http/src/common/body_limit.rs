//! The request body limit: the global `USCPIS_BODY_LIMIT`, unless the operation chose its
//! own (the document upload: `#[oai(..., transform = "...")]` calling [`choose`]).
//!
//! The middleware runs before routing, so it cannot know the operation. It therefore reads
//! nothing itself: it puts a [`BodyLimit`] in the request and wraps the body in a reader that
//! applies the limit in force when the body is read, which is after routing and after the
//! operation's transform. A declared `Content-Length` over that limit fails the first read,
//! before any byte is read; a body without one fails as soon as it passes the limit. The
//! middleware then answers 413 with the envelope, whatever the operation made of the failed
//! read.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::task::{Context, Poll, ready};

use poem::http::header;
use poem::{Body, Endpoint, EndpointExt, Request};
use tokio::io::{AsyncRead, ReadBuf};

/// The body limit of one request, shared by the middleware, the operation and the body.
#[derive(Debug, Clone)]
pub struct BodyLimit(Arc<State>);

#[derive(Debug)]
struct State {
    limit: AtomicUsize,
    declared: Option<usize>,
    exceeded: AtomicBool,
}

impl BodyLimit {
    /// Puts `default` in force for `req` and wraps its body so that reading it applies the
    /// limit then in force.
    pub fn install(req: &mut Request, default: usize) -> Self {
        let declared = req
            .headers()
            .get(header::CONTENT_LENGTH)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.parse::<usize>().ok());
        let limit = Self(Arc::new(State {
            limit: AtomicUsize::new(default),
            declared,
            exceeded: AtomicBool::new(false),
        }));
        let reader = LimitedRead {
            inner: req.take_body().into_async_read(),
            limit: limit.clone(),
            read: 0,
        };
        req.set_body(Body::from_async_read(reader));
        req.extensions_mut().insert(limit.clone());
        limit
    }

    /// The limit in force.
    pub fn limit(&self) -> usize {
        self.0.limit.load(Ordering::Relaxed)
    }

    /// Whether reading the body ran into the limit.
    pub fn exceeded(&self) -> bool {
        self.0.exceeded.load(Ordering::Relaxed)
    }

    fn refuse(&self) -> io::Error {
        self.0.exceeded.store(true, Ordering::Relaxed);
        io::Error::other(format!("the request body exceeds {} bytes", self.limit()))
    }
}

/// Wraps an operation's endpoint so that its requests read their body with `limit` instead
/// of the global one. Use it from the function named by the operation's `transform`.
pub fn choose<E: Endpoint>(ep: E, limit: usize) -> impl Endpoint<Output = E::Output> {
    ep.before(move |req: Request| async move {
        if let Some(body_limit) = req.data::<BodyLimit>() {
            body_limit.0.limit.store(limit, Ordering::Relaxed);
        }
        Ok(req)
    })
}

/// A body reader that fails once the body passes the limit in force.
struct LimitedRead<R> {
    inner: R,
    limit: BodyLimit,
    read: usize,
}

impl<R: AsyncRead + Unpin> AsyncRead for LimitedRead<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let this = &mut *self;
        let limit = this.limit.limit();
        if this.limit.0.declared.is_some_and(|n| n > limit) {
            return Poll::Ready(Err(this.limit.refuse()));
        }
        let before = buf.filled().len();
        ready!(Pin::new(&mut this.inner).poll_read(cx, buf))?;
        this.read += buf.filled().len() - before;
        if this.read > limit {
            return Poll::Ready(Err(this.limit.refuse()));
        }
        Poll::Ready(Ok(()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request(body: &'static str, declare: bool) -> Request {
        let mut b = Request::builder().method(poem::http::Method::POST);
        if declare {
            b = b.header(header::CONTENT_LENGTH, body.len().to_string());
        }
        b.body(body)
    }

    #[tokio::test]
    async fn a_body_within_the_limit_reads_whole() {
        let mut req = request("12345", true);
        let limit = BodyLimit::install(&mut req, 5);
        let read = req.take_body().into_vec().await;
        assert_eq!(read.ok().as_deref(), Some(&b"12345"[..]));
        assert!(!limit.exceeded());
    }

    #[tokio::test]
    async fn a_declared_length_over_the_limit_fails_the_first_read() {
        let mut req = request("123456", true);
        let limit = BodyLimit::install(&mut req, 5);
        assert!(req.take_body().into_vec().await.is_err());
        assert!(limit.exceeded());
    }

    #[tokio::test]
    async fn an_undeclared_body_fails_once_past_the_limit() {
        let mut req = request("123456", false);
        let limit = BodyLimit::install(&mut req, 5);
        assert!(req.take_body().into_vec().await.is_err());
        assert!(limit.exceeded());
    }

    #[tokio::test]
    async fn the_operation_choice_wins_over_the_default() {
        let ep = choose(
            poem::endpoint::make(|mut req: Request| async move {
                req.take_body()
                    .into_vec()
                    .await
                    .map(|b| b.len().to_string())
            }),
            10,
        );
        let mut req = request("1234567890", true);
        let limit = BodyLimit::install(&mut req, 5);
        let answer = ep.call(req).await.ok();
        assert_eq!(answer.as_deref(), Some("10"));
        assert!(!limit.exceeded());
        assert_eq!(limit.limit(), 10);
    }
}
