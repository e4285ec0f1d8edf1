//! Medical certificate PDF rendering with Typst.
//!
//! The layout lives in a fixed template (`certificate.typ`, compiled into the
//! binary). Certificate values are handed to it as data through `sys.inputs`
//! (a Typst dictionary of strings), never spliced into the template source, so
//! no value can be interpreted as Typst markup or code.

use typst::diag::{SourceDiagnostic, Warned};
use typst::foundations::{Array, Dict, IntoValue, Value};
use typst_as_lib::typst_kit_options::TypstKitFontOptions;
use typst_as_lib::{TypstAsLibError, TypstEngine, TypstTemplateMainFile};
use typst_layout::PagedDocument;
use typst_pdf::PdfOptions;

/// The fixed certificate template.
static TEMPLATE: &str = include_str!("certificate.typ");

/// How many compilations a memoized Typst result survives without being used
/// before it is evicted. `0` (the typst-as-lib default) clears the whole cache
/// after every compile, which throws away the parsed template and the work
/// that is the same for every certificate; a small number keeps that warm while
/// still bounding memory.
const COMEMO_MAX_AGE: usize = 8;

pub use application::clinical::CertificateDocument;

/// Why a certificate could not be laid out.
#[derive(Debug, thiserror::Error)]
pub enum PdfError {
    /// The template did not compile with these values.
    #[error("certificate layout failed: {0}")]
    Layout(String),
    /// The logo is not a PNG, JPEG or SVG image.
    #[error("the clinic logo must be a PNG, JPEG or SVG image")]
    Logo,
}

/// Renders [`CertificateDocument`]s to PDF bytes.
///
/// Build it once (it parses the embedded fonts) and share it: it is
/// `Send + Sync`, and `render` takes `&self`. Rendering is CPU-bound; call it
/// from `spawn_blocking` in async code.
pub struct TypstCertificateRenderer {
    engine: TypstEngine<TypstTemplateMainFile>,
    logo: Option<&'static str>,
}

/// The clinic's logo for certificate headers: PNG, JPEG or SVG bytes.
#[derive(Clone)]
pub struct Logo {
    bytes: Vec<u8>,
    name: &'static str,
}

impl Logo {
    /// Checks the bytes are a PNG, JPEG or SVG image (by content, not by name).
    pub fn new(bytes: Vec<u8>) -> Result<Self, PdfError> {
        let name = if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            "logo.png"
        } else if bytes.starts_with(&[0xFF, 0xD8, 0xFF]) {
            "logo.jpg"
        } else if std::str::from_utf8(&bytes[..bytes.len().min(1024)])
            .is_ok_and(|head| head.contains("<svg"))
        {
            "logo.svg"
        } else {
            return Err(PdfError::Logo);
        };
        Ok(Self { bytes, name })
    }
}

impl Default for TypstCertificateRenderer {
    fn default() -> Self {
        Self::new(None)
    }
}

impl TypstCertificateRenderer {
    /// Builds the engine: the fixed template plus the fonts embedded in the
    /// binary (Libertinus Serif, New Computer Modern, DejaVu Sans Mono), and the
    /// clinic's logo when one is given. No system fonts and no file system or package
    /// access: the logo is the only file the template can read.
    pub fn new(logo: Option<Logo>) -> Self {
        let name = logo.as_ref().map(|l| l.name);
        let engine = TypstEngine::builder()
            .main_file(TEMPLATE)
            .search_fonts_with(
                TypstKitFontOptions::new()
                    .include_system_fonts(false)
                    .include_embedded_fonts(true),
            )
            .with_static_file_resolver(logo.map(|l| (l.name, l.bytes)))
            .comemo_evict_max_age(Some(COMEMO_MAX_AGE))
            .build();
        Self { engine, logo: name }
    }

    /// Lays out `doc` with the fixed template and exports it as PDF.
    pub fn render(&self, doc: &CertificateDocument) -> Result<Vec<u8>, PdfError> {
        let document = self.layout(doc)?.output;
        typst_pdf::pdf(&document, &PdfOptions::default())
            .map_err(|diags| PdfError::Layout(describe(&diags)))
    }

