//! Where article URLs come from besides the command line: input lists,
//! sitemaps (and sitemap indexes, gzipped or not) and feeds (RSS 2.0, RSS
//! 1.0 and Atom). Parsing is pure; [`load`] gets a document from a URL or a
//! file.

use super::client::{Client, ErrorClass, Exchange, FetchError, RequestOpts};
use super::network::Origin;
use quick_xml::events::Event;
use std::io::{BufRead, Read};
use url::Url;

/// Largest sitemap or feed read (the sitemap protocol's own limit is 50 MB
/// uncompressed).
pub const MAX_DOCUMENT: u64 = 64 * 1024 * 1024;

/// What a sitemap lists.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Sitemap {
    /// Pages (`<urlset><url><loc>`, or lines of a text sitemap).
    pub urls: Vec<String>,
    /// Child sitemaps (`<sitemapindex><sitemap><loc>`).
    pub sitemaps: Vec<String>,
}

/// Longest line of an input list (a URL or a path per line).
pub const MAX_LIST_LINE: usize = 64 * 1024;

/// The entries of an input list read from `reader` as it goes, without
/// holding more than one line: blank lines and `#` comments skipped,
/// entries trimmed. A line longer than [`MAX_LIST_LINE`], a line that is
/// not UTF-8 or a read error ends the list with an error naming the line,
/// so an endless line (`--input-list /dev/zero`) costs 64 KiB, not all the
/// memory there is.
pub fn read_list<R: BufRead>(reader: R) -> ListEntries<R> {
    ListEntries {
        reader,
        line: 0,
        done: false,
    }
}

/// The iterator of [`read_list`].
pub struct ListEntries<R> {
    reader: R,
    line: usize,
    done: bool,
}

impl<R: BufRead> Iterator for ListEntries<R> {
    /// An entry, or why the list ends here.
    type Item = Result<String, String>;

    fn next(&mut self) -> Option<Self::Item> {
        let mut buf = Vec::new();
        while !self.done {
            buf.clear();
            let limit = MAX_LIST_LINE as u64 + 1;
            let read = (&mut self.reader).take(limit).read_until(b'\n', &mut buf);
            self.line += 1;
            let line = self.line;
            let mut fail = |why: String| {
                self.done = true;
                Some(Err(why))
            };
            match read {
                Ok(0) => self.done = true,
                Err(e) => return fail(format!("cannot read line {line}: {e}")),
                Ok(n) if n > MAX_LIST_LINE && !buf.ends_with(b"\n") => {
                    return fail(format!(
                        "line {line} is longer than {} KiB; an input list holds one URL or path per line",
                        MAX_LIST_LINE / 1024
                    ));
                }
                Ok(_) => {
                    let Ok(text) = std::str::from_utf8(&buf) else {
                        return fail(format!(
                            "line {line} is not UTF-8 text; an input list holds one URL or path per line"
                        ));
                    };
                    let entry = text.trim();
                    if !entry.is_empty() && !entry.starts_with('#') {
                        return Some(Ok(entry.to_string()));
                    }
                }
            }
        }
        None
    }
}

