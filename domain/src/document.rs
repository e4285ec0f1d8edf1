//! Checking uploaded patient documents by their content.
//!
//! [`check_upload`] takes the client's filename and the raw bytes and either
//! returns a [`CheckedUpload`] (the detected [`DocumentFormat`], its canonical
//! content type and a cleaned filename) or an [`UploadError`] saying why the
//! upload was refused. The content type the client declared is never trusted
//! and is not a parameter: the format comes from the extension, and the
//! content must prove it.
//!
//! The module is pure: no I/O, no async, no global state. The cost of a check
//! grows linearly with the size of the upload, and any input, however it is
//! built, gets an answer and never a panic.
//!
//! # Policy
//!
//! The rules come from the system being replaced. These decisions differ from it:
//!
//! * **Sizes are in MiB** (1 MiB = 1,048,576 bytes): images at most 10 MiB,
//!   documents (pdf, doc, docx, odt, txt, rtf) at most 50 MiB, spreadsheets and
//!   presentations at most 25 MiB. Empty files are refused.
//! * **Archives (zip, rar, 7z, tar, gz) are not accepted.** We cannot check
//!   what is inside one without unpacking it. That exposes us to
//!   decompression bombs, and an archive can hide executables or use path
//!   traversal when someone extracts it. A patient record does not need
//!   archives.
//! * **Double extensions are checked.** A name such as `scan.php.jpg` is
//!   refused when any inner part is a blocked extension, not only the last
//!   one.
//! * **Bidirectional control characters** (U+202A–U+202E, U+2066–U+2069,
//!   U+200E, U+200F, U+061C) are refused in filenames, along with all control
//!   characters. They allow `invoice\u{202E}fdp.exe` to display as
//!   `invoiceexe.pdf`.
//! * **PDF header at offset 0.** A PDF must start with `%PDF-`, as ISO 32000
//!   requires. Readers also accept a header anywhere in the first KiB, which
//!   is what makes polyglot files possible.
//! * **The PDF script scan covers the whole file, not only the first 2 KiB.**
//!   A PDF is refused if it contains `<script`, or a `/JavaScript` or
//!   `/Launch` name, in any case. `#xx` escapes in names are decoded first,
//!   so `/J#61vaScript` does not get through. This is still best effort:
//!   objects inside compressed object streams are not decompressed, so it is
//!   no substitute for serving stored PDFs as attachments or in a sandbox.
//! * **OOXML (docx, xlsx, pptx) is recognised from the ZIP central
//!   directory.** `infer` only recognises these files when the ZIP entries
//!   come in a particular order, and it misses, for example, files written by
//!   python-docx and python-pptx. Instead, the central directory must list
//!   `[Content_Types].xml` and parts from exactly one of `word/`, `xl/` or
//!   `ppt/`. ODF files are recognised by `infer` (their `mimetype` entry comes
//!   first, as the standard requires), and their central directory must also
//!   be readable.
//! * **Documents with macros are refused.** For OOXML, that means a
//!   `vbaProject.bin` part. For legacy doc and xls, it means a `_VBA_PROJECT`
//!   storage name. Legacy `.ppt` macros are not detected.
//! * **RTF with embedded OLE objects (`\objdata`) is refused.** This is the
//!   usual way malicious RTF carries an exploit.
//! * **Legacy Office files (doc, xls, ppt)** are recognised by the CLSID of
//!   their root storage (through `infer`). Compound files without the
//!   standard CLSID, and password-encrypted OOXML (which is also a compound
//!   file), are refused.
//! * **Text (txt, csv) must be UTF-8 with no NUL bytes.** A csv saved in a
//!   Windows code page, or as UTF-16, is refused. Its content type is given
//!   with `charset=utf-8`, because the content was checked to be UTF-8. RTF
//!   must start with `{\rtf` and contain no NUL bytes, but does not have to
//!   be UTF-8 (RTF is 7-bit or uses code pages).
//! * **The "more than 50 % NUL bytes in the first KiB" rule applies to PDF.**
//!   Text formats refuse every NUL byte, which is stricter. Images, OLE2 and
//!   ZIP containers are exempt: their headers are normally full of NUL
//!   bytes, and they are checked by structure instead.
//! * **A missing extension is [`UploadError::Unsupported`]**, like an unknown
//!   one: without an extension, the type cannot be known.
//! * **[`UploadError::BadImage`] maps to HTTP 400, not 415.** The media type
//!   is supported, but this particular image is damaged or too large to
//!   decode safely.

#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

/// One mebibyte (1,048,576 bytes). All size limits are multiples of it.
const MIB: u64 = 1024 * 1024;
/// Limit for images.
const IMAGE_MAX_BYTES: u64 = 10 * MIB;
/// Limit for text-like documents (pdf, doc, docx, odt, txt, rtf).
const DOCUMENT_MAX_BYTES: u64 = 50 * MIB;
/// Limit for everything else (spreadsheets, presentations).
const OTHER_MAX_BYTES: u64 = 25 * MIB;

/// The largest size, in bytes, that any accepted format may have: 50 MiB
/// (52,428,800 bytes). An HTTP layer can refuse a larger body before reading
/// all of it.
pub const MAX_UPLOAD_BYTES: u64 = DOCUMENT_MAX_BYTES;

/// Longest filename accepted, in Unicode scalar values (`char`s).
const MAX_FILENAME_CHARS: usize = 255;
/// Largest width or height of an image, in pixels.
const MAX_IMAGE_SIDE: u64 = 10_000;
/// Largest number of pixels in an image (100 megapixels).
const MAX_IMAGE_PIXELS: u64 = 100_000_000;
/// Largest number of ZIP entries read from an OOXML or ODF central directory.
const MAX_ZIP_ENTRIES: u64 = 65_535;
/// How much of a PDF the NUL-byte rule looks at.
const NUL_SNIFF_LEN: usize = 1024;

/// Extensions that are always refused: executables, installers, disk images
/// and server-side or shell scripts.
const BLOCKED_EXTENSIONS: &[&str] = &[
    "exe", "bat", "cmd", "com", "pif", "scr", "vbs", "js", "jar", "app", "deb", "rpm", "dmg",
    "iso", "msi", "sh", "ps1", "asp", "aspx", "php", "jsp", "py", "rb", "pl",
];

/// Archive extensions. The old system accepted them; this one does not (see
/// the module documentation).
const ARCHIVE_EXTENSIONS: &[&str] = &["zip", "rar", "7z", "tar", "gz", "tgz", "bz2", "xz"];

/// Markup or script fragments refused in filenames, in lower case.
const FILENAME_SCRIPT_PATTERNS: &[&str] = &[
    "<script",
    "javascript:",
    "vbscript:",
    "onload=",
    "onerror=",
    "<iframe",
    "<object",
    "<embed",
];

/// Leading bytes of executables and scripts. Any upload starting with one of
/// these is refused, whatever its extension.
const EXECUTABLE_MAGIC: &[(&[u8], &str)] = &[
    (b"MZ", "a Windows/DOS executable"),
    (b"\x7fELF", "an ELF executable"),
    (
        b"\xca\xfe\xba\xbe",
        "Java bytecode or a Mach-O universal binary",
    ),
    (b"\xfe\xed\xfa\xce", "a Mach-O executable"),
    (b"\xfe\xed\xfa\xcf", "a Mach-O executable"),
    (b"\xce\xfa\xed\xfe", "a Mach-O executable"),
    (b"\xcf\xfa\xed\xfe", "a Mach-O executable"),
    (b"#!", "a script (shebang)"),
];

