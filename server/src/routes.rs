//! The HTTP router: the Leptos pages and server functions, `/health`,
//! `/metrics`, the stylesheet, the wasm bundle under `/pkg`, and the
//! middleware every request passes (security headers, a tracing span,
//! the request counter).
//!
//! Handlers are thin; the one shared state is [`AppState`].

use std::{
    sync::{Arc, OnceLock},
    time::Instant,
};

use amtsweg_app::{
    App, STYLESHEET_PATH,
    catalog::ssr::{AppContext, FormCatalog},
    journey::ssr::JourneyBackend,
    shell,
};
use axum::{
    Router,
    extract::{FromRef, MatchedPath, Request, State},
    http::header,
    middleware::{self, Next},
    response::{IntoResponse, Response},
    routing::get,
};
use leptos::{config::LeptosOptions, nonce::Nonce, prelude::*};
use leptos_axum::{AxumRouteListing, LeptosRoutes, generate_route_list};
use tower_http::services::ServeDir;
use tracing::Instrument;

use url::Url;

use crate::{
    csrf, db::Db, error::HttpError, journey_routes, journey_routes::Journey, metrics::Metrics,
    security, session, uploads::UploadStorage,
};

/// The stylesheet, compiled in so pages are styled even without a built
/// site directory.
const STYLESHEET: &str = include_str!("../../style/main.css");

/// The app's Leptos routes, generated once per process.
///
/// While Leptos generates routes it suppresses every resource load in the
/// whole process (`SuppressResourceLoad`, a process-wide flag; see
/// leptos-rs/leptos#4773): a page whose resource is first polled meanwhile,
/// by another router of the same process, waits forever. One generation
/// before the first router exists rules that out. Before this, router tests
/// that each built a router while others rendered hung now and then.
fn route_list() -> Vec<AxumRouteListing> {
    static ROUTES: OnceLock<Vec<AxumRouteListing>> = OnceLock::new();
    ROUTES.get_or_init(|| generate_route_list(App)).clone()
}

/// Everything a request may need. Cloning is cheap.
#[derive(Debug, Clone)]
pub struct AppState {
    pub leptos_options: LeptosOptions,
    pub db: Db,
    pub metrics: Arc<Metrics>,
    /// `AMTSWEG_PUBLIC_URL`: the origin POSTs must come from, and whether
    /// the session cookie is `Secure`.
    pub public_url: Url,
    /// The citizen journey: cached forms, drafts and submissions.
    pub journey: Arc<Journey>,
    /// Where uploaded files go (`$AMTSWEG_DATA_DIR/files`), with the limits.
    pub uploads: UploadStorage,
    /// Login with the Servicekonto (off unless `with_auth`).
    pub auth: Arc<crate::auth::Auth>,
    /// Outgoing mail (none unless `with_mailer`; `amtsweg serve` always
    /// sets one, see [`crate::mail::Mailer::from_config`]).
    pub mailer: crate::mail::Mailer,
    /// Delivery into the E-Akte (none unless `with_delivery`; `amtsweg
    /// serve` always sets it): the confirmation endpoint, the receipt
    /// download, and the worker's wake-up after a submit.
    pub delivery: Option<Arc<crate::delivery::DeliveryContext>>,
    /// Who collects the fees: XBezahldienste per authority where
    /// configured, the demo provider otherwise (`with_payments`).
    pub payments: Arc<crate::payment_journey::PaymentProviders>,
}

impl FromRef<AppState> for LeptosOptions {
    fn from_ref(state: &AppState) -> Self {
        state.leptos_options.clone()
    }
}

