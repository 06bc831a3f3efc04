/**
 * docs/asyncapi.yaml's text: the gateway's AsyncAPI document written by the `yaml` package (a dev
 * dependency, so this lives with the build tooling, not in src/). Shared by
 * scripts/generate-asyncapi.ts and test/docs/asyncapi.test.ts so both write the same bytes.
 */
import { stringify } from 'yaml';
import { asyncApiDocument } from '../src/gateway/asyncapi.ts';
import type { MessageSpec } from '../src/gateway/schemas.ts';

export function asyncApiYaml(catalogue: readonly MessageSpec[], version: string): string {
  // Schemas shared between messages are written out in full (no &anchors / *aliases), and long
  // descriptions stay on one line so a diff of the file shows what changed.
  return stringify(asyncApiDocument(catalogue, version), { aliasDuplicateObjects: false, lineWidth: 0 });
}
