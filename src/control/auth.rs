//! The bearer token that guards the TCP API. The unix socket needs none
//! (its mode, 0600, is the guard); TCP is served only with a token.

use std::fmt;
use std::path::{Path, PathBuf};

use thiserror::Error;

#[derive(Debug, Error, PartialEq, Eq)]
pub enum AuthError {
    #[error("cannot read the API token file {path}: {reason}")]
    Unreadable { path: PathBuf, reason: String },
    #[error("the API token file {path} holds no token")]
    Empty { path: PathBuf },
    #[error("the API token in {path} must be one line of visible characters")]
    Malformed { path: PathBuf },
}

/// The secret a TCP client must send as `Authorization: Bearer SECRET`.
#[derive(Clone, PartialEq, Eq)]
pub struct BearerToken {
    secret: Vec<u8>,
}

impl fmt::Debug for BearerToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("BearerToken(..)")
    }
}

impl BearerToken {
    /// Reads the token: the file's text without its trailing newline
    /// (or other surrounding white space, as `echo secret > file` leaves).
    pub fn from_file(path: &Path) -> Result<BearerToken, AuthError> {
        let text = std::fs::read_to_string(path).map_err(|e| AuthError::Unreadable {
            path: path.to_path_buf(),
            reason: crate::engine::errno_text(&e),
        })?;
        let secret = text.trim();
        if secret.is_empty() {
            return Err(AuthError::Empty {
                path: path.to_path_buf(),
            });
        }
        // An HTTP header cannot carry control characters or inner spaces.
        if !secret.bytes().all(|b| b.is_ascii_graphic()) {
            return Err(AuthError::Malformed {
                path: path.to_path_buf(),
            });
        }
        Ok(BearerToken {
            secret: secret.as_bytes().to_vec(),
        })
    }

    /// A token from its text (tests, and clients that got it elsewhere).
    pub fn from_secret(secret: &str) -> Option<BearerToken> {
        let ok = !secret.is_empty() && secret.bytes().all(|b| b.is_ascii_graphic());
        ok.then(|| BearerToken {
            secret: secret.as_bytes().to_vec(),
        })
    }

    /// The `Authorization` header value a client sends.
    pub fn header_value(&self) -> String {
        format!("Bearer {}", String::from_utf8_lossy(&self.secret))
    }

    /// Whether an `Authorization` header value carries this token. The
    /// comparison takes the same time whatever the client sent, so timing
    /// tells an attacker nothing about how much of a guess was right.
    pub fn authorizes(&self, header: Option<&[u8]>) -> bool {
        let Some(header) = header else { return false };
        let Some((scheme, credentials)) = split_scheme(header) else {
            return false;
        };
        scheme.eq_ignore_ascii_case(b"bearer") & constant_time_eq(&self.secret, credentials)
    }
}

fn split_scheme(header: &[u8]) -> Option<(&[u8], &[u8])> {
    let space = header.iter().position(|&b| b == b' ')?;
    let (scheme, rest) = header.split_at(space);
    Some((scheme, rest.trim_ascii()))
}

/// Compares every byte of `expected` whatever `given` holds: the time
/// depends on the secret's length only.
fn constant_time_eq(expected: &[u8], given: &[u8]) -> bool {
    let mut difference = expected.len() ^ given.len();
    for (i, &e) in expected.iter().enumerate() {
        let g = given.get(i).copied().unwrap_or(0);
        difference |= usize::from(e ^ g);
    }
    std::hint::black_box(difference) == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token() -> BearerToken {
        BearerToken::from_secret("s3cret-token").unwrap()
    }

    #[test]
    fn only_the_exact_bearer_token_passes() {
        let t = token();
        assert!(t.authorizes(Some(b"Bearer s3cret-token")));
        assert!(t.authorizes(Some(b"bearer s3cret-token")));
        assert!(!t.authorizes(None));
        assert!(!t.authorizes(Some(b"Bearer s3cret-toke")));
        assert!(!t.authorizes(Some(b"Bearer s3cret-token2")));
        assert!(!t.authorizes(Some(b"Bearer S3cret-token")));
        assert!(!t.authorizes(Some(b"Basic s3cret-token")));
        assert!(!t.authorizes(Some(b"s3cret-token")));
        assert!(!t.authorizes(Some(b"Bearer ")));
        assert!(!t.authorizes(Some(b"")));
    }

    #[test]
    fn the_token_file_loses_its_newline_and_must_hold_something() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("token");
        std::fs::write(&path, "abc123\n").unwrap();
        let t = BearerToken::from_file(&path).unwrap();
        assert_eq!(t.header_value(), "Bearer abc123");
        std::fs::write(&path, " \n").unwrap();
        assert_eq!(
            BearerToken::from_file(&path).unwrap_err(),
            AuthError::Empty { path: path.clone() }
        );
        std::fs::write(&path, "two words\n").unwrap();
        assert!(matches!(
            BearerToken::from_file(&path),
            Err(AuthError::Malformed { .. })
        ));
        let missing = dir.path().join("missing");
        let e = BearerToken::from_file(&missing).unwrap_err().to_string();
        assert!(e.ends_with("missing: No such file or directory"), "{e}");
    }

    #[test]
    fn debug_output_hides_the_secret() {
        assert_eq!(format!("{:?}", token()), "BearerToken(..)");
    }
}
