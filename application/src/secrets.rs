//! Random secrets from the operating system's CSPRNG, and their stored form.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use sha2::{Digest, Sha256};

use crate::AppError;

/// A 256-bit random token, URL-safe base64 (43 characters).
pub fn random_token() -> Result<String, AppError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| AppError::Unexpected(anyhow::anyhow!("csprng: {e}")))?;
    Ok(URL_SAFE_NO_PAD.encode(bytes))
}

/// A uniformly random `u32` from the CSPRNG.
pub fn random_u32() -> Result<u32, AppError> {
    getrandom::u32().map_err(|e| AppError::Unexpected(anyhow::anyhow!("csprng: {e}")))
}

/// The only form in which a token is stored: its SHA-256, hex.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// A readable random password for generated accounts (demo users): 20 characters.
pub fn random_password() -> Result<String, AppError> {
    // A 256-bit token plus a fixed tail that guarantees the policy's character classes.
    let t = random_token()?;
    Ok(format!("{}Aa9", &t[..17]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_hashed() {
        let a = random_token().expect("rng");
        let b = random_token().expect("rng");
        assert_eq!(a.len(), 43);
        assert_ne!(a, b);
        assert_eq!(token_hash(&a).len(), 64);
        assert_ne!(token_hash(&a), a);
    }
}
