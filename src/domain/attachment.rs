//! Files in conversations: which kinds are accepted (told from their bytes, never from the name
//! or a client's `Content-Type`), how big, and what a message says about its file.

use serde::{Deserialize, Serialize};

/// Largest file accepted, in bytes (10 MiB).
pub const MAX_ATTACHMENT_BYTES: usize = 10 * 1024 * 1024;
/// Longest file name kept, in characters.
pub const MAX_NAME_CHARS: usize = 100;

/// The kinds of file accepted: images a browser shows and PDF. Nothing that can run script (no
/// SVG, no HTML) is among them.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FileKind {
    /// PNG image.
    Png,
    /// JPEG image.
    Jpeg,
    /// GIF image.
    Gif,
    /// WebP image.
    Webp,
    /// PDF document.
    Pdf,
}

impl FileKind {
    /// Every kind, for documentation and `accept=` lists.
    pub const ALL: [FileKind; 5] = [
        FileKind::Png,
        FileKind::Jpeg,
        FileKind::Gif,
        FileKind::Webp,
        FileKind::Pdf,
    ];

    /// The kind of a file, from its first bytes; `None` for anything else.
    pub fn sniff(bytes: &[u8]) -> Option<FileKind> {
        if bytes.starts_with(b"\x89PNG\r\n\x1a\n") {
            Some(FileKind::Png)
        } else if bytes.starts_with(b"\xff\xd8\xff") {
            Some(FileKind::Jpeg)
        } else if bytes.starts_with(b"GIF87a") || bytes.starts_with(b"GIF89a") {
            Some(FileKind::Gif)
        } else if bytes.len() >= 12 && &bytes[..4] == b"RIFF" && &bytes[8..12] == b"WEBP" {
            Some(FileKind::Webp)
        } else if bytes.starts_with(b"%PDF-") {
            Some(FileKind::Pdf)
        } else {
            None
        }
    }

    /// The MIME type it is served as.
    pub fn content_type(self) -> &'static str {
        match self {
            FileKind::Png => "image/png",
            FileKind::Jpeg => "image/jpeg",
            FileKind::Gif => "image/gif",
            FileKind::Webp => "image/webp",
            FileKind::Pdf => "application/pdf",
        }
    }

    /// The kind of a stored MIME type.
    pub fn from_content_type(t: &str) -> Option<FileKind> {
        FileKind::ALL.into_iter().find(|k| k.content_type() == t)
    }

    /// The file name extension.
    pub fn extension(self) -> &'static str {
        match self {
            FileKind::Png => "png",
            FileKind::Jpeg => "jpg",
            FileKind::Gif => "gif",
            FileKind::Webp => "webp",
            FileKind::Pdf => "pdf",
        }
    }

    /// Whether browsers show it as an image.
    pub fn is_image(self) -> bool {
        self != FileKind::Pdf
    }
}

/// A file name as kept and shown: letters, digits, spaces, `.`, `-`, `_` and `()` only (any
/// script), at most [`MAX_NAME_CHARS`], ending in the kind's extension.
pub fn clean_name(name: &str, kind: FileKind) -> String {
    let base = name.rsplit(['/', '\\']).next().unwrap_or("");
    let mut s: String = base
        .chars()
        .map(|c| {
            if c.is_alphanumeric() || matches!(c, ' ' | '.' | '-' | '_' | '(' | ')') {
                c
            } else {
                '_'
            }
        })
        .collect();
    s = s
        .trim_matches(|c: char| c == '.' || c.is_whitespace())
        .to_string();
    let ext = kind.extension();
    let has_ext = s.rsplit_once('.').is_some_and(|(_, e)| {
        e.eq_ignore_ascii_case(ext) || (ext == "jpg" && e.eq_ignore_ascii_case("jpeg"))
    });
    if !has_ext {
        if s.is_empty() {
            s = "file".into();
        }
        s = format!("{s}.{ext}");
    }
    if s.chars().count() > MAX_NAME_CHARS {
        let keep = MAX_NAME_CHARS - ext.len() - 1;
        s = format!("{}.{ext}", s.chars().take(keep).collect::<String>());
    }
    s
}

/// A message's file, as clients see it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Attachment {
    /// Where it is served (a path on the server: `/attachments/<token>/<name>`).
    pub url: String,
    /// Its file name.
    pub name: String,
    /// Its MIME type (one of [`FileKind`]'s).
    #[serde(rename = "type")]
    pub content_type: String,
    /// Its size in bytes.
    pub size: i64,
}

impl Attachment {
    /// Whether browsers show it as an image.
    pub fn is_image(&self) -> bool {
        FileKind::from_content_type(&self.content_type).is_some_and(FileKind::is_image)
    }

    /// The random token in its URL.
    pub fn token(&self) -> Option<&str> {
        self.url.strip_prefix("/attachments/")?.split('/').next()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_bytes() {
        assert_eq!(
            FileKind::sniff(b"\x89PNG\r\n\x1a\n...."),
            Some(FileKind::Png)
        );
        assert_eq!(FileKind::sniff(b"\xff\xd8\xff\xe0"), Some(FileKind::Jpeg));
        assert_eq!(FileKind::sniff(b"GIF89a.."), Some(FileKind::Gif));
        assert_eq!(
            FileKind::sniff(b"RIFF\0\0\0\0WEBPVP8 "),
            Some(FileKind::Webp)
        );
        assert_eq!(FileKind::sniff(b"%PDF-1.7"), Some(FileKind::Pdf));
        for hostile in [
            &b"<html><script>alert(1)</script>"[..],
            b"<?xml version=\"1.0\"?><svg onload=\"alert(1)\"/>",
            b"MZ\x90\0",
            b"",
            b"\x89PN",
        ] {
            assert_eq!(FileKind::sniff(hostile), None);
        }
    }

    #[test]
    fn names_are_cleaned() {
        assert_eq!(clean_name("photo.jpg", FileKind::Jpeg), "photo.jpg");
        assert_eq!(
            clean_name("Фото чайника.JPEG", FileKind::Jpeg),
            "Фото чайника.JPEG"
        );
        assert_eq!(clean_name("../../etc/passwd", FileKind::Png), "passwd.png");
        assert_eq!(clean_name("a\"b<c>.png", FileKind::Png), "a_b_c_.png");
        assert_eq!(clean_name("evil.html", FileKind::Pdf), "evil.html.pdf");
        assert_eq!(clean_name("", FileKind::Gif), "file.gif");
        assert_eq!(
            clean_name(&"x".repeat(300), FileKind::Pdf).chars().count(),
            MAX_NAME_CHARS
        );
    }

    #[test]
    fn tokens_come_from_the_url() {
        let a = Attachment {
            url: "/attachments/abc123/photo.png".into(),
            name: "photo.png".into(),
            content_type: "image/png".into(),
            size: 1,
        };
        assert_eq!(a.token(), Some("abc123"));
        assert!(a.is_image());
    }
}
