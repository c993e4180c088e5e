export { mintUserToken } from './mint-user-token.ts';
export { freePorts, startTestStack, type TestStack, type TestStackOptions } from './start-test-stack.ts';
