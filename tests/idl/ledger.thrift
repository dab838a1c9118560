// Methods that may and may not be sent twice, for the client retry test
// (tests/tests/middleware_client.rs): `balance` is annotated idempotent, `audit` is marked by
// `Config::idempotent` in build.rs, `deposit` is neither.

service Ledger {
  /** The balance of `account`: reading it twice does no harm. */
  i64 balance(1: string account) (bidi.idempotent)
  /** Adds `amount` to `account`: sent twice, it adds twice. */
  i64 deposit(1: string account, 2: i64 amount)
  /** Reads `account` for an audit: as harmless as `balance`, marked by the build script. */
  i64 audit(1: string account)
}
