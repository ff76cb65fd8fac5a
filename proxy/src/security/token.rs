//! The access token: generated once, kept in the user's config directory (mode 0600) so
//! bookmarks survive restarts, compared in constant time, and never logged.

use std::fmt;
use std::io::Write;
use std::path::{Path, PathBuf};

use rand::RngCore;
use subtle::ConstantTimeEq;

const TOKEN_BYTES: usize = 32;
const FILE_NAME: &str = "token";

/// Why the token could not be loaded or stored.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No config directory could be found for this user.
    #[error("cannot find a config directory for the access token\n  → set XDG_CONFIG_HOME or HOME")]
    NoConfigDir,
    /// Reading or writing the file failed.
    #[error("cannot {action} the access token file {path}: {source}")]
    Io {
        /// What was attempted.
        action: &'static str,
        /// The file or directory.
        path: PathBuf,
        /// The error.
        source: std::io::Error,
    },
    /// Other users can read the file, so the token may be known to them.
    #[error(
        "the access token file {path} is readable by other users (mode {mode:o})\n  → run ktop-web --rotate-token to replace it with a private one"
    )]
    TooOpen {
        /// The file.
        path: PathBuf,
        /// Its permission bits.
        mode: u32,
    },
    /// The file does not hold a token this program wrote.
    #[error("the access token file {path} is damaged\n  → run ktop-web --rotate-token")]
    Damaged {
        /// The file.
        path: PathBuf,
    },
}

/// The secret that opens `/api/*`.
#[derive(Clone, PartialEq, Eq)]
pub struct AccessToken(String);

impl fmt::Debug for AccessToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("AccessToken(<redacted>)")
    }
}

impl AccessToken {
    /// A fresh random token (256 bits, hex).
    pub fn generate() -> Self {
        let mut bytes = [0u8; TOKEN_BYTES];
        rand::rng().fill_bytes(&mut bytes);
        Self(bytes.iter().map(|b| format!("{b:02x}")).collect())
    }

    /// Whether `presented` is this token, in time independent of where they differ.
    pub fn matches(&self, presented: &str) -> bool {
        self.0.as_bytes().ct_eq(presented.as_bytes()).into()
    }

    /// The token itself, for the one startup URL that carries it.
    pub fn reveal(&self) -> &str {
        &self.0
    }

    fn parse(text: &str) -> Option<Self> {
        let t = text.trim();
        (t.len() == TOKEN_BYTES * 2 && t.bytes().all(|b| b.is_ascii_hexdigit()))
            .then(|| Self(t.to_ascii_lowercase()))
    }
}

/// `<config dir>/ktop-web`, e.g. `~/.config/ktop-web` on Linux.
pub fn default_dir() -> Result<PathBuf, TokenError> {
    dirs::config_dir()
        .map(|d| d.join("ktop-web"))
        .ok_or(TokenError::NoConfigDir)
}

/// Reads the token from `dir`, creating it on first use or when `rotate` is set.
pub fn load_or_create(dir: &Path, rotate: bool) -> Result<AccessToken, TokenError> {
    let path = dir.join(FILE_NAME);
    if !rotate {
        match std::fs::read_to_string(&path) {
            Ok(text) => {
                check_private(&path)?;
                return AccessToken::parse(&text).ok_or(TokenError::Damaged { path });
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(source) => return Err(io("read", &path, source)),
        }
    }
    let token = AccessToken::generate();
    write_private(dir, FILE_NAME, &format!("{}\n", token.0))?;
    Ok(token)
}

/// Writes `dir/name` (mode 0600, `dir` 0700) via a private temporary file and a rename, so
/// the contents are never visible to others and never half-written.
pub fn write_private(dir: &Path, name: &str, contents: &str) -> Result<PathBuf, TokenError> {
    create_private_dir(dir)?;
    let path = dir.join(name);
    let tmp = dir.join(format!(".{name}.{}", std::process::id()));
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create(true).truncate(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(&tmp).map_err(|e| io("create", &tmp, e))?;
    #[cfg(unix)]
    std::fs::set_permissions(&tmp, std::os::unix::fs::PermissionsExt::from_mode(0o600))
        .map_err(|e| io("protect", &tmp, e))?;
    file.write_all(contents.as_bytes())
        .and_then(|()| file.sync_all())
        .map_err(|e| io("write", &tmp, e))?;
    std::fs::rename(&tmp, &path).map_err(|e| io("replace", &path, e))?;
    Ok(path)
}

fn create_private_dir(dir: &Path) -> Result<(), TokenError> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir).map_err(|e| io("create", dir, e))
}

#[cfg(unix)]
fn check_private(path: &Path) -> Result<(), TokenError> {
    use std::os::unix::fs::PermissionsExt;
    let mode = std::fs::metadata(path)
        .map_err(|e| io("inspect", path, e))?
        .permissions()
        .mode();
    if mode & 0o077 == 0 {
        Ok(())
    } else {
        Err(TokenError::TooOpen {
            path: path.to_owned(),
            mode: mode & 0o777,
        })
    }
}

#[cfg(not(unix))]
fn check_private(_path: &Path) -> Result<(), TokenError> {
    Ok(())
}

fn io(action: &'static str, path: &Path, source: std::io::Error) -> TokenError {
    TokenError::Io {
        action,
        path: path.to_owned(),
        source,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn created_once_then_reused_and_rotated_on_request() {
        let dir = tempfile::tempdir().expect("temp dir");
        let config = dir.path().join("nested").join("ktop-web");
        let first = load_or_create(&config, false).expect("created");
        assert_eq!(first.reveal().len(), 64);
        assert_eq!(load_or_create(&config, false).expect("read back"), first);
        let rotated = load_or_create(&config, true).expect("rotated");
        assert_ne!(rotated, first);
        assert_eq!(load_or_create(&config, false).expect("read back"), rotated);
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = |p: &Path| std::fs::metadata(p).expect("stat").permissions().mode() & 0o777;
            assert_eq!(mode(&config.join(FILE_NAME)), 0o600);
            assert_eq!(mode(&config), 0o700);
        }
    }

    #[cfg(unix)]
    #[test]
    fn a_file_others_can_read_is_refused_until_rotated() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().expect("temp dir");
        load_or_create(dir.path(), false).expect("created");
        let file = dir.path().join(FILE_NAME);
        std::fs::set_permissions(&file, std::fs::Permissions::from_mode(0o644)).expect("chmod");
        let err = load_or_create(dir.path(), false).expect_err("refused");
        assert!(err.to_string().contains("--rotate-token"), "{err}");
        load_or_create(dir.path(), true).expect("rotation fixes it");
    }

    #[test]
    fn damaged_file_and_comparison() {
        let dir = tempfile::tempdir().expect("temp dir");
        let token = load_or_create(dir.path(), false).expect("created");
        assert!(token.matches(token.reveal()));
        assert!(!token.matches(""));
        assert!(!token.matches(&token.reveal()[..63]));
        assert_eq!(format!("{token:?}"), "AccessToken(<redacted>)");
        std::fs::write(dir.path().join(FILE_NAME), "not a token").expect("write");
        #[cfg(unix)]
        std::fs::set_permissions(
            dir.path().join(FILE_NAME),
            std::os::unix::fs::PermissionsExt::from_mode(0o600),
        )
        .expect("chmod");
        assert!(matches!(
            load_or_create(dir.path(), false),
            Err(TokenError::Damaged { .. })
        ));
    }
}
