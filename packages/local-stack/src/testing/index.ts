/**
 * @groundwork/local-stack/testing — what test suites and benchmarks need: a whole stack on
 * free ports with its own data folder, an isolated copy of its database per test file with
 * the API served for it, temp folders the database server can enter, access tokens for users that skip sign-in, and OAuth sign-ins
 * through the local identity provider without a browser.
 */
export { followOAuthFlow } from './follow-oauth-flow.ts';
export { freePorts } from './free-ports.ts';
export { mintUserToken } from './mint-user-token.ts';
export { startTestDatabase, type TestDatabase, type TestDatabaseOptions } from './start-test-database.ts';
export { startTestStack, type TestStack, type TestStackOptions } from './start-test-stack.ts';
export { makeStackTempDir } from './temp-dirs.ts';
