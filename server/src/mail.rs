//! Outgoing e-mail: one [`Mailer`] for the server, sending plain-text mails
//! over SMTP (`AMTSWEG_SMTP_URL`) or, by default, writing them as `.eml`
//! files into `{AMTSWEG_DATA_DIR}/mail` (lettre's file transport), so a
//! portal without a mail server still shows what it would have sent.
//!
//! **SMTP URLs** follow lettre: `smtps://user:pass@host:465` (TLS from the
//! first byte), `smtp://user:pass@host:587?tls=required` (STARTTLS, refused
//! without it) and plain `smtp://host:25` for a relay on the same machine
//! or a test server. Certificates are checked against Mozilla's roots.
//!
//! **Privacy.** Mails carry no content of an application, only links and
//! reference numbers. Neither the recipient nor the server's reply (which
//! may quote the address) goes into a log: [`MailError::kind`] is what
//! callers log.

use std::{
    fmt,
    path::{Path, PathBuf},
    sync::Arc,
    time::Duration,
};

use lettre::{
    AsyncFileTransport, AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor,
    message::{Mailbox, header::ContentType},
};
use url::Url;

/// How long one SMTP exchange may take before sending gives up.
pub const SMTP_TIMEOUT: Duration = Duration::from_secs(10);

/// Sends mails; cloning is cheap.
#[derive(Clone)]
pub struct Mailer {
    inner: Arc<Inner>,
}

struct Inner {
    from: Mailbox,
    transport: Transport,
}

enum Transport {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        /// `host:port`, for the start-up log.
        server: String,
    },
    Files {
        transport: AsyncFileTransport<Tokio1Executor>,
        dir: PathBuf,
    },
    /// No transport: every send fails with [`MailError::NotConfigured`].
    /// Only for states built without a configuration (router tests).
    None,
}

/// Why a mail was not sent.
#[derive(Debug, thiserror::Error)]
pub enum MailError {
    #[error("not an e-mail address: {0:?}")]
    Address(String),
    #[error("the mail could not be built: {0}")]
    Build(#[from] lettre::error::Error),
    #[error("SMTP: {0}")]
    Smtp(#[from] lettre::transport::smtp::Error),
    #[error("writing the mail file failed: {0}")]
    File(#[from] lettre::transport::file::Error),
    #[error("mail directory {dir}: {source}")]
    Dir { dir: String, source: std::io::Error },
    #[error("no mail transport is configured")]
    NotConfigured,
    #[error("not a MIME type: {0:?}")]
    MimeType(String),
}

impl MailError {
    /// A short description without addresses or server replies, for logs.
    pub fn kind(&self) -> &'static str {
        match self {
            MailError::Address(_) => "invalid address",
            MailError::Build(_) => "message could not be built",
            MailError::Smtp(e) if e.is_timeout() => "SMTP timeout",
            MailError::Smtp(e) if e.is_permanent() => "SMTP permanent error",
            MailError::Smtp(e) if e.is_transient() => "SMTP transient error",
            MailError::Smtp(_) => "SMTP connection or TLS error",
            MailError::File(_) | MailError::Dir { .. } => "mail file could not be written",
            MailError::NotConfigured => "no mail transport configured",
            MailError::MimeType(_) => "invalid attachment type",
        }
    }
}

/// One plain-text mail.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Mail {
    /// The recipient's address (checked when sending).
    pub to: String,
    pub subject: String,
    pub body: String,
}

impl Mailer {
    /// Sends over SMTP at `url` (see the module docs for the forms).
    pub fn smtp(url: &Url, from: Mailbox) -> Result<Mailer, MailError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url.as_str())?
            .timeout(Some(SMTP_TIMEOUT))
            .build();
        // lettre's default ports: 465 for smtps, 587 with STARTTLS, else 25.
        let starttls = url
            .query_pairs()
            .any(|(k, v)| k == "tls" && (v == "required" || v == "opportunistic"));
        let port = url.port().unwrap_or(match (url.scheme(), starttls) {
            ("smtps", _) => 465,
            (_, true) => 587,
            _ => 25,
        });
        let server = format!("{}:{port}", url.host_str().unwrap_or_default());
        Ok(Mailer::with(from, Transport::Smtp { transport, server }))
    }

    /// Writes every mail as `{id}.eml` into `dir` (created if missing).
    pub fn files(dir: &Path, from: Mailbox) -> Result<Mailer, MailError> {
        std::fs::create_dir_all(dir).map_err(|source| MailError::Dir {
            dir: dir.display().to_string(),
            source,
        })?;
        let transport = AsyncFileTransport::<Tokio1Executor>::new(dir);
        Ok(Mailer::with(
            from,
            Transport::Files {
                transport,
                dir: dir.to_owned(),
            },
        ))
    }

    /// A mailer that sends nothing and says so ([`MailError::NotConfigured`]).
    pub fn none() -> Mailer {
        #[allow(clippy::expect_used)]
        let from = "noreply@localhost"
            .parse()
            .expect("a constant, valid address");
        Mailer::with(from, Transport::None)
    }

    /// SMTP when `smtp_url` is set, else files in `{data_dir}/mail`.
    pub fn from_config(config: &crate::config::Config) -> Result<Mailer, MailError> {
        match &config.smtp_url {
            Some(url) => Mailer::smtp(url, config.mail_from.clone()),
            None => Mailer::files(&config.data_dir.join("mail"), config.mail_from.clone()),
        }
    }

    fn with(from: Mailbox, transport: Transport) -> Mailer {
        Mailer {
            inner: Arc::new(Inner { from, transport }),
        }
    }

    /// Where mails go, for the start-up log (no credentials).
    pub fn describe(&self) -> String {
        match &self.inner.transport {
            Transport::Smtp { server, .. } => format!("SMTP server {server}"),
            Transport::Files { dir, .. } => format!("files in {}", dir.display()),
            Transport::None => "nowhere (no transport)".to_owned(),
        }
    }

    /// Sends `mail` from the configured sender.
    pub async fn send(&self, mail: Mail) -> Result<(), MailError> {
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::Address(mail.to.clone()))?;
        let message = Message::builder()
            .from(self.inner.from.clone())
            .to(to)
            .subject(mail.subject)
            .header(ContentType::TEXT_PLAIN)
            .body(mail.body)?;
        self.deliver(message).await
    }

    /// Sends `mail` with one file attached (`name`, MIME `content_type`):
    /// the package to an authority's functional mailbox.
    pub async fn send_with_attachment(
        &self,
        mail: Mail,
        name: &str,
        content_type: &str,
        content: Vec<u8>,
    ) -> Result<(), MailError> {
        use lettre::message::{Attachment, MultiPart, SinglePart};
        let to: Mailbox = mail
            .to
            .parse()
            .map_err(|_| MailError::Address(mail.to.clone()))?;
        let content_type = ContentType::parse(content_type)
            .map_err(|_| MailError::MimeType(content_type.to_owned()))?;
        let message = Message::builder()
            .from(self.inner.from.clone())
            .to(to)
            .subject(mail.subject)
            .multipart(
                MultiPart::mixed()
                    .singlepart(SinglePart::plain(mail.body))
                    .singlepart(Attachment::new(name.to_owned()).body(content, content_type)),
            )?;
        self.deliver(message).await
    }

    async fn deliver(&self, message: Message) -> Result<(), MailError> {
        match &self.inner.transport {
            Transport::Smtp { transport, .. } => {
                transport.send(message).await?;
            }
            Transport::Files { transport, .. } => {
                transport.send(message).await?;
            }
            Transport::None => return Err(MailError::NotConfigured),
        }
        Ok(())
    }
}

