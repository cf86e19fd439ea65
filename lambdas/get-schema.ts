/** GET /api/schemas/{name} -> 200 {name, version, createdAt, schema}, 404 when nothing is registered. */
import { getSchema } from './core/schema-registry.js';
import { httpHandler } from './http/handler.js';

export const handler = httpHandler(async ({ event, deps }) => ({
  statusCode: 200,
  // A malformed name is answered 404 like an unknown one: no schema can be registered under it.
  body: await getSchema(deps, event.pathParameters?.name ?? ''),
}));
