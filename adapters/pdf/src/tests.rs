use std::sync::{Arc, OnceLock};
use std::time::Instant;

use typst::layout::{Frame, FrameItem};

use super::*;

/// One renderer for the whole test binary, as the service will have.
fn renderer() -> &'static TypstCertificateRenderer {
    static RENDERER: OnceLock<TypstCertificateRenderer> = OnceLock::new();
    RENDERER.get_or_init(|| TypstCertificateRenderer::new(None))
}

fn fit_certificate() -> CertificateDocument {
    CertificateDocument {
        clinic_name: "University of San Carlos — Health Services".into(),
        clinic_address: "Talamban Campus, Nasipit, Talamban, Cebu City 6000".into(),
        form_code: Some("ACA-HSD-04F".into()),
        title: "Medical certificate".into(),
        body: vec![
            "This is to certify that María José Peña Ñúñez, 21 years old, BS Computer \
             Science – 3rd Year, was examined at the University Health Services on \
             March 9, 2026."
                .into(),
            "Purpose: Educational tour — Bohol, Philippines".into(),
            "Findings: the patient is fit.".into(),
            "Recommendations: Bring personal maintenance medicines; stay hydrated.".into(),
        ],
        facts: vec![("USC ID".into(), "21-00123".into())],
        issued_on: "March 9, 2026".into(),
        physician_name: "Dr. José Ramón Cañete, MD".into(),
        physician_title: "University Physician".into(),
        physician_license: Some("0123456".into()),
        verification_code: "K7Q2-9XMB-PL4D".into(),
        verify_url: "https://pis.usc.edu.ph/verify/K7Q2-9XMB-PL4D".into(),
    }
}

fn not_fit_certificate() -> CertificateDocument {
    CertificateDocument {
        form_code: None,
        body: vec![
            "Purpose: Physical Education activities".into(),
            "Findings: the patient is not fit. Acute bronchitis; requires rest for five \
             (5) days."
                .into(),
        ],
        facts: vec![],
        physician_license: None,
        ..fit_certificate()
    }
}

/// All text laid out in the document, in frame order, without separators.
fn document_text(doc: &PagedDocument) -> String {
    fn walk(frame: &Frame, out: &mut String) {
        for (_, item) in frame.items() {
            match item {
                FrameItem::Text(text) => out.push_str(&text.text),
                FrameItem::Group(group) => walk(&group.frame, out),
                _ => {}
            }
        }
    }
    let mut out = String::new();
    for page in doc.pages() {
        walk(&page.frame, &mut out);
    }
    out
}

/// Number of glyphs that fell back to `.notdef` (a missing glyph, "tofu").
fn missing_glyphs(doc: &PagedDocument) -> usize {
    fn walk(frame: &Frame) -> usize {
        frame
            .items()
            .map(|(_, item)| match item {
                FrameItem::Text(text) => text.glyphs.iter().filter(|g| g.id == 0).count(),
                FrameItem::Group(group) => walk(&group.frame),
                _ => 0,
            })
            .sum()
    }
    doc.pages().iter().map(|p| walk(&p.frame)).sum()
}

/// Writes the PDF to `$CERT_PDF_DUMP_DIR/<name>.pdf` when that variable is set,
/// so a person can look at the output.
fn dump(name: &str, bytes: &[u8]) {
    if let Some(dir) = std::env::var_os("CERT_PDF_DUMP_DIR") {
        let path = std::path::Path::new(&dir).join(format!("{name}.pdf"));
        std::fs::write(&path, bytes).expect("write dumped PDF");
    }
}

fn assert_pdf(bytes: &[u8]) {
    assert!(bytes.starts_with(b"%PDF-"), "not a PDF");
    assert!(bytes.len() > 1_000, "suspiciously small PDF");
}

