//! What VisitDesk's REST clients (Twilio, Janus) share: building request URLs and
//! describing failures in words a provider can act on.

use url::Url;

/// Appends path segments to a base URL, keeping any path the base has (`/janus`).
pub fn join_path<S: AsRef<str>>(base: &Url, segments: impl IntoIterator<Item = S>) -> Url {
    let mut url = base.clone();
    // Fails only for URLs that cannot be a base (`mailto:`); clients accept http(s) only.
    if let Ok(mut path) = url.path_segments_mut() {
        path.pop_if_empty().extend(segments);
    }
    url
}

/// `host:port` (or the host) for messages: "Cannot reach video.twilio.com".
pub fn host_of(url: &Url) -> String {
    match (url.host_str(), url.port()) {
        (Some(host), Some(port)) => format!("{host}:{port}"),
        (Some(host), None) => host.to_string(),
        _ => url.to_string(),
    }
}

/// The innermost cause, which is what the provider can act on ("connection refused",
/// "dns error: failed to lookup address") rather than "error sending request".
/// reqwest's errors never include credentials.
pub fn transport_cause(error: &reqwest::Error) -> String {
    let mut source: &dyn std::error::Error = error;
    while let Some(next) = source.source() {
        source = next;
    }
    source.to_string()
}

/// The start of an answer that is not the service's own format (a proxy's error page), for
/// the error message. Only for answers, which never echo what we sent.
pub fn body_snippet(body: &[u8]) -> String {
    let text = String::from_utf8_lossy(body);
    let text = text.trim();
    if text.is_empty() {
        return "an empty body".to_string();
    }
    let cut: String = text.chars().take(160).collect();
    if cut.len() < text.len() { format!("{cut}…") } else { cut }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_keep_the_base_path_and_encode_segments() {
        let url = |text: &str| Url::parse(text).unwrap();
        let joined = |base: &str, segments: &[&str]| join_path(&url(base), segments).to_string();
        assert_eq!(joined("http://127.0.0.1:8088/janus", &["12", "34"]), "http://127.0.0.1:8088/janus/12/34");
        assert_eq!(joined("http://127.0.0.1:8088/janus/", &["12", "34"]), "http://127.0.0.1:8088/janus/12/34");
        assert_eq!(joined("http://127.0.0.1:8088/janus", &[]), "http://127.0.0.1:8088/janus");
        assert_eq!(joined("https://video.twilio.com", &["v1", "Rooms"]), "https://video.twilio.com/v1/Rooms");
        assert_eq!(
            joined("https://video.twilio.com", &["v1", "Rooms", "visit 12/a?b#c"]),
            "https://video.twilio.com/v1/Rooms/visit%2012%2Fa%3Fb%23c"
        );
    }

    #[test]
    fn hosts_name_the_port_when_there_is_one() {
        assert_eq!(host_of(&Url::parse("http://127.0.0.1:4010/v1").unwrap()), "127.0.0.1:4010");
        assert_eq!(host_of(&Url::parse("https://api.twilio.com/2010-04-01").unwrap()), "api.twilio.com");
    }

    #[test]
    fn snippets_are_short_and_say_when_empty() {
        assert_eq!(body_snippet(b"  \n"), "an empty body");
        assert_eq!(body_snippet(b"<html>Bad gateway</html>"), "<html>Bad gateway</html>");
        let long = "x".repeat(200);
        assert_eq!(body_snippet(long.as_bytes()), format!("{}…", "x".repeat(160)));
    }
}
