/**
 * `multipart/form-data` parsing with busboy, a streaming parser: the file part is collected
 * only up to its limit (one byte over tells "too large"), fields are bounded in count and size.
 */
import busboy from 'busboy';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../core/errors.js';

export interface MultipartForm {
  fields: Record<string, string>;
  files: Record<string, Buffer>;
}

export interface MultipartLimits {
  /** Largest accepted file part in bytes. */
  maxFileBytes: number;
  /** Name of the single file field accepted. */
  fileField: string;
}

export function parseMultipart(body: Buffer, contentType: string | undefined, limits: MultipartLimits) {
  if (!contentType || !/^multipart\/form-data\b/i.test(contentType)) {
    throw new UnsupportedMediaTypeError(
      `Content-Type must be multipart/form-data with fields uploadId, chunkIndex, totalChunks and a file field "${limits.fileField}", not ${JSON.stringify(contentType ?? '')}.`,
      { field: 'content-type' },
    );
  }
  return new Promise<MultipartForm>((resolve, reject) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: { 'content-type': contentType },
        limits: { files: 1, fields: 16, parts: 17, fieldSize: 1024, fileSize: limits.maxFileBytes + 1 },
      });
    } catch (error) {
      reject(
        new ValidationError(`Malformed multipart/form-data request: ${(error as Error).message}.`, {
          field: 'body',
        }),
      );
      return;
    }
    const form: MultipartForm = { fields: {}, files: {} };
    let failure: Error | undefined;
    const fail = (error: Error) => {
      failure ??= error;
    };
    parser.on('field', (name, value, info) => {
      if (info.valueTruncated) fail(new ValidationError(`Form field ${name} is too long.`, { field: name }));
      form.fields[name] = value;
    });
    parser.on('file', (name, stream) => {
      const parts: Buffer[] = [];
      let size = 0;
      stream.on('data', (data: Buffer) => {
        size += data.length;
        if (size <= limits.maxFileBytes) parts.push(data);
      });
      stream.on('limit', () =>
        fail(
          new PayloadTooLargeError(
            `The ${name} file part is larger than the largest chunk size, ${limits.maxFileBytes} bytes.`,
            {
              field: name,
              limit: 'CHUNK_SIZE',
            },
          ),
        ),
      );
      stream.on('close', () => {
        if (name !== limits.fileField) {
          fail(
            new ValidationError(
              `Unexpected file field ${JSON.stringify(name)}; send the chunk as "${limits.fileField}".`,
              { field: name },
            ),
          );
        }
        form.files[name] = Buffer.concat(parts);
      });
    });
    parser.on('filesLimit', () =>
      fail(new ValidationError('Send exactly one file part per request.', { field: limits.fileField })),
    );
    parser.on('fieldsLimit', () => fail(new ValidationError('Too many form fields.', { field: 'body' })));
    parser.on('partsLimit', () => fail(new ValidationError('Too many form parts.', { field: 'body' })));
    parser.on('error', (error: Error) =>
      reject(
        failure ??
          new ValidationError(`Malformed multipart/form-data body: ${error.message}.`, { field: 'body' }),
      ),
    );
    parser.on('close', () => (failure ? reject(failure) : resolve(form)));
    parser.end(body);
  });
}
