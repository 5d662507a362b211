//! Writing the metrics a collector computes at scrape time.

use std::fmt;

use prometheus_client::encoding::{
    DescriptorEncoder, EncodeCounterValue, EncodeGaugeValue, EncodeLabelSet, EncodeMetric, GaugeValueEncoder,
};
use prometheus_client::metrics::counter::ConstCounter;
use prometheus_client::metrics::MetricType;

/// A measured value, written as an integer when it is whole (`0`, `12`)
/// and with its fraction otherwise (`0.25`).
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Number(pub(crate) f64);

/// Integers up to here are exact in an `f64`.
const EXACT: f64 = 9_007_199_254_740_992.0;

impl EncodeGaugeValue for Number {
    fn encode(&self, encoder: &mut GaugeValueEncoder) -> fmt::Result {
        let Self(value) = *self;
        if value.fract() == 0.0 && value.abs() <= EXACT {
            EncodeGaugeValue::encode(&(value as i64), encoder)
        } else {
            EncodeGaugeValue::encode(&value, encoder)
        }
    }
}

/// One gauge without labels.
pub(crate) fn gauge(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: impl EncodeGaugeValue,
) -> fmt::Result {
    encoder.encode_descriptor(name, help, None, MetricType::Gauge)?.encode_gauge(&value)
}

/// A gauge with one sample per label set.
pub(crate) fn gauges<L: EncodeLabelSet, V: EncodeGaugeValue>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: impl IntoIterator<Item = (L, V)>,
) -> fmt::Result {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Gauge)?;
    for (labels, value) in samples {
        metric.encode_family(&labels)?.encode_gauge(&value)?;
    }
    Ok(())
}

/// A counter (`name` without `_total`, which is added) with one sample per label set.
pub(crate) fn counters<L: EncodeLabelSet, V: EncodeCounterValue>(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    samples: impl IntoIterator<Item = (L, V)>,
) -> fmt::Result {
    let mut metric = encoder.encode_descriptor(name, help, None, MetricType::Counter)?;
    for (labels, value) in samples {
        ConstCounter::new(value).encode(metric.encode_family(&labels)?)?;
    }
    Ok(())
}

/// A counter without labels.
pub(crate) fn counter(
    encoder: &mut DescriptorEncoder,
    name: &str,
    help: &str,
    value: impl EncodeCounterValue,
) -> fmt::Result {
    ConstCounter::new(value).encode(encoder.encode_descriptor(name, help, None, MetricType::Counter)?)
}

#[cfg(test)]
mod tests {
    use super::*;
    use prometheus_client::collector::Collector;
    use prometheus_client::encoding::prometheus_text::encode;
    use prometheus_client::registry::Registry;

    #[derive(Debug)]
    struct Sample(f64);

    impl Collector for Sample {
        fn encode(&self, mut encoder: DescriptorEncoder) -> fmt::Result {
            gauge(&mut encoder, "sample", "A sample.", Number(self.0))
        }
    }

    fn written(value: f64) -> String {
        let mut registry = Registry::default();
        registry.register_collector(Box::new(Sample(value)));
        let mut text = String::new();
        encode(&mut text, &registry).unwrap();
        text.lines().last().unwrap_or_default().to_owned()
    }

    #[test]
    fn whole_numbers_are_written_as_integers_and_the_rest_with_their_fraction() {
        assert_eq!(written(0.0), "sample 0");
        assert_eq!(written(1_765_000_000.0), "sample 1765000000");
        assert_eq!(written(12.345), "sample 12.345");
        assert_eq!(written(f64::INFINITY), "sample +Inf");
    }
}
