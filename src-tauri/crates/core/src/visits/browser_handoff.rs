//! The clinician's join link, handed to the system browser without ever being a process
//! argument. A launcher (xdg-open, the browser itself) gets its address in its argv, which
//! any local user reads in `/proc/*/cmdline` or `ps`; the link's fragment holds the
//! clinician's room token. So the browser is opened on a small page in a file only this
//! user can read (0600, in a 0700 folder), and that page replaces itself with the link.
//! The file's address holds no token. The file is removed after [`HANDOFF_LIFETIME`]; ones
//! left by a run that ended sooner are removed at the next start or hand-off.

use std::{
    fs, io,
    io::Write,
    path::{Path, PathBuf},
    time::{Duration, SystemTime},
};

use base64::{Engine, engine::general_purpose::STANDARD};
use sha2::{Digest, Sha256};
use tracing::{debug, warn};

use crate::{AppError, ErrorCode, random};

/// How long a hand-off file stays: ample for a browser that starts cold.
pub const HANDOFF_LIFETIME: Duration = Duration::from_secs(120);
/// The folder's name inside `$XDG_RUNTIME_DIR`.
const RUNTIME_FOLDER: &str = "visitdesk";
const FILE_PREFIX: &str = "visit-";
const FILE_SUFFIX: &str = ".html";
/// Random bytes in a file's name (hex-encoded).
const NAME_BYTES: usize = 16;

/// Where hand-off files are written, and how long they stay.
#[derive(Debug, Clone)]
pub struct BrowserHandoff {
    folder: PathBuf,
    lifetime: Duration,
}

impl BrowserHandoff {
    /// Hand-off files in `folder` (made 0700 on first use), kept [`HANDOFF_LIFETIME`].
    pub fn new(folder: impl Into<PathBuf>) -> Self {
        Self { folder: folder.into(), lifetime: HANDOFF_LIFETIME }
    }

    /// `$XDG_RUNTIME_DIR/visitdesk` when this session has a private runtime folder (on Linux a
    /// tmpfs that is the user's alone and is emptied at log-out), otherwise `fallback` (the
    /// app's cache folder).
    pub fn for_this_session(fallback: impl Into<PathBuf>) -> Self {
        Self::choose(std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from), fallback.into())
    }

    /// The runtime folder is taken only when it is absolute, a real folder, and closed to
    /// everyone else (as the XDG Base Directory spec requires it to be).
    pub fn choose(runtime_dir: Option<PathBuf>, fallback: PathBuf) -> Self {
        let private = |dir: &Path| {
            dir.is_absolute() && fs::symlink_metadata(dir).is_ok_and(|meta| meta.is_dir() && closed_to_others(&meta))
        };
        match runtime_dir.filter(|dir| private(dir)) {
            Some(dir) => Self::new(dir.join(RUNTIME_FOLDER)),
            None => Self::new(fallback),
        }
    }

    /// How long each file stays (tests shorten it).
    pub fn with_lifetime(mut self, lifetime: Duration) -> Self {
        self.lifetime = lifetime;
        self
    }

    pub fn folder(&self) -> &Path {
        &self.folder
    }

    pub fn lifetime(&self) -> Duration {
        self.lifetime
    }

    /// Removes hand-off files older than the lifetime: those of a run that ended before its
    /// own clean-up. Younger ones may belong to another running VisitDesk, which removes them
    /// itself. Returns how many went.
    pub fn remove_stale(&self) -> usize {
        let Ok(entries) = fs::read_dir(&self.folder) else { return 0 };
        let now = SystemTime::now();
        let mut removed = 0;
        for entry in entries.flatten() {
            let name = entry.file_name();
            if !name.to_str().is_some_and(is_handoff_name) {
                continue;
            }
            let age =
                entry.metadata().and_then(|meta| meta.modified()).map(|at| now.duration_since(at).unwrap_or_default());
            if age.is_ok_and(|age| age >= self.lifetime) {
                match fs::remove_file(entry.path()) {
                    Ok(()) => removed += 1,
                    Err(error) => {
                        warn!(file = %entry.path().display(), %error, "stale browser hand-off file not removed")
                    }
                }
            }
        }
        if removed > 0 {
            debug!(removed, "stale browser hand-off files removed");
        }
        removed
    }

    /// Makes the folder if needed and checks that it is this user's alone (mode 0700).
    pub(crate) fn prepare(&self) -> Result<(), AppError> {
        private_folder(&self.folder).map_err(|error| self.failure(&error))
    }

    /// Writes the page that opens `join_url` (an http or https address). The file is removed
    /// when the returned [`HandoffFile`] is [`removed`](HandoffFile::remove) or
    /// [`removed later`](HandoffFile::remove_later).
    pub(crate) fn write(&self, join_url: &str) -> Result<HandoffFile, AppError> {
        match url::Url::parse(join_url) {
            Ok(url) if matches!(url.scheme(), "https" | "http") => {}
            _ => return Err(AppError::new(ErrorCode::Internal, "The join link is not a web address.")),
        }
        self.prepare()?;
        let name =
            format!("{FILE_PREFIX}{}{FILE_SUFFIX}", hex::encode(random::random_bytes::<NAME_BYTES>("file name")?));
        let path = self.folder.join(name);
        let url = url::Url::from_file_path(&path)
            .map_err(|()| self.failure(&io::Error::other("the folder is not an absolute path")))?
            .to_string();
        write_private(&path, handoff_page(join_url).as_bytes()).map_err(|error| self.failure(&error))?;
        Ok(HandoffFile { path, url, lifetime: self.lifetime })
    }

    fn failure(&self, error: &io::Error) -> AppError {
        AppError::new(
            ErrorCode::BrowserUnavailable,
            format!(
                "VisitDesk could not prepare the call for your web browser in {} ({error}).",
                self.folder.display()
            ),
        )
    }
}

