//! Loading and checking the configuration.

use super::*;

#[test]
fn variables_override_the_file_and_secrets_do_not_print() {
    let file = "listen = \"127.0.0.1:9000\"\njwt_secret = \"from-file\"\n";
    let vars = [
        ("SOCIALGATE_JWT_SECRET".to_owned(), "from-env".to_owned()),
        (
            "SOCIALGATE_TEST_DATABASE_URL".to_owned(),
            "ignored".to_owned(),
        ),
        ("HOME".to_owned(), "/root".to_owned()),
    ];
    let config = Config::load(Some(file), vars).unwrap();
    assert_eq!(config.listen.port(), 9000);
    assert_eq!(config.jwt_secret.as_ref().unwrap().expose(), "from-env");
    assert!(!format!("{config:?}").contains("from-env"));
    assert_eq!(config.public_url(), "http://127.0.0.1:9000");
}

#[test]
fn durations_read_with_their_unit() {
    assert_eq!(
        parse_duration("5s"),
        Some(std::time::Duration::from_secs(5))
    );
    assert_eq!(
        parse_duration("6h"),
        Some(std::time::Duration::from_secs(21_600))
    );
    assert_eq!(
        parse_duration("2d"),
        Some(std::time::Duration::from_secs(172_800))
    );
    assert_eq!(parse_duration("0s"), None);
    assert_eq!(parse_duration("6"), None);
    assert_eq!(parse_duration("h"), None);
    let bad = Config::load(
        None,
        [("SOCIALGATE_PROBE_INTERVAL".to_owned(), "soon".to_owned())],
    );
    assert!(bad.is_err());
}

#[test]
fn a_bad_value_names_the_key() {
    let err =
        Config::load(None, [("SOCIALGATE_LISTEN".to_owned(), "nope".to_owned())]).unwrap_err();
    assert!(err.to_string().contains("listen"), "{err}");
}

#[test]
fn limits_read_from_variables_and_files() {
    let file = "tenant_rate = 7\n";
    let vars = [
        ("SOCIALGATE_TENANT_CONCURRENCY".to_owned(), "3".to_owned()),
        ("SOCIALGATE_ANONYMOUS_RATE".to_owned(), "0".to_owned()),
        ("SOCIALGATE_HEAVY_SLOTS".to_owned(), "5".to_owned()),
    ];
    let config = Config::load(Some(file), vars).unwrap();
    assert_eq!(config.heavy_slots, 5);
    assert_eq!(
        (
            config.tenant_concurrency,
            config.tenant_rate,
            config.anonymous_rate
        ),
        (3, 7, 0)
    );
    assert_eq!(config.tenant_queue_ms, 2_000);
    let err = Config::load(
        None,
        [("SOCIALGATE_TENANT_RATE".to_owned(), "lots".to_owned())],
    )
    .unwrap_err();
    assert!(err.to_string().contains("tenant_rate"), "{err}");
}

#[test]
fn trusted_proxies_are_addresses_or_ranges() {
    let default = Config::load(None, []).unwrap().serve_limits();
    assert!(
        default
            .trusted
            .iter()
            .any(|n| n.contains(&std::net::IpAddr::from(std::net::Ipv4Addr::LOCALHOST)))
    );
    let vars = [(
        "SOCIALGATE_TRUSTED_PROXIES".to_owned(),
        "10.0.0.0/8, 192.0.2.7".to_owned(),
    )];
    let limits = Config::load(None, vars).unwrap().serve_limits();
    assert_eq!(limits.trusted.len(), 2);
    assert!(limits.trusted[1].contains(&"192.0.2.7".parse::<std::net::IpAddr>().unwrap()));
    let none = [("SOCIALGATE_TRUSTED_PROXIES".to_owned(), "none".to_owned())];
    assert!(
        Config::load(None, none)
            .unwrap()
            .serve_limits()
            .trusted
            .is_empty()
    );
    let bad = [(
        "SOCIALGATE_TRUSTED_PROXIES".to_owned(),
        "the proxy".to_owned(),
    )];
    let err = Config::load(None, bad).unwrap_err();
    assert!(err.to_string().contains("trusted_proxies"), "{err}");
}

#[test]
fn unknown_keys_and_half_apps_stop_the_start() {
    let typo = [("SOCIALGATE_MAX_CONECTIONS".to_owned(), "10".to_owned())];
    let err = Config::load(None, typo).unwrap_err();
    assert!(err.to_string().contains("max_conections"), "{err}");
    let err = Config::load(Some("listen_adress = \"127.0.0.1:1\"\n"), []).unwrap_err();
    assert!(err.to_string().contains("listen_adress"), "{err}");
    let half = [("SOCIALGATE_FACEBOOK_APP_ID".to_owned(), "123".to_owned())];
    let err = Config::load(None, half).unwrap_err();
    assert!(
        err.to_string().contains("SOCIALGATE_FACEBOOK_APP_SECRET"),
        "{err}"
    );
    // The test suite's own variables are not configuration.
    let suite = [("SOCIALGATE_REQUIRE_BROWSER".to_owned(), "1".to_owned())];
    assert!(Config::load(None, suite).is_ok());
}
