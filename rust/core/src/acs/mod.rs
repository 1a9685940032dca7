//! DC/OS strict mode: service-account login against the Admin Router's ACS (IAM) service.
//!
//! - [`credential`]: `DCOS_SERVICE_ACCOUNT_CREDENTIAL` parsed and checked (pure);
//! - `jwt`: the RS256 login token we sign, and the `exp` of the auth token we get;
//! - [`login`]: the session — login, cache, renewal before `exp`, single flight, and
//!   forgetting a token a server refused (the transport asks it for the `Authorization`
//!   header of every request and reports `401 acsjwt` back).
//!
//! Protocol (dcos-docs-site iam-api; marathon-lb `DCOSAuth`; dcos-cli `pkg/login`):
//! `POST <login_endpoint>` `{"uid", "token": <RS256 JWT {uid, exp}>}` → `200 {"token"}`;
//! requests then carry `Authorization: token=<token>`. The private key, the login JWT and the
//! token are secrets: they never appear in output, errors, `Debug` or logs.

pub mod credential;
mod jwt;
pub mod login;

pub use credential::ServiceAccountCredential;
pub use jwt::unverified_expiry;
pub use login::ServiceAccountLogin;
