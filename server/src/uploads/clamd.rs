//! The virus-scan hook: a client of ClamAV's `clamd` that sends a file
//! with the `INSTREAM` command (see the PROTOCOL section of `man clamd`):
//! `zINSTREAM\0`, then chunks of a 4-byte big-endian length and the data,
//! then a zero-length chunk; the reply is `stream: OK` or
//! `stream: <signature> FOUND`, ended by `\0` (the `z` prefix).
//!
//! Everything else — no connection, a timeout, an `ERROR` reply (e.g. the
//! stream is longer than clamd's `StreamMaxLength`) — is a [`ScanError`]:
//! the caller fails closed and does not accept the file.

use std::{fmt, path::PathBuf, str::FromStr, time::Duration};

use thiserror::Error;
use tokio::io::{AsyncRead, AsyncReadExt, AsyncWrite, AsyncWriteExt};

/// Where clamd listens: `tcp://HOST:PORT` or `unix:///PATH`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ClamdAddress {
    /// `host:port`, as written after `tcp://`.
    Tcp(String),
    /// The socket's path.
    Unix(PathBuf),
}

impl FromStr for ClamdAddress {
    type Err = &'static str;

    fn from_str(value: &str) -> Result<ClamdAddress, Self::Err> {
        const HINT: &str =
            "is not a clamd address (tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl)";
        if let Some(rest) = value.strip_prefix("tcp://") {
            let rest = rest.trim_end_matches('/');
            let valid = rest
                .rsplit_once(':')
                .is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            return if valid {
                Ok(ClamdAddress::Tcp(rest.to_owned()))
            } else {
                Err(HINT)
            };
        }
        match value.strip_prefix("unix://") {
            Some(path) if path.starts_with('/') && path.len() > 1 => {
                Ok(ClamdAddress::Unix(PathBuf::from(path)))
            }
            _ => Err(HINT),
        }
    }
}

impl fmt::Display for ClamdAddress {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ClamdAddress::Tcp(addr) => write!(f, "tcp://{addr}"),
            ClamdAddress::Unix(path) => write!(f, "unix://{}", path.display()),
        }
    }
}

/// What clamd said about a stream.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Clean,
    /// The name of the signature that matched.
    Infected(String),
}

/// The scan could not be done; the upload must not be accepted.
#[derive(Debug, Error)]
pub enum ScanError {
    #[error("cannot connect to clamd at {address}: {source}")]
    Connect {
        address: String,
        source: std::io::Error,
    },
    #[error("talking to clamd failed: {0}")]
    Io(#[from] std::io::Error),
    #[error("clamd did not answer within {0:?}")]
    Timeout(Duration),
    #[error("clamd answered {0:?}")]
    Reply(String),
}

/// Bytes per INSTREAM chunk (clamd's default `StreamMaxLength` is 25 MB;
/// the chunk size is independent of it).
const CHUNK: usize = 64 * 1024;
/// A longer reply is not clamd.
const MAX_REPLY: usize = 4096;

/// Sends everything `data` yields to clamd at `address` and returns its
/// verdict, all within `timeout`.
pub async fn scan<R>(
    address: &ClamdAddress,
    data: R,
    timeout: Duration,
) -> Result<Verdict, ScanError>
where
    R: AsyncRead + Unpin,
{
    tokio::time::timeout(timeout, connect_and_scan(address, data))
        .await
        .map_err(|_| ScanError::Timeout(timeout))?
}

async fn connect_and_scan<R: AsyncRead + Unpin>(
    address: &ClamdAddress,
    data: R,
) -> Result<Verdict, ScanError> {
    let connect_error = |source| ScanError::Connect {
        address: address.to_string(),
        source,
    };
    match address {
        ClamdAddress::Tcp(addr) => {
            let conn = tokio::net::TcpStream::connect(addr.as_str())
                .await
                .map_err(connect_error)?;
            instream(conn, data).await
        }
        ClamdAddress::Unix(path) => {
            let conn = tokio::net::UnixStream::connect(path)
                .await
                .map_err(connect_error)?;
            instream(conn, data).await
        }
    }
}

/// The INSTREAM exchange on an open connection.
async fn instream<C, R>(mut conn: C, mut data: R) -> Result<Verdict, ScanError>
where
    C: AsyncRead + AsyncWrite + Unpin,
    R: AsyncRead + Unpin,
{
    conn.write_all(b"zINSTREAM\0").await?;
    let mut buffer = vec![0_u8; CHUNK];
    loop {
        let n = data.read(&mut buffer).await?;
        let length = u32::try_from(n).map_err(std::io::Error::other)?;
        conn.write_all(&length.to_be_bytes()).await?;
        if n == 0 {
            break;
        }
        conn.write_all(&buffer[..n]).await?;
    }
    conn.flush().await?;
    let reply = read_reply(&mut conn).await?;
    parse_reply(&reply)
}

async fn read_reply<C: AsyncRead + Unpin>(conn: &mut C) -> Result<String, ScanError> {
    let mut reply = Vec::new();
    let mut limited = conn.take(MAX_REPLY as u64);
    let mut byte = [0_u8; 1];
    while limited.read(&mut byte).await? == 1 && byte[0] != 0 {
        reply.push(byte[0]);
    }
    Ok(String::from_utf8_lossy(&reply).trim().to_owned())
}

/// `stream: OK` → clean, `stream: NAME FOUND` → infected, else an error.
pub fn parse_reply(reply: &str) -> Result<Verdict, ScanError> {
    let body = reply.trim_end_matches(['\0', '\n']).trim();
    let body = body.strip_prefix("stream:").map(str::trim);
    match body {
        Some("OK") => Ok(Verdict::Clean),
        Some(rest) => match rest.strip_suffix(" FOUND") {
            Some(name) if !name.trim().is_empty() => Ok(Verdict::Infected(name.trim().to_owned())),
            _ => Err(ScanError::Reply(reply.to_owned())),
        },
        None => Err(ScanError::Reply(reply.to_owned())),
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn addresses() {
        assert_eq!(
            "tcp://127.0.0.1:3310".parse::<ClamdAddress>(),
            Ok(ClamdAddress::Tcp("127.0.0.1:3310".into()))
        );
        assert_eq!(
            "unix:///run/clamav/clamd.ctl".parse::<ClamdAddress>(),
            Ok(ClamdAddress::Unix("/run/clamav/clamd.ctl".into()))
        );
        for wrong in [
            "127.0.0.1:3310",
            "tcp://host",
            "tcp://:1",
            "unix://",
            "unix://rel",
        ] {
            assert!(wrong.parse::<ClamdAddress>().is_err(), "{wrong}");
        }
    }

    #[test]
    fn replies() {
        assert_eq!(parse_reply("stream: OK").unwrap(), Verdict::Clean);
        assert_eq!(
            parse_reply("stream: Eicar-Test-Signature FOUND").unwrap(),
            Verdict::Infected("Eicar-Test-Signature".into())
        );
        assert!(parse_reply("INSTREAM size limit exceeded. ERROR").is_err());
        assert!(parse_reply("stream: FOUND").is_err());
        assert!(parse_reply("").is_err());
    }
}
