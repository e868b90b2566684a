//! A browser for router tests: sends requests through the router with
//! `tower::ServiceExt::oneshot`, keeps the one session cookie the portal
//! sets, and returns each answer as a [`Page`]. Test files add their own
//! page readers (`impl Page { … }`) and journeys (`impl Browser { … }`).

use axum::{
    Router,
    body::Body,
    http::{HeaderMap, Request, StatusCode, header},
};
use http_body_util::BodyExt;
use tower::ServiceExt;

/// One answer of the portal.
pub struct Page {
    pub status: StatusCode,
    /// The `Location` header, or empty.
    pub location: String,
    pub headers: HeaderMap,
    /// The body as text (bytes that are not UTF-8 replaced).
    pub body: String,
    /// The body as it came.
    pub bytes: Vec<u8>,
}

impl Page {
    /// The header `name`, or empty.
    pub fn header(&self, name: header::HeaderName) -> &str {
        self.headers
            .get(name)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("")
    }

    /// The page's `<main>`, entities decoded.
    pub fn main(&self) -> String {
        let start = self.body.find("<main").unwrap_or(0);
        let end = self.body.find("</main>").unwrap_or(self.body.len());
        self.body[start..end]
            .replace("&quot;", "\"")
            .replace("&#x27;", "'")
            .replace("&amp;", "&")
    }

    /// The value of the page's first `_csrf` field (panics without one).
    pub fn csrf(&self) -> String {
        let marker = "name=\"_csrf\" value=\"";
        let start = self.body.find(marker).expect("a _csrf field") + marker.len();
        let end = self.body[start..].find('"').unwrap() + start;
        self.body[start..end].to_owned()
    }
}

/// One browser with a cookie jar of one cookie.
pub struct Browser {
    pub app: Router,
    pub cookie: Option<String>,
}

impl Browser {
    /// A browser without a cookie yet.
    pub fn on(app: &Router) -> Browser {
        Browser {
            app: app.clone(),
            cookie: None,
        }
    }

    /// A browser holding the session `session_id` (e.g. a stored login).
    pub fn with_session(app: &Router, session_id: &str) -> Browser {
        Browser {
            app: app.clone(),
            cookie: Some(format!("amtsweg={session_id}")),
        }
    }

    /// The session id in the cookie (panics without one).
    pub fn session_id(&self) -> String {
        self.cookie
            .as_deref()
            .and_then(|c| c.strip_prefix("amtsweg="))
            .expect("a session cookie")
            .to_owned()
    }

    /// Sends `request` with the cookie; keeps a cookie the answer sets.
    pub async fn send(&mut self, mut request: Request<Body>) -> Page {
        if let Some(cookie) = &self.cookie {
            request
                .headers_mut()
                .insert(header::COOKIE, cookie.parse().unwrap());
        }
        let response = self.app.clone().oneshot(request).await.unwrap();
        if let Some(set) = response.headers().get(header::SET_COOKIE) {
            let pair = set.to_str().unwrap().split(';').next().unwrap().to_owned();
            self.cookie = Some(pair);
        }
        let (parts, body) = response.into_parts();
        let bytes = body.collect().await.unwrap().to_bytes();
        Page {
            status: parts.status,
            location: parts
                .headers
                .get(header::LOCATION)
                .map(|v| v.to_str().unwrap().to_owned())
                .unwrap_or_default(),
            headers: parts.headers,
            body: String::from_utf8_lossy(&bytes).into_owned(),
            bytes: bytes.to_vec(),
        }
    }

    pub async fn get(&mut self, uri: &str) -> Page {
        self.send(Request::get(uri).body(Body::empty()).unwrap())
            .await
    }

    /// POSTs `fields`, form-urlencoded, as a browser posts a form.
    pub async fn post_fields(&mut self, uri: &str, fields: &[(&str, &str)]) -> Page {
        let body = url::form_urlencoded::Serializer::new(String::new())
            .extend_pairs(fields)
            .finish();
        self.post(uri, body).await
    }

    /// POSTs `body`, already form-urlencoded.
    pub async fn post(&mut self, uri: &str, body: impl AsRef<str>) -> Page {
        self.send(
            Request::post(uri)
                .header(header::CONTENT_TYPE, "application/x-www-form-urlencoded")
                .body(Body::from(body.as_ref().to_owned()))
                .unwrap(),
        )
        .await
    }
}
