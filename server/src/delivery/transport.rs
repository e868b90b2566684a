//! Handing a built package to the authority's e-file: the drop folder
//! (the embedded default), HTTP(S) `POST` to the e-file system's import
//! endpoint, or a mail to the authority's functional mailbox.
//!
//! Every transport may run twice for the same package (a crash between
//! handing it over and noting that in the database): the package's name
//! and the message's identity (the submission's UUID) let the receiver
//! see that it is the same, and the drop folder does not write a package
//! that is already there with the same content.
//!
//! Errors say whether trying again can help ([`DeliveryError::retry`]) or
//! not ([`DeliveryError::permanent`]: e.g. the import endpoint refuses the
//! package with a 4xx); their texts hold no personal data.

use std::{
    fs::{self, File},
    io,
    path::Path,
};

use uuid::Uuid;

use super::{DeliveryError, authorities::Authority, authorities::Transport, package::BuiltPackage};
use crate::mail::{Mail, Mailer};

/// What the reference number and form are, for the SMTP transport's text.
pub struct Envelope<'a> {
    pub reference: &'a str,
    pub form_title: &'a str,
}

/// Hands `package` to `authority`'s e-file.
pub async fn deliver(
    authority: &Authority,
    package: &BuiltPackage,
    envelope: &Envelope<'_>,
    mailer: &Mailer,
    http: &reqwest::Client,
) -> Result<(), DeliveryError> {
    match &authority.transport {
        Transport::Folder { .. } => {
            let outbox = authority
                .transport
                .outbox()
                .ok_or_else(|| DeliveryError::permanent("folder transport without an outbox"))?;
            let source = package.path.clone();
            let name = package.name.clone();
            let sha256 = package.sha256.clone();
            tokio::task::spawn_blocking(move || drop_into(&outbox, &source, &name, &sha256))
                .await
                .map_err(DeliveryError::internal)?
        }
        Transport::Http {
            url,
            token,
            timeout,
        } => {
            let body = tokio::fs::read(&package.path)
                .await
                .map_err(|e| DeliveryError::retry(format!("reading the package: {e}")))?;
            let mut request = http
                .post(url.clone())
                .timeout(*timeout)
                .header(reqwest::header::CONTENT_TYPE, "application/zip")
                .header(
                    reqwest::header::CONTENT_DISPOSITION,
                    format!("attachment; filename=\"{}\"", package.name),
                )
                .header("X-Amtsweg-Package-SHA256", &package.sha256)
                .body(body);
            if let Some(token) = token {
                request = request.bearer_auth(token.expose());
            }
            let response = request.send().await.map_err(|e| {
                // The URL is configuration, not personal; reqwest's text
                // names it without the token.
                DeliveryError::retry(format!("e-file import endpoint not reachable: {e}"))
            })?;
            let status = response.status();
            if status.is_success() {
                return Ok(());
            }
            // 409: the e-file has this package already (a redelivery).
            if status == reqwest::StatusCode::CONFLICT {
                return Ok(());
            }
            let message = format!("e-file import endpoint answered {status}");
            if status.is_server_error()
                || status == reqwest::StatusCode::REQUEST_TIMEOUT
                || status == reqwest::StatusCode::TOO_MANY_REQUESTS
            {
                Err(DeliveryError::retry(message))
            } else {
                Err(DeliveryError::permanent(message))
            }
        }
        Transport::Smtp { to } => {
            let content = tokio::fs::read(&package.path)
                .await
                .map_err(|e| DeliveryError::retry(format!("reading the package: {e}")))?;
            let mail = Mail {
                to: to.clone(),
                subject: format!(
                    "Neuer Antrag {} – {} (xdomea-Paket)",
                    envelope.reference, envelope.form_title
                ),
                body: format!(
                    "Guten Tag,\n\n\
                     über das Antragsportal ist ein neuer Antrag eingegangen.\n\n\
                     Vorgangsnummer: {}\n\
                     Antrag: {}\n\n\
                     Die Anlage {} ist ein xdomea-3.0-Paket \
                     (FVDaten.SGOAblegen.0605) mit dem Antrag als PDF/A, den \
                     Antragsdaten (JSON) und allen Anlagen. Bitte legen Sie es in \
                     Ihrer E-Akte ab.\n\n\
                     Diese Nachricht wurde automatisch erstellt.\n",
                    envelope.reference, envelope.form_title, package.name
                ),
            };
            mailer
                .send_with_attachment(mail, &package.name, "application/zip", content)
                .await
                .map_err(|e| match e {
                    crate::mail::MailError::Smtp(ref s) if s.is_permanent() => {
                        DeliveryError::permanent(format!("mail to the authority: {}", e.kind()))
                    }
                    _ => DeliveryError::retry(format!("mail to the authority: {}", e.kind())),
                })
        }
    }
}

