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
}

/// Renders [`CertificateDocument`]s to PDF bytes.
///
/// Build it once (it parses the embedded fonts) and share it: it is
/// `Send + Sync`, and `render` takes `&self`. Rendering is CPU-bound; call it
/// from `spawn_blocking` in async code.
pub struct TypstCertificateRenderer {
    engine: TypstEngine<TypstTemplateMainFile>,
}

impl Default for TypstCertificateRenderer {
    fn default() -> Self {
        Self::new()
    }
}

impl TypstCertificateRenderer {
    /// Builds the engine: the fixed template plus the fonts embedded in the
    /// binary (Libertinus Serif, New Computer Modern, DejaVu Sans Mono). No
    /// system fonts and no file system or package access.
    pub fn new() -> Self {
        let engine = TypstEngine::builder()
            .main_file(TEMPLATE)
            .search_fonts_with(
                TypstKitFontOptions::new()
                    .include_system_fonts(false)
                    .include_embedded_fonts(true),
            )
            .comemo_evict_max_age(Some(COMEMO_MAX_AGE))
            .build();
        Self { engine }
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
            .compile_with_input::<_, PagedDocument>(inputs(doc));
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
fn inputs(doc: &CertificateDocument) -> Dict {
    fn s(value: &str) -> Value {
        value.into_value()
    }
    fn opt(value: Option<&String>) -> Value {
        value.map_or(Value::None, |v| s(v))
    }

    let body: Array = doc.body.iter().map(|p| s(p)).collect();
    let details: Array = doc
        .patient_details
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
    put("patient_name", s(&doc.patient_name));
    put("patient_details", Value::Array(details));
    put("purpose", s(&doc.purpose));
    put("fitness", s(&doc.fitness));
    put("fitness_reason", opt(doc.fitness_reason.as_ref()));
    put("recommendations", opt(doc.recommendations.as_ref()));
    put("valid_from", s(&doc.valid_from));
    put("valid_until", s(&doc.valid_until));
    put("issued_on", s(&doc.issued_on));
    put("physician_name", s(&doc.physician_name));
    put("physician_title", s(&doc.physician_title));
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
}

impl TypstPdfRenderer {
    /// A renderer; the engine is built on first use.
    pub fn new() -> Self {
        Self::default()
    }
}

#[async_trait::async_trait]
impl application::clinical::CertificateRenderer for TypstPdfRenderer {
    async fn render(&self, doc: CertificateDocument) -> anyhow::Result<Vec<u8>> {
        let inner = self.inner.clone();
        Ok(tokio::task::spawn_blocking(move || {
            inner
                .get_or_init(TypstCertificateRenderer::new)
                .render(&doc)
        })
        .await??)
    }
}
