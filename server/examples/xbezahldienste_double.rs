//! **For tests only**: runs the XBezahldienste test double
//! (`amtsweg_server::payment::test_double`) as its own process, for
//! end-to-end tests that start the portal as a process and point it at a
//! payment provider:
//!
//! ```sh
//! cargo run -p amtsweg-server --example xbezahldienste_double -- 127.0.0.1:4010
//! ```
//!
//! It prints one JSON line with what the portal's configuration needs (the
//! endpoint, the ids, the double's fixed test credentials) and serves until
//! stopped (Ctrl-C / SIGTERM). Never point a real portal at it.

use std::net::SocketAddr;

use amtsweg_server::payment::test_double::{DoubleAuth, DoubleSettings, XBezahldiensteDouble};

#[tokio::main(flavor = "current_thread")]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    let addr: SocketAddr = std::env::args()
        .nth(1)
        .unwrap_or_else(|| "127.0.0.1:0".into())
        .parse()?;
    let settings = DoubleSettings::default();
    let double = XBezahldiensteDouble::start_on(addr, settings.clone()).await?;
    let (username, password) = match &settings.auth {
        DoubleAuth::Basic { username, password } => {
            (username.clone(), password.expose().to_owned())
        }
        DoubleAuth::OAuth2 { .. } => (String::new(), String::new()),
    };
    println!(
        "{}",
        serde_json::json!({
            "endpoint": double.endpoint().as_str(),
            "originator_id": settings.originator_id,
            "end_point_id": settings.end_point_id,
            "username": username,
            "password": password,
        })
    );
    tokio::signal::ctrl_c().await?;
    Ok(())
}
