import { describe, it, expect } from 'vitest';
import { createRequire } from 'node:module';
import { uws, uwsIsNative } from '../../src/gateway/uws.ts';

describe('uWebSockets.js loader', () => {
  it('loads the native binding, not the ws fallback', () => {
    expect(uwsIsNative).toBe(true);
    // The fallback shim has no uSockets-level functions; the native binding has them all.
    expect(typeof uws.us_listen_socket_close).toBe('function');
    expect(typeof uws.us_socket_local_port).toBe('function');
    expect(typeof (uws as unknown as { getParts: unknown }).getParts).toBe('function');
  });

  it('is the very module of the binary for this platform and Node ABI', () => {
    const require = createRequire(import.meta.url);
    const binary = require(`uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`) as unknown;
    expect(uws).toBe(binary);
  });
});