#[test]
fn renders_fit_certificate() {
    let doc = fit_certificate();
    let pdf = renderer().render(&doc).expect("render");
    assert_pdf(&pdf);
    dump("fit", &pdf);

    let laid = renderer().layout(&doc).expect("layout");
    assert!(laid.warnings.is_empty(), "warnings: {:?}", laid.warnings);
    assert_eq!(laid.output.pages().len(), 1, "fits on one A4 page");
    let text = document_text(&laid.output);
    for expected in [
        "ACA-HSD-04F",
        "Medical certificate",
        "the patient is fit",
        "USC ID",
        "K7Q2-9XMB-PL4D",
        "https://pis.usc.edu.ph/verify/K7Q2-9XMB-PL4D",
        "University Physician",
        "PRC licence no. 0123456",
    ] {
        assert!(text.contains(expected), "missing {expected:?} in {text:?}");
    }
    assert!(
        !text.contains("MEDICAL CERTIFICATE"),
        "sentence case, not capitals"
    );
    // The content is stated once: the body, not again in a table.
    assert_eq!(text.matches("Educational tour").count(), 1, "{text:?}");
    assert_eq!(text.matches("Recommendations").count(), 1, "{text:?}");
}

#[test]
fn renders_not_fit_certificate_with_reason() {
    let doc = not_fit_certificate();
    let pdf = renderer().render(&doc).expect("render");
    assert_pdf(&pdf);
    dump("not-fit", &pdf);

    let laid = renderer().layout(&doc).expect("layout");
    assert!(laid.warnings.is_empty(), "warnings: {:?}", laid.warnings);
    let text = document_text(&laid.output);
    assert!(text.contains("not fit"));
    assert!(text.contains("Acute bronchitis"));
    assert!(!text.contains("USC ID"), "no facts rows when none");
    assert!(!text.contains("PRC"), "no licence line when none");
    assert!(!text.contains("ACA-HSD-04F"), "no form code when absent");
}

#[test]
fn a_clinic_logo_is_printed_and_anything_else_is_refused() {
    // A 1×1 PNG.
    let png = [
        0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x48, 0x44,
        0x52, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06, 0x00, 0x00, 0x00, 0x1F,
        0x15, 0xC4, 0x89, 0x00, 0x00, 0x00, 0x0D, 0x49, 0x44, 0x41, 0x54, 0x78, 0x9C, 0x63, 0xF8,
        0xCF, 0xC0, 0xF0, 0x1F, 0x00, 0x05, 0x00, 0x01, 0xFF, 0x89, 0x99, 0x3D, 0x1D, 0x00, 0x00,
        0x00, 0x00, 0x49, 0x45, 0x4E, 0x44, 0xAE, 0x42, 0x60, 0x82,
    ];
    let with_logo = TypstCertificateRenderer::new(Some(Logo::new(png.to_vec()).expect("png")));
    let plain = renderer().layout(&fit_certificate()).expect("layout");
    let laid = with_logo.layout(&fit_certificate()).expect("layout");
    assert!(laid.warnings.is_empty(), "warnings: {:?}", laid.warnings);
    let images = |doc: &PagedDocument| {
        fn walk(frame: &Frame) -> usize {
            frame
                .items()
                .map(|(_, item)| match item {
                    FrameItem::Image(..) => 1,
                    FrameItem::Group(group) => walk(&group.frame),
                    _ => 0,
                })
                .sum()
        }
        doc.pages().iter().map(|p| walk(&p.frame)).sum::<usize>()
    };
    assert_eq!((images(&plain.output), images(&laid.output)), (0, 1));
    assert_pdf(&with_logo.render(&fit_certificate()).expect("render"));
    assert!(Logo::new(b"MZ\x90\x00 not an image".to_vec()).is_err());
    assert!(Logo::new(b"<svg xmlns='http://www.w3.org/2000/svg'/>".to_vec()).is_ok());
}

#[test]
fn non_ascii_text_renders_with_embedded_fonts() {
    let doc = fit_certificate();
    let laid = renderer().layout(&doc).expect("layout");
    assert_eq!(missing_glyphs(&laid.output), 0, "a glyph fell back to tofu");
    let text = document_text(&laid.output);
    for expected in ["Ñúñez", "Peña", "José", "Cañete", "–", "—"] {
        assert!(text.contains(expected), "missing {expected:?} in {text:?}");
    }
}

