//! Supervision coverage: over a window, how long an integration was ACTIVE (approved
//! and usable) and when it was not. Examiners ask when an account was unsupervised;
//! this answers from the audit events alone.

use chrono::{DateTime, Utc};

use super::Status;

/// A stretch of the window when the integration was not ACTIVE.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Gap {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    /// The status during the gap; `None` before connection or after disconnection.
    pub status: Option<Status>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Coverage {
    pub from: DateTime<Utc>,
    pub to: DateTime<Utc>,
    pub active_seconds: i64,
    pub gaps: Vec<Gap>,
}

/// The window `[from, to)` a coverage question is about: by default from the
/// connection until `now`. An empty or reversed window is refused.
pub fn window(
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    connected_at: DateTime<Utc>,
    now: DateTime<Utc>,
) -> Result<(DateTime<Utc>, DateTime<Utc>), &'static str> {
    let (from, to) = (from.unwrap_or(connected_at), to.unwrap_or(now));
    if from >= to {
        return Err("`from` must be before `to`");
    }
    Ok((from, to))
}

/// Computes coverage of `[from, to)` from the integration's status changes (time and
/// new status, in order) and its disconnection time.
pub fn compute(
    changes: &[(DateTime<Utc>, Status)],
    disconnected_at: Option<DateTime<Utc>>,
    from: DateTime<Utc>,
    to: DateTime<Utc>,
) -> Coverage {
    // Timeline of (start, status) segments; None = not connected.
    let mut segments: Vec<(DateTime<Utc>, Option<Status>)> = vec![(DateTime::<Utc>::MIN_UTC, None)];
    for (at, status) in changes {
        segments.push((*at, Some(*status)));
    }
    if let Some(at) = disconnected_at {
        segments.push((at, None));
    }
    let mut active_seconds = 0;
    let mut gaps: Vec<Gap> = Vec::new();
    for (i, (start, status)) in segments.iter().enumerate() {
        let end = segments
            .get(i + 1)
            .map_or(DateTime::<Utc>::MAX_UTC, |(s, _)| *s);
        let (lo, hi) = ((*start).max(from), end.min(to));
        if lo >= hi {
            continue;
        }
        if *status == Some(Status::Active) {
            active_seconds += (hi - lo).num_seconds();
            continue;
        }
        match gaps.last_mut() {
            Some(last) if last.to == lo && last.status == *status => last.to = hi,
            _ => gaps.push(Gap {
                from: lo,
                to: hi,
                status: *status,
            }),
        }
    }
    Coverage {
        from,
        to,
        active_seconds,
        gaps,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn t(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 1, 1, h, 0, 0)
            .single()
            .expect("valid time")
    }

    #[test]
    fn active_time_and_gaps_are_clipped_to_the_window() {
        let changes = [
            (t(1), Status::Pending),
            (t(2), Status::Active),
            (t(5), Status::Expired),
            (t(6), Status::Active),
        ];
        let c = compute(&changes, Some(t(9)), t(0), t(10));
        assert_eq!(c.active_seconds, (3 + 3) * 3600);
        assert_eq!(
            c.gaps,
            vec![
                Gap {
                    from: t(0),
                    to: t(1),
                    status: None
                },
                Gap {
                    from: t(1),
                    to: t(2),
                    status: Some(Status::Pending)
                },
                Gap {
                    from: t(5),
                    to: t(6),
                    status: Some(Status::Expired)
                },
                Gap {
                    from: t(9),
                    to: t(10),
                    status: None
                },
            ]
        );
        let inner = compute(&changes, None, t(3), t(4));
        assert_eq!(inner.active_seconds, 3600);
        assert!(inner.gaps.is_empty());
    }
}
