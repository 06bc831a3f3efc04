/**
 * `GET /elections/:id/log`: the election's log as NDJSON, streamed with uWS backpressure, so a client
 * that stops reading stops the store reads (docs/audit.md, "Export").
 */
import { Writable } from 'node:stream';
import type { EventStore } from '../eventstore/port.ts';
import { electionStreamId } from '../domain/streams.ts';
import type { Logger } from '../runtime/log.ts';
import { exportLog } from '../audit/export.ts';
import type { HttpResponse, HttpRouter } from './transport.ts';

const ELECTION_ID = /^[A-Za-z0-9_-]{1,64}$/;
const JSON_TYPE = 'application/json; charset=utf-8';

class ResponseWritable extends Writable {
  private started = false;
  constructor(private readonly res: HttpResponse, private readonly isAborted: () => boolean) {
    super({ highWaterMark: 256 * 1024 });
  }

  private head(): void {
    if (this.started) return;
    this.started = true;
    this.res.writeStatus('200 OK').writeHeader('Content-Type', 'application/x-ndjson; charset=utf-8').writeHeader('Cache-Control', 'no-store');
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (err?: Error | null) => void): void {
    if (this.isAborted()) return done(new Error('client went away'));
    let drained = true;
    this.res.cork(() => {
      this.head();
      drained = this.res.write(chunk);
    });
    if (drained) return done();
    this.res.onWritable(() => {
      done();
      return true;
    });
  }

  override _final(done: (err?: Error | null) => void): void {
    if (!this.isAborted()) {
      this.res.cork(() => {
        this.head();
        this.res.end();
      });
    }
    done();
  }
}

export function registerLogExportRoute(app: HttpRouter, deps: { store: EventStore; log: Logger }): void {
  app.get('/elections/:id/log', (res, req) => {
    const electionId = req.getParameter(0) ?? '';
    let aborted = false;
    const out = new ResponseWritable(res, () => aborted);
    res.onAborted(() => {
      aborted = true;
      out.destroy(new Error('client went away'));
    });
    const fail = (status: string, code: string, message: string) => {
      if (!aborted) res.cork(() => res.writeStatus(status).writeHeader('Content-Type', JSON_TYPE).end(JSON.stringify({ error: { code, message } })));
    };
    if (!ELECTION_ID.test(electionId)) return fail('400 Bad Request', 'INVALID_ELECTION_ID', "an election id is 1 to 64 letters, digits, '-' or '_'");
    void (async () => {
      const created = await deps.store.readStream(electionStreamId(electionId), { limit: 1 });
      if (created.length === 0) return fail('404 Not Found', 'ELECTION_NOT_FOUND', `election ${electionId} not found`);
      await exportLog(deps.store, electionId, out);
      out.end();
    })().catch((err: unknown) => {
      if (aborted) return;
      deps.log.error('log export failed', { electionId, error: (err as Error).message });
      // Headers may be out already: closing without the final chunk tells the client the body is incomplete.
      try {
        res.cork(() => res.close());
      } catch {
        // Already closed.
      }
    });
  });
}