/// Lines of an input list: blank lines and `#` comments skipped.
pub fn list_lines(text: &str) -> impl Iterator<Item = &str> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// Get a sitemap or feed: over HTTP when `spec` is an http(s) URL, else
/// from a file. Gzip is undone whether or not the server said so. Every
/// answer received goes to `kept`, to be archived with the run. With the
/// document comes the origin of the URLs it lists (a file's are public).
pub async fn load(
    client: &Client,
    spec: &str,
    opts: &RequestOpts,
    kept: &mut Vec<Exchange>,
) -> Result<(Vec<u8>, Origin), FetchError> {
    let mut listed = Origin::Public;
    let bytes = if is_web_url(spec) {
        let url = Url::parse(spec).map_err(|e| {
            FetchError::new(ErrorClass::InvalidUrl, format!("not a valid URL: {e}"))
        })?;
        let opts = RequestOpts {
            max_body: MAX_DOCUMENT,
            accept: "application/xml,text/xml,application/rss+xml,application/atom+xml,*/*;q=0.5",
            ..opts.clone()
        };
        let got = client.get(&url, &opts).await;
        match &got {
            Ok(r) => kept.extend(r.answers().cloned()),
            Err(e) => kept.extend(e.answers().cloned()),
        }
        let r = got?;
        if !(200..300).contains(&r.status()) {
            return Err(FetchError::new(
                ErrorClass::HttpStatus,
                format!("HTTP {}", r.status()),
            ));
        }
        listed = client.origin_of(&r);
        r.body
    } else {
        let mut data = Vec::new();
        std::fs::File::open(spec)
            .and_then(|f| f.take(MAX_DOCUMENT + 1).read_to_end(&mut data))
            .map_err(|e| {
                FetchError::new(
                    ErrorClass::InvalidUrl,
                    format!("{}; check the path", crate::words::io_text(&e)),
                )
            })?;
        data
    };
    let bytes = gunzip_if_needed(bytes, MAX_DOCUMENT)
        .map_err(|e| FetchError::new(ErrorClass::Protocol, e))?;
    Ok((bytes, listed))
}

/// Why a URL of another scheme (`ftp://…`, `mailto:…`) is refused: the same
/// words for command-line inputs, `-` lists and `--input-list` files.
pub fn unsupported_scheme(scheme: &str) -> String {
    format!("unsupported scheme {scheme}: embarc fetches http:// and https:// URLs only")
}

/// The scheme of an input that is a URL of another scheme than http(s), if
/// it is one (a one-letter scheme is a Windows drive, not a URL).
pub fn other_scheme(s: &str) -> Option<String> {
    let u = url::Url::parse(s.trim()).ok()?;
    (u.scheme().len() > 1 && !matches!(u.scheme(), "http" | "https"))
        .then(|| u.scheme().to_string())
}

/// An absolute http(s) URL (what is fetched rather than read from disk).
pub fn is_web_url(s: &str) -> bool {
    let lower = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    lower.starts_with("http://") || lower.starts_with("https://")
}

/// Gzip files are recognised by their magic bytes (servers often send a
/// `.xml.gz` as `application/x-gzip` without `Content-Encoding`).
pub fn gunzip_if_needed(bytes: Vec<u8>, limit: u64) -> Result<Vec<u8>, String> {
    if !bytes.starts_with(&[0x1f, 0x8b]) {
        return Ok(bytes);
    }
    super::encoding::decode(bytes, Some("gzip"), limit).map_err(|e| match e {
        super::encoding::DecodeError::TooLarge(n) => {
            format!("more than {} once unpacked", crate::words::mib(n))
        }
        other => format!("not valid gzip: {other:?}"),
    })
}

/// What [`walk_xml`] reports, with the path of local names from the root.
enum Xml<'a> {
    /// An element opens, with its attributes.
    Element(&'a [String], &'a [(String, String)]),
    /// The text of an element that closes.
    Text(&'a [String], &'a str),
}

