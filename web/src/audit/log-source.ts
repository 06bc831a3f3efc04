/**
 * The export's lines from a byte stream (a fetch body or a chosen file), a chunk at a time, as
 * src/audit/ndjson-lines.ts reads a file in Node: lines end at '\n', a '\r' before it is dropped.
 */
export async function* ndjsonLineBatches(stream: ReadableStream<Uint8Array>, onBytes?: (n: number) => void): AsyncGenerator<string[]> {
  const decoder = new TextDecoder('utf-8');
  const reader = stream.getReader();
  let tail = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      onBytes?.(value.byteLength);
      const lines = (tail + decoder.decode(value, { stream: true })).split('\n');
      tail = lines.pop() as string;
      if (lines.length > 0) yield lines.map(withoutCr);
    }
  } finally {
    reader.releaseLock();
  }
  const last = tail + decoder.decode();
  if (last !== '') yield [withoutCr(last)];
}

const withoutCr = (line: string) => (line.endsWith('\r') ? line.slice(0, -1) : line);
