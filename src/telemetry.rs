//! Logging (text or JSON lines, stdout for the server and stderr for commands) and,
//! with the `otlp` feature, span export: set up once by the binary.

#[cfg(feature = "otlp")]
use crate::otlp;

/// Crates that print message payloads at their most verbose levels: a WebSocket's
/// `connection_init` carries the caller's token. They are held at `info` whatever the
/// configured filter says, so no token reaches a log line.
const PAYLOAD_LOGGERS: [&str; 2] = ["tungstenite=info", "tokio_tungstenite=info"];

/// Libraries whose INFO lines bury the server's own at start: the migrator says one
/// line per migration applied (the store logs one summary instead). Quiet unless the
/// log filter names them.
const QUIET_UNLESS_ASKED: [(&str, &str); 1] = [("sea_orm_migration", "sea_orm_migration=warn")];

/// Whether the log filter the operator gave mentions `target`.
fn filter_text_names(filter: &str, target: &str) -> bool {
    filter
        .split(',')
        .any(|part| part.trim().starts_with(target))
}

/// Where log lines go: the server's to stdout, a command's to stderr.
#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Output {
    Stdout,
    Stderr,
}

/// What must live as long as logging does: the OTLP exporter, when there is one.
pub struct Telemetry {
    #[cfg(feature = "otlp")]
    _export: Option<otlp::Export>,
}

pub fn init_tracing(
    filter: &str,
    format: socialgate::config::LogFormat,
    output: Output,
) -> Telemetry {
    use std::io::IsTerminal;
    use tracing_subscriber::{Layer, layer::SubscriberExt, util::SubscriberInitExt};
    let filter_text = filter;
    let mut filter = tracing_subscriber::EnvFilter::try_new(filter)
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info"));
    for directive in PAYLOAD_LOGGERS {
        if let Ok(directive) = directive.parse() {
            filter = filter.add_directive(directive);
        }
    }
    for (target, directive) in QUIET_UNLESS_ASKED {
        if !filter_text_names(filter_text, target)
            && let Ok(directive) = directive.parse()
        {
            filter = filter.add_directive(directive);
        }
    }
    let writer =
        tracing_subscriber::fmt::writer::BoxMakeWriter::new(move || -> Box<dyn std::io::Write> {
            match output {
                Output::Stdout => Box::new(std::io::stdout()),
                Output::Stderr => Box::new(std::io::stderr()),
            }
        });
    // Colours only for a person at a terminal, never escape codes in a log file.
    let terminal = match output {
        Output::Stdout => std::io::stdout().is_terminal(),
        Output::Stderr => std::io::stderr().is_terminal(),
    };
    let lines = tracing_subscriber::fmt::layer().with_writer(writer);
    let lines = match format {
        socialgate::config::LogFormat::Json => lines.json().boxed(),
        socialgate::config::LogFormat::Text => lines.with_ansi(terminal).boxed(),
    };
    let registry = tracing_subscriber::registry().with(filter).with(lines);
    #[cfg(feature = "otlp")]
    {
        let (export, guard) = match otlp::layer() {
            Some((layer, guard)) => (Some(layer), Some(guard)),
            None => (None, None),
        };
        let _ = registry.with(export).try_init();
        Telemetry { _export: guard }
    }
    #[cfg(not(feature = "otlp"))]
    {
        let _ = registry.try_init();
        Telemetry {}
    }
}
