//! The words of the status page: built in English and French
//! (`[status] language`), each replaceable in `[status.strings]`.

use sima_core::domain::{ComponentStatus, PublicStatus};

pub(crate) use crate::settings::Language;

macro_rules! words {
    ($($key:ident $name:literal => $en:literal, $fr:literal;)*) => {
        /// One word or phrase of the page, named in `[status.strings]` by its snake_case name.
        #[derive(Debug, Clone, Copy, PartialEq, Eq)]
        pub(crate) enum Key { $(#[doc = $en] $key,)* }

        impl Key {
            /// Every word, in table order.
            pub(crate) const ALL: &'static [Key] = &[$(Key::$key,)*];

            /// The name `[status.strings]` knows it by.
            pub(crate) fn name(self) -> &'static str {
                match self { $(Key::$key => $name,)* }
            }

            fn built_in(self, language: Language) -> &'static str {
                match (self, language) {
                    $((Key::$key, Language::En) => $en, (Key::$key, Language::Fr) => $fr,)*
                }
            }
        }
    };
}

words! {
    AllOperational "all_operational" => "All Systems Operational", "Tous les systèmes sont opérationnels";
    MinorOutage "minor_outage" => "Minor Service Outage", "Perturbation mineure";
    PartialOutageOverall "partial_system_outage" => "Partial System Outage", "Panne partielle";
    MajorOutageOverall "major_system_outage" => "Major System Outage", "Panne majeure";
    Operational "operational" => "Operational", "Opérationnel";
    DegradedPerformance "degraded_performance" => "Degraded Performance", "Performances dégradées";
    PartialOutage "partial_outage" => "Partial Outage", "Panne partielle";
    MajorOutage "major_outage" => "Major Outage", "Panne majeure";
    Investigating "investigating" => "Investigating", "Analyse en cours";
    Identified "identified" => "Identified", "Cause identifiée";
    Monitoring "monitoring" => "Monitoring", "Surveillance";
    Resolved "resolved" => "Resolved", "Résolu";
    Components "components" => "Components", "Composants";
    ActiveIncidents "active_incidents" => "Active incidents", "Incidents en cours";
    PastIncidents "past_incidents" => "Past incidents", "Incidents passés";
    NoIncidents "no_incidents" => "No incidents reported.", "Aucun incident signalé.";
    History "history" => "Past 90 days", "90 derniers jours";
    DaysAgo "days_ago" => "90 days ago", "Il y a 90 jours";
    Today "today" => "Today", "Aujourd'hui";
    Updated "updated" => "Last updated", "Dernière mise à jour";
    Stale "stale" => "This page could not be refreshed; it may be out of date.", "Cette page n'a pas pu être actualisée ; elle peut être périmée.";
    Affected "affected" => "Affected", "Concernés";
    Back "back" => "Back to the status page", "Retour à la page d'état";
    Subscribe "subscribe" => "Subscribe (Atom feed)", "S'abonner (flux Atom)";
    NotFound "not_found" => "No such incident on this page.", "Aucun incident de ce nom sur cette page.";
}

impl Key {
    /// The word called `name`, if any.
    pub(crate) fn named(name: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|key| key.name() == name)
    }

    /// The word for a component status.
    pub(crate) fn component(status: ComponentStatus) -> Self {
        match status {
            ComponentStatus::Operational => Self::Operational,
            ComponentStatus::DegradedPerformance => Self::DegradedPerformance,
            ComponentStatus::PartialOutage => Self::PartialOutage,
            ComponentStatus::MajorOutage => Self::MajorOutage,
        }
    }

    /// The word for a public status.
    pub(crate) fn public(status: PublicStatus) -> Self {
        match status {
            PublicStatus::Investigating => Self::Investigating,
            PublicStatus::Identified => Self::Identified,
            PublicStatus::Monitoring => Self::Monitoring,
            PublicStatus::Resolved => Self::Resolved,
        }
    }
}

/// The words of one page: the language's, with the replacements applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Strings {
    language: Language,
    words: Vec<String>,
}

impl Strings {
    /// `language`'s words, each replaced by `overrides[name]` when given
    /// (unknown names are refused by the settings check, and ignored here).
    pub(crate) fn new<'a>(language: Language, overrides: impl IntoIterator<Item = (&'a String, &'a String)>) -> Self {
        let mut words: Vec<String> = Key::ALL.iter().map(|key| key.built_in(language).to_owned()).collect();
        for (name, text) in overrides {
            if let Some(index) = Key::ALL.iter().position(|key| key.name() == name) {
                words[index] = text.clone();
            }
        }
        Self { language, words }
    }

    /// The text of `key`.
    pub(crate) fn get(&self, key: Key) -> &str {
        Key::ALL.iter().position(|k| *k == key).and_then(|index| self.words.get(index)).map_or("", String::as_str)
    }

    /// The page's language.
    pub(crate) fn language(&self) -> Language {
        self.language
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn english_is_the_default_and_words_can_be_replaced() {
        let english = Strings::new(Language::En, &BTreeMap::new());
        assert_eq!(english.get(Key::AllOperational), "All Systems Operational");
        let french = Strings::new(Language::Fr, &BTreeMap::new());
        assert_eq!(french.get(Key::AllOperational), "Tous les systèmes sont opérationnels");
        assert_eq!(french.language().tag(), "fr");
        let replaced = BTreeMap::from([("components".to_owned(), "Services".to_owned())]);
        let ours = Strings::new(Language::En, &replaced);
        assert_eq!(ours.get(Key::Components), "Services");
        assert_eq!(ours.get(Key::Operational), "Operational");
    }

    #[test]
    fn every_word_has_a_unique_name_and_both_languages() {
        for (index, key) in Key::ALL.iter().enumerate() {
            assert_eq!(Key::named(key.name()), Some(*key));
            assert!(!Key::ALL[..index].iter().any(|k| k.name() == key.name()));
            assert!(!key.built_in(Language::En).is_empty() && !key.built_in(Language::Fr).is_empty());
        }
        assert_eq!(Key::named("bogus"), None);
    }
}
