/**
 * Structured JSON logs, one object per line, with the upload id on every line that concerns an
 * upload. Never log request bodies, chunk bytes or tokens.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';
const order: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(message: string, fields?: Record<string, unknown>): void;
  info(message: string, fields?: Record<string, unknown>): void;
  warn(message: string, fields?: Record<string, unknown>): void;
  error(message: string, fields?: Record<string, unknown>): void;
  /** A logger that adds `fields` (e.g. `{uploadId}`) to every line. */
  child(fields: Record<string, unknown>): Logger;
}

const serializeError = (value: unknown): unknown =>
  value instanceof Error ? { name: value.name, message: value.message, stack: value.stack } : value;

export function createLogger(
  base: Record<string, unknown> = {},
  /** Fixed level; by default LOG_LEVEL, read at each line so the local stack can set it late. */
  minLevel?: Level,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Logger {
  const emit = (level: Level, message: string, fields: Record<string, unknown> = {}) => {
    const threshold = order[minLevel ?? (process.env.LOG_LEVEL as Level)] ?? order.info;
    if (order[level] < threshold) return;
    const entry: Record<string, unknown> = { level, time: new Date().toISOString(), message, ...base };
    for (const [key, value] of Object.entries(fields)) entry[key] = serializeError(value);
    write(JSON.stringify(entry));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger({ ...base, ...fields }, minLevel, write),
  };
}

export const logger = createLogger({ service: 'upload-api' });