/// A kind of content that can be accepted. Each format has one canonical
/// extension, MIME type and size limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DocumentFormat {
    /// JPEG image (`.jpg` or `.jpeg`).
    Jpeg,
    /// PNG image.
    Png,
    /// GIF image.
    Gif,
    /// Windows bitmap image.
    Bmp,
    /// WebP image.
    Webp,
    /// PDF document.
    Pdf,
    /// Legacy Word document (OLE2 compound file).
    Doc,
    /// Word document (Office Open XML).
    Docx,
    /// Legacy Excel workbook (OLE2 compound file).
    Xls,
    /// Excel workbook (Office Open XML).
    Xlsx,
    /// Legacy PowerPoint presentation (OLE2 compound file).
    Ppt,
    /// PowerPoint presentation (Office Open XML).
    Pptx,
    /// OpenDocument text.
    Odt,
    /// OpenDocument spreadsheet.
    Ods,
    /// OpenDocument presentation.
    Odp,
    /// Plain text, UTF-8.
    Txt,
    /// Comma-separated values, UTF-8.
    Csv,
    /// Rich Text Format.
    Rtf,
}

impl DocumentFormat {
    /// Every accepted format, in declaration order.
    pub const ALL: [DocumentFormat; 18] = [
        DocumentFormat::Jpeg,
        DocumentFormat::Png,
        DocumentFormat::Gif,
        DocumentFormat::Bmp,
        DocumentFormat::Webp,
        DocumentFormat::Pdf,
        DocumentFormat::Doc,
        DocumentFormat::Docx,
        DocumentFormat::Xls,
        DocumentFormat::Xlsx,
        DocumentFormat::Ppt,
        DocumentFormat::Pptx,
        DocumentFormat::Odt,
        DocumentFormat::Ods,
        DocumentFormat::Odp,
        DocumentFormat::Txt,
        DocumentFormat::Csv,
        DocumentFormat::Rtf,
    ];

    /// Looks up the format for a filename extension (without the dot),
    /// ignoring ASCII case. Both `jpg` and `jpeg` give [`DocumentFormat::Jpeg`].
    /// Returns `None` for blocked, archive and unknown extensions.
    pub fn from_extension(ext: &str) -> Option<Self> {
        let format = match ext.to_ascii_lowercase().as_str() {
            "jpg" | "jpeg" => Self::Jpeg,
            "png" => Self::Png,
            "gif" => Self::Gif,
            "bmp" => Self::Bmp,
            "webp" => Self::Webp,
            "pdf" => Self::Pdf,
            "doc" => Self::Doc,
            "docx" => Self::Docx,
            "xls" => Self::Xls,
            "xlsx" => Self::Xlsx,
            "ppt" => Self::Ppt,
            "pptx" => Self::Pptx,
            "odt" => Self::Odt,
            "ods" => Self::Ods,
            "odp" => Self::Odp,
            "txt" => Self::Txt,
            "csv" => Self::Csv,
            "rtf" => Self::Rtf,
            _ => return None,
        };
        Some(format)
    }

    /// The canonical content type to store and serve this format with. For
    /// txt and csv it includes `; charset=utf-8`, because the content was
    /// checked to be UTF-8.
    pub fn mime(&self) -> &'static str {
        match self {
            Self::Jpeg => "image/jpeg",
            Self::Png => "image/png",
            Self::Gif => "image/gif",
            Self::Bmp => "image/bmp",
            Self::Webp => "image/webp",
            Self::Pdf => "application/pdf",
            Self::Doc => "application/msword",
            Self::Docx => "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
            Self::Xls => "application/vnd.ms-excel",
            Self::Xlsx => "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            Self::Ppt => "application/vnd.ms-powerpoint",
            Self::Pptx => {
                "application/vnd.openxmlformats-officedocument.presentationml.presentation"
            }
            Self::Odt => "application/vnd.oasis.opendocument.text",
            Self::Ods => "application/vnd.oasis.opendocument.spreadsheet",
            Self::Odp => "application/vnd.oasis.opendocument.presentation",
            Self::Txt => "text/plain; charset=utf-8",
            Self::Csv => "text/csv; charset=utf-8",
            Self::Rtf => "application/rtf",
        }
    }

    /// The canonical extension, in lower case and without the dot (`jpg` for
    /// JPEG).
    pub fn extension(&self) -> &'static str {
        match self {
            Self::Jpeg => "jpg",
            Self::Png => "png",
            Self::Gif => "gif",
            Self::Bmp => "bmp",
            Self::Webp => "webp",
            Self::Pdf => "pdf",
            Self::Doc => "doc",
            Self::Docx => "docx",
            Self::Xls => "xls",
            Self::Xlsx => "xlsx",
            Self::Ppt => "ppt",
            Self::Pptx => "pptx",
            Self::Odt => "odt",
            Self::Ods => "ods",
            Self::Odp => "odp",
            Self::Txt => "txt",
            Self::Csv => "csv",
            Self::Rtf => "rtf",
        }
    }

    /// The largest accepted size in bytes: 10 MiB for images, 50 MiB for
    /// documents (pdf, doc, docx, odt, txt, rtf), 25 MiB for spreadsheets and
    /// presentations.
    pub fn max_bytes(&self) -> u64 {
        match self {
            Self::Jpeg | Self::Png | Self::Gif | Self::Bmp | Self::Webp => IMAGE_MAX_BYTES,
            Self::Pdf | Self::Doc | Self::Docx | Self::Odt | Self::Txt | Self::Rtf => {
                DOCUMENT_MAX_BYTES
            }
            Self::Xls | Self::Xlsx | Self::Csv | Self::Ods | Self::Ppt | Self::Pptx | Self::Odp => {
                OTHER_MAX_BYTES
            }
        }
    }

    /// Whether this is a raster image format, which gets the dimension
    /// checks.
    pub fn is_image(&self) -> bool {
        matches!(
            self,
            Self::Jpeg | Self::Png | Self::Gif | Self::Bmp | Self::Webp
        )
    }
}

/// Why an upload was refused.
///
/// Mapping to HTTP: [`UploadError::TooLarge`] → 413,
/// [`UploadError::Unsupported`] → 415, every other variant → 400. The
/// messages are safe to show to the client. They never repeat the filename
/// or the content.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum UploadError {
    /// The filename is missing, too long, or contains characters or markup
    /// that are not allowed (HTTP 400).
    #[error("invalid filename: {0}")]
    BadFilename(&'static str),
    /// The content is larger than the limit for its format (HTTP 413).
    #[error("file is too large: the limit for this type is {max_bytes} bytes")]
    TooLarge {
        /// The limit that was exceeded, in bytes.
        max_bytes: u64,
    },
    /// The content is empty (HTTP 400).
    #[error("file is empty")]
    Empty,
    /// The type is not accepted (HTTP 415). This covers a blocked, archive,
    /// unknown or missing extension; executable content; content that does
    /// not match the extension; and active content (scripts in PDF, macros,
    /// embedded OLE objects in RTF).
    #[error("unsupported file: {0}")]
    Unsupported(String),
    /// The image has an accepted type, but its header cannot be read, or its
    /// dimensions are zero or above the limits (HTTP 400).
    #[error("invalid image: {0}")]
    BadImage(String),
}

/// An upload that passed every check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CheckedUpload {
    /// The format the content was checked to be.
    pub format: DocumentFormat,
    /// The canonical content type to store and serve it with
    /// (`format.mime()`).
    pub content_type: &'static str,
    /// The filename: trimmed of surrounding whitespace, with its extension
    /// in lower case. It is suitable for display and for
    /// `Content-Disposition` (after the HTTP layer's usual quoting), and is
    /// not meant as a storage path.
    pub filename: String,
}

