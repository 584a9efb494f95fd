//! How tests are declared and run: `db_test!` (once per engine) and `api_test!`, the
//! registry the custom `main` lists, and the runtime each test gets.

use super::*;

/// Declares a test that runs once on SQLite and once on PostgreSQL; with
/// `config = |c: &mut Config| …`, on a server configured so.
#[macro_export]
macro_rules! db_test {
    ($name:ident, config = $configure:expr, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "sqlite",
                    run: || $crate::common::block_on($crate::common::run_with(
                        $crate::common::Backend::Sqlite,
                        $configure,
                        $body,
                    )),
                    ignored: false,
                }
            }

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "postgres",
                    run: || $crate::common::block_on($crate::common::run_with(
                        $crate::common::Backend::Postgres,
                        $configure,
                        $body,
                    )),
                    ignored: false,
                }
            }
        }
    };
    ($name:ident, $body:expr) => {
        mod $name {
            #[allow(unused_imports)]
            use super::*;

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "sqlite",
                    run: || $crate::common::block_on(
                        $crate::common::run($crate::common::Backend::Sqlite, $body),
                    ),
                    ignored: false,
                }
            }

            inventory::submit! {
                $crate::common::Case {
                    module: module_path!(),
                    name: "postgres",
                    run: || $crate::common::block_on(
                        $crate::common::run($crate::common::Backend::Postgres, $body),
                    ),
                    ignored: false,
                }
            }
        }
    };
}

/// Registers a test that is not run once per database engine: `async fn $name()` or,
/// with `sync`, `fn $name()`, returning `()` or a [`Completion`].
#[macro_export]
macro_rules! api_test {
    ($name:ident) => {
        inventory::submit! {
            $crate::common::Case {
                module: module_path!(),
                name: stringify!($name),
                run: || $crate::common::block_on($name()),
                ignored: false,
            }
        }
    };
    (ignored $name:ident) => {
        inventory::submit! {
            $crate::common::Case {
                module: module_path!(),
                name: stringify!($name),
                run: || $crate::common::block_on($name()),
                ignored: true,
            }
        }
    };
    (sync $name:ident) => {
        inventory::submit! {
            $crate::common::Case {
                module: module_path!(),
                name: stringify!($name),
                run: || $crate::common::IntoCompletion::into_completion($name()),
                ignored: false,
            }
        }
    };
}

/// One registered test: `module::name` in the listing.
pub struct Case {
    pub module: &'static str,
    pub name: &'static str,
    pub run: fn() -> Completion,
    /// Run only when asked (`-- --ignored`): reports by hand, not checks.
    pub ignored: bool,
}

inventory::collect!(Case);

/// What a test body may return: nothing (it ran), or whether it ran or was skipped.
pub trait IntoCompletion {
    fn into_completion(self) -> Completion;
}

impl IntoCompletion for () {
    fn into_completion(self) -> Completion {
        Completion::Completed
    }
}

impl IntoCompletion for Completion {
    fn into_completion(self) -> Completion {
        self
    }
}

/// Runs `test` to the end on a runtime of its own, like `#[tokio::test]` with two
/// workers.
pub fn block_on<T: IntoCompletion>(test: impl Future<Output = T>) -> Completion {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("test runtime")
        .block_on(test)
        .into_completion()
}

/// The storage key of an `Integration` id the API returned.
pub fn integration_id(gid: &str) -> socialgate::domain::IntegrationId {
    IntegrationGid::decode(gid).expect("integration id").0
}

/// The storage key of a `ConnectionAttempt` id the API returned.
pub fn attempt_id(gid: &str) -> socialgate::domain::AttemptId {
    socialgate::graphql::ids::AttemptGid::decode(gid)
        .expect("attempt id")
        .0
}