impl AppState {
    /// State for `db`, serving the built site from `site_root`, storing
    /// uploads in `uploads` (`UploadStorage::from_config` at start).
    pub fn new(
        db: Db,
        site_root: &str,
        listen: std::net::SocketAddr,
        uploads: UploadStorage,
    ) -> AppState {
        let leptos_options = LeptosOptions::builder()
            .output_name("amtsweg")
            .site_root(site_root)
            .site_pkg_dir("pkg")
            .site_addr(listen)
            .build();
        // The default of AMTSWEG_PUBLIC_URL; `with_public_url` sets the real one.
        #[allow(clippy::expect_used)]
        let public_url = Url::parse(&format!("http://{listen}"))
            .expect("http:// and a socket address form a valid URL");
        AppState {
            leptos_options,
            journey: Arc::new(Journey::new(db.clone(), public_url.clone())),
            db,
            metrics: Arc::new(Metrics::default()),
            payments: Arc::new(crate::payment_journey::PaymentProviders::demo_only(
                public_url.clone(),
            )),
            public_url,
            uploads,
            auth: Arc::new(crate::auth::Auth::disabled()),
            mailer: crate::mail::Mailer::none(),
            delivery: None,
        }
    }

    /// The same state delivering through `delivery` (see
    /// [`crate::delivery`]).
    pub fn with_delivery(mut self, delivery: crate::delivery::DeliveryContext) -> AppState {
        self.delivery = Some(Arc::new(delivery));
        self
    }

    /// The delivery context for this state, with the authorities and
    /// settings given (the state's database, forms, uploads and mailer).
    pub fn delivery_context(
        &self,
        authorities: crate::delivery::Authorities,
        data_dir: std::path::PathBuf,
        settings: crate::config::WorkerConfig,
    ) -> crate::delivery::DeliveryContext {
        crate::delivery::DeliveryContext {
            db: self.db.clone(),
            journey: self.journey.clone(),
            uploads: self.uploads.clone(),
            mailer: self.mailer.clone(),
            authorities: Arc::new(authorities),
            data_dir,
            public_url: self.public_url.clone(),
            http: reqwest::Client::new(),
            settings,
            wake: Arc::new(tokio::sync::Notify::new()),
            payments: self.payments.clone(),
        }
    }

    /// The same state collecting fees through `payments`.
    pub fn with_payments(mut self, payments: crate::payment_journey::PaymentProviders) -> AppState {
        self.payments = Arc::new(payments);
        self
    }

    /// The same state sending mail through `mailer`.
    pub fn with_mailer(mut self, mailer: crate::mail::Mailer) -> AppState {
        self.mailer = mailer;
        self
    }

    /// The same state with login through `auth` (see [`crate::auth`]).
    pub fn with_auth(mut self, auth: crate::auth::Auth) -> AppState {
        self.auth = Arc::new(auth);
        self
    }

    /// The same state with `public_url` as `AMTSWEG_PUBLIC_URL`.
    pub fn with_public_url(mut self, public_url: Url) -> AppState {
        // The journey builds resume links from it (its form cache is
        // still empty here).
        self.journey = Arc::new(Journey::new(self.db.clone(), public_url.clone()));
        // The demo provider's redirects point at this URL.
        self.payments = Arc::new(crate::payment_journey::PaymentProviders::demo_only(
            public_url.clone(),
        ));
        self.public_url = public_url;
        self
    }
}

