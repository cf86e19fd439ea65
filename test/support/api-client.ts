/** A small client for the public API, as a user's script would call it (fetch + FormData). */
export interface ApiAnswer<T = Record<string, unknown>> {
  status: number;
  body: T;
}

async function answer<T>(response: Response): Promise<ApiAnswer<T>> {
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`Expected a JSON body, got ${response.status} ${JSON.stringify(text.slice(0, 200))}`);
  }
  return { status: response.status, body: body as T };
}

export class ApiClient {
  /** `token`: sent as `Authorization: Bearer <token>` on every request (none: no header at all). */
  constructor(
    readonly baseUrl: string,
    readonly token?: string,
  ) {}

  /** The same API as another caller. */
  as(token: string | undefined): ApiClient {
    return new ApiClient(this.baseUrl, token);
  }

  private headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token === undefined ? extra : { ...extra, authorization: `Bearer ${this.token}` };
  }

  async init(body: unknown): Promise<ApiAnswer> {
    return answer(
      await fetch(`${this.baseUrl}/api/upload/init`, {
        method: 'POST',
        headers: this.headers({ 'content-type': 'application/json' }),
        body: typeof body === 'string' ? body : JSON.stringify(body),
      }),
    );
  }

  async chunk(
    fields: { uploadId: string; chunkIndex: number | string; totalChunks: number | string },
    bytes?: Uint8Array,
  ): Promise<ApiAnswer> {
    const form = new FormData();
    form.set('uploadId', fields.uploadId);
    form.set('chunkIndex', String(fields.chunkIndex));
    form.set('totalChunks', String(fields.totalChunks));
    if (bytes) form.set('chunk', new Blob([bytes]), 'blob');
    return answer(
      await fetch(`${this.baseUrl}/api/upload/chunk`, {
        method: 'POST',
        body: form,
        headers: this.headers(),
      }),
    );
  }

  async status(uploadId: string): Promise<ApiAnswer> {
    return answer(
      await fetch(`${this.baseUrl}/api/upload/status/${encodeURIComponent(uploadId)}`, {
        headers: this.headers(),
      }),
    );
  }

  async complete(uploadId: string): Promise<ApiAnswer> {
    return answer(
      await fetch(`${this.baseUrl}/api/upload/complete/${encodeURIComponent(uploadId)}`, {
        method: 'POST',
        headers: this.headers(),
      }),
    );
  }

  async abort(uploadId: string): Promise<ApiAnswer> {
    return answer(
      await fetch(`${this.baseUrl}/api/upload/${encodeURIComponent(uploadId)}`, {
        method: 'DELETE',
        headers: this.headers(),
      }),
    );
  }

  async notify(uploadId: string): Promise<ApiAnswer> {
    return answer(
      await fetch(`${this.baseUrl}/api/upload/${encodeURIComponent(uploadId)}/notify`, { method: 'POST' }),
    );
  }

  /** Registers a JSON Schema; a string body is sent as is. */
  async putSchema(name: string, document: unknown): Promise<ApiAnswer> {
    return answer(
      await fetch(`${this.baseUrl}/api/schemas/${encodeURIComponent(name)}`, {
        method: 'PUT',
        headers: this.headers({ 'content-type': 'application/json' }),
        body: typeof document === 'string' ? document : JSON.stringify(document),
      }),
    );
  }

  async getSchema(name: string): Promise<ApiAnswer> {
    return answer(
      await fetch(`${this.baseUrl}/api/schemas/${encodeURIComponent(name)}`, { headers: this.headers() }),
    );
  }

  /** Polls status until the upload leaves `processing`. */
  async waitUntilFinal(uploadId: string, timeoutMs = 30_000): Promise<ApiAnswer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const status = await this.status(uploadId);
      if (status.status !== 200 || status.body.state !== 'processing' || Date.now() > deadline) return status;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** Splits `file` into the API's chunks. */
export function chunksOf(file: Uint8Array, chunkSize: number): Uint8Array[] {
  const chunks: Uint8Array[] = [];
  for (let offset = 0; offset < file.length; offset += chunkSize)
    chunks.push(file.subarray(offset, offset + chunkSize));
  return chunks;
}

/** Runs `work` over `items` with at most `parallel` at once. */
export async function inParallel<T>(items: readonly T[], parallel: number, work: (item: T) => Promise<void>) {
  let next = 0;
  await Promise.all(
    Array.from({ length: parallel }, async () => {
      while (next < items.length) {
        const item = items[next++] as T;
        await work(item);
      }
    }),
  );
}
