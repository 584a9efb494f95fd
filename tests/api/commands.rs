//! The binary's commands refuse what the server would refuse: `token` does not sign
//! with a secret the server does not verify with (a public key wins there).

use crate::api_test;

api_test!(sync token_refuses_when_the_server_verifies_with_a_public_key);
fn token_refuses_when_the_server_verifies_with_a_public_key() {
    let run = |public_key: Option<&str>| {
        let mut command = std::process::Command::new(env!("CARGO_BIN_EXE_socialgate"));
        command
            .args(["token", "--tenant", "t", "--sub", "s", "--role", "advisor"])
            .env_clear()
            .env(
                "SOCIALGATE_JWT_SECRET",
                "a secret that is long enough for hs256 x",
            );
        if let Some(key) = public_key {
            command.env("SOCIALGATE_JWT_PUBLIC_KEY", key);
        }
        command.output().expect("the command runs")
    };
    let signed = run(None);
    assert!(signed.status.success(), "{signed:?}");
    assert_eq!(
        String::from_utf8_lossy(&signed.stdout).matches('.').count(),
        2
    );
    let refused = run(Some(
        "-----BEGIN PUBLIC KEY-----\nMFkw\n-----END PUBLIC KEY-----\n",
    ));
    assert!(!refused.status.success());
    let said = String::from_utf8_lossy(&refused.stderr);
    assert!(said.contains("SOCIALGATE_JWT_PUBLIC_KEY"), "{said}");
}