/// Checks an uploaded document's filename and content.
///
/// The checks run in this order, and the first one that fails decides the
/// error:
///
/// 1. filename rules, giving [`UploadError::BadFilename`];
/// 2. the extension: required, not blocked (the inner parts of a double
///    extension included), and accepted. Otherwise
///    [`UploadError::Unsupported`];
/// 3. an empty upload gives [`UploadError::Empty`], and one over the
///    format's limit gives [`UploadError::TooLarge`];
/// 4. executable or shebang magic, whatever the extension, gives
///    [`UploadError::Unsupported`];
/// 5. the content must be of the format the extension names, and must hold
///    no active content. Otherwise [`UploadError::Unsupported`];
/// 6. for images, the dimensions in the header, giving
///    [`UploadError::BadImage`].
pub fn check_upload(filename: &str, content: &[u8]) -> Result<CheckedUpload, UploadError> {
    let (filename, format) = check_filename(filename)?;

    if content.is_empty() {
        return Err(UploadError::Empty);
    }
    let len = u64::try_from(content.len()).unwrap_or(u64::MAX);
    if len > format.max_bytes() {
        return Err(UploadError::TooLarge {
            max_bytes: format.max_bytes(),
        });
    }

    if let Some(what) = executable_kind(content) {
        return Err(UploadError::Unsupported(format!(
            "content is {what}, not a document"
        )));
    }

    check_content(format, content)?;

    Ok(CheckedUpload {
        format,
        content_type: format.mime(),
        filename,
    })
}

// ---------------------------------------------------------------------------
// Filename
// ---------------------------------------------------------------------------

/// Checks the filename and returns the cleaned name and its format.
fn check_filename(raw: &str) -> Result<(String, DocumentFormat), UploadError> {
    if raw.chars().count() > MAX_FILENAME_CHARS {
        return Err(UploadError::BadFilename(
            "filename is longer than 255 characters",
        ));
    }
    let name = raw.trim();
    if name.is_empty() {
        return Err(UploadError::BadFilename("filename is missing"));
    }
    if name.chars().any(char::is_control) {
        return Err(UploadError::BadFilename(
            "filename contains control characters",
        ));
    }
    if name.chars().any(is_bidi_control) {
        return Err(UploadError::BadFilename(
            "filename contains bidirectional control characters",
        ));
    }
    if name.contains("..") {
        return Err(UploadError::BadFilename("filename contains '..'"));
    }
    if name.contains('/') || name.contains('\\') {
        return Err(UploadError::BadFilename(
            "filename contains a path separator",
        ));
    }
    let lower = name.to_ascii_lowercase();
    if FILENAME_SCRIPT_PATTERNS.iter().any(|p| lower.contains(p)) {
        return Err(UploadError::BadFilename(
            "filename contains markup or script",
        ));
    }

    let Some((stem, ext)) = name.rsplit_once('.') else {
        return Err(UploadError::Unsupported(
            "a file extension is required".to_owned(),
        ));
    };
    if ext.is_empty() {
        return Err(UploadError::Unsupported(
            "a file extension is required".to_owned(),
        ));
    }
    if stem.trim().is_empty() {
        return Err(UploadError::BadFilename(
            "filename has no name before the extension",
        ));
    }
    let ext = ext.to_ascii_lowercase();
    if is_blocked(&ext) {
        return Err(UploadError::Unsupported(format!(
            "{} files are never accepted",
            describe_extension(&ext)
        )));
    }
    // `scan.php.jpg`: the first part is the name, the rest are inner extensions.
    if let Some(inner) = stem
        .split('.')
        .skip(1)
        .map(str::to_ascii_lowercase)
        .find(|part| is_blocked(part.trim()))
    {
        return Err(UploadError::Unsupported(format!(
            "filename hides a blocked {} extension",
            describe_extension(inner.trim())
        )));
    }
    if ARCHIVE_EXTENSIONS.contains(&ext.as_str()) {
        return Err(UploadError::Unsupported(
            "archives are not accepted".to_owned(),
        ));
    }
    let Some(format) = DocumentFormat::from_extension(&ext) else {
        return Err(UploadError::Unsupported(format!(
            "{} files are not accepted",
            describe_extension(&ext)
        )));
    };
    Ok((format!("{stem}.{ext}"), format))
}

/// Whether a lower-case extension is on the blocked list.
fn is_blocked(ext: &str) -> bool {
    BLOCKED_EXTENSIONS.contains(&ext)
}

/// `.ext` for short alphanumeric extensions. Anything else gets a generic
/// phrase, so that a long or odd extension is not echoed back.
fn describe_extension(ext: &str) -> String {
    if !ext.is_empty() && ext.len() <= 10 && ext.bytes().all(|b| b.is_ascii_alphanumeric()) {
        format!(".{ext}")
    } else {
        "such".to_owned()
    }
}

/// Unicode bidirectional formatting characters, which can make a filename
/// display as something it is not.
fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

// ---------------------------------------------------------------------------
// Content
// ---------------------------------------------------------------------------

/// Names the executable kind if the content starts with executable or
/// shebang magic.
fn executable_kind(content: &[u8]) -> Option<&'static str> {
    EXECUTABLE_MAGIC
        .iter()
        .find(|(magic, _)| content.starts_with(magic))
        .map(|(_, what)| *what)
}

/// The error for content whose type does not match the extension. It names
/// the type `infer` detected, if any.
fn mismatch(format: DocumentFormat, content: &[u8]) -> UploadError {
    let detected = infer::get(content)
        .filter(|t| t.mime_type() != format.mime())
        .map(|t| format!(" (detected {})", t.mime_type()))
        .unwrap_or_default();
    UploadError::Unsupported(format!(
        "content does not match the .{} extension{detected}",
        format.extension()
    ))
}

/// Checks that the content really is `format` and holds no active content.
fn check_content(format: DocumentFormat, content: &[u8]) -> Result<(), UploadError> {
    match format {
        DocumentFormat::Jpeg
        | DocumentFormat::Png
        | DocumentFormat::Gif
        | DocumentFormat::Bmp
        | DocumentFormat::Webp => {
            if !image_signature_matches(format, content) {
                return Err(mismatch(format, content));
            }
            check_image_dimensions(format, content)
        }
        DocumentFormat::Pdf => {
            if !(content.starts_with(b"%PDF-") && infer::archive::is_pdf(content)) {
                return Err(mismatch(format, content));
            }
            if mostly_nul(content) {
                return Err(UploadError::Unsupported(
                    "content is mostly NUL bytes".to_owned(),
                ));
            }
            if let Some(what) = pdf_active_content(content) {
                return Err(UploadError::Unsupported(format!("PDF contains {what}")));
            }
            Ok(())
        }
        DocumentFormat::Doc | DocumentFormat::Xls | DocumentFormat::Ppt => {
            let matches = match format {
                DocumentFormat::Doc => infer::doc::is_doc(content),
                DocumentFormat::Xls => infer::doc::is_xls(content),
                _ => infer::doc::is_ppt(content),
            };
            if !matches {
                return Err(mismatch(format, content));
            }
            if contains(content, &utf16le(b"_VBA_PROJECT")) {
                return Err(UploadError::Unsupported(
                    "document contains macros".to_owned(),
                ));
            }
            Ok(())
        }
        DocumentFormat::Docx | DocumentFormat::Xlsx | DocumentFormat::Pptx => {
            check_ooxml(format, content)
        }
        DocumentFormat::Odt | DocumentFormat::Ods | DocumentFormat::Odp => {
            let matches = match format {
                DocumentFormat::Odt => infer::odf::is_odt(content),
                DocumentFormat::Ods => infer::odf::is_ods(content),
                _ => infer::odf::is_odp(content),
            };
            if !matches || zip_entry_names(content).is_none() {
                return Err(mismatch(format, content));
            }
            Ok(())
        }
        DocumentFormat::Txt | DocumentFormat::Csv => {
            if content.contains(&0) {
                return Err(UploadError::Unsupported(
                    "text contains NUL bytes".to_owned(),
                ));
            }
            if std::str::from_utf8(content).is_err() {
                return Err(UploadError::Unsupported(
                    "text is not valid UTF-8".to_owned(),
                ));
            }
            Ok(())
        }
        DocumentFormat::Rtf => {
            if !(infer::archive::is_rtf(content) && content.starts_with(b"{\\rtf")) {
                return Err(mismatch(format, content));
            }
            if content.contains(&0) {
                return Err(UploadError::Unsupported(
                    "RTF contains NUL bytes".to_owned(),
                ));
            }
            if contains(content, b"\\objdata") {
                return Err(UploadError::Unsupported(
                    "RTF contains embedded OLE objects".to_owned(),
                ));
            }
            Ok(())
        }
    }
}