impl fmt::Debug for Mailer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Mailer")
            .field("from", &self.inner.from.to_string())
            .field("transport", &self.describe())
            .finish()
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used, clippy::expect_used)]

    use super::*;

    fn from() -> Mailbox {
        "Amtsweg <noreply@amtsweg.example>".parse().unwrap()
    }

    #[tokio::test]
    async fn files_are_written_with_sender_subject_and_umlauts() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::files(&dir.path().join("mail"), from()).unwrap();
        mailer
            .send(Mail {
                to: "erika@example.org".into(),
                subject: "Ihr Antrag „Hundesteuer“".into(),
                body: "Grüße aus dem Bürgeramt".into(),
            })
            .await
            .unwrap();
        let files: Vec<_> = std::fs::read_dir(dir.path().join("mail"))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        assert_eq!(files.len(), 1);
        assert_eq!(files[0].extension().unwrap(), "eml");
        let text = std::fs::read_to_string(&files[0]).unwrap();
        assert!(
            text.contains("From: Amtsweg <noreply@amtsweg.example>"),
            "{text}"
        );
        assert!(text.contains("To: erika@example.org"), "{text}");
        // Non-ASCII words are encoded (RFC 2047 in the subject, quoted-
        // printable in the body), never sent raw.
        assert!(text.contains("Subject: Ihr Antrag =?utf-8?b?"), "{text}");
        assert!(text.contains("Gr=C3=BC=C3=9Fe"), "{text}");
        assert!(!text.contains('„') && !text.contains('ü'), "{text}");
    }

    #[tokio::test]
    async fn a_bad_address_is_refused_before_anything_is_sent() {
        let dir = tempfile::tempdir().unwrap();
        let mailer = Mailer::files(dir.path(), from()).unwrap();
        let error = mailer
            .send(Mail {
                to: "nicht-eine-adresse".into(),
                subject: "x".into(),
                body: "y".into(),
            })
            .await
            .unwrap_err();
        assert!(matches!(error, MailError::Address(_)), "{error}");
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 0);
    }

    #[tokio::test]
    async fn no_transport_says_so() {
        let error = Mailer::none()
            .send(Mail {
                to: "a@example.org".into(),
                subject: "x".into(),
                body: "y".into(),
            })
            .await
            .unwrap_err();
        assert_eq!(error.kind(), "no mail transport configured");
    }

    #[test]
    fn the_description_names_no_password() {
        let url = Url::parse("smtps://user:geheim@mail.example.org").unwrap();
        let mailer = Mailer::smtp(&url, from()).unwrap();
        assert_eq!(mailer.describe(), "SMTP server mail.example.org:465");
        assert!(!format!("{mailer:?}").contains("geheim"));
    }
}
