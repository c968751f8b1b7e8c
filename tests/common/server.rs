//! A small HTTP/1.1 server on 127.0.0.1 for tests and the fetch benchmark.
//!
//! Hand-rolled on a tokio `TcpListener` so a test can misbehave on purpose:
//! stall mid-body, never answer, send an endless body or raw bytes. It
//! counts requests per path, so tests can assert what was (not) fetched.
#![allow(dead_code)]

use std::collections::HashMap;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Duration;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};

/// A request as the server saw it.
#[derive(Debug, Clone)]
pub struct Req {
    pub method: String,
    /// Path and query.
    pub path: String,
    /// Header names lower-cased.
    pub headers: HashMap<String, String>,
    /// How many times this path was requested before (0 for the first).
    pub seen: usize,
    /// The request's body (read by its `Content-Length`).
    pub body: Vec<u8>,
}

/// What the server does with a request.
#[derive(Debug, Clone)]
pub enum Reply {
    /// A normal answer with `Content-Length`, after `delay`.
    Full {
        status: u16,
        headers: Vec<(String, String)>,
        body: Vec<u8>,
        delay: Duration,
    },
    /// Headers and the first bytes of the body, then silence forever.
    Stall {
        content_length: usize,
        sent: Vec<u8>,
    },
    /// Read the request and never answer.
    Silent,
    /// A chunked body that never ends.
    Endless,
    /// These bytes, then close the connection.
    Raw(Vec<u8>),
}

impl Reply {
    pub fn html(body: impl Into<Vec<u8>>) -> Reply {
        Reply::status(200, "text/html; charset=utf-8", body)
    }

    pub fn status(status: u16, content_type: &str, body: impl Into<Vec<u8>>) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Content-Type".into(), content_type.into())],
            body: body.into(),
            delay: Duration::ZERO,
        }
    }

    pub fn redirect(status: u16, location: &str) -> Reply {
        Reply::Full {
            status,
            headers: vec![("Location".into(), location.into())],
            body: Vec::new(),
            delay: Duration::ZERO,
        }
    }

    pub fn with_header(mut self, name: &str, value: &str) -> Reply {
        if let Reply::Full { headers, .. } = &mut self {
            headers.push((name.into(), value.into()));
        }
        self
    }

    pub fn delayed(mut self, by: Duration) -> Reply {
        if let Reply::Full { delay, .. } = &mut self {
            *delay = by;
        }
        self
    }
}

type Handler = dyn Fn(&Req) -> Reply + Send + Sync;

/// A running server; stops when dropped.
pub struct Server {
    pub addr: SocketAddr,
    counts: Arc<Mutex<HashMap<String, usize>>>,
    accepted: Arc<std::sync::atomic::AtomicUsize>,
    runtime: Option<tokio::runtime::Runtime>,
}

impl Server {
    pub fn start(handler: impl Fn(&Req) -> Reply + Send + Sync + 'static) -> Server {
        Self::start_with_threads(1, handler)
    }

    pub fn start_with_threads(
        threads: usize,
        handler: impl Fn(&Req) -> Reply + Send + Sync + 'static,
    ) -> Server {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(threads)
            .enable_all()
            .build()
            .expect("test server runtime");
        // Bound outside the runtime so that a server can be started from
        // inside an async test.
        let std_listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind 127.0.0.1");
        std_listener.set_nonblocking(true).expect("non-blocking");
        let addr = std_listener.local_addr().expect("local addr");
        let counts: Arc<Mutex<HashMap<String, usize>>> = Arc::default();
        let handler: Arc<Handler> = Arc::new(handler);
        let c = counts.clone();
        let accepted: Arc<std::sync::atomic::AtomicUsize> = Arc::default();
        let a = accepted.clone();
        runtime.spawn(async move {
            let Ok(listener) = TcpListener::from_std(std_listener) else {
                return;
            };
            while let Ok((stream, _)) = listener.accept().await {
                a.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                let handler = handler.clone();
                let counts = c.clone();
                tokio::spawn(async move {
                    let _ = serve(stream, handler, counts).await;
                });
            }
        });
        Server {
            addr,
            counts,
            accepted,
            runtime: Some(runtime),
        }
    }

    /// `http://127.0.0.1:PORT` + `path`.
    pub fn url(&self, path: &str) -> String {
        format!("http://{}{}", self.addr, path)
    }

