//! The delivery's mails: the confirmation to the citizen (job `confirm`)
//! and the notification to the authority (job `notify`, when the
//! authority configured an address). Both carry the reference number and
//! what happens next, never an answer of the application: mail is not a
//! safe channel for personal data, and the application itself reaches the
//! authority through its e-file.

use amtsweg_forms::Lang;

use crate::{mail::Mail, resume::german_time};

/// What the mails say about a submission.
pub struct MailFacts<'a> {
    pub reference: &'a str,
    pub form_title_de: &'a str,
    pub form_title_en: &'a str,
    pub authority: &'a str,
    pub submitted_at: time::OffsetDateTime,
    /// The confirmation page (`$AMTSWEG_PUBLIC_URL/forms/{id}/bestaetigung/{uuid}`).
    pub status_url: &'a str,
}

fn german_date_time(t: time::OffsetDateTime) -> (String, String) {
    let t = german_time(t);
    (
        format!("{:02}.{:02}.{}", t.day(), u8::from(t.month()), t.year()),
        format!("{:02}:{:02}", t.hour(), t.minute()),
    )
}

/// The confirmation to the citizen, in their language.
pub fn confirmation(to: &str, lang: Lang, facts: &MailFacts<'_>) -> Mail {
    let (date, time) = german_date_time(facts.submitted_at);
    let (subject, body) = match lang {
        Lang::De => (
            format!(
                "Ihr Antrag ist eingegangen: {} – {}",
                facts.reference, facts.form_title_de
            ),
            format!(
                "Guten Tag,\n\n\
                 Ihr Antrag „{title}“ ist am {date} um {time} Uhr eingegangen.\n\n\
                 Ihre Vorgangsnummer: {reference}\n\
                 Bitte geben Sie sie bei Fragen an.\n\n\
                 Wie es weitergeht: Wir übermitteln Ihren Antrag an {authority}. \
                 Dort wird er in der elektronischen Akte abgelegt und bearbeitet. \
                 Wenn noch etwas fehlt, meldet sich die Behörde bei Ihnen.\n\n\
                 Den Stand der Übermittlung und Ihre Eingangsbestätigung (PDF) \
                 finden Sie hier:\n{url}\n\n\
                 Aus Datenschutzgründen enthält diese E-Mail keine Angaben aus \
                 Ihrem Antrag. Bitte antworten Sie nicht auf diese E-Mail.\n",
                title = facts.form_title_de,
                reference = facts.reference,
                authority = facts.authority,
                url = facts.status_url,
            ),
        ),
        Lang::En => (
            format!(
                "Your application has been received: {} – {}",
                facts.reference, facts.form_title_en
            ),
            format!(
                "Hello,\n\n\
                 your application “{title}” was received on {date} at {time} \
                 (German time).\n\n\
                 Your reference number: {reference}\n\
                 Please quote it if you have questions.\n\n\
                 What happens next: we send your application to {authority}, \
                 where it is filed in the electronic file and processed. If \
                 anything is missing, the authority will contact you.\n\n\
                 The status of the delivery and your receipt (PDF):\n{url}\n\n\
                 To protect your data this e-mail contains nothing from your \
                 application. Please do not reply to this e-mail.\n",
                title = facts.form_title_en,
                reference = facts.reference,
                authority = facts.authority,
                url = facts.status_url,
            ),
        ),
    };
    Mail {
        to: to.to_owned(),
        subject,
        body,
    }
}

/// The notification to the authority that a new application was
/// delivered into its e-file.
pub fn notification(to: &str, facts: &MailFacts<'_>) -> Mail {
    let (date, time) = german_date_time(facts.submitted_at);
    Mail {
        to: to.to_owned(),
        subject: format!("Neuer Antrag {}: {}", facts.reference, facts.form_title_de),
        body: format!(
            "Guten Tag,\n\n\
             über das Antragsportal ist am {date} um {time} Uhr ein neuer Antrag \
             „{title}“ eingegangen und an Ihre E-Akte übermittelt worden.\n\n\
             Vorgangsnummer: {reference}\n\n\
             Den Antrag, die Antragsdaten und alle Anlagen finden Sie in der \
             E-Akte unter dieser Vorgangsnummer. Diese Nachricht enthält keine \
             Angaben aus dem Antrag.\n",
            title = facts.form_title_de,
            reference = facts.reference,
        ),
    }
}

#[cfg(test)]
mod tests {
    use time::macros::datetime;

    use super::*;

    fn facts() -> MailFacts<'static> {
        MailFacts {
            reference: "AW-2026-000123",
            form_title_de: "Hund anmelden",
            form_title_en: "Register a dog",
            authority: "Stadt Musterstadt, Steueramt",
            submitted_at: datetime!(2026-07-01 12:30 UTC),
            status_url: "https://portal.example/forms/hundesteuer/bestaetigung/x",
        }
    }

    #[test]
    fn the_confirmation_names_reference_time_and_next_steps() {
        let mail = confirmation("erika@example.org", Lang::De, &facts());
        assert_eq!(mail.to, "erika@example.org");
        assert!(mail.subject.contains("AW-2026-000123"));
        assert!(
            mail.body.contains("am 01.07.2026 um 14:30 Uhr"),
            "{}",
            mail.body
        );
        assert!(mail.body.contains("Stadt Musterstadt, Steueramt"));
        assert!(
            mail.body
                .contains("https://portal.example/forms/hundesteuer/bestaetigung/x")
        );
        let en = confirmation("erika@example.org", Lang::En, &facts());
        assert!(en.subject.starts_with("Your application has been received"));
        assert!(en.body.contains("Register a dog"));
    }

    #[test]
    fn the_notification_names_the_reference_only() {
        let mail = notification("amt@example.org", &facts());
        assert!(mail.subject.contains("AW-2026-000123"));
        assert!(mail.body.contains("E-Akte"));
    }
}