/// One hand-off file: its address (for the browser) and its path.
#[derive(Debug)]
pub(crate) struct HandoffFile {
    path: PathBuf,
    url: String,
    lifetime: Duration,
}

impl HandoffFile {
    /// The `file://` address: no token in it.
    pub(crate) fn url(&self) -> &str {
        &self.url
    }

    pub(crate) fn remove(self) {
        remove_handoff(&self.path);
    }

    /// Removes the file once the browser has had time to read it (on the current Tokio
    /// runtime; a run that ends sooner leaves it to [`BrowserHandoff::remove_stale`]).
    pub(crate) fn remove_later(self) {
        tokio::spawn(async move {
            tokio::time::sleep(self.lifetime).await;
            remove_handoff(&self.path);
        });
    }
}

fn remove_handoff(path: &Path) {
    match fs::remove_file(path) {
        Ok(()) => debug!(file = %path.display(), "browser hand-off file removed"),
        Err(error) if error.kind() == io::ErrorKind::NotFound => {}
        Err(error) => warn!(file = %path.display(), %error, "browser hand-off file not removed"),
    }
}

/// `visit-<32 hex digits>.html`: only files this module wrote are ever removed.
fn is_handoff_name(name: &str) -> bool {
    name.strip_prefix(FILE_PREFIX).and_then(|rest| rest.strip_suffix(FILE_SUFFIX)).is_some_and(|hex| {
        hex.len() == NAME_BYTES * 2 && hex.bytes().all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
    })
}

#[cfg(unix)]
fn closed_to_others(meta: &fs::Metadata) -> bool {
    use std::os::unix::fs::PermissionsExt;
    meta.permissions().mode() & 0o077 == 0
}

#[cfg(not(unix))]
fn closed_to_others(_meta: &fs::Metadata) -> bool {
    // No XDG runtime folder off Unix: the app's cache folder (in the user's profile) is used.
    false
}

