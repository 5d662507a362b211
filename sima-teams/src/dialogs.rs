//! Forms opened as dialogs (task modules).
//!
//! Teams opens a dialog only as the answer to an invoke (`task/fetch` from a
//! button, `task/submit` from a dialog). When the core opens a form while
//! handling such an invoke, `open_form` leaves the form here under the
//! invoke's id instead of posting it, and the route answers the invoke with
//! it. The form is kept a while longer: a submission with mistakes is
//! answered with the same form again, its values kept and the mistakes shown.

use std::collections::VecDeque;
use std::sync::{Mutex, PoisonError};

use sima_core::model::Form;

/// Dialogs remembered; the oldest is forgotten first.
const MAX_DIALOGS: usize = 256;

/// The forms of recent dialogs, by dialog id (the invoke that opened it).
#[derive(Default)]
pub(crate) struct Dialogs {
    forms: Mutex<VecDeque<(String, Form)>>,
}

impl Dialogs {
    /// Keeps `form` as the dialog `id`.
    pub(crate) fn open(&self, id: &str, form: Form) {
        let mut forms = self.forms.lock().unwrap_or_else(PoisonError::into_inner);
        forms.retain(|(known, _)| known != id);
        if forms.len() >= MAX_DIALOGS {
            forms.pop_front();
        }
        forms.push_back((id.to_owned(), form));
    }

    /// The form of dialog `id`, if it is still remembered.
    pub(crate) fn form(&self, id: &str) -> Option<Form> {
        let forms = self.forms.lock().unwrap_or_else(PoisonError::into_inner);
        forms.iter().find(|(known, _)| known == id).map(|(_, form)| form.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use sima_core::model::FormId;

    fn form(title: &str) -> Form {
        Form { id: FormId::UpdateStatus, title: title.into(), submit: "Send".into(), inputs: vec![], metadata: None }
    }

    #[test]
    fn dialogs_are_found_by_id_and_the_oldest_are_forgotten() {
        let dialogs = Dialogs::default();
        dialogs.open("a", form("first"));
        dialogs.open("a", form("again"));
        assert_eq!(dialogs.form("a").map(|f| f.title), Some("again".to_owned()));
        for n in 0..MAX_DIALOGS {
            dialogs.open(&n.to_string(), form("x"));
        }
        assert!(dialogs.form("a").is_none());
        assert!(dialogs.form("0").is_some());
        assert!(dialogs.form("missing").is_none());
    }
}