#[test]
fn user_text_is_never_evaluated_as_markup_or_code() {
    let payloads = [
        r#"#panic("x")"#,
        r#"*bold* $x$ #import "foo""#,
        r#"#read("/etc/passwd")"#,
        "#include \"certificate.typ\" ] ) } #let x = 1",
        r"\ _under_ `raw` <label> @ref = Heading // comment /* open",
    ];
    for (n, payload) in payloads.into_iter().enumerate() {
        let p = payload.to_owned();
        let doc = CertificateDocument {
            clinic_name: p.clone(),
            clinic_address: p.clone(),
            form_code: Some(p.clone()),
            title: p.clone(),
            body: vec![p.clone(), p.clone()],
            facts: vec![(p.clone(), p.clone())],
            issued_on: p.clone(),
            physician_name: p.clone(),
            physician_title: p.clone(),
            physician_license: Some(p.clone()),
            verification_code: p.clone(),
            verify_url: p.clone(),
        };
        // `#panic` would abort compilation and `#import`/`#read` would fail to
        // resolve if any of it were evaluated.
        let pdf = renderer()
            .render(&doc)
            .unwrap_or_else(|e| panic!("payload {payload:?} failed: {e}"));
        assert_pdf(&pdf);
        dump(&format!("injection-{n}"), &pdf);

        let laid = renderer().layout(&doc).expect("layout");
        let text: String = document_text(&laid.output)
            .chars()
            .filter(|c| !c.is_whitespace())
            .collect();
        let literal: String = payload.chars().filter(|c| !c.is_whitespace()).collect();
        assert!(
            text.contains(&literal),
            "payload {payload:?} not printed literally; got {text:?}"
        );
    }
}

#[test]
fn long_content_flows_onto_more_pages() {
    let mut doc = fit_certificate();
    doc.body = vec!["Lorem ipsum dolor sit amet, consectetur adipiscing elit. ".repeat(40); 6];
    let laid = renderer().layout(&doc).expect("layout");
    assert!(laid.output.pages().len() > 1);
    let text = document_text(&laid.output);
    assert!(text.contains("Page 2 of"));
    let pdf = renderer().render(&doc).expect("render");
    assert_pdf(&pdf);
    dump("long", &pdf);
}

#[test]
fn renders_concurrently_from_several_threads() {
    let renderer = Arc::new(TypstCertificateRenderer::new(None));
    let handles: Vec<_> = (0..4)
        .map(|i| {
            let renderer = Arc::clone(&renderer);
            std::thread::spawn(move || {
                let mut doc = if i % 2 == 0 {
                    fit_certificate()
                } else {
                    not_fit_certificate()
                };
                doc.verification_code = format!("THREAD-{i}");
                renderer.render(&doc)
            })
        })
        .collect();
    for handle in handles {
        assert_pdf(&handle.join().expect("thread").expect("render"));
    }
}

#[test]
fn render_timing() {
    const N: u32 = 20;
    let started = Instant::now();
    let renderer = TypstCertificateRenderer::new(None);
    let built = started.elapsed();

    let first = Instant::now();
    renderer.render(&fit_certificate()).expect("render");
    let first = first.elapsed();

    let started = Instant::now();
    for i in 0..N {
        let mut doc = if i % 2 == 0 {
            fit_certificate()
        } else {
            not_fit_certificate()
        };
        doc.body[0] = format!("Patient number {i}");
        doc.verification_code = format!("CODE-{i:04}");
        assert_pdf(&renderer.render(&doc).expect("render"));
    }
    let average = started.elapsed() / N;
    let profile = if cfg!(debug_assertions) {
        "debug"
    } else {
        "release"
    };
    println!(
        "[{profile}] renderer built in {built:?}; first render {first:?}; \
         average of {N} distinct renders {average:?}"
    );
}
