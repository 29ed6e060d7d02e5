//! Retry policy: exponential backoff with jitter, honouring `Retry-After`.

use std::time::{Duration, SystemTime};

use chrono::{DateTime, NaiveDateTime, Utc};

/// Statuses retried by default: rate limiting and transient server failures.
const DEFAULT_STATUS_CODES: [u16; 5] = [429, 500, 502, 503, 504];

/// Fraction of the computed interval by which jitter may move it either way.
const JITTER: f64 = 0.25;

/// When and how often a failed request is sent again.
///
/// Only connection errors, timeouts and the configured statuses are retried; any
/// other status (400, 422, ...) is returned at once because sending the same
/// request again cannot succeed.
#[derive(Clone, Debug, PartialEq)]
pub struct RetryPolicy {
    backoff: Option<Backoff>,
    status_codes: Vec<u16>,
    retry_connection_errors: bool,
    max_attempts: Option<u32>,
}

#[derive(Clone, Debug, PartialEq)]
struct Backoff {
    initial: Duration,
    max_interval: Duration,
    max_elapsed: Duration,
    exponent: f64,
}

impl Default for RetryPolicy {
    /// Backoff from 500 ms up to 60 s per wait, giving up after one hour: the
    /// values the official SDKs use.
    fn default() -> Self {
        RetryPolicy::backoff(
            Duration::from_millis(500),
            Duration::from_secs(60),
            Duration::from_secs(3600),
            1.5,
        )
    }
}

impl RetryPolicy {
    /// Never retry.
    pub fn none() -> Self {
        RetryPolicy {
            backoff: None,
            status_codes: DEFAULT_STATUS_CODES.to_vec(),
            retry_connection_errors: false,
            max_attempts: Some(1),
        }
    }

    /// Exponential backoff: the n-th wait (from 0) is
    /// `min(initial * exponent^n, max_interval)`, moved by up to ±25 % jitter so
    /// that many clients failing together do not retry in lockstep. No attempt
    /// starts once `max_elapsed` has passed since the first one.
    pub fn backoff(
        initial: Duration,
        max_interval: Duration,
        max_elapsed: Duration,
        exponent: f64,
    ) -> Self {
        RetryPolicy {
            backoff: Some(Backoff {
                initial,
                max_interval,
                max_elapsed,
                exponent: if exponent.is_finite() && exponent >= 1.0 {
                    exponent
                } else {
                    1.0
                },
            }),
            status_codes: DEFAULT_STATUS_CODES.to_vec(),
            retry_connection_errors: true,
            max_attempts: None,
        }
    }

    /// Statuses to retry (default 429, 500, 502, 503, 504).
    pub fn status_codes(mut self, codes: impl IntoIterator<Item = u16>) -> Self {
        self.status_codes = codes.into_iter().collect();
        self
    }

    /// Whether connection failures and timeouts are retried (default `true`).
    pub fn retry_connection_errors(mut self, yes: bool) -> Self {
        self.retry_connection_errors = yes;
        self
    }

    /// Total attempts including the first (default: unlimited within `max_elapsed`).
    pub fn max_attempts(mut self, n: u32) -> Self {
        self.max_attempts = Some(n.max(1));
        self
    }

    /// Whether this policy retries at all.
    pub fn is_enabled(&self) -> bool {
        self.backoff.is_some() && self.max_attempts != Some(1)
    }

    pub(crate) fn retries_status(&self, status: u16) -> bool {
        self.status_codes.contains(&status)
    }

    pub(crate) fn retries_connection_errors(&self) -> bool {
        self.retry_connection_errors
    }

    /// How long to wait before attempt `attempts + 1`, or `None` to give up.
    ///
    /// `attempts` is the number of attempts made so far (>= 1), `elapsed` the time
    /// since the first one started, `retry_after` the server's `Retry-After`.
    /// The server's wish wins over a shorter backoff but is capped by
    /// `max_interval` and by what is left of `max_elapsed`.
    pub fn next_delay(
        &self,
        attempts: u32,
        elapsed: Duration,
        retry_after: Option<Duration>,
    ) -> Option<Duration> {
        let b = self.backoff.as_ref()?;
        if self.max_attempts.is_some_and(|max| attempts >= max) || elapsed >= b.max_elapsed {
            return None;
        }
        let n = attempts.saturating_sub(1).min(1000) as i32;
        let base = b.initial.as_secs_f64() * b.exponent.powi(n);
        let max = b.max_interval.as_secs_f64();
        let jitter = 1.0 + JITTER * (2.0 * fastrand::f64() - 1.0);
        let mut secs = (base.min(max) * jitter).min(max);
        if let Some(ra) = retry_after {
            secs = secs.max(ra.as_secs_f64().min(max));
        }
        let delay = Duration::try_from_secs_f64(secs.max(0.0)).unwrap_or(b.max_interval);
        Some(delay.min(b.max_elapsed - elapsed))
    }
}

/// Parses a `Retry-After` value: delay-seconds or an HTTP-date (IMF-fixdate,
/// RFC 850 or asctime form). Dates in the past mean "now".
pub fn parse_retry_after(value: &str, now: SystemTime) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        // Absurdly large values saturate; the policy caps them anyway.
        return Some(Duration::from_secs(value.parse().unwrap_or(u64::MAX)));
    }
    let date = parse_http_date(value)?;
    let now: DateTime<Utc> = now.into();
    Some((date - now).to_std().unwrap_or(Duration::ZERO))
}

