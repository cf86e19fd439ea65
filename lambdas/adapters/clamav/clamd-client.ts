/**
 * A client for clamd's socket protocol (`man clamd`), the four commands the scanner needs. Each
 * command is z-prefixed (NUL-terminated) on its own connection; INSTREAM sends the bytes as
 * chunks, each a 4-byte big-endian length then the data, and a zero length to end. clamd answers
 * once, NUL-terminated, and may answer early (and close) when the stream passes its
 * StreamMaxLength: an early answer is the answer, not a connection error.
 */
import { connect, type Socket } from 'node:net';
import type { Readable } from 'node:stream';

/** Where clamd listens: a Unix socket (`LocalSocket`) or TCP (`TCPSocket`, `TCPAddr`). */
export type ClamdAddress = { socketPath: string } | { host: string; port: number };

/** clamd could not be reached, or did not answer in time. */
export class ClamdError extends Error {
  constructor(
    message: string,
    /** `timeout`: no answer in time; `connection`: refused, reset or closed without an answer. */
    readonly kind: 'timeout' | 'connection' = 'connection',
  ) {
    super(message);
    this.name = 'ClamdError';
  }
}

/** Reading the bytes to scan failed: not the scanner's fault, so it is rethrown as it is. */
export class SourceStreamError extends Error {
  constructor(readonly source: unknown) {
    super(`Reading the file to scan failed: ${source instanceof Error ? source.message : String(source)}`);
    this.name = 'SourceStreamError';
  }
}

export function describeAddress(address: ClamdAddress): string {
  return 'socketPath' in address ? `unix:${address.socketPath}` : `tcp://${address.host}:${address.port}`;
}

/** One connection that resolves with clamd's NUL-terminated reply, or rejects on close/timeout. */
function exchange(
  address: ClamdAddress,
  timeoutMs: number,
  talk: (socket: Socket, settled: () => boolean) => Promise<void>,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket =
      'socketPath' in address ? connect(address.socketPath) : connect(address.port, address.host);
    let reply = '';
    let done = false;
    const finish = (error?: Error) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply);
    };
    const timer = setTimeout(
      () => finish(new ClamdError(`clamd did not answer within ${timeoutMs} ms`, 'timeout')),
      timeoutMs,
    );
    socket.setEncoding('utf8');
    socket.on('data', (data: string) => {
      reply += data;
      const end = reply.indexOf('\0');
      if (end >= 0) {
        reply = reply.slice(0, end);
        finish();
      }
    });
    const closedWithoutAnswer = (cause?: Error) =>
      reply.length > 0
        ? finish()
        : finish(
            new ClamdError(
              `clamd ${cause ? `failed: ${(cause as NodeJS.ErrnoException).code ?? cause.name}` : 'closed the connection without an answer'}`,
            ),
          );
    socket.on('error', (error) => closedWithoutAnswer(error));
    socket.on('close', () => closedWithoutAnswer());
    socket.once('connect', () => {
      talk(socket, () => done).catch((error: unknown) => {
        if (error instanceof SourceStreamError) {
          if (!done) {
            done = true;
            clearTimeout(timer);
            socket.destroy();
            reject(error);
          }
        } else closedWithoutAnswer(error instanceof Error ? error : new Error(String(error)));
      });
    });
  });
}

/** Sends a command without arguments (`PING`, `VERSION`, `RELOAD`) and returns the reply. */
export function clamdCommand(
  address: ClamdAddress,
  command: 'PING' | 'VERSION' | 'RELOAD',
  timeoutMs: number,
) {
  return exchange(address, timeoutMs, async (socket) => {
    socket.write(`z${command}\0`);
  });
}

/** Waits until the socket can take more, or is closed. */
function drained(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    const done = () => {
      socket.off('drain', done);
      socket.off('close', done);
      resolve();
    };
    socket.once('drain', done);
    socket.once('close', done);
  });
}

/**
 * Streams the bytes with INSTREAM and returns clamd's reply (`stream: OK`, `stream: <name>
 * FOUND`, `... ERROR`) and how many bytes were sent. A failing source rejects with
 * {@link SourceStreamError}; an unreachable or silent clamd with {@link ClamdError}.
 */
export async function clamdInstream(
  address: ClamdAddress,
  stream: Readable,
  timeoutMs: number,
): Promise<{ reply: string; sentBytes: number }> {
  let sentBytes = 0;
  try {
    const reply = await exchange(address, timeoutMs, async (socket, settled) => {
      socket.write('zINSTREAM\0');
      const iterator = stream[Symbol.asyncIterator]();
      while (!settled()) {
        let next: IteratorResult<Buffer>;
        try {
          next = await iterator.next();
        } catch (error) {
          throw new SourceStreamError(error);
        }
        if (next.done) break;
        const chunk = next.value;
        const length = Buffer.allocUnsafe(4);
        length.writeUInt32BE(chunk.length);
        socket.write(length);
        const more = socket.write(chunk);
        sentBytes += chunk.length;
        if (!more) await drained(socket);
      }
      if (!settled()) socket.write(Buffer.alloc(4));
    });
    return { reply, sentBytes };
  } catch (error) {
    // clamd stops reading and closes the connection when a stream passes its StreamMaxLength;
    // whether its answer arrives before the reset is a race, so a reset mid-stream says so.
    if (error instanceof ClamdError && error.kind === 'connection' && sentBytes > 0) {
      throw new ClamdError(
        `${error.message} after ${sentBytes} bytes were sent (a file larger than clamd's StreamMaxLength ends this way)`,
        'connection',
      );
    }
    throw error;
  } finally {
    // clamd may answer before the end (a stream over its limit): stop reading the source.
    if (!stream.readableEnded) stream.destroy();
  }
}