/// Copies the package into the drop folder atomically: a hidden
/// temporary file, fsync, rename, fsync of the folder. The E-Akte never
/// sees half a package. A package of the same name and content that is
/// already there is left as it is.
fn drop_into(outbox: &Path, source: &Path, name: &str, sha256: &str) -> Result<(), DeliveryError> {
    fs::create_dir_all(outbox)
        .map_err(|e| DeliveryError::retry(format!("drop folder not writable: {e}")))?;
    let target = outbox.join(name);
    if target.exists()
        && let Ok(bytes) = fs::read(&target)
        && hex::encode(<sha2::Sha256 as sha2::Digest>::digest(&bytes)) == sha256
    {
        return Ok(());
    }
    remove_stale_parts(outbox, name);
    let temp = outbox.join(format!(".{name}.{}.part", Uuid::new_v4()));
    let copy = || -> io::Result<()> {
        let mut from = File::open(source)?;
        let mut to = File::create(&temp)?;
        io::copy(&mut from, &mut to)?;
        to.sync_all()?;
        fs::rename(&temp, &target)?;
        File::open(outbox)?.sync_all()
    };
    copy().map_err(|e| {
        let _ = fs::remove_file(&temp);
        DeliveryError::retry(format!("writing into the drop folder: {e}"))
    })
}

/// Removes what an attempt that was killed mid-copy left of `name` in
/// `dir` (`.{name}.*.part`): the attempt now running replaces it.
pub(super) fn remove_stale_parts(dir: &Path, name: &str) {
    let prefix = format!(".{name}.");
    if let Ok(entries) = fs::read_dir(dir) {
        for entry in entries.flatten() {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            if file.starts_with(&prefix) && file.ends_with(".part") {
                let _ = fs::remove_file(entry.path());
            }
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use super::*;

    #[test]
    fn the_drop_folder_gets_the_whole_file_once_and_no_leftovers() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("p.zip");
        fs::write(&source, b"package bytes").unwrap();
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"package bytes"));
        let outbox = dir.path().join("eakte/outbox");
        drop_into(&outbox, &source, "x_FVDaten.SGOAblegen.0605.zip", &sha).unwrap();
        drop_into(&outbox, &source, "x_FVDaten.SGOAblegen.0605.zip", &sha).unwrap();
        let names: Vec<String> = fs::read_dir(&outbox)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names, vec!["x_FVDaten.SGOAblegen.0605.zip".to_owned()]);
        assert_eq!(
            fs::read(outbox.join("x_FVDaten.SGOAblegen.0605.zip")).unwrap(),
            b"package bytes"
        );
    }

    #[test]
    fn a_damaged_copy_in_the_drop_folder_is_replaced() {
        let dir = tempfile::tempdir().unwrap();
        let source = dir.path().join("p.zip");
        fs::write(&source, b"complete").unwrap();
        let sha = hex::encode(<sha2::Sha256 as sha2::Digest>::digest(b"complete"));
        let outbox = dir.path().join("outbox");
        fs::create_dir_all(&outbox).unwrap();
        fs::write(outbox.join("p.zip"), b"compl").unwrap();
        drop_into(&outbox, &source, "p.zip", &sha).unwrap();
        assert_eq!(fs::read(outbox.join("p.zip")).unwrap(), b"complete");
    }
}
