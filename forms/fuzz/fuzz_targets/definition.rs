//! Any bytes as a form definition: loading answers with a form or with
//! errors that carry a path, never with a panic.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    if let Ok(text) = std::str::from_utf8(data) {
        match amtsweg_forms::Form::load(text) {
            Ok(form) => {
                // A form that loads must also evaluate empty answers.
                let env = amtsweg_forms::Env {
                    today: time::Date::from_calendar_date(2026, time::Month::November, 23)
                        .unwrap_or(time::Date::MIN),
                };
                let _ = form.evaluate(&serde_json::Map::new(), &env);
            }
            Err(errors) => assert!(errors.0.iter().all(|e| e.path.starts_with('$'))),
        }
    }
});