/// The complete router.
pub fn router(state: AppState) -> Router {
    let catalog: Arc<dyn FormCatalog> = state.journey.clone();
    let journey: Arc<dyn JourneyBackend> = state.journey.clone();
    let auth: Arc<dyn amtsweg_app::auth::ssr::AuthBackend> =
        Arc::new(crate::auth::AuthPages::new(state.clone()));
    let context = move || {
        provide_context(AppContext {
            catalog: catalog.clone(),
            journey: journey.clone(),
        });
        provide_context(amtsweg_app::auth::ssr::AuthContext {
            backend: auth.clone(),
        });
        // Replace Leptos' own nonce with the one the CSP header names.
        if let Some(nonce) = use_context::<http::request::Parts>()
            .and_then(|parts| parts.extensions.get::<security::CspNonce>().cloned())
        {
            provide_context(Nonce::from_value(nonce.0));
        }
    };
    let options = state.leptos_options.clone();
    let app_shell = move || shell(options.clone());
    let pkg_dir = std::path::Path::new(&*state.leptos_options.site_root).join("pkg");

    Router::new()
        .route("/health", get(health))
        .route("/metrics", get(metrics))
        .route(STYLESHEET_PATH, get(stylesheet))
        .merge(journey_routes::router(
            crate::journey_uploads::step_body_limit(state.uploads.settings().max_bytes),
        ))
        .merge(crate::resume::router())
        .merge(crate::definition_route::router())
        .merge(crate::auth::router())
        .merge(crate::editor::router())
        .merge(crate::backoffice::router())
        .merge(crate::delivery::routes::router())
        .merge(crate::payment_journey::routes::router())
        .leptos_routes_with_context(&state, route_list(), context.clone(), app_shell.clone())
        // `amtsweg.wasm.gz` (scripts/build-site.sh) to browsers that take gzip.
        .nest_service("/pkg", ServeDir::new(pkg_dir).precompressed_gzip())
        .fallback(leptos_axum::render_app_to_stream_with_context(
            context, app_shell,
        ))
        .layer(middleware::from_fn(csrf::provide_token))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            crate::auth::timeout::enforce,
        ))
        .layer(session::layer(&state.db, &state.public_url))
        .layer(middleware::from_fn_with_state(state.clone(), observe))
        .layer(middleware::from_fn(security::security_headers))
        .with_state(state)
}

/// `200 ok` when the database answers, `503` otherwise.
async fn health(State(state): State<AppState>) -> Result<&'static str, HttpError> {
    state.db.ping().await.map_err(HttpError::Unavailable)?;
    Ok("ok")
}

async fn metrics(State(state): State<AppState>) -> impl IntoResponse {
    let mut text = state.metrics.render();
    // The outbox as it is now: operators alert on dead letters and on a
    // growing backlog.
    match state.db.job_counts().await {
        Ok(counts) => text.push_str(&crate::metrics::render_outbox(&counts)),
        Err(e) => tracing::warn!(error = %e, "counting outbox jobs failed"),
    }
    (
        [(
            header::CONTENT_TYPE,
            "text/plain; version=0.0.4; charset=utf-8",
        )],
        text,
    )
}

async fn stylesheet() -> impl IntoResponse {
    (
        [
            (header::CONTENT_TYPE, "text/css; charset=utf-8"),
            (header::CACHE_CONTROL, "public, max-age=3600"),
        ],
        STYLESHEET,
    )
}

/// One span per request and the request counter. Only the route pattern
/// is recorded, never the concrete path or query, which may carry personal
/// data.
async fn observe(State(state): State<AppState>, request: Request, next: Next) -> Response {
    let route = route_label(&request);
    let method = request.method().to_string();
    let span = tracing::info_span!("request", method = %method, route = %route);
    async move {
        let started = Instant::now();
        let response = next.run(request).await;
        let status = response.status();
        state
            .metrics
            .record_request(&route, &method, status.as_u16());
        let elapsed_ms = started.elapsed().as_secs_f64() * 1000.0;
        if status.is_server_error() {
            tracing::warn!(status = status.as_u16(), elapsed_ms, "answered");
        } else {
            tracing::info!(status = status.as_u16(), elapsed_ms, "answered");
        }
        response
    }
    .instrument(span)
    .await
}

fn route_label(request: &Request) -> String {
    if request.uri().path().starts_with("/pkg/") {
        return "/pkg".to_owned();
    }
    match request.extensions().get::<MatchedPath>() {
        Some(path) if path.as_str().starts_with("/api/") => "/api".to_owned(),
        Some(path) => path.as_str().to_owned(),
        None => "unmatched".to_owned(),
    }
}
