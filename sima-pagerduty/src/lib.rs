//! sima-pagerduty: placeholder until the adapter lands.