    /// Compiles the template with `doc` as `sys.inputs`; returns the laid-out
    /// document and the compiler's warnings.
    fn layout(&self, doc: &CertificateDocument) -> Result<Laid, PdfError> {
        let Warned { output, warnings } = self
            .engine
            .compile_with_input::<_, PagedDocument>(inputs(doc, self.logo));
        let output = output.map_err(|err| PdfError::Layout(describe_lib_error(&err)))?;
        Ok(Laid {
            output,
            warnings: warnings.iter().map(|w| w.message.to_string()).collect(),
        })
    }
}

struct Laid {
    output: PagedDocument,
    #[cfg_attr(not(test), allow(dead_code))]
    warnings: Vec<String>,
}

/// Converts the certificate into the `sys.inputs` dictionary: strings stay
/// Typst strings (displayed verbatim), `None` becomes `none`.
fn inputs(doc: &CertificateDocument, logo: Option<&str>) -> Dict {
    fn s(value: &str) -> Value {
        value.into_value()
    }
    fn opt(value: Option<&String>) -> Value {
        value.map_or(Value::None, |v| s(v))
    }

    let body: Array = doc.body.iter().map(|p| s(p)).collect();
    let facts: Array = doc
        .facts
        .iter()
        .map(|(label, value)| Value::Array([s(label), s(value)].into_iter().collect()))
        .collect();

    let mut dict = Dict::new();
    let mut put = |key: &str, value: Value| {
        dict.insert(key.into(), value);
    };
    put("clinic_name", s(&doc.clinic_name));
    put("clinic_address", s(&doc.clinic_address));
    put("form_code", opt(doc.form_code.as_ref()));
    put("title", s(&doc.title));
    put("body", Value::Array(body));
    put("facts", Value::Array(facts));
    put("issued_on", s(&doc.issued_on));
    put("physician_name", s(&doc.physician_name));
    put("physician_title", s(&doc.physician_title));
    put("physician_license", opt(doc.physician_license.as_ref()));
    put("logo", logo.map_or(Value::None, s));
    put("verification_code", s(&doc.verification_code));
    put("verify_url", s(&doc.verify_url));
    dict
}

fn describe(diags: &[SourceDiagnostic]) -> String {
    if diags.is_empty() {
        return "unknown error".to_owned();
    }
    diags
        .iter()
        .map(|d| d.message.as_str())
        .collect::<Vec<_>>()
        .join("; ")
}

fn describe_lib_error(err: &TypstAsLibError) -> String {
    match err {
        TypstAsLibError::TypstSource(diags) => describe(diags),
        other => other.to_string(),
    }
}

// The renderer is shared across tokio's blocking threads.
const _: () = {
    const fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<TypstCertificateRenderer>();
};

#[cfg(test)]
#[allow(clippy::unwrap_used, clippy::expect_used)]
mod tests;

/// The [`CertificateRenderer`](application::clinical::CertificateRenderer) port on Typst:
/// renders on the blocking pool so the async runtime keeps serving requests. The engine
/// (fonts, template) is built on the first certificate, so a server that never prints
/// one never holds it in memory.
#[derive(Clone, Default)]
pub struct TypstPdfRenderer {
    inner: std::sync::Arc<std::sync::OnceLock<TypstCertificateRenderer>>,
    logo: Option<Logo>,
}

impl TypstPdfRenderer {
    /// A renderer; the engine is built on first use.
    pub fn new() -> Self {
        Self::default()
    }

    /// A renderer that prints the clinic's logo in certificate headers.
    pub fn with_logo(logo: Option<Logo>) -> Self {
        Self {
            logo,
            ..Self::default()
        }
    }
}

#[async_trait::async_trait]
impl application::clinical::CertificateRenderer for TypstPdfRenderer {
    async fn render(&self, doc: CertificateDocument) -> anyhow::Result<Vec<u8>> {
        let inner = self.inner.clone();
        let logo = self.logo.clone();
        Ok(tokio::task::spawn_blocking(move || {
            inner
                .get_or_init(|| TypstCertificateRenderer::new(logo))
                .render(&doc)
        })
        .await??)
    }
}
