//! The app's [`FormCatalog`]: over the database (reads published versions
//! and turns each stored definition into the summary the pages show), and
//! over the [`Journey`], which the router uses: it reads only the version
//! numbers and takes the definitions from its cache of loaded forms.

use amtsweg_app::catalog::{
    FormSummary,
    ssr::{BoxFuture, FormCatalog, InternalError},
};

use crate::{
    db::{Db, StoredFormVersion},
    journey_routes::Journey,
};

use amtsweg_forms::Form;

fn sort(forms: &mut [FormSummary]) {
    forms.sort_by(|a, b| {
        a.title
            .de
            .to_lowercase()
            .cmp(&b.title.de.to_lowercase())
            .then_with(|| a.id.cmp(&b.id))
    });
}

fn form_summary(form: &Form) -> FormSummary {
    let d = form.definition();
    FormSummary {
        id: d.id.clone(),
        version: d.version,
        title: d.title.clone(),
        summary: d.summary.clone(),
        authority: d.authority.clone(),
    }
}

impl FormCatalog for Journey {
    fn published_forms(&self) -> BoxFuture<'_, Result<Vec<FormSummary>, InternalError>> {
        Box::pin(async move {
            let mut forms = Vec::new();
            for (id, version) in self.db().published_versions().await? {
                if let Some(form) = self.form(&id, Some(version)).await? {
                    forms.push(form_summary(&form));
                }
            }
            sort(&mut forms);
            Ok(forms)
        })
    }

    fn published_form<'a>(
        &'a self,
        id: &'a str,
    ) -> BoxFuture<'a, Result<Option<FormSummary>, InternalError>> {
        Box::pin(async move { Ok(self.form(id, None).await?.map(|f| form_summary(&f))) })
    }
}

impl FormCatalog for Db {
    fn published_forms(&self) -> BoxFuture<'_, Result<Vec<FormSummary>, InternalError>> {
        Box::pin(async move {
            let mut forms = self
                .published_form_versions()
                .await?
                .iter()
                .map(summary)
                .collect::<Result<Vec<_>, _>>()?;
            sort(&mut forms);
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
