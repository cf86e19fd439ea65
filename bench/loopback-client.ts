/**
 * The benchmark's HTTP clients. The default one is node:http with a keep-alive agent and a
 * hand-built multipart body written in three pieces (no copy of the chunk): on a small machine the
 * client shares the CPU with the server, and fetch + FormData costs several times more per request
 * (measure it with `--client fetch`, which sends through the tests' `ApiClient`).
 */
import { Agent, request } from 'node:http';
import { ApiClient } from '../test/support/api-client.js';

export interface Answer {
  status: number;
  body: Record<string, unknown>;
}

export interface ChunkFields {
  uploadId: string;
  chunkIndex: number;
  totalChunks: number;
}

/** What the benchmark sends; both clients answer parsed JSON bodies. */
export interface BenchClient {
  init(body: Record<string, unknown>): Promise<Answer>;
  chunk(fields: ChunkFields, bytes: Uint8Array): Promise<Answer>;
  status(uploadId: string): Promise<Answer>;
  complete(uploadId: string): Promise<Answer>;
  close(): void;
}

const boundary = '----upload-bench-7f3a9c';

function parse(status: number, text: string): Answer {
  try {
    return { status, body: JSON.parse(text) as Record<string, unknown> };
  } catch {
    throw new Error(`Expected a JSON body, got ${status} ${JSON.stringify(text.slice(0, 200))}`);
  }
}

/** node:http on a keep-alive agent: one socket per request in flight, reused. */
export class LoopbackClient implements BenchClient {
  private readonly agent = new Agent({ keepAlive: true });
  private readonly url: URL;

  constructor(baseUrl: string) {
    this.url = new URL(baseUrl);
  }

  private send(method: string, path: string, headers: Record<string, string | number>, body: Uint8Array[]) {
    return new Promise<Answer>((resolve, reject) => {
      const outgoing = request(
        { host: this.url.hostname, port: this.url.port, path, method, headers, agent: this.agent },
        (response) => {
          const parts: Buffer[] = [];
          response.on('data', (data: Buffer) => parts.push(data));
          response.on('end', () => {
            try {
              resolve(parse(response.statusCode ?? 0, Buffer.concat(parts).toString('utf8')));
            } catch (error) {
              reject(error);
            }
          });
          response.on('error', reject);
        },
      );
      outgoing.on('error', reject);
      for (const piece of body) outgoing.write(piece);
      outgoing.end();
    });
  }

  init(body: Record<string, unknown>): Promise<Answer> {
    const json = Buffer.from(JSON.stringify(body));
    return this.send(
      'POST',
      '/api/upload/init',
      { 'content-type': 'application/json', 'content-length': json.length },
      [json],
    );
  }

  chunk(fields: ChunkFields, bytes: Uint8Array): Promise<Answer> {
    const field = (name: string, value: string | number) =>
      `--${boundary}\r\nContent-Disposition: form-data; name="${name}"\r\n\r\n${value}\r\n`;
    const head = Buffer.from(
      `${field('uploadId', fields.uploadId)}${field('chunkIndex', fields.chunkIndex)}${field('totalChunks', fields.totalChunks)}` +
        `--${boundary}\r\nContent-Disposition: form-data; name="chunk"; filename="chunk"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    const tail = Buffer.from(`\r\n--${boundary}--\r\n`);
    return this.send(
      'POST',
      '/api/upload/chunk',
      {
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': head.length + bytes.length + tail.length,
      },
      [head, bytes, tail],
    );
  }

  status(uploadId: string): Promise<Answer> {
    return this.send('GET', `/api/upload/status/${encodeURIComponent(uploadId)}`, {}, []);
  }

  complete(uploadId: string): Promise<Answer> {
    return this.send('POST', `/api/upload/complete/${encodeURIComponent(uploadId)}`, {}, []);
  }

  close(): void {
    this.agent.destroy();
  }
}

/** fetch + FormData, as a user's script (and the end-to-end tests) would send. */
export class FetchClient implements BenchClient {
  private readonly api: ApiClient;
  constructor(baseUrl: string) {
    this.api = new ApiClient(baseUrl);
  }
  init(body: Record<string, unknown>) {
    return this.api.init(body);
  }
  chunk(fields: ChunkFields, bytes: Uint8Array) {
    return this.api.chunk(fields, bytes);
  }
  status(uploadId: string) {
    return this.api.status(uploadId);
  }
  complete(uploadId: string) {
    return this.api.complete(uploadId);
  }
  close(): void {}
}

export type ClientKind = 'http' | 'fetch';

export const createClient = (kind: ClientKind, baseUrl: string): BenchClient =>
  kind === 'fetch' ? new FetchClient(baseUrl) : new LoopbackClient(baseUrl);
