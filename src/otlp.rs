//! The binary's OpenTelemetry export (cargo feature `otlp`): tracing spans, the
//! request's and, with `SOCIALGATE_TRACE_RESOLVERS`, each resolver's, sent over
//! OTLP/HTTP (protobuf) in batches. Configured the standard way, by
//! `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) and
//! `OTEL_SERVICE_NAME` (default `socialgate`); without an endpoint nothing is exported.

use opentelemetry::trace::TracerProvider as _;
use opentelemetry_sdk::{Resource, trace::SdkTracerProvider};
use tracing_subscriber::Layer;

/// Flushes what is batched when dropped at the end of `serve`.
pub struct Export(SdkTracerProvider);

impl Drop for Export {
    fn drop(&mut self) {
        if let Err(e) = self.0.shutdown() {
            eprintln!("socialgate: OTLP export did not flush: {e}");
        }
    }
}

/// The layer that exports spans, and its guard; `None` when no endpoint is set.
pub fn layer<S>() -> Option<(Box<dyn Layer<S> + Send + Sync>, Export)>
where
    S: tracing::Subscriber + for<'a> tracing_subscriber::registry::LookupSpan<'a> + Send + Sync,
{
    let configured = [
        "OTEL_EXPORTER_OTLP_ENDPOINT",
        "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT",
    ]
    .iter()
    .any(|name| std::env::var(name).is_ok_and(|v| !v.is_empty()));
    if !configured {
        return None;
    }
    let exporter = match opentelemetry_otlp::SpanExporter::builder()
        .with_http()
        .build()
    {
        Ok(exporter) => exporter,
        Err(e) => {
            eprintln!("socialgate: no OTLP export: {e}");
            return None;
        }
    };
    let name = std::env::var("OTEL_SERVICE_NAME").unwrap_or_else(|_| "socialgate".into());
    let provider = SdkTracerProvider::builder()
        .with_batch_exporter(exporter)
        .with_resource(Resource::builder().with_service_name(name).build())
        .build();
    let tracer = provider.tracer("socialgate");
    let layer = tracing_opentelemetry::layer().with_tracer(tracer).boxed();
    Some((layer, Export(provider)))
}
