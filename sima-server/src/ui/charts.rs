//! Bar charts drawn on the server as inline SVG: no script, no asset.

use maud::{html, Markup};

/// One series of a chart: a value per label.
#[derive(Debug, Clone)]
pub(crate) struct Series<'a> {
    /// Shown in the legend.
    pub(crate) name: &'a str,
    /// CSS class that colours it.
    pub(crate) class: &'static str,
    /// One value per label.
    pub(crate) values: Vec<f64>,
}

const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 240.0;
const LEFT: f64 = 48.0;
const BOTTOM: f64 = 36.0;
const TOP: f64 = 12.0;

/// A bar chart of `series` over `labels`, side by side or `stacked`; values
/// are in `unit` (shown on the axis and in each bar's tooltip).
pub(crate) fn bars(id: &str, labels: &[String], series: &[Series<'_>], stacked: bool, unit: &str) -> Markup {
    let total = |i: usize| -> f64 {
        let values = series.iter().map(|s| s.values.get(i).copied().unwrap_or(0.0));
        if stacked {
            values.sum()
        } else {
            values.fold(0.0, f64::max)
        }
    };
    let max = nice_ceiling((0..labels.len()).map(total).fold(0.0, f64::max));
    let scale = if max > 0.0 { (HEIGHT - TOP - BOTTOM) / max } else { 0.0 };
    let slot = (WIDTH - LEFT) / labels.len().max(1) as f64;
    let per_slot = if stacked { 1.0 } else { series.len().max(1) as f64 };
    let bar = (slot * 0.8 / per_slot).max(1.0);
    let base = HEIGHT - BOTTOM;
    let every = labels.len().div_ceil(12).max(1);
    html! {
        figure.chart id=(id) data-unit=(unit) {
            svg xmlns="http://www.w3.org/2000/svg" viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img" {
                line.axis x1=(LEFT) y1=(base) x2=(WIDTH) y2=(base) {}
                line.axis x1=(LEFT) y1=(TOP) x2=(LEFT) y2=(base) {}
                text.tick x=(LEFT - 4.0) y=(TOP + 4.0) text-anchor="end" { (label_of(max)) }
                text.tick x=(LEFT - 4.0) y=(base) text-anchor="end" { "0" }
                @for (i, label) in labels.iter().enumerate() {
                    @let x0 = LEFT + slot * i as f64 + slot * 0.1;
                    @for (k, s) in series.iter().enumerate() {
                        @let value = s.values.get(i).copied().unwrap_or(0.0);
                        @let below: f64 = if stacked { series[..k].iter().map(|p| p.values.get(i).copied().unwrap_or(0.0)).sum() } else { 0.0 };
                        @let x = if stacked { x0 } else { x0 + bar * k as f64 };
                        @let h = value * scale;
                        rect class=(s.class) x=(round(x)) y=(round(base - below * scale - h)) width=(round(bar)) height=(round(h))
                            data-series=(s.name) data-label=(label) data-value=(round(value)) {
                            title { (label) " · " (s.name) ": " (round(value)) " " (unit) }
                        }
                    }
                    @if i % every == 0 {
                        text.tick x=(round(x0)) y=(HEIGHT - 20.0) { (label) }
                    }
                }
            }
            figcaption.legend {
                @for s in series { span class={ "key " (s.class) } { (s.name) } }
                span.unit { "(" (unit) ")" }
            }
        }
    }
}

/// The axis label of `value`: three significant digits at most.
fn label_of(value: f64) -> String {
    if value >= 100.0 || value == 0.0 {
        format!("{value:.0}")
    } else {
        let digits = (2 - value.abs().log10().floor() as i32).clamp(0, 6) as usize;
        let text = format!("{value:.digits$}");
        if text.contains('.') {
            text.trim_end_matches('0').trim_end_matches('.').to_owned()
        } else {
            text
        }
    }
}

/// The top of an axis showing `value`: the next of 1, 1.5, 2, 2.5, 3, 4, 5,
/// 6 or 8 times a power of ten, so its label stays short.
fn nice_ceiling(value: f64) -> f64 {
    if value <= 0.0 || !value.is_finite() {
        return 0.0;
    }
    let power = 10f64.powf(value.log10().floor());
    let step = [1.0, 1.5, 2.0, 2.5, 3.0, 4.0, 5.0, 6.0, 8.0, 10.0]
        .into_iter()
        .find(|step| step * power >= value * (1.0 - 1e-9))
        .unwrap_or(10.0);
    step * power
}

/// The unit a chart of durations up to `max_seconds` reads best in, and
/// its length in seconds.
pub(crate) fn time_unit(max_seconds: f64) -> (&'static str, f64) {
    match max_seconds {
        m if m >= 2.0 * 86_400.0 => ("days", 86_400.0),
        m if m >= 2.0 * 3_600.0 => ("hours", 3_600.0),
        m if m >= 2.0 * 60.0 => ("minutes", 60.0),
        _ => ("seconds", 1.0),
    }
}

/// Two decimals at most, for attributes and labels.
fn round(value: f64) -> f64 {
    (value * 100.0).round() / 100.0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_carry_their_values_and_stack() {
        let labels = vec!["W1".to_owned(), "W2".to_owned()];
        let series = [
            Series { name: "sev1", class: "sev1", values: vec![1.0, 3.0] },
            Series { name: "sev2", class: "sev2", values: vec![2.0, 0.0] },
        ];
        let svg = bars("c", &labels, &series, true, "incidents").into_string();
        assert!(svg.contains(r#"data-series="sev1" data-label="W2" data-value="3""#), "{svg}");
        // Stacked: the tallest stack (3) fills 192 px; W1's sev2 bar (2) sits on its sev1 bar (1).
        assert!(svg.contains(r#"y="12" width="268.8" height="128" data-series="sev2" data-label="W1""#), "{svg}");
        assert_eq!(svg.matches("<rect").count(), 4);
    }

    #[test]
    fn axis_labels_keep_three_significant_digits() {
        assert_eq!(
            (label_of(0.0), label_of(0.000_123_4), label_of(2.5), label_of(1234.4)),
            ("0".into(), "0.000123".into(), "2.5".into(), "1234".into())
        );
    }

    #[test]
    fn axes_end_on_round_numbers_and_durations_pick_a_readable_unit() {
        let tops: Vec<f64> = [0.0, 0.7, 3.0, 3.2, 47.0, 81.0, 1234.0].into_iter().map(nice_ceiling).collect();
        assert_eq!(tops, [0.0, 0.8, 3.0, 4.0, 50.0, 100.0, 1500.0]);
        assert_eq!(time_unit(0.03), ("seconds", 1.0));
        assert_eq!(time_unit(900.0), ("minutes", 60.0));
        assert_eq!(time_unit(5.0 * 3600.0), ("hours", 3600.0));
        assert_eq!(time_unit(3.0 * 86_400.0), ("days", 86_400.0));
        let svg = bars("c", &["W1".to_owned()], &[Series { name: "a", class: "a", values: vec![3.2] }], false, "hours")
            .into_string();
        assert!(svg.contains(r#"text-anchor="end">4</text>"#) && svg.contains(r#"data-unit="hours""#), "{svg}");
    }

    #[test]
    fn labels_are_escaped() {
        let svg = bars("c", &["<b>".to_owned()], &[], false, "h").into_string();
        assert!(svg.contains("&lt;b&gt;") && !svg.contains("<b>"));
    }
}
