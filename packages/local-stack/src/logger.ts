/** One line per event, prefixed by the part of the stack that speaks. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  child(scope: string): Logger;
}

export type LogSink = (line: string) => void;

export function createLogger(
  scope: string,
  sink: LogSink = (line) => process.stderr.write(`${line}\n`),
): Logger {
  const write = (level: string, message: string) => {
    const prefix = level === 'info' ? '' : `${level}: `;
    for (const line of message.split('\n')) sink(`[${scope}] ${prefix}${line}`);
  };
  return {
    info: (message) => write('info', message),
    warn: (message) => write('warn', message),
    error: (message) => write('error', message),
    child: (child) => createLogger(`${scope}:${child}`, sink),
  };
}

export const silentLogger: Logger = {
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