fn parse_http_date(value: &str) -> Option<DateTime<Utc>> {
    if let Ok(d) = DateTime::parse_from_rfc2822(value) {
        return Some(d.with_timezone(&Utc));
    }
    // RFC 850 (`Sunday, 06-Nov-94 08:49:37 GMT`) and asctime (`Sun Nov  6 08:49:37 1994`).
    ["%A, %d-%b-%y %H:%M:%S GMT", "%a %b %e %H:%M:%S %Y"]
        .iter()
        .find_map(|fmt| NaiveDateTime::parse_from_str(value, fmt).ok())
        .map(|naive| naive.and_utc())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(s: &str) -> SystemTime {
        DateTime::parse_from_rfc3339(s)
            .unwrap()
            .with_timezone(&Utc)
            .into()
    }

    #[test]
    fn retry_after_seconds() {
        let now = SystemTime::now();
        assert_eq!(parse_retry_after("1", now), Some(Duration::from_secs(1)));
        assert_eq!(
            parse_retry_after(" 120 ", now),
            Some(Duration::from_secs(120))
        );
        assert_eq!(parse_retry_after("0", now), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("-1", now), None);
        assert_eq!(parse_retry_after("1.5", now), None);
        assert_eq!(parse_retry_after("", now), None);
        assert_eq!(parse_retry_after("soon", now), None);
        assert!(parse_retry_after("99999999999999999999999", now).is_some());
    }

    #[test]
    fn retry_after_dates() {
        let now = at("1994-11-06T08:49:30Z");
        let want = Some(Duration::from_secs(7));
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now),
            want
        );
        assert_eq!(
            parse_retry_after("Sunday, 06-Nov-94 08:49:37 GMT", now),
            want
        );
        assert_eq!(parse_retry_after("Sun Nov  6 08:49:37 1994", now), want);
        // In the past: retry now.
        assert_eq!(
            parse_retry_after("Sun, 06 Nov 1994 08:00:00 GMT", now),
            Some(Duration::ZERO)
        );
    }

    fn policy() -> RetryPolicy {
        RetryPolicy::backoff(
            Duration::from_millis(100),
            Duration::from_secs(10),
            Duration::from_secs(60),
            2.0,
        )
    }

    #[test]
    fn backoff_grows_with_jitter_and_caps() {
        let p = policy();
        for _ in 0..50 {
            let d1 = p.next_delay(1, Duration::ZERO, None).unwrap();
            assert!(
                d1 >= Duration::from_millis(75) && d1 <= Duration::from_millis(125),
                "{d1:?}"
            );
            let d3 = p.next_delay(3, Duration::ZERO, None).unwrap();
            assert!(
                d3 >= Duration::from_millis(300) && d3 <= Duration::from_millis(500),
                "{d3:?}"
            );
            let d20 = p.next_delay(20, Duration::ZERO, None).unwrap();
            assert!(d20 <= Duration::from_secs(10), "{d20:?}");
            assert!(d20 >= Duration::from_millis(7500), "{d20:?}");
        }
    }

    #[test]
    fn retry_after_is_honoured_and_capped() {
        let p = policy();
        let one = Some(Duration::from_secs(1));
        assert_eq!(p.next_delay(1, Duration::ZERO, one), one);
        // Capped by max_interval.
        assert_eq!(
            p.next_delay(1, Duration::ZERO, Some(Duration::from_secs(600))),
            Some(Duration::from_secs(10))
        );
        // Capped by the remaining elapsed budget.
        assert_eq!(
            p.next_delay(1, Duration::from_millis(59_500), one),
            Some(Duration::from_millis(500))
        );
    }

    #[test]
    fn gives_up() {
        let p = policy().max_attempts(3);
        assert!(p.next_delay(2, Duration::ZERO, None).is_some());
        assert_eq!(p.next_delay(3, Duration::ZERO, None), None);
        assert_eq!(policy().next_delay(1, Duration::from_secs(60), None), None);
        assert_eq!(
            RetryPolicy::none().next_delay(1, Duration::ZERO, None),
            None
        );
        assert!(!RetryPolicy::none().is_enabled());
        assert!(policy().is_enabled());
    }

    #[test]
    fn status_selection() {
        let p = policy();
        for s in [429, 500, 502, 503, 504] {
            assert!(p.retries_status(s));
        }
        for s in [400, 401, 404, 422, 501] {
            assert!(!p.retries_status(s));
        }
        let p = p.status_codes([418]).retry_connection_errors(false);
        assert!(p.retries_status(418) && !p.retries_status(503));
        assert!(!p.retries_connection_errors());
    }

    #[test]
    fn odd_exponent_is_sanitised() {
        let p = RetryPolicy::backoff(
            Duration::from_millis(10),
            Duration::from_millis(10),
            Duration::from_secs(1),
            f64::NAN,
        );
        assert!(p.next_delay(5, Duration::ZERO, None).unwrap() <= Duration::from_millis(10));
    }
}