/// The folder, made if missing, a real folder (not a link), and mode 0700. Setting the mode
/// succeeds only for the folder's owner, so a folder someone else made is refused.
#[cfg(unix)]
fn private_folder(folder: &Path) -> io::Result<()> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    match fs::symlink_metadata(folder) {
        Err(error) if error.kind() == io::ErrorKind::NotFound => {
            fs::DirBuilder::new().recursive(true).mode(0o700).create(folder)?;
        }
        Err(error) => return Err(error),
        Ok(meta) if !meta.is_dir() => return Err(io::Error::other("it is not a folder")),
        Ok(_) => {}
    }
    fs::set_permissions(folder, fs::Permissions::from_mode(0o700))?;
    let meta = fs::symlink_metadata(folder)?;
    if !meta.is_dir() || meta.permissions().mode() & 0o777 != 0o700 {
        return Err(io::Error::other("it is not a private folder"));
    }
    Ok(())
}

#[cfg(not(unix))]
fn private_folder(folder: &Path) -> io::Result<()> {
    fs::create_dir_all(folder)
}

/// A new file (never an existing one or a link), readable and writable by this user only;
/// removed again if it cannot be written whole.
fn write_private(path: &Path, contents: &[u8]) -> io::Result<()> {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut file = options.open(path)?;
    let written = file.write_all(contents).and_then(|()| file.flush());
    if written.is_err() {
        let _ = fs::remove_file(path);
    }
    written
}

/// The page: it replaces itself with `join_url` at once (so it stays out of the browser's
/// history), sends no referrer, and may run only its own script (CSP by hash). A plain link
/// is there should the script not run. The link is escaped for each place it appears.
fn handoff_page(join_url: &str) -> String {
    let script = format!("location.replace({});", js_string(join_url));
    let hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
    let href = html_attribute(join_url);
    format!(
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'\">\n\
         <meta name=\"referrer\" content=\"no-referrer\">\n\
         <title>Opening your visit</title>\n\
         <script>{script}</script>\n</head>\n<body>\n\
         <p>Opening your visit… If it does not open, <a href=\"{href}\" rel=\"noreferrer\">open the visit</a>.</p>\n\
         </body>\n</html>\n"
    )
}

/// A JavaScript string literal that is safe inside a `<script>` element: JSON, with `<`, `>`
/// and `&` written as escapes (so no `</script>` or `<!--` can appear) and the two line
/// separators JavaScript once treated as line ends escaped too.
fn js_string(text: &str) -> String {
    let json = serde_json::to_string(text).expect("a string serialises");
    let mut out = String::with_capacity(json.len());
    for c in json.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

/// Text for a double-quoted HTML attribute.
fn html_attribute(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            c => out.push(c),
        }
    }
    out
}

#[cfg(test)]
mod tests {

    use super::*;

