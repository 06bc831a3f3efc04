import { describe, expect, it } from 'vitest';
import { ndjsonLineBatches } from '../../src/audit/ndjson-lines.ts';

async function lines(chunks: (string | Uint8Array)[]): Promise<string[]> {
  const out: string[] = [];
  for await (const batch of ndjsonLineBatches((async function* () { yield* chunks; })())) out.push(...batch);
  return out;
}

describe('ndjsonLineBatches', () => {
  it('splits lines across chunk boundaries, drops a CR before LF, keeps a last line without LF', async () => {
    expect(await lines(['{"a":1}\n{"b"', ':2}\r\n\n', '{"c":3}'])).toEqual(['{"a":1}', '{"b":2}', '', '{"c":3}']);
    expect(await lines(['x\n'])).toEqual(['x']);
    expect(await lines([])).toEqual([]);
  });

  it('decodes UTF-8 split inside a character between chunks', async () => {
    const bytes = Buffer.from('{"é":"😀"}\n{"z":"ü"}', 'utf8');
    // Every split point, including inside the two-byte é and the four-byte emoji.
    for (let at = 0; at <= bytes.length; at++) {
      expect(await lines([bytes.subarray(0, at), bytes.subarray(at)])).toEqual(['{"é":"😀"}', '{"z":"ü"}']);
    }
  });

  it('gives the lines readline gave for an export (LF or CRLF line ends)', async () => {
    const { createInterface } = await import('node:readline');
    const { Readable } = await import('node:stream');
    const text = '{"a":1}\r\n{"b":2}\n\n {"c" : 3} \r\n{"d":"\\r"}\ne';
    const byReadline: string[] = [];
    for await (const l of createInterface({ input: Readable.from([text]), crlfDelay: Infinity })) byReadline.push(l);
    expect(await lines([text])).toEqual(byReadline);
    // Only LF ends a line: a lone CR is JSON whitespace inside a line (readline would split there).
    expect(await lines(['{"a":1,\r"b":2}\n'])).toEqual(['{"a":1,\r"b":2}']);
  });
});
