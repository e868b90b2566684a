//! Any bytes as an xdomea `FVDaten.ImportBestaetigen.0630`: parsing ends
//! in a confirmation or a precise error, never a panic; a parsed
//! rejection always has a reason; and what parses writes back and reads
//! back to the same outcome.
#![no_main]

use amtsweg_server::xdomea::{ImportConfirmation, ImportOutcome};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(confirmation) = ImportConfirmation::parse(data) else {
        return;
    };
    let outcome = confirmation.outcome();
    if let ImportOutcome::Rejected { reasons, .. } = &outcome {
        assert!(!reasons.is_empty(), "a rejection without a reason");
    }
    // The builder may refuse what the schema cannot carry (e.g. general
    // feedback on an object, which the reader tolerates), but what it
    // writes must read back to the same outcome.
    if let Ok(xml) = confirmation.to_xml() {
        let again = ImportConfirmation::parse(&xml).expect("a written confirmation reads back");
        assert_eq!(again.process_id, confirmation.process_id);
        assert_eq!(
            std::mem::discriminant(&again.outcome()),
            std::mem::discriminant(&outcome)
        );
    }
});
