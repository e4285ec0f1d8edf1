//! The page a browser gets at a certificate's verification link: the same facts as the
//! JSON answer, readable by a registrar, every value escaped (maud), no script.

use maud::{DOCTYPE, html};

use super::dto::VerificationDto;

const STYLE: &str = "body{font-family:system-ui,sans-serif;max-width:34rem;margin:3rem auto;\
padding:0 1rem;color:#1d2939}h1{font-size:1.4rem}.verdict{font-size:1.6rem;font-weight:700;\
padding:.6rem 1rem;border-radius:.4rem}.valid{background:#dcfae6;color:#067647}\
.revoked,.expired,.not_yet_valid,.not_issued{background:#fee4e2;color:#b42318}\
dt{font-weight:600;margin-top:.6rem}dd{margin:0}footer{margin-top:2rem;font-size:.85rem;\
color:#667085}";

/// The HTML of a verification answer.
pub fn render(v: &VerificationDto) -> String {
    let verdict = match v.verdict.as_str() {
        "valid" => "Genuine and valid",
        "revoked" => "Genuine, but revoked: not valid",
        "expired" => "Genuine, but expired",
        "not_yet_valid" => "Genuine, not yet valid",
        _ => "Genuine, not issued",
    };
    html! {
        (DOCTYPE)
        html lang="en" {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                meta name="robots" content="noindex";
                title { "Certificate verification — USC Health Services" }
                style { (STYLE) }
            }
            body {
                h1 { "Certificate verification" }
                p class={ "verdict " (v.verdict) } { (verdict) }
                dl {
                    dt { "Valid" }
                    dd { (v.valid_from) " to " (v.valid_until) }
                    dt { "Holder" }
                    dd { (v.holder_initials) }
                    @if let Some(p) = &v.physician {
                        dt { "Physician" }
                        dd { (p) }
                    }
                }
                footer { "University of San Carlos Health Services. This page shows only whether the certificate is genuine; it holds no medical information." }
            }
        }
    }
    .into_string()
}
