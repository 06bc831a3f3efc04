/**
 * Lines of an NDJSON stream a chunk at a time (readline's promise per line cost more). Lines end at
 * '\n'; a '\r' before it is dropped; a last line without '\n' is still a line.
 */
import { StringDecoder } from 'node:string_decoder';

export async function* ndjsonLineBatches(chunks: AsyncIterable<string | Uint8Array>): AsyncGenerator<string[]> {
  const decoder = new StringDecoder('utf8');
  let tail = '';
  for await (const chunk of chunks) {
    const text = tail + (typeof chunk === 'string' ? chunk : decoder.write(chunk));
    const lines = text.split('\n');
    tail = lines.pop() as string;
    if (lines.length > 0) yield lines.map(withoutCr);
  }
  const last = tail + decoder.end();
  if (last !== '') yield [withoutCr(last)];
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