/// Whether more than half of the first [`NUL_SNIFF_LEN`] bytes are NUL.
fn mostly_nul(content: &[u8]) -> bool {
    let head = content.get(..NUL_SNIFF_LEN).unwrap_or(content);
    let nuls = head.iter().filter(|&&b| b == 0).count();
    nuls.saturating_mul(2) > head.len()
}

// ---------------------------------------------------------------------------
// Images
// ---------------------------------------------------------------------------

/// Checks the image's magic bytes with `infer`, tightened to the full
/// signature where `infer` checks only a short prefix.
fn image_signature_matches(format: DocumentFormat, content: &[u8]) -> bool {
    match format {
        DocumentFormat::Jpeg => infer::image::is_jpeg(content),
        DocumentFormat::Png => {
            content.starts_with(b"\x89PNG\r\n\x1a\n") && infer::image::is_png(content)
        }
        DocumentFormat::Gif => {
            (content.starts_with(b"GIF87a") || content.starts_with(b"GIF89a"))
                && infer::image::is_gif(content)
        }
        DocumentFormat::Bmp => infer::image::is_bmp(content),
        DocumentFormat::Webp => content.starts_with(b"RIFF") && infer::image::is_webp(content),
        _ => false,
    }
}

/// Reads the dimensions from the image header with `imagesize`, and
/// enforces the per-side and total-pixel limits.
fn check_image_dimensions(format: DocumentFormat, content: &[u8]) -> Result<(), UploadError> {
    let type_agrees = match imagesize::image_type(content) {
        Ok(imagesize::ImageType::Jpeg) => format == DocumentFormat::Jpeg,
        Ok(imagesize::ImageType::Png) => format == DocumentFormat::Png,
        Ok(imagesize::ImageType::Gif) => format == DocumentFormat::Gif,
        Ok(imagesize::ImageType::Bmp) => format == DocumentFormat::Bmp,
        Ok(imagesize::ImageType::Webp) => format == DocumentFormat::Webp,
        _ => false,
    };
    if !type_agrees {
        return Err(UploadError::BadImage(
            "image header cannot be read".to_owned(),
        ));
    }
    let size = imagesize::blob_size(content)
        .map_err(|e| UploadError::BadImage(format!("image header cannot be read: {e}")))?;
    let width = u64::try_from(size.width).unwrap_or(u64::MAX);
    let height = if format == DocumentFormat::Bmp {
        // A BMP stores its height as a signed 32-bit number. A negative
        // height means the rows are stored top-down; its magnitude is the
        // height. `imagesize` returns the raw unsigned value.
        u32::try_from(size.height)
            .map(|h| u64::from(h.cast_signed().unsigned_abs()))
            .unwrap_or(u64::MAX)
    } else {
        u64::try_from(size.height).unwrap_or(u64::MAX)
    };
    if width == 0 || height == 0 {
        return Err(UploadError::BadImage("image has no pixels".to_owned()));
    }
    if width > MAX_IMAGE_SIDE || height > MAX_IMAGE_SIDE {
        return Err(UploadError::BadImage(format!(
            "image is {width}x{height} pixels; each side may be at most {MAX_IMAGE_SIDE}"
        )));
    }
    if width.saturating_mul(height) > MAX_IMAGE_PIXELS {
        return Err(UploadError::BadImage(format!(
            "image is {width}x{height} pixels; at most {MAX_IMAGE_PIXELS} pixels are allowed"
        )));
    }
    Ok(())
}

// ---------------------------------------------------------------------------
// PDF
// ---------------------------------------------------------------------------

/// Longest PDF name token examined, in decoded bytes. Longer names cannot be
/// one of the names searched for.
const PDF_NAME_SCAN_LIMIT: usize = 64;

/// Describes active content found anywhere in the PDF: `<script` in any
/// case, or a `/JavaScript` or `/Launch` name token (in any case, after `#xx`
/// decoding).
///
/// A `/JS` name on its own is not searched for. It is short enough to turn
/// up by chance in binary stream data, and a JavaScript action must also
/// carry `/S /JavaScript`.
fn pdf_active_content(content: &[u8]) -> Option<&'static str> {
    if contains_ignore_ascii_case(content, b"<script") {
        return Some("an embedded <script>");
    }
    let mut rest = content;
    while let Some(slash) = rest.iter().position(|&b| b == b'/') {
        rest = rest.get(slash.saturating_add(1)..).unwrap_or_default();
        let name = decode_pdf_name(rest);
        if name.eq_ignore_ascii_case(b"JavaScript") {
            return Some("JavaScript");
        }
        if name.eq_ignore_ascii_case(b"Launch") {
            return Some("a launch action");
        }
    }
    None
}

/// Decodes the PDF name token at the start of `bytes` (just after its `/`).
/// It stops at whitespace, at a delimiter, or after
/// [`PDF_NAME_SCAN_LIMIT`] decoded bytes.
fn decode_pdf_name(bytes: &[u8]) -> Vec<u8> {
    let mut name = Vec::new();
    let mut i = 0usize;
    while name.len() < PDF_NAME_SCAN_LIMIT {
        let Some(&b) = bytes.get(i) else { break };
        if is_pdf_whitespace(b) || is_pdf_delimiter(b) {
            break;
        }
        if b == b'#' {
            let hi = bytes.get(i.saturating_add(1)).and_then(|&c| hex_value(c));
            let lo = bytes.get(i.saturating_add(2)).and_then(|&c| hex_value(c));
            if let (Some(hi), Some(lo)) = (hi, lo) {
                name.push((hi << 4) | lo);
                i = i.saturating_add(3);
                continue;
            }
        }
        name.push(b);
        i = i.saturating_add(1);
    }
    name
}

/// PDF whitespace characters (ISO 32000-1, 7.2.2).
fn is_pdf_whitespace(b: u8) -> bool {
    matches!(b, 0 | b'\t' | b'\n' | 0x0c | b'\r' | b' ')
}

/// PDF delimiter characters (ISO 32000-1, 7.2.2).
fn is_pdf_delimiter(b: u8) -> bool {
    matches!(
        b,
        b'(' | b')' | b'<' | b'>' | b'[' | b']' | b'{' | b'}' | b'/' | b'%'
    )
}

