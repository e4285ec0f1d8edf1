//! The texts of identity emails: verification code, welcome, password reset.

use domain::identity::{EmailAddress, User};

use crate::mail::OutgoingEmail;

fn wrap(to: &EmailAddress, subject: &str, text: String) -> OutgoingEmail {
    let html = format!(
        "<!doctype html><html><body style=\"font-family:sans-serif\">{}</body></html>",
        text.split("\n\n")
            .map(|p| format!("<p>{}</p>", html_escape(p).replace('\n', "<br>")))
            .collect::<String>()
    );
    OutgoingEmail {
        to: to.clone(),
        subject: format!("[USC-PIS] {subject}"),
        text,
        html: Some(html),
    }
}

fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// "Your USC-PIS Verification Code".
pub fn verification_code(to: &EmailAddress, first_name: &str, code: &str) -> OutgoingEmail {
    wrap(
        to,
        "Your USC-PIS Verification Code",
        format!(
            "Hello {first_name},\n\nYour verification code is: {code}\n\n\
             It is valid for 15 minutes and can be tried at most 5 times. \
             If you did not create a USC-PIS account, ignore this message.\n\n\
             USC Health Services"
        ),
    )
}

/// "Welcome to USC-PIS".
pub fn welcome(user: &User) -> OutgoingEmail {
    wrap(
        &user.email,
        "Welcome to USC-PIS",
        format!(
            "Hello {},\n\nYour USC-PIS account is ready. You can now log in with {}.\n\n\
             USC Health Services",
            user.first_name.as_str(),
            user.email
        ),
    )
}

/// "Reset your USC-PIS password".
pub fn password_reset(user: &User, token: &str, public_url: Option<&str>) -> OutgoingEmail {
    let how = match public_url {
        Some(base) => format!(
            "Open this link to choose a new password:\n{}/password-reset/{token}",
            base.trim_end_matches('/')
        ),
        None => format!("Use this reset token to choose a new password:\n{token}"),
    };
    wrap(
        &user.email,
        "Reset your USC-PIS password",
        format!(
            "Hello {},\n\nSomeone asked to reset your USC-PIS password. {how}\n\n\
             The link works once and expires in 1 hour. If it was not you, ignore this \
             message: your password stays as it is.\n\nUSC Health Services",
            user.first_name.as_str()
        ),
    )
}