    /// The text between `start` and the next `end`.
    fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
        let from = text.find(start).unwrap_or_else(|| panic!("no {start} in {text}")) + start.len();
        let to = text[from..].find(end).unwrap_or_else(|| panic!("no {end} after {start}")) + from;
        &text[from..to]
    }

    fn html_unescape(text: &str) -> String {
        text.replace("&quot;", "\"")
            .replace("&#39;", "'")
            .replace("&lt;", "<")
            .replace("&gt;", ">")
            .replace("&amp;", "&")
    }

    const HOSTILE: [&str; 6] = [
        "https://visit.example-clinic.org/join#t=ey.a.b&l=en&p=dr-ana-ruiz",
        "https://x.example/j#t=\");alert(1);//",
        "https://x.example/j#t=</script><script>alert(1)</script>",
        "https://x.example/j#t=<!--<script>",
        "https://x.example/j\"><img src=x onerror=alert(1)>#t='&amp;\\u003c\\",
        "https://x.example/j#t=\u{2028}\u{2029}é",
    ];

    #[test]
    fn the_link_cannot_break_out_of_the_script_or_the_attribute() {
        for url in HOSTILE {
            let page = handoff_page(url);
            assert_eq!(page.matches("<script").count(), 1, "{page}");
            assert_eq!(page.matches("</script>").count(), 1, "{page}");
            assert_eq!(page.matches("<a ").count(), 1, "{page}");
            assert!(!page.contains("<img"), "{page}");
            let script = between(&page, "<script>", "</script>");
            let literal = script.strip_prefix("location.replace(").and_then(|s| s.strip_suffix(");")).unwrap();
            assert!(!literal.contains('<') && !literal.contains('>'), "{literal}");
            // A JSON string is a JavaScript string literal: the script navigates to the URL.
            assert_eq!(serde_json::from_str::<String>(literal).unwrap(), url);
            let href = between(&page, "<a href=\"", "\"");
            assert!(!href.contains('<') && !href.contains('>') && !href.contains('\''), "{href}");
            assert_eq!(html_unescape(href), url);
        }
    }

    #[test]
    fn the_policy_allows_exactly_the_page_s_own_script() {
        let page = handoff_page(HOSTILE[0]);
        let script = between(&page, "<script>", "</script>");
        let hash = STANDARD.encode(Sha256::digest(script.as_bytes()));
        let policy = between(&page, "Content-Security-Policy\" content=\"", "\"");
        assert_eq!(
            policy,
            format!("default-src 'none'; script-src 'sha256-{hash}'; base-uri 'none'; form-action 'none'")
        );
        assert!(page.contains("<meta name=\"referrer\" content=\"no-referrer\">"));
        assert!(page.starts_with("<!DOCTYPE html>"), "file(1) and xdg-open must see HTML");
        // The policy comes before the script it governs.
        assert!(page.find("Content-Security-Policy").unwrap() < page.find("<script>").unwrap());
    }

    #[test]
    fn only_hand_off_names_are_removed() {
        assert!(is_handoff_name(&format!("visit-{}.html", "0a".repeat(16))));
        for other in ["visit-.html", "visit-0A0a0a0a0a0a0a0a0a0a0a0a0a0a0a0a.html", "notes.html", "visit-00.html"] {
            assert!(!is_handoff_name(other), "{other}");
        }
    }

    #[test]
    fn only_a_web_address_is_handed_off() {
        let dir = tempfile::tempdir().unwrap();
        let handoff = BrowserHandoff::new(dir.path().join("h"));
        for url in ["javascript:alert(1)", "file:///etc/passwd", "not a url"] {
            assert_eq!(handoff.write(url).unwrap_err().code, ErrorCode::Internal, "{url}");
        }
    }

    #[cfg(unix)]
    #[test]
    fn the_runtime_folder_is_used_only_when_it_is_private() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let runtime = dir.path().join("runtime");
        fs::create_dir(&runtime).unwrap();
        let fallback = dir.path().join("cache");
        fs::set_permissions(&runtime, fs::Permissions::from_mode(0o700)).unwrap();
        let chosen = BrowserHandoff::choose(Some(runtime.clone()), fallback.clone());
        assert_eq!(chosen.folder(), runtime.join("visitdesk"));
        fs::set_permissions(&runtime, fs::Permissions::from_mode(0o755)).unwrap();
        assert_eq!(BrowserHandoff::choose(Some(runtime.clone()), fallback.clone()).folder(), fallback);
        assert_eq!(BrowserHandoff::choose(None, fallback.clone()).folder(), fallback);
        assert_eq!(BrowserHandoff::choose(Some("relative".into()), fallback.clone()).folder(), fallback);
    }

    #[cfg(unix)]
    #[test]
    fn a_folder_that_is_a_link_or_a_file_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere");
        fs::create_dir(&target).unwrap();
        let link = dir.path().join("link");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert_eq!(BrowserHandoff::new(&link).prepare().unwrap_err().code, ErrorCode::BrowserUnavailable);
        let file = dir.path().join("file");
        fs::write(&file, "").unwrap();
        assert_eq!(BrowserHandoff::new(&file).prepare().unwrap_err().code, ErrorCode::BrowserUnavailable);
    }
}
