/**
 * Lines of an NDJSON stream (an export file, the HTTP export's body), a chunk's worth at a time.
 * readline gave the verifier one line per event and one promise per line; a 100,000-ballot export
 * has 600,000 lines, and that bookkeeping cost the audit's main thread more than splitting does.
 * Lines end at '\n' (NDJSON); a '\r' before it is dropped, a lone '\r' is JSON whitespace within
 * the line (readline ended a line there too). A last line without '\n' is still a line. Bytes are
 * decoded as UTF-8 across chunk boundaries.
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