    /// Requests seen for `path` (path and query).
    pub fn hits(&self, path: &str) -> usize {
        self.counts.lock().unwrap().get(path).copied().unwrap_or(0)
    }

    /// Connections accepted, whether or not a request followed.
    pub fn connections(&self) -> usize {
        self.accepted.load(std::sync::atomic::Ordering::SeqCst)
    }

    /// Requests seen for every path.
    pub fn all_hits(&self) -> HashMap<String, usize> {
        self.counts.lock().unwrap().clone()
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        if let Some(rt) = self.runtime.take() {
            rt.shutdown_background();
        }
    }
}

async fn serve(
    mut stream: TcpStream,
    handler: Arc<Handler>,
    counts: Arc<Mutex<HashMap<String, usize>>>,
) -> std::io::Result<()> {
    let mut buf: Vec<u8> = Vec::new();
    loop {
        // Read one request head, then its body by its Content-Length.
        let end = loop {
            if let Some(i) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
            // A TLS handshake on this plain-HTTP port: answer as a plain
            // server does, so the client fails the handshake at once
            // instead of waiting for a timeout.
            if buf.first() == Some(&0x16) {
                stream
                    .write_all(b"HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n")
                    .await?;
                return Ok(());
            }
        };
        let head = String::from_utf8_lossy(&buf[..end]).to_string();
        buf.drain(..end);
        let mut lines = head.split("\r\n");
        let mut first = lines.next().unwrap_or_default().split(' ');
        let method = first.next().unwrap_or_default().to_string();
        let path = first.next().unwrap_or_default().to_string();
        let headers: HashMap<String, String> = lines
            .filter_map(|l| l.split_once(':'))
            .map(|(n, v)| (n.trim().to_ascii_lowercase(), v.trim().to_string()))
            .collect();
        let length: usize = headers
            .get("content-length")
            .and_then(|l| l.parse().ok())
            .unwrap_or(0);
        while buf.len() < length {
            let mut chunk = [0u8; 4096];
            let n = stream.read(&mut chunk).await?;
            if n == 0 {
                return Ok(());
            }
            buf.extend_from_slice(&chunk[..n]);
        }
        let body: Vec<u8> = buf.drain(..length).collect();
        let seen = {
            let mut c = counts.lock().unwrap();
            let n = c.entry(path.clone()).or_insert(0);
            *n += 1;
            *n - 1
        };
        let req = Req {
            method,
            path,
            headers,
            seen,
            body,
        };
        match handler(&req) {
            Reply::Full {
                status,
                headers,
                body,
                delay,
            } => {
                if !delay.is_zero() {
                    tokio::time::sleep(delay).await;
                }
                let mut out = format!("HTTP/1.1 {status} {}\r\n", reason(status));
                for (n, v) in &headers {
                    out.push_str(&format!("{n}: {v}\r\n"));
                }
                out.push_str(&format!("Content-Length: {}\r\n\r\n", body.len()));
                let mut bytes = out.into_bytes();
                bytes.extend_from_slice(&body);
                stream.write_all(&bytes).await?;
            }
            Reply::Stall {
                content_length,
                sent,
            } => {
                let head = format!(
                    "HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: {content_length}\r\n\r\n"
                );
                stream.write_all(head.as_bytes()).await?;
                stream.write_all(&sent).await?;
                stream.flush().await?;
                std::future::pending::<()>().await;
            }
            Reply::Silent => std::future::pending::<()>().await,
            Reply::Endless => {
                stream
                    .write_all(
                        b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nTransfer-Encoding: chunked\r\n\r\n",
                    )
                    .await?;
                // Exactly 0x4000 bytes of data per chunk.
                let mut chunk = b"4000\r\n".to_vec();
                chunk.extend(std::iter::repeat_n(b'a', 0x4000));
                chunk.extend_from_slice(b"\r\n");
                loop {
                    stream.write_all(&chunk).await?;
                }
            }
            Reply::Raw(bytes) => {
                stream.write_all(&bytes).await?;
                return Ok(());
            }
        }
    }
}

fn reason(status: u16) -> &'static str {
    match status {
        200 => "OK",
        301 => "Moved Permanently",
        302 => "Found",
        303 => "See Other",
        307 => "Temporary Redirect",
        308 => "Permanent Redirect",
        404 => "Not Found",
        410 => "Gone",
        429 => "Too Many Requests",
        500 => "Internal Server Error",
        503 => "Service Unavailable",
        _ => "Status",
    }
}
