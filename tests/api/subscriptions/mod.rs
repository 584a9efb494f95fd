//! `integrationStatusChanged` over a real WebSocket: both protocols, auth and its close
//! codes, tenant and role scoping, resume with `after`, a burst of 10,000 changes, and
//! one reader per tenant for all its subscriptions.

use crate::api_test;

use std::time::Duration;

use serde_json::{Value, json};
use socialgate::{
    auth::Role::{Advisor, Compliance},
    domain::{Network, StatusReason},
    service::{lifecycle, review},
};

use crate::{
    common::TestApp,
    db_test,
    ws::{Got, Protocol, Ws},
};

pub const FEED: &str = "subscription($after: String, $filter: StatusChangeFilter) {
  integrationStatusChanged(after: $after, filter: $filter) {
    cursor sequence previousStatus status reason
    integration { id owner { subject } }
    actor { subject }
  }
}";

const SECOND: Duration = Duration::from_secs(1);
const WAIT: Duration = Duration::from_secs(10);

fn change(event: &Value) -> (String, String) {
    let e = &event["integrationStatusChanged"];
    (
        e["integration"]["owner"]["subject"]
            .as_str()
            .expect("owner")
            .to_owned(),
        e["status"].as_str().expect("status").to_owned(),
    )
}

mod scale;
mod scoping;
