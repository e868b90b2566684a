//! A test double of ClamAV's `clamd`, on a loopback TCP port.
//!
//! A real clamd cannot run in these tests: it needs a signature database
//! that is downloaded from the internet (freshclam), and the test machines
//! have no internet. This double implements the published `INSTREAM`
//! exchange of clamd's protocol (`man clamd`, section PROTOCOL) — the
//! command `zINSTREAM\0` (or `nINSTREAM\n`), chunks of a 4-byte big-endian
//! length and the data, a zero-length chunk at the end, and a reply
//! `stream: OK` or `stream: <name> FOUND`, ended by `\0` (or `\n`) — with a
//! single "signature": the EICAR anti-virus test string, found anywhere in
//! the stream, reported as `Eicar-Test-Signature` as ClamAV names it.
//! Streams longer than `StreamMaxLength` get clamd's
//! `INSTREAM size limit exceeded. ERROR`.
//!
//! [`ClamdDouble::silent`] accepts connections and never answers, to test
//! timeouts.
#![allow(dead_code, clippy::unwrap_used, clippy::expect_used, clippy::panic)]

use std::{
    net::SocketAddr,
    sync::{
        Arc,
        atomic::{AtomicUsize, Ordering},
    },
};

use tokio::{
    io::{AsyncReadExt, AsyncWriteExt},
    net::{TcpListener, TcpStream},
};

/// The EICAR test file: harmless, and detected by every scanner.
pub const EICAR: &[u8] = b"X5O!P%@AP[4\\PZX54(P^)7CC)7}$EICAR-STANDARD-ANTIVIRUS-TEST-FILE!$H+H*";

/// clamd's default `StreamMaxLength` (25 MB).
const STREAM_MAX_LENGTH: usize = 25 * 1024 * 1024;

/// A running double; it stops when the test's runtime ends.
pub struct ClamdDouble {
    pub addr: SocketAddr,
    scans: Arc<AtomicUsize>,
}

impl ClamdDouble {
    /// A double that scans.
    pub async fn start() -> ClamdDouble {
        ClamdDouble::spawn(false).await
    }

    /// A double that accepts connections but never answers.
    pub async fn silent() -> ClamdDouble {
        ClamdDouble::spawn(true).await
    }

    async fn spawn(silent: bool) -> ClamdDouble {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let scans = Arc::new(AtomicUsize::new(0));
        let counter = scans.clone();
        tokio::spawn(async move {
            while let Ok((conn, _)) = listener.accept().await {
                let counter = counter.clone();
                tokio::spawn(async move {
                    if silent {
                        // Hold the connection open and never answer.
                        let _open = conn;
                        std::future::pending::<()>().await;
                    } else {
                        counter.fetch_add(1, Ordering::SeqCst);
                        let _ = serve(conn).await;
                    }
                });
            }
        });
        ClamdDouble { addr, scans }
    }

    /// `tcp://127.0.0.1:PORT`.
    pub fn url(&self) -> String {
        format!("tcp://{}", self.addr)
    }

    /// How many connections asked for a scan.
    pub fn scans(&self) -> usize {
        self.scans.load(Ordering::SeqCst)
    }
}

async fn serve(mut conn: TcpStream) -> std::io::Result<()> {
    let mut command = Vec::new();
    let mut byte = [0_u8; 1];
    loop {
        conn.read_exact(&mut byte).await?;
        if byte[0] == 0 || byte[0] == b'\n' {
            break;
        }
        command.push(byte[0]);
    }
    let end = if command.first() == Some(&b'z') {
        0
    } else {
        b'\n'
    };
    if !matches!(command.as_slice(), b"zINSTREAM" | b"nINSTREAM") {
        return reply(&mut conn, "UNKNOWN COMMAND", end).await;
    }
    let mut data = Vec::new();
    loop {
        let mut length = [0_u8; 4];
        conn.read_exact(&mut length).await?;
        let length = u32::from_be_bytes(length) as usize;
        if length == 0 {
            break;
        }
        if data.len() + length > STREAM_MAX_LENGTH {
            return reply(&mut conn, "INSTREAM size limit exceeded. ERROR", end).await;
        }
        let start = data.len();
        data.resize(start + length, 0);
        conn.read_exact(&mut data[start..]).await?;
    }
    let found = data.windows(EICAR.len()).any(|w| w == EICAR);
    let verdict = if found {
        "stream: Eicar-Test-Signature FOUND"
    } else {
        "stream: OK"
    };
    reply(&mut conn, verdict, end).await
}

async fn reply(conn: &mut TcpStream, text: &str, end: u8) -> std::io::Result<()> {
    conn.write_all(text.as_bytes()).await?;
    conn.write_all(&[end]).await?;
    conn.flush().await
}
