//! Prefill from the service account: the values a login's verified claims
//! give the fields of a form that ask for them (`"prefill": {"claim": …}`
//! in the definition, see [`amtsweg_forms::Prefill`]), and how they enter
//! a draft's answers.
//!
//! - When a draft is started (or continued from its start page) by a
//!   logged-in citizen, every such field without an answer gets the
//!   account's value ([`apply`] with [`When::Start`]).
//! - A field that is not `editable` is read-only on the page and, on every
//!   save, gets the account's value again whatever was posted
//!   ([`When::Save`]): a verified value cannot be replaced by hand.
//! - Without a login, or when the account lacks the claim, the field is an
//!   ordinary field.
//!
//! Birth dates are shown as `TT.MM.JJJJ`; an address claim fills an
//! address field's street, house number, postal code and city.

use amtsweg_forms::{AccountClaim, Form};
use serde_json::{Map, Value};

use super::login::{Login, PostalAddress, VerifiedClaims};

/// One field's value from the account.
#[derive(Debug, Clone, PartialEq)]
pub struct PrefillValue {
    /// The top-level field's id.
    pub field: String,
    pub value: Value,
    /// The citizen may change it.
    pub editable: bool,
}

/// The values `login` gives the fields of `form`.
pub fn values(form: &Form, login: &Login) -> Vec<PrefillValue> {
    form.definition()
        .steps
        .iter()
        .flat_map(|step| step.fields.iter())
        .filter_map(|field| {
            let prefill = field.prefill.as_ref()?;
            let value = claim_value(&login.claims, prefill.claim)?;
            Some(PrefillValue {
                field: field.id.clone(),
                value,
                editable: prefill.editable,
            })
        })
        .collect()
}

/// When [`apply`] runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum When {
    /// The draft is started or continued from its start page: fill every
    /// field without an answer, and the read-only ones.
    Start,
    /// A step is saved: only the read-only fields get their value again.
    Save,
}

/// Puts `values` into `answers`; returns whether anything changed.
pub fn apply(answers: &mut Map<String, Value>, values: &[PrefillValue], when: When) -> bool {
    let mut changed = false;
    for value in values {
        let unanswered = match answers.get(&value.field) {
            None | Some(Value::Null) => true,
            Some(Value::String(s)) => s.trim().is_empty(),
            Some(Value::Object(parts)) => parts
                .values()
                .all(|v| v.as_str().is_none_or(|s| s.trim().is_empty())),
            Some(_) => false,
        };
        let set = !value.editable || (when == When::Start && unanswered);
        if set && answers.get(&value.field) != Some(&value.value) {
            answers.insert(value.field.clone(), value.value.clone());
            changed = true;
        }
    }
    changed
}

/// The answer `claim` gives, if the account has it.
pub fn claim_value(claims: &VerifiedClaims, claim: AccountClaim) -> Option<Value> {
    let text = |v: &Option<String>| {
        v.as_deref()
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(|s| Value::String(s.to_owned()))
    };
    let address = claims.address.as_ref();
    match claim {
        AccountClaim::GivenName => text(&claims.given_name),
        AccountClaim::FamilyName => text(&claims.family_name),
        AccountClaim::Email => text(&claims.email),
        AccountClaim::Organization => text(&claims.organization),
        AccountClaim::Birthdate => claims
            .birthdate
            .as_deref()
            .and_then(german_date)
            .map(Value::String),
        AccountClaim::StreetAddress => address.and_then(|a| text(&a.street_address)),
        AccountClaim::PostalCode => address.and_then(|a| text(&a.postal_code)),
        AccountClaim::Locality => address.and_then(|a| text(&a.locality)),
        AccountClaim::Country => address.and_then(|a| text(&a.country)),
        AccountClaim::Address => address.and_then(address_value),
    }
}

/// `1964-08-12` → `12.08.1964`; `None` for anything else.
fn german_date(iso: &str) -> Option<String> {
    let mut parts = iso.trim().splitn(3, '-');
    let (y, m, d) = (parts.next()?, parts.next()?, parts.next()?);
    let all_digits = |s: &str, len: usize| s.len() == len && s.bytes().all(|b| b.is_ascii_digit());
    (all_digits(y, 4) && all_digits(m, 2) && all_digits(d, 2)).then(|| format!("{d}.{m}.{y}"))
}