/// Walk an XML document, reporting each element and each element's text.
fn walk_xml(xml: &[u8], mut on: impl FnMut(Xml<'_>)) -> Result<(), String> {
    let mut reader = quick_xml::Reader::from_reader(xml);
    reader.config_mut().trim_text(false);
    let mut buf = Vec::new();
    let mut path: Vec<String> = Vec::new();
    let mut text = String::new();
    loop {
        let event = reader.read_event_into(&mut buf).map_err(|e| {
            format!(
                "not well-formed XML at byte {}: {e}",
                reader.buffer_position()
            )
        })?;
        let empty = matches!(event, Event::Empty(_));
        match event {
            Event::Start(e) | Event::Empty(e) => {
                let name = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
                let attrs: Vec<(String, String)> = e
                    .attributes()
                    .flatten()
                    .map(|a| {
                        (
                            String::from_utf8_lossy(a.key.local_name().as_ref())
                                .to_ascii_lowercase(),
                            a.unescape_value()
                                .map(|v| v.to_string())
                                .unwrap_or_default(),
                        )
                    })
                    .collect();
                path.push(name);
                on(Xml::Element(&path, &attrs));
                text.clear();
                if empty {
                    path.pop();
                }
            }
            Event::End(_) => {
                if !text.trim().is_empty() {
                    on(Xml::Text(&path, text.trim()));
                }
                text.clear();
                path.pop();
            }
            Event::Text(t) => text.push_str(&t.xml_content().map_err(|e| e.to_string())?),
            Event::CData(c) => text.push_str(&String::from_utf8_lossy(&c)),
            Event::GeneralRef(r) => {
                if let Ok(Some(ch)) = r.resolve_char_ref() {
                    text.push(ch);
                } else {
                    let name = String::from_utf8_lossy(&r);
                    text.push_str(match name.as_ref() {
                        "amp" => "&",
                        "lt" => "<",
                        "gt" => ">",
                        "quot" => "\"",
                        "apos" => "'",
                        _ => "",
                    });
                }
            }
            Event::Eof => return Ok(()),
            _ => {}
        }
        buf.clear();
    }
}

fn ends_with(path: &[String], tail: &[&str]) -> bool {
    path.len() >= tail.len()
        && path[path.len() - tail.len()..]
            .iter()
            .zip(tail)
            .all(|(a, b)| a == b)
}

/// Parse a sitemap, a sitemap index, or a text sitemap (one URL a line).
pub fn parse_sitemap(doc: &[u8]) -> Result<Sitemap, String> {
    let start = doc.iter().position(|b| !b.is_ascii_whitespace());
    if start.is_some_and(|i| doc[i] != b'<' && doc[i] != 0xEF) {
        let text = String::from_utf8_lossy(doc);
        return Ok(Sitemap {
            urls: list_lines(&text).map(str::to_string).collect(),
            sitemaps: Vec::new(),
        });
    }
    let mut out = Sitemap::default();
    let mut root: Option<String> = None;
    walk_xml(doc, |item| match item {
        Xml::Text(path, text) if ends_with(path, &["url", "loc"]) => out.urls.push(text.into()),
        Xml::Text(path, text) if ends_with(path, &["sitemap", "loc"]) => {
            out.sitemaps.push(text.into())
        }
        Xml::Element(path, _) if path.len() == 1 => root = Some(path[0].clone()),
        _ => {}
    })?;
    match root.as_deref() {
        Some("urlset" | "sitemapindex") => Ok(out),
        Some(other) => Err(format!(
            "not a sitemap: the root element is <{other}>, not <urlset> or <sitemapindex>"
        )),
        None => Err("not a sitemap: no XML element".into()),
    }
}

/// Parse a feed: the article links of RSS 2.0 / 1.0 items and Atom entries.
pub fn parse_feed(doc: &[u8]) -> Result<Vec<String>, String> {
    let mut links = Vec::new();
    let mut root: Option<String> = None;
    walk_xml(doc, |item| match item {
        Xml::Text(path, text) if ends_with(path, &["item", "link"]) => links.push(text.into()),
        Xml::Element(path, attrs) => {
            if path.len() == 1 {
                root = Some(path[0].clone());
            }
            let attr = |n: &str| attrs.iter().find(|(k, _)| k == n).map(|(_, v)| v.as_str());
            if ends_with(path, &["entry", "link"])
                && matches!(attr("rel"), None | Some("alternate"))
                && let Some(href) = attr("href")
            {
                links.push(href.to_string());
            }
        }
        Xml::Text(..) => {}
    })?;
    match root.as_deref() {
        Some("rss" | "rdf" | "feed") => Ok(links),
        Some(other) => Err(format!(
            "not a feed: the root element is <{other}>, not <rss> or <feed>"
        )),
        None => Err("not a feed: no XML element".into()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn urlset_and_index() {
        let set = br#"<?xml version="1.0" encoding="UTF-8"?>
<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <url><loc>https://news.example/a?x=1&amp;y=2</loc><lastmod>2024-01-01</lastmod></url>
  <url><loc> https://news.example/b </loc></url>
</urlset>"#;
        assert_eq!(
            parse_sitemap(set).unwrap().urls,
            vec!["https://news.example/a?x=1&y=2", "https://news.example/b"]
        );
        let index = br#"<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">
  <sitemap><loc>https://news.example/s1.xml.gz</loc></sitemap>
  <sitemap><loc><![CDATA[https://news.example/s2.xml]]></loc></sitemap>
</sitemapindex>"#;
        let s = parse_sitemap(index).unwrap();
        assert!(s.urls.is_empty());
        assert_eq!(
            s.sitemaps,
            vec![
                "https://news.example/s1.xml.gz",
                "https://news.example/s2.xml"
            ]
        );
    }

    #[test]
    fn text_sitemaps_and_wrong_documents() {
        let s = parse_sitemap(b"https://a.example/1\n\n# c\nhttps://a.example/2\n").unwrap();
        assert_eq!(s.urls, vec!["https://a.example/1", "https://a.example/2"]);
        assert!(
            parse_sitemap(b"<html><body>hi</body></html>")
                .unwrap_err()
                .contains("<html>")
        );
        assert!(parse_sitemap(b"<urlset><url><loc>x</url>").is_err());
    }

    #[test]
    fn rss_and_atom() {
        let rss =
            br#"<rss version="2.0"><channel><title>T</title><link>https://news.example/</link>
<item><title>One</title><link>https://news.example/1</link></item>
<item><title>Two</title><link>https://news.example/2</link><guid>x</guid></item>
</channel></rss>"#;
        assert_eq!(
            parse_feed(rss).unwrap(),
            vec!["https://news.example/1", "https://news.example/2"]
        );
        let atom = br#"<feed xmlns="http://www.w3.org/2005/Atom"><link href="https://news.example/"/>
<entry><link rel="self" href="https://news.example/self"/><link href="https://news.example/a"/></entry>
<entry><link rel="alternate" type="text/html" href="https://news.example/b"></link></entry>
</feed>"#;
        assert_eq!(
            parse_feed(atom).unwrap(),
            vec!["https://news.example/a", "https://news.example/b"]
        );
        assert!(parse_feed(b"<urlset/>").is_err());
    }

    #[test]
    fn gzip_is_recognised_by_magic() {
        use std::io::Write;
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
        e.write_all(b"<urlset/>").unwrap();
        assert_eq!(
            gunzip_if_needed(e.finish().unwrap(), 100).unwrap(),
            b"<urlset/>"
        );
        assert_eq!(gunzip_if_needed(b"plain".to_vec(), 100).unwrap(), b"plain");
    }

    #[test]
    fn lists_are_read_a_bounded_line_at_a_time() {
        let text = "# urls\n\nhttps://a.example/1\r\n  https://a.example/2  \n/tmp/x";
        let got: Vec<_> = read_list(text.as_bytes()).collect();
        assert_eq!(
            got,
            vec![
                Ok("https://a.example/1".to_string()),
                Ok("https://a.example/2".to_string()),
                Ok("/tmp/x".to_string())
            ]
        );
        // A line of exactly the limit is fine.
        let exact = format!("{}\nnext\n", "a".repeat(MAX_LIST_LINE));
        assert_eq!(read_list(exact.as_bytes()).count(), 2);
        // An endless line: an error after 64 KiB, and the list ends.
        let endless = std::io::BufReader::new(std::io::repeat(0));
        let got: Vec<_> = read_list(endless).collect();
        assert_eq!(got.len(), 1);
        let why = got[0].as_ref().unwrap_err();
        assert!(why.starts_with("line 1 is longer than 64 KiB"), "{why}");
        // Not text.
        let got: Vec<_> = read_list(&b"ok\n\xff\xfe\nnever\n"[..]).collect();
        assert_eq!(got[0], Ok("ok".to_string()));
        assert!(got[1].as_ref().unwrap_err().contains("line 2 is not UTF-8"));
        assert_eq!(got.len(), 2);
    }

    #[test]
    fn list_lines_skip_comments_and_blanks() {
        let l: Vec<&str> = list_lines(" a \n\n# no\n  #no\nb\n").collect();
        assert_eq!(l, vec!["a", "b"]);
    }
}
