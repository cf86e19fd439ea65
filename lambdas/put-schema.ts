/** PUT /api/schemas/{name}: a JSON Schema document -> 200 {name, version, createdAt, schema}. */
import { registerSchema } from './core/schema-registry.js';
import { httpHandler } from './http/handler.js';
import { jsonBody, parseWith } from './http/request.js';
import { schemaDocumentBody, schemaNameParam } from './http/schemas.js';

export const handler = httpHandler(async ({ event, deps }) => {
  const name = parseWith(schemaNameParam, event.pathParameters?.name, 'name');
  const schema = parseWith(schemaDocumentBody, jsonBody(event), 'request body');
  return { statusCode: 200, body: await registerSchema(deps, name, schema) };
});
