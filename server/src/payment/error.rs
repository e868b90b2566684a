//! [`PaymentError`]: why a provider call did not give an answer, sorted by
//! what the caller does next — retry later ([`PaymentError::is_retryable`])
//! or stop and tell someone.
//!
//! Texts here are built by this crate only, from status codes, the
//! interface's own error codes and what the validation found. They never
//! carry credentials, a provider's free text or response body (which could
//! quote anything), or personal data, so they may be logged.
//! [`PaymentError::message_de`] and [`PaymentError::message_en`] are what a
//! citizen may be shown.

/// A provider call that failed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum PaymentError {
    /// No connection: refused, reset, DNS or TLS failure. Retryable.
    #[error("payment provider unreachable: {reason}")]
    Unreachable { reason: &'static str },

    /// The provider did not answer in time. Retryable.
    #[error("payment provider timed out")]
    Timeout,

    /// The provider answered 5xx or 429 (busy). Retryable.
    #[error("payment provider unavailable: HTTP {status}")]
    Unavailable { status: u16 },

    /// The provider refused the request (4xx): a bad request or a wrong
    /// configuration (originator or endpoint id). Not retryable: the same
    /// request will be refused again.
    #[error("payment provider refused the request: HTTP {status}{}", code_suffix(.functional_code))]
    Rejected {
        status: u16,
        /// The interface's `functionalCode` (`VALIDATION_ERROR`,
        /// `CALCULATION_ERROR`, …), when it sent a known one.
        functional_code: Option<&'static str>,
    },

    /// The provider refused the credentials (401/403, or the token
    /// endpoint refused the client). Not retryable until an operator
    /// fixes the configuration.
    #[error("payment provider refused the credentials: HTTP {status}")]
    Unauthorized { status: u16 },

    /// The provider does not know the transaction.
    #[error("payment transaction not found at the provider")]
    NotFound,

    /// A transaction with this idempotency key exists at the provider and
    /// could not be read back (the interface offers no lookup by key). The
    /// caller uses the transaction id it stored at the first create.
    #[error("a payment transaction with this idempotency key exists already")]
    AlreadyExists,

    /// The answer does not fit the interface or the request. Not
    /// retryable: a provider that answers wrongly must be looked at.
    #[error("invalid answer from the payment provider: {what}")]
    InvalidResponse { what: String },

    /// The request cannot be sent as it is (an empty item list, a total
    /// that does not add up, a reference the interface does not allow).
    #[error("payment request not sendable: {what}")]
    InvalidRequest { what: String },
}

fn code_suffix(code: &Option<&'static str>) -> String {
    code.map(|c| format!(" ({c})")).unwrap_or_default()
}

impl PaymentError {
    /// Whether trying again later may succeed (the worker backs off and
    /// retries); everything else needs a person.
    pub fn is_retryable(&self) -> bool {
        matches!(
            self,
            PaymentError::Unreachable { .. }
                | PaymentError::Timeout
                | PaymentError::Unavailable { .. }
        )
    }

    /// What a citizen may be shown, in German.
    pub fn message_de(&self) -> &'static str {
        match self {
            _ if self.is_retryable() => {
                "Der Bezahldienst ist gerade nicht erreichbar. Bitte versuchen Sie es in \
                 einigen Minuten noch einmal."
            }
            PaymentError::NotFound => {
                "Der Bezahlvorgang ist beim Bezahldienst nicht bekannt. Bitte starten Sie \
                 die Bezahlung noch einmal."
            }
            _ => {
                "Die Bezahlung kann gerade nicht durchgeführt werden. Ihr Antrag ist \
                 gespeichert; bitte wenden Sie sich an die zuständige Behörde."
            }
        }
    }

    /// What a citizen may be shown, in English.
    pub fn message_en(&self) -> &'static str {
        match self {
            _ if self.is_retryable() => {
                "The payment service cannot be reached right now. Please try again in a \
                 few minutes."
            }
            PaymentError::NotFound => {
                "The payment service does not know this payment. Please start the payment \
                 again."
            }
            _ => {
                "The payment cannot be made right now. Your application is saved; please \
                 contact the authority in charge."
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_transport_and_server_trouble_is_retryable() {
        assert!(PaymentError::Unreachable { reason: "refused" }.is_retryable());
        assert!(PaymentError::Timeout.is_retryable());
        assert!(PaymentError::Unavailable { status: 503 }.is_retryable());
        assert!(
            !PaymentError::Rejected {
                status: 400,
                functional_code: None
            }
            .is_retryable()
        );
        assert!(!PaymentError::Unauthorized { status: 401 }.is_retryable());
        assert!(!PaymentError::NotFound.is_retryable());
        assert!(!PaymentError::AlreadyExists.is_retryable());
        assert!(!PaymentError::InvalidResponse { what: "x".into() }.is_retryable());
        assert!(!PaymentError::InvalidRequest { what: "x".into() }.is_retryable());
    }

    #[test]
    fn texts_name_the_code_and_citizens_get_generic_messages() {
        let e = PaymentError::Rejected {
            status: 400,
            functional_code: Some("CALCULATION_ERROR"),
        };
        assert_eq!(
            e.to_string(),
            "payment provider refused the request: HTTP 400 (CALCULATION_ERROR)"
        );
        assert!(
            PaymentError::Timeout
                .message_de()
                .starts_with("Der Bezahldienst ist gerade nicht erreichbar")
        );
        assert!(
            PaymentError::Timeout
                .message_en()
                .starts_with("The payment service cannot be reached")
        );
        assert!(
            PaymentError::Unauthorized { status: 401 }
                .message_de()
                .contains("zuständige Behörde")
        );
    }
}
