/**
 * @groundwork/local-stack — the local Supabase API as a library, for tools and benchmarks
 * that start a stack themselves. The CLI (`groundwork`) is built from these same parts.
 * Test helpers (stacks on free ports, minted user tokens) are in `@groundwork/local-stack/testing`.
 *
 * Everything else under src/ is internal: import it only from inside this package.
 */
export { type LoadConfigOptions, loadConfig, type Ports, type StackConfig } from './config/load-config.ts';
export { createProjectKeys, type ProjectKeys } from './config/project-keys.ts';
export { generateTypes } from './database/generate-types.ts';
export { FINDING_KINDS, type Finding, type FindingKind, type Severity } from './doctor/finding.ts';
export { type DoctorReport, formatReport, runDoctor } from './doctor/run-doctor.ts';
export { isStackError, StackError, type StackErrorCode } from './errors.ts';
export { createLogger, type Logger, type LogSink, silentLogger } from './logger.ts';
// Service factories, for stacks that mount only some services (`startStack({ services })`).
export { createAuthService } from './services/auth/index.ts';
export { cronService } from './services/cron/index.ts';
export { checkFunctions, type FunctionsCheck } from './services/functions/check-functions.ts';
export { type FunctionsServiceOptions, functionsService } from './services/functions/functions-service.ts';
export { createMailCatcherService } from './services/mail/index.ts';
export { netService } from './services/net/index.ts';
export { realtimeService } from './services/realtime/index.ts';
export type { ServiceFactory } from './services/service.ts';
export { createSmsCatcherService } from './services/sms/index.ts';
export { createStorageService } from './services/storage/index.ts';
export { type RunningStack, type StartStackOptions, startStack } from './stack.ts';
export type { StackStatus } from './status.ts';
