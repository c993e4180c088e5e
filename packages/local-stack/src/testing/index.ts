/**
 * @groundwork/local-stack/testing — what test suites and benchmarks need: a whole stack on
 * free ports with its own data folder, and access tokens for users that skip sign-in.
 */
export { mintUserToken } from './mint-user-token.ts';
export { freePorts, startTestStack, type TestStack, type TestStackOptions } from './start-test-stack.ts';
