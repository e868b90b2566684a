//! A small Prometheus registry: requests per route pattern, method and
//! status. Route patterns (`/forms/{id}`), never concrete paths, so no
//! personal data and a bounded number of series.

use std::{collections::BTreeMap, fmt::Write, sync::Mutex};

type Key = (String, String, u16);

/// Counters, rendered in the Prometheus text format.
#[derive(Debug, Default)]
pub struct Metrics {
    requests: Mutex<BTreeMap<Key, u64>>,
}

impl Metrics {
    /// Counts one answered request.
    pub fn record_request(&self, route: &str, method: &str, status: u16) {
        let mut requests = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *requests
            .entry((route.to_owned(), method.to_owned(), status))
            .or_default() += 1;
    }

    /// The Prometheus text exposition (format 0.0.4).
    pub fn render(&self) -> String {
        let requests = self
            .requests
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        let mut out = String::new();
        out.push_str("# HELP amtsweg_http_requests_total HTTP requests answered, by route pattern, method and status.\n");
        out.push_str("# TYPE amtsweg_http_requests_total counter\n");
        for ((route, method, status), count) in requests.iter() {
            let _ = writeln!(
                out,
                "amtsweg_http_requests_total{{route=\"{}\",method=\"{}\",status=\"{status}\"}} {count}",
                escape(route),
                escape(method),
            );
        }
        out.push_str("# HELP amtsweg_build_info Version of the running binary.\n");
        out.push_str("# TYPE amtsweg_build_info gauge\n");
        let _ = writeln!(
            out,
            "amtsweg_build_info{{version=\"{}\"}} 1",
            env!("CARGO_PKG_VERSION")
        );
        out
    }
}

/// `amtsweg_outbox_jobs{kind,status}` from `(kind, status, count)` rows.
pub fn render_outbox(counts: &[(String, String, i64)]) -> String {
    let mut out = String::new();
    out.push_str("# HELP amtsweg_outbox_jobs Delivery jobs by kind and status (pending, leased, done, dead).\n");
    out.push_str("# TYPE amtsweg_outbox_jobs gauge\n");
    for (kind, status, count) in counts {
        let _ = writeln!(
            out,
            "amtsweg_outbox_jobs{{kind=\"{}\",status=\"{}\"}} {count}",
            escape(kind),
            escape(status)
        );
    }
    out
}

fn escape(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_per_route_and_status() {
        let m = Metrics::default();
        m.record_request("/", "GET", 200);
        m.record_request("/", "GET", 200);
        m.record_request("/forms/{id}", "GET", 404);
        let text = m.render();
        assert!(
            text.contains(
                "amtsweg_http_requests_total{route=\"/\",method=\"GET\",status=\"200\"} 2"
            )
        );
        assert!(text.contains(
            "amtsweg_http_requests_total{route=\"/forms/{id}\",method=\"GET\",status=\"404\"} 1"
        ));
    }

    #[test]
    fn escapes_labels() {
        assert_eq!(escape("a\"b\\c"), "a\\\"b\\\\c");
    }
}