/// An address field's value: `street_address` split into street and house
/// number at its last word when that starts with a digit ("Musterstraße
/// 12a"), postal code and city.
fn address_value(address: &PostalAddress) -> Option<Value> {
    let street_address = address.street_address.as_deref().map(str::trim)?;
    if street_address.is_empty() {
        return None;
    }
    let (street, number) = match street_address.rsplit_once(' ') {
        Some((street, number)) if number.starts_with(|c: char| c.is_ascii_digit()) => {
            (street.trim(), number)
        }
        _ => (street_address, ""),
    };
    let mut value = Map::new();
    value.insert("street".into(), Value::String(street.to_owned()));
    value.insert("house_number".into(), Value::String(number.to_owned()));
    let part = |v: &Option<String>| v.as_deref().map(str::trim).unwrap_or_default().to_owned();
    value.insert(
        "postal_code".into(),
        Value::String(part(&address.postal_code)),
    );
    value.insert("city".into(), Value::String(part(&address.locality)));
    Some(Value::Object(value))
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]

    use amtsweg_forms::AccountType;
    use serde_json::json;

    use super::*;

    fn login() -> Login {
        Login {
            subject: "sub".into(),
            issuer: "https://id.example".into(),
            account_type: AccountType::Citizen,
            trust_level: None,
            acr: None,
            claims: VerifiedClaims {
                given_name: Some("Erika".into()),
                family_name: Some(" Mustermann ".into()),
                birthdate: Some("1964-08-12".into()),
                email: Some("erika@example.org".into()),
                address: Some(PostalAddress {
                    street_address: Some("Heidestraße 17a".into()),
                    postal_code: Some("51147".into()),
                    locality: Some("Köln".into()),
                    country: Some("DE".into()),
                }),
                organization: None,
            },
            logged_in_at: 0,
            id_token: None,
            roles: Default::default(),
        }
    }

    fn form() -> Form {
        Form::load(
            r#"{"id":"f","version":1,"title":{"de":"F","en":"F"},"summary":{"de":"S","en":"S"},
            "authority":{"id":"a","name":{"de":"A","en":"A"}},
            "steps":[{"id":"s","title":{"de":"S","en":"S"},"fields":[
              {"id":"nachname","type":"text","label":{"de":"Nachname","en":"Surname"},
               "prefill":{"claim":"family_name"}},
              {"id":"geburt","type":"date","label":{"de":"Geburtsdatum","en":"Date of birth"},
               "prefill":{"claim":"birthdate"}},
              {"id":"mail","type":"email","label":{"de":"E-Mail","en":"E-mail"},
               "prefill":{"claim":"email","editable":true}},
              {"id":"anschrift","type":"address","label":{"de":"Anschrift","en":"Address"},
               "prefill":{"claim":"address"}},
              {"id":"firma","type":"text","label":{"de":"Firma","en":"Company"},
               "prefill":{"claim":"organization"}},
              {"id":"frei","type":"text","label":{"de":"Frei","en":"Free"}}
            ]}]}"#,
        )
        .unwrap()
    }

    #[test]
    fn claims_become_answers_in_the_fields_formats() {
        let values = values(&form(), &login());
        let by_field = |id: &str| values.iter().find(|v| v.field == id).cloned();
        assert_eq!(by_field("nachname").unwrap().value, json!("Mustermann"));
        assert!(!by_field("nachname").unwrap().editable);
        assert_eq!(by_field("geburt").unwrap().value, json!("12.08.1964"));
        assert!(by_field("mail").unwrap().editable);
        assert_eq!(
            by_field("anschrift").unwrap().value,
            json!({"street": "Heidestraße", "house_number": "17a",
                   "postal_code": "51147", "city": "Köln"})
        );
        // The account has no organization; the free field asks for nothing.
        assert_eq!(by_field("firma"), None);
        assert_eq!(by_field("frei"), None);
    }

    #[test]
    fn start_fills_gaps_and_save_restores_only_read_only_fields() {
        let values = values(&form(), &login());
        let mut answers = Map::new();
        answers.insert("mail".into(), json!("eigene@example.org"));
        assert!(apply(&mut answers, &values, When::Start));
        assert_eq!(answers["nachname"], json!("Mustermann"));
        assert_eq!(
            answers["mail"],
            json!("eigene@example.org"),
            "an answer is kept"
        );

        answers.insert("nachname".into(), json!("Gefälscht"));
        answers.insert("mail".into(), json!("neu@example.org"));
        assert!(apply(&mut answers, &values, When::Save));
        assert_eq!(answers["nachname"], json!("Mustermann"), "read-only");
        assert_eq!(answers["mail"], json!("neu@example.org"), "editable");
        assert!(!apply(&mut answers, &values, When::Save), "nothing changed");
    }

    #[test]
    fn odd_claims_fill_nothing() {
        let mut claims = login().claims;
        claims.birthdate = Some("12.08.1964".into());
        claims.given_name = Some("  ".into());
        claims.address = Some(PostalAddress {
            street_address: Some("Am Markt".into()),
            ..PostalAddress::default()
        });
        assert_eq!(claim_value(&claims, AccountClaim::Birthdate), None);
        assert_eq!(claim_value(&claims, AccountClaim::GivenName), None);
        assert_eq!(
            claim_value(&claims, AccountClaim::Address),
            Some(json!({"street": "Am Markt", "house_number": "",
                        "postal_code": "", "city": ""}))
        );
    }
}
