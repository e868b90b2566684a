//! The app's [`FormCatalog`] over the database: reads published versions
//! and turns each stored definition into the summary the pages show.

use amtsweg_app::catalog::{
    FormSummary,
    ssr::{BoxFuture, FormCatalog, InternalError},
};

use crate::db::{Db, StoredFormVersion};

impl FormCatalog for Db {
    fn published_forms(&self) -> BoxFuture<'_, Result<Vec<FormSummary>, InternalError>> {
        Box::pin(async move {
            let mut forms = self
                .published_form_versions()
                .await?
                .iter()
                .map(summary)
                .collect::<Result<Vec<_>, _>>()?;
            forms.sort_by(|a, b| {
                a.title
                    .de
                    .to_lowercase()
                    .cmp(&b.title.de.to_lowercase())
                    .then_with(|| a.id.cmp(&b.id))
            });
            Ok(forms)
        })
    }

    fn published_form<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<FormSummary>, InternalError>> {
        Box::pin(async move {
            match self.published_form_version(id).await? {
                Some(stored) => Ok(Some(summary(&stored)?)),
                None => Ok(None),
            }
        })
    }
}

/// The summary fields of a stored definition (the rest is skipped unread).
fn summary(stored: &StoredFormVersion) -> Result<FormSummary, serde_json::Error> {
    serde_json::from_str(&stored.definition)
}
