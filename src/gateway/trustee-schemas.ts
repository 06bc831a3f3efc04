/** JSON Schemas of the trustees' messages: the ceremony transcript (election.create) and partial decryptions. */
import { MAX_TRUSTEES, TRANSCRIPT_VERSION, TRUSTEE_NAME_MAX_LENGTH } from '../domain/trustees.ts';
import { sha256HexSchema, strictObject } from './schema-parts.ts';
import type { JsonSchema } from './schemas.ts';

const base64url = (min: number, max: number): JsonSchema => ({ type: 'string', pattern: `^[A-Za-z0-9_-]{${min},${max}}$` });

/** A raw Ed25519 public key or signature, base64url. */
export const ed25519KeySchema = base64url(43, 43);
export const ed25519SignatureSchema = base64url(86, 86);

const trustee = strictObject(
  {
    index: { type: 'integer', minimum: 1, maximum: MAX_TRUSTEES },
    name: { type: 'string', minLength: 1, maxLength: TRUSTEE_NAME_MAX_LENGTH },
    identityKey: ed25519KeySchema,
    shareCommitment: sha256HexSchema,
  },
  ['index', 'name', 'identityKey', 'shareCommitment'],
);

/** `evote ceremony`'s transcript.json as written; the threshold parameters are checked by parseThresholdParams. */
export const TRANSCRIPT_SCHEMA: JsonSchema = strictObject(
  {
    version: { const: TRANSCRIPT_VERSION },
    ballotPublicKey: base64url(300, 800),
    threshold: { type: 'integer', minimum: 1, maximum: MAX_TRUSTEES },
    params: strictObject(
      {
        scheme: { type: 'string', maxLength: 64 },
        n: base64url(2, 700),
        e: base64url(1, 12),
        k: { type: 'integer', minimum: 1, maximum: MAX_TRUSTEES },
        l: { type: 'integer', minimum: 1, maximum: MAX_TRUSTEES },
        v: base64url(2, 700),
        vi: { type: 'array', minItems: 1, maxItems: MAX_TRUSTEES, items: base64url(2, 700) },
      },
      ['scheme', 'n', 'e', 'k', 'l', 'v', 'vi'],
    ),
    trustees: { type: 'array', minItems: 1, maxItems: MAX_TRUSTEES, items: trustee },
    createdAt: { type: 'string', maxLength: 40 },
  },
  ['version', 'ballotPublicKey', 'threshold', 'params', 'trustees', 'createdAt'],
);