/// The value of an ASCII hex digit.
fn hex_value(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

// ---------------------------------------------------------------------------
// OOXML and ZIP
// ---------------------------------------------------------------------------

/// Checks that the content is an OOXML package of the given kind, using its
/// ZIP central directory, and that it has no VBA macros.
fn check_ooxml(format: DocumentFormat, content: &[u8]) -> Result<(), UploadError> {
    let Some(names) = zip_entry_names(content) else {
        return Err(mismatch(format, content));
    };
    if !names
        .iter()
        .any(|n| n.eq_ignore_ascii_case(b"[Content_Types].xml"))
    {
        return Err(mismatch(format, content));
    }
    let families = [
        (DocumentFormat::Docx, b"word/".as_slice()),
        (DocumentFormat::Xlsx, b"xl/".as_slice()),
        (DocumentFormat::Pptx, b"ppt/".as_slice()),
    ];
    let mut present = families
        .iter()
        .filter(|(_, prefix)| {
            names
                .iter()
                .any(|n| starts_with_ignore_ascii_case(n, prefix))
        })
        .map(|(kind, _)| *kind);
    let (first, second) = (present.next(), present.next());
    if first != Some(format) || second.is_some() {
        return Err(mismatch(format, content));
    }
    if names
        .iter()
        .any(|n| ends_with_ignore_ascii_case(n, b"vbaProject.bin"))
    {
        return Err(UploadError::Unsupported(
            "document contains macros".to_owned(),
        ));
    }
    Ok(())
}

/// Reads the entry names from a ZIP file's central directory, without
/// decompressing anything. The file must start with a local file header.
/// Returns `None` if the structure is missing, truncated, inconsistent, or
/// has more than [`MAX_ZIP_ENTRIES`] entries. Zip64 is supported.
fn zip_entry_names(content: &[u8]) -> Option<Vec<&[u8]>> {
    const EOCD_SIG: &[u8] = b"PK\x05\x06";
    const EOCD_LEN: usize = 22;
    const MAX_COMMENT: usize = 65_535;
    const ZIP64_LOCATOR_SIG: &[u8] = b"PK\x06\x07";
    const ZIP64_LOCATOR_LEN: usize = 20;
    const ZIP64_EOCD_SIG: &[u8] = b"PK\x06\x06";
    const CDH_SIG: &[u8] = b"PK\x01\x02";
    const CDH_LEN: usize = 46;

    if !content.starts_with(b"PK\x03\x04") {
        return None;
    }

    // The end of central directory record is in the last 22 + 65535 bytes;
    // use the last one found.
    let last_start = content.len().checked_sub(EOCD_LEN)?;
    let first_start = last_start.saturating_sub(MAX_COMMENT);
    let eocd = (first_start..=last_start)
        .rev()
        .find(|&i| content.get(i..i.saturating_add(4)) == Some(EOCD_SIG))?;

    let mut entries = u64::from(read_u16(content, eocd.checked_add(10)?)?);
    let mut cd_size = u64::from(read_u32(content, eocd.checked_add(12)?)?);
    let mut cd_offset = u64::from(read_u32(content, eocd.checked_add(16)?)?);

    if entries == 0xFFFF || cd_size == 0xFFFF_FFFF || cd_offset == 0xFFFF_FFFF {
        let locator = eocd.checked_sub(ZIP64_LOCATOR_LEN)?;
        if content.get(locator..locator.checked_add(4)?)? != ZIP64_LOCATOR_SIG {
            return None;
        }
        let record = usize::try_from(read_u64(content, locator.checked_add(8)?)?).ok()?;
        if content.get(record..record.checked_add(4)?)? != ZIP64_EOCD_SIG {
            return None;
        }
        entries = read_u64(content, record.checked_add(32)?)?;
        cd_size = read_u64(content, record.checked_add(40)?)?;
        cd_offset = read_u64(content, record.checked_add(48)?)?;
    }
    if entries > MAX_ZIP_ENTRIES {
        return None;
    }

    let cd_start = usize::try_from(cd_offset).ok()?;
    let cd_end = cd_start.checked_add(usize::try_from(cd_size).ok()?)?;
    let directory = content.get(cd_start..cd_end)?;

    let mut names = Vec::new();
    let mut pos = 0usize;
    for _ in 0..entries {
        if directory.get(pos..pos.checked_add(4)?)? != CDH_SIG {
            return None;
        }
        let name_len = usize::from(read_u16(directory, pos.checked_add(28)?)?);
        let extra_len = usize::from(read_u16(directory, pos.checked_add(30)?)?);
        let comment_len = usize::from(read_u16(directory, pos.checked_add(32)?)?);
        let name_start = pos.checked_add(CDH_LEN)?;
        let name_end = name_start.checked_add(name_len)?;
        names.push(directory.get(name_start..name_end)?);
        pos = name_end.checked_add(extra_len)?.checked_add(comment_len)?;
    }
    Some(names)
}

/// Reads a little-endian `u16` at `at`, if it is in range.
fn read_u16(bytes: &[u8], at: usize) -> Option<u16> {
    let raw = bytes.get(at..at.checked_add(2)?)?;
    Some(u16::from_le_bytes(raw.try_into().ok()?))
}

/// Reads a little-endian `u32` at `at`, if it is in range.
fn read_u32(bytes: &[u8], at: usize) -> Option<u32> {
    let raw = bytes.get(at..at.checked_add(4)?)?;
    Some(u32::from_le_bytes(raw.try_into().ok()?))
}

/// Reads a little-endian `u64` at `at`, if it is in range.
fn read_u64(bytes: &[u8], at: usize) -> Option<u64> {
    let raw = bytes.get(at..at.checked_add(8)?)?;
    Some(u64::from_le_bytes(raw.try_into().ok()?))
}

// ---------------------------------------------------------------------------
// Byte helpers
// ---------------------------------------------------------------------------

/// Whether `haystack` contains `needle` exactly.
fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}

/// Whether `haystack` contains `needle`, ignoring ASCII case.
fn contains_ignore_ascii_case(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty()
        && haystack
            .windows(needle.len())
            .any(|w| w.eq_ignore_ascii_case(needle))
}

/// Whether `bytes` starts with `prefix`, ignoring ASCII case.
fn starts_with_ignore_ascii_case(bytes: &[u8], prefix: &[u8]) -> bool {
    bytes
        .get(..prefix.len())
        .is_some_and(|head| head.eq_ignore_ascii_case(prefix))
}

/// Whether `bytes` ends with `suffix`, ignoring ASCII case.
fn ends_with_ignore_ascii_case(bytes: &[u8], suffix: &[u8]) -> bool {
    bytes
        .len()
        .checked_sub(suffix.len())
        .and_then(|start| bytes.get(start..))
        .is_some_and(|tail| tail.eq_ignore_ascii_case(suffix))
}

/// Encodes ASCII bytes as UTF-16LE, the encoding of OLE2 directory entry
/// names.
fn utf16le(ascii: &[u8]) -> Vec<u8> {
    ascii.iter().flat_map(|&b| [b, 0]).collect()
}

#[cfg(test)]
#[allow(clippy::expect_used, clippy::panic, clippy::indexing_slicing)]
mod tests {
    use super::*;
    use proptest::prelude::*;
    use std::io::{Cursor, Write};

    /// A 1×1 PNG written by Pillow.
    const PNG_1X1: &str = "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de0000000c4944415478da63f8cfc0000003010100f70341430000000049454e44ae426082";
    /// A 1×1 baseline JPEG written by Pillow.
    const JPEG_1X1: &str = "ffd8ffe000104a46494600010100000100010000ffdb004300100b0c0e0c0a100e0d0e1211101318281a181616183123251d283a333d3c3933383740485c4e404457453738506d51575f626768673e4d71797064785c656763ffdb0043011112121815182f1a1a2f634238426363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363636363ffc00011080001000103012200021101031101ffc4001500010100000000000000000000000000000005ffc40014100100000000000000000000000000000000ffc4001501010100000000000000000000000000000506ffc40014110100000000000000000000000000000000ffda000c03010002110311003f008a00b5e3ffd9";
    /// A 1×1 GIF87a written by Pillow.
    const GIF_1X1: &str =
        "474946383761010001008000000000000000002c000000000100010000080400010404003b";
    /// A 1×1 lossless WebP written by Pillow.
    const WEBP_1X1: &str =
        "524946461c000000574542505650384c0f0000002f000000000710fd8ffe0722a2ff0100";
    /// A 3×2 lossy WebP written by Pillow.
    const WEBP_3X2: &str = "524946463a00000057454250565038202e0000009001009d012a0300020001402625a00274ba00039800fefb55e3ffa5c1ffd2e0ffe9707fe9707f1bb2ce1ba40000";
    /// A 1×1 24-bit BMP written by Pillow.
    const BMP_1X1: &str = "424d3a0000000000000036000000280000000100000001000000010018000000000004000000c40e0000c40e000000000000000000000000ff00";

