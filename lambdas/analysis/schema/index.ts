/** Schema checks of dataset records: families, their rules, and teams' registered JSON Schemas. */
export { chatRoles, checkMessages } from './chat-rules.js';
export { compileCustomSchema, fieldPath } from './custom-schema.js';
export { detectFamily } from './detect-family.js';
export { DuplicateDetector } from './duplicate-detector.js';
export { createSchemaVisitor, type SchemaVisitor } from './schema-visitor.js';
export { validateRecord } from './validate-record.js';
