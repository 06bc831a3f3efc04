/** JSON Schema pieces shared by the message modules, so one field is validated one way everywhere. */
import { ELECTION_ID_PATTERN } from '../domain/election.ts';
import type { JsonSchema } from './schemas.ts';

/** An object with exactly these properties: anything else is INVALID_PAYLOAD, never passed on. */
export const strictObject = (properties: Record<string, JsonSchema>, required: string[] = []): JsonSchema => ({
  type: 'object',
  additionalProperties: false,
  properties,
  required,
});

/** Election ids: server-made UUIDs, or an admin's own id of the same safe alphabet. */
export const electionIdSchema: JsonSchema = { type: 'string', pattern: ELECTION_ID_PATTERN };
/** A SHA-256 digest in lowercase hex (ballot hashes, Merkle roots). */
export const sha256HexSchema: JsonSchema = { type: 'string', pattern: '^[0-9a-f]{64}$' };
/** A 128-bit token (N1, N2) in unpadded base64url (src/credentials/tokens.ts). */
export const token128Schema: JsonSchema = { type: 'string', pattern: '^[A-Za-z0-9_-]{22}$' };