    fn hex(s: &str) -> Vec<u8> {
        (0..s.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(&s[i..i + 2], 16).expect("valid hex"))
            .collect()
    }

    /// A PNG header claiming the given dimensions (valid IHDR layout; CRC not
    /// checked by the header reader).
    fn png_with_size(width: u32, height: u32) -> Vec<u8> {
        let mut v = b"\x89PNG\r\n\x1a\n\x00\x00\x00\x0dIHDR".to_vec();
        v.extend_from_slice(&width.to_be_bytes());
        v.extend_from_slice(&height.to_be_bytes());
        v.extend_from_slice(&[8, 2, 0, 0, 0, 0, 0, 0, 0]);
        v
    }

    /// A BMP whose info header says the given width and (signed) height.
    fn bmp_with_size(width: i32, height: i32) -> Vec<u8> {
        let mut v = hex(BMP_1X1);
        v[18..22].copy_from_slice(&width.to_le_bytes());
        v[22..26].copy_from_slice(&height.to_le_bytes());
        v
    }

    /// A small but well-formed PDF.
    fn minimal_pdf(extra: &str) -> Vec<u8> {
        format!(
            "%PDF-1.4\n%\u{e2}\u{e3}\u{cf}\u{d3}\n\
             1 0 obj << /Type /Catalog /Pages 2 0 R {extra}>> endobj\n\
             2 0 obj << /Type /Pages /Kids [3 0 R] /Count 1 >> endobj\n\
             3 0 obj << /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >> endobj\n\
             trailer << /Root 1 0 R >>\n%%EOF\n"
        )
        .into_bytes()
    }

    /// A stored (uncompressed) ZIP with the given entries, in order.
    fn zip_of(entries: &[(&str, &[u8])]) -> Vec<u8> {
        let mut writer = zip::ZipWriter::new(Cursor::new(Vec::new()));
        let options = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        for (name, data) in entries {
            writer.start_file(*name, options).expect("zip entry");
            writer.write_all(data).expect("zip data");
        }
        writer.finish().expect("zip finish").into_inner()
    }

    const CT: &[u8] = br#"<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"/>"#;
    const RELS: &[u8] = br#"<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>"#;
    const XML: &[u8] = b"<?xml version=\"1.0\"?><x/>";

    /// A minimal docx in the entry order Word uses.
    fn minimal_docx() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("word/_rels/document.xml.rels", RELS),
            ("word/document.xml", XML),
        ])
    }

    /// A docx in the entry order python-docx writes (docProps before
    /// `word/`), which `infer` alone does not recognise.
    fn python_docx_order() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("docProps/core.xml", XML),
            ("docProps/app.xml", XML),
            ("word/document.xml", XML),
            ("word/_rels/document.xml.rels", RELS),
        ])
    }

    fn minimal_xlsx() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("xl/workbook.xml", XML),
            ("xl/worksheets/sheet1.xml", XML),
        ])
    }

    fn minimal_pptx() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("ppt/presentation.xml", XML),
        ])
    }

    fn docx_with_macros() -> Vec<u8> {
        zip_of(&[
            ("[Content_Types].xml", CT),
            ("_rels/.rels", RELS),
            ("word/document.xml", XML),
            ("word/vbaProject.bin", b"\xd0\xcf\x11\xe0"),
        ])
    }

    fn minimal_odf(kind: &str) -> Vec<u8> {
        let mimetype = format!("application/vnd.oasis.opendocument.{kind}");
        zip_of(&[
            ("mimetype", mimetype.as_bytes()),
            ("META-INF/manifest.xml", XML),
            ("content.xml", XML),
        ])
    }

    /// An OLE2 compound file with the given root CLSID and streams.
    fn ole2(clsid: &str, streams: &[&str]) -> Vec<u8> {
        let mut file = cfb::CompoundFile::create(Cursor::new(Vec::new())).expect("cfb create");
        file.set_storage_clsid("/", uuid::Uuid::parse_str(clsid).expect("uuid"))
            .expect("clsid");
        for path in streams {
            if let Some((parent, _)) = path.rsplit_once('/')
                && !parent.is_empty()
            {
                file.create_storage_all(parent).expect("storage");
            }
            let mut stream = file.create_stream(path).expect("stream");
            stream.write_all(&[0x42; 64]).expect("stream data");
        }
        file.flush().expect("cfb flush");
        file.into_inner().into_inner()
    }

    const WORD_CLSID: &str = "00020906-0000-0000-c000-000000000046";
    const EXCEL_CLSID: &str = "00020820-0000-0000-c000-000000000046";

    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    enum Expect {
        Accept(DocumentFormat),
        BadFilename,
        TooLarge,
        Empty,
        Unsupported,
        BadImage,
    }

    fn outcome(result: &Result<CheckedUpload, UploadError>) -> Expect {
        match result {
            Ok(ok) => Expect::Accept(ok.format),
            Err(UploadError::BadFilename(_)) => Expect::BadFilename,
            Err(UploadError::TooLarge { .. }) => Expect::TooLarge,
            Err(UploadError::Empty) => Expect::Empty,
            Err(UploadError::Unsupported(_)) => Expect::Unsupported,
            Err(UploadError::BadImage(_)) => Expect::BadImage,
        }
    }

    struct Case {
        filename: &'static str,
        content: Vec<u8>,
        expect: Expect,
        reason: &'static str,
    }

    fn case(
        filename: &'static str,
        content: Vec<u8>,
        expect: Expect,
        reason: &'static str,
    ) -> Case {
        Case {
            filename,
            content,
            expect,
            reason,
        }
    }

    fn cases() -> Vec<Case> {
        use DocumentFormat as F;
        use Expect::*;
        let pdf = minimal_pdf("");
        vec![
            // Accepted
            case("xray.png", hex(PNG_1X1), Accept(F::Png), "a real 1x1 PNG"),
            case(
                "photo.jpg",
                hex(JPEG_1X1),
                Accept(F::Jpeg),
                "a real 1x1 JPEG",
            ),
            case(
                "photo.JPEG",
                hex(JPEG_1X1),
                Accept(F::Jpeg),
                "jpeg is the same as jpg, and extensions ignore case",
            ),
            case("anim.gif", hex(GIF_1X1), Accept(F::Gif), "a real 1x1 GIF"),
            case(
                "lossless.webp",
                hex(WEBP_1X1),
                Accept(F::Webp),
                "a real lossless WebP",
            ),
            case(
                "lossy.webp",
                hex(WEBP_3X2),
                Accept(F::Webp),
                "a real lossy WebP",
            ),
            case("scan.bmp", hex(BMP_1X1), Accept(F::Bmp), "a real 1x1 BMP"),
            case(
                "topdown.bmp",
                bmp_with_size(4, -3),
                Accept(F::Bmp),
                "a negative BMP height means top-down rows, not a huge image",
            ),
            case("report.pdf", pdf.clone(), Accept(F::Pdf), "a minimal PDF"),
            case(
                "letter.docx",
                minimal_docx(),
                Accept(F::Docx),
                "a minimal docx in Word's entry order",
            ),
            case(
                "generated.docx",
                python_docx_order(),
                Accept(F::Docx),
                "docx in python-docx entry order, which infer alone misses",
            ),
            case(
                "labs.xlsx",
                minimal_xlsx(),
                Accept(F::Xlsx),
                "a minimal xlsx",
            ),
            case(
                "talk.pptx",
                minimal_pptx(),
                Accept(F::Pptx),
                "a minimal pptx",
            ),
            case(
                "notes.odt",
                minimal_odf("text"),
                Accept(F::Odt),
                "a minimal odt",
            ),
            case(
                "sheet.ods",
                minimal_odf("spreadsheet"),
                Accept(F::Ods),
                "a minimal ods",
            ),
            case(
                "slides.odp",
                minimal_odf("presentation"),
                Accept(F::Odp),
                "a minimal odp",
            ),
            case(
                "old.doc",
                ole2(WORD_CLSID, &["WordDocument"]),
                Accept(F::Doc),
                "an OLE2 file with Word's root CLSID",
            ),
            case(
                "old.xls",
                ole2(EXCEL_CLSID, &["Workbook"]),
                Accept(F::Xls),
                "an OLE2 file with Excel's root CLSID",
            ),
            case(
                "notes.txt",
                "Blood pressure 120/80 — normal. Ñ ü\n".as_bytes().to_vec(),
                Accept(F::Txt),
                "UTF-8 text",
            ),
            case(
                "results.csv",
                b"patient,value\n1,5.4\n".to_vec(),
                Accept(F::Csv),
                "plain CSV",
            ),
            case(
                "bom.csv",
                b"\xef\xbb\xbfa,b\n".to_vec(),
                Accept(F::Csv),
                "CSV with a UTF-8 BOM",
            ),
            case(
                "memo.rtf",
                br"{\rtf1\ansi Hello\par}".to_vec(),
                Accept(F::Rtf),
                "a minimal RTF",
            ),
            case(
                "  Lab Result.PDF  ",
                pdf.clone(),
                Accept(F::Pdf),
                "whitespace is trimmed and the extension is lowercased",
            ),
            case(
                "CBC: 2024-01-05.pdf",
                pdf.clone(),
                Accept(F::Pdf),
                "colons and dates are allowed",
            ),
            case(
                "Dr. Santos report.v2.pdf",
                pdf.clone(),
                Accept(F::Pdf),
                "dots in the name are fine when no part is a blocked extension",
            ),
            // Executable content, whatever the extension
            case(
                "invoice.pdf",
                b"MZ\x90\x00\x03\x00\x00\x00".to_vec(),
                Unsupported,
                "a PE executable named .pdf",
            ),
            case(
                "readme.txt",
                b"\x7fELF\x02\x01\x01\x00".to_vec(),
                Unsupported,
                "an ELF binary named .txt",
            ),
            case(
                "run.txt",
                b"#!/bin/sh\nrm -rf /\n".to_vec(),
                Unsupported,
                "a shell script named .txt",
            ),
            case(
                "App.csv",
                b"\xca\xfe\xba\xbe\x00\x00\x00\x34".to_vec(),
                Unsupported,
                "Java class file",
            ),
            case(
                "mac.jpg",
                b"\xcf\xfa\xed\xfe\x07\x00\x00\x01".to_vec(),
                Unsupported,
                "a Mach-O 64-bit binary named .jpg",
            ),
            case(
                "mac2.png",
                b"\xfe\xed\xfa\xce\x00".to_vec(),
                Unsupported,
                "Mach-O 32-bit big-endian",
            ),
            // Extensions
            case(
                "setup.exe",
                b"hello".to_vec(),
                Unsupported,
                ".exe is always blocked",
            ),
            case(
                "app.js",
                b"alert(1)".to_vec(),
                Unsupported,
                ".js is always blocked",
            ),
            case(
                "shell.PHP",
                b"<?php echo 1;".to_vec(),
                Unsupported,
                ".PHP is blocked whatever the case",
            ),
            case(
                "scan.php.jpg",
                hex(JPEG_1X1),
                Unsupported,
                "a blocked inner extension (double extension)",
            ),
            case(
                "records.zip",
                zip_of(&[("a.txt", b"x")]),
                Unsupported,
                "archives are not accepted",
            ),
            case(
                "page.html",
                b"<html></html>".to_vec(),
                Unsupported,
                "unknown extension",
            ),
            case(
                "README",
                b"hello".to_vec(),
                Unsupported,
                "no extension at all",
            ),
            case(
                "trailing.",
                b"hello".to_vec(),
                Unsupported,
                "empty extension",
            ),
            // Content does not match the extension
            case(
                "scan.pdf",
                hex(PNG_1X1),
                Unsupported,
                "PNG bytes named .pdf",
            ),
            case(
                "photo.png",
                hex(JPEG_1X1),
                Unsupported,
                "JPEG bytes named .png",
            ),
            case(
                "letter.docx",
                minimal_xlsx(),
                Unsupported,
                "an xlsx renamed to .docx",
            ),
            case(
                "letter.docx",
                zip_of(&[("word/document.xml", XML)]),
                Unsupported,
                "a ZIP without [Content_Types].xml is not OOXML",
            ),
            case(
                "notes.odt",
                minimal_odf("spreadsheet"),
                Unsupported,
                "an ods renamed to .odt",
            ),
            case(
                "old.doc",
                ole2(EXCEL_CLSID, &["Workbook"]),
                Unsupported,
                "an xls renamed to .doc",
            ),
            case(
                "report.pdf",
                b"hello %PDF-1.4".to_vec(),
                Unsupported,
                "a PDF header that is not at offset 0",
            ),
            case(
                "memo.rtf",
                b"hello".to_vec(),
                Unsupported,
                "RTF without {\\rtf",
            ),
            case(
                "bad.txt",
                b"caf\xe9 au lait".to_vec(),
                Unsupported,
                "Latin-1 text is not valid UTF-8",
            ),
            case("nul.csv", b"a,b\x00c".to_vec(), Unsupported, "NUL in text"),
            case(
                "fake.png",
                b"\x89PNx".to_vec(),
                Unsupported,
                "only part of the PNG signature",
            ),
            // Active content
            case(
                "evil.pdf",
                minimal_pdf("/Names << /JS (x) >> <script>alert(1)</script>"),
                Unsupported,
                "PDF containing <script",
            ),
            case(
                "evil.pdf",
                minimal_pdf("/OpenAction << /S /JavaScript /JS (app.alert(1)) >>"),
                Unsupported,
                "PDF with a JavaScript action",
            ),
            case(
                "evil.pdf",
                minimal_pdf("/OpenAction << /S /J#61vaScript /JS (x) >>"),
                Unsupported,
                "#xx-escaped /JavaScript",
            ),
            case(
                "evil.pdf",
                minimal_pdf("/OpenAction << /S /Launch /F (cmd.exe) >>"),
                Unsupported,
                "PDF launch action",
            ),
            case(
                "nuls.pdf",
                [b"%PDF-1.4\n".as_slice(), &[0u8; 1000]].concat(),
                Unsupported,
                "PDF that is mostly NUL bytes",
            ),
            case(
                "macro.docx",
                docx_with_macros(),
                Unsupported,
                "docx with vbaProject.bin",
            ),
            case(
                "macro.doc",
                ole2(WORD_CLSID, &["WordDocument", "Macros/VBA/_VBA_PROJECT"]),
                Unsupported,
                "doc with a VBA project",
            ),
            case(
                "obj.rtf",
                br"{\rtf1 {\object\objemb{\*\objdata 0105000002000000}}}".to_vec(),
                Unsupported,
                "RTF with an embedded OLE object",
            ),
            // Sizes
            case(
                "big.png",
                {
                    let mut v = hex(PNG_1X1);
                    v.resize(11 * 1024 * 1024, 0);
                    v
                },
                TooLarge,
                "11 MiB PNG is over the 10 MiB image limit",
            ),
            case("empty.pdf", Vec::new(), Empty, "empty upload"),
            // Image dimensions
            case(
                "wide.png",
                png_with_size(20_000, 10),
                BadImage,
                "20000 px wide is over the per-side limit",
            ),
            case("zero.png", png_with_size(0, 10), BadImage, "zero width"),
            case(
                "max.png",
                png_with_size(10_000, 10_000),
                Accept(F::Png),
                "exactly 10000x10000 = 100 MP is allowed",
            ),
            case(
                "truncated.png",
                b"\x89PNG\r\n\x1a\n\x00\x00".to_vec(),
                BadImage,
                "PNG signature but no IHDR",
            ),
            case(
                "wide.bmp",
                bmp_with_size(-5, 5),
                BadImage,
                "negative BMP width",
            ),
            // Filenames
            case(
                "../etc/passwd.txt",
                b"x".to_vec(),
                BadFilename,
                "path traversal with ..",
            ),
            case("a/b.txt", b"x".to_vec(), BadFilename, "forward slash"),
            case("a\\b.txt", b"x".to_vec(), BadFilename, "backslash"),
            case("a\0.txt", b"x".to_vec(), BadFilename, "NUL in filename"),
            case(
                "a\nb.txt",
                b"x".to_vec(),
                BadFilename,
                "newline in filename",
            ),
            case(
                "<SCRIPT>alert(1).txt",
                b"x".to_vec(),
                BadFilename,
                "<script in filename, any case",
            ),
            case(
                "x onerror=alert(1).png",
                hex(PNG_1X1),
                BadFilename,
                "event-handler markup in filename",
            ),
            case(
                "invoice\u{202e}fdp.exe",
                b"x".to_vec(),
                BadFilename,
                "right-to-left override",
            ),
            case("", b"x".to_vec(), BadFilename, "missing filename"),
            case("   ", b"x".to_vec(), BadFilename, "blank filename"),
            case(".pdf", pdf, BadFilename, "nothing before the extension"),
        ]
    }

    #[test]
    fn table() {
        let mut failures = Vec::new();
        for c in cases() {
            let result = check_upload(c.filename, &c.content);
            let got = outcome(&result);
            if got != c.expect {
                failures.push(format!(
                    "{:?}: expected {:?}, got {:?} ({})",
                    c.filename, c.expect, result, c.reason
                ));
            }
        }
        assert!(
            failures.is_empty(),
            "failing rows:\n{}",
            failures.join("\n")
        );
    }

    #[test]
    fn accepted_upload_carries_canonical_type_and_clean_name() {
        let checked = check_upload("  Lab Result.JPEG ", &hex(JPEG_1X1)).expect("accepted");
        assert_eq!(
            checked,
            CheckedUpload {
                format: DocumentFormat::Jpeg,
                content_type: "image/jpeg",
                filename: "Lab Result.jpeg".to_owned(),
            }
        );
    }

    #[test]
    fn too_large_reports_the_format_limit() {
        let mut big = hex(PNG_1X1);
        big.resize(11 * 1024 * 1024, 0);
        assert_eq!(
            check_upload("big.png", &big),
            Err(UploadError::TooLarge {
                max_bytes: 10 * 1024 * 1024
            })
        );
    }

    #[test]
    fn long_filename_refused() {
        let name = format!("{}.pdf", "a".repeat(252));
        assert_eq!(name.chars().count(), 256);
        assert!(matches!(
            check_upload(&name, &minimal_pdf("")),
            Err(UploadError::BadFilename(_))
        ));
        let ok = format!("{}.pdf", "a".repeat(251));
        assert!(check_upload(&ok, &minimal_pdf("")).is_ok());
    }

    #[test]
    fn format_metadata_is_consistent() {
        for format in DocumentFormat::ALL {
            assert_eq!(
                DocumentFormat::from_extension(format.extension()),
                Some(format),
                "{format:?}"
            );
            assert!(format.max_bytes() <= MAX_UPLOAD_BYTES, "{format:?}");
            assert_eq!(format.is_image(), format.mime().starts_with("image/"));
        }
        assert_eq!(MAX_UPLOAD_BYTES, 50 * 1024 * 1024);
        assert_eq!(DocumentFormat::Docx.max_bytes(), 50 * 1024 * 1024);
        assert_eq!(DocumentFormat::Xlsx.max_bytes(), 25 * 1024 * 1024);
        assert_eq!(DocumentFormat::Csv.max_bytes(), 25 * 1024 * 1024);
        for blocked in BLOCKED_EXTENSIONS.iter().chain(ARCHIVE_EXTENSIONS) {
            assert_eq!(DocumentFormat::from_extension(blocked), None, "{blocked}");
        }
    }

    #[test]
    fn infer_alone_misses_python_docx_order() {
        // Documents why OOXML is recognised from the central directory.
        assert!(!infer::doc::is_docx(&python_docx_order()));
        assert!(check_upload("a.docx", &python_docx_order()).is_ok());
    }

    #[test]
    fn error_messages_do_not_echo_long_extensions() {
        let name = format!("x.{}", "q".repeat(100));
        let Err(UploadError::Unsupported(msg)) = check_upload(&name, b"x") else {
            panic!("expected Unsupported");
        };
        assert!(!msg.contains("qqqq"), "{msg}");
    }

    fn any_filename() -> impl Strategy<Value = String> {
        prop_oneof![
            any::<String>(),
            "[a-zA-Z0-9 ._-]{0,20}\\.(pdf|png|jpg|jpeg|gif|bmp|webp|doc|docx|xls|xlsx|ppt|pptx|odt|ods|odp|txt|csv|rtf|exe|zip|PDF|TXT)",
        ]
    }

    /// Prefixes that steer random bytes into each format's parser.
    fn any_content() -> impl Strategy<Value = Vec<u8>> {
        let prefixes: Vec<Vec<u8>> = vec![
            Vec::new(),
            b"\x89PNG\r\n\x1a\n".to_vec(),
            b"\xff\xd8\xff".to_vec(),
            b"GIF89a".to_vec(),
            b"BM".to_vec(),
            b"RIFF\x00\x00\x00\x00WEBPVP8".to_vec(),
            b"%PDF-1.7\n".to_vec(),
            b"PK\x03\x04".to_vec(),
            b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1".to_vec(),
            b"{\\rtf1".to_vec(),
        ];
        (
            proptest::sample::select(prefixes),
            proptest::collection::vec(any::<u8>(), 0..2048),
        )
            .prop_map(|(mut prefix, tail)| {
                prefix.extend(tail);
                prefix
            })
    }

    proptest! {
        #[test]
        fn never_panics(name in any_filename(), content in any_content()) {
            let _ = check_upload(&name, &content);
        }

        #[test]
        fn zip_parser_never_panics(tail in proptest::collection::vec(any::<u8>(), 0..512), cut in 0usize..2000) {
            // Corrupt a real docx: truncate it and splice random bytes in.
            let mut docx = minimal_docx();
            let cut = cut.min(docx.len());
            docx.truncate(cut.max(4));
            docx.extend(tail);
            let _ = check_upload("a.docx", &docx);
        }

        #[test]
        fn mz_is_always_refused(name in any_filename(), tail in proptest::collection::vec(any::<u8>(), 0..1024)) {
            let content = [b"MZ".as_slice(), &tail].concat();
            prop_assert!(check_upload(&name, &content).is_err());
            for good_name in ["a.pdf", "a.txt", "a.png", "a.docx", "a.csv"] {
                prop_assert!(
                    matches!(check_upload(good_name, &content), Err(UploadError::Unsupported(_))),
                    "{} was not refused as Unsupported", good_name
                );
            }
        }
    }
}
