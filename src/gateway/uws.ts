/**
 * The transport (transport.ts) on uWebSockets.js, the only file that imports the package. Loads the
 * native binding directly: the package's loader silently falls back to a partial `ws` shim with other
 * limits, which we refuse to run on.
 */
import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';
import type { Listener, SocketHandlers, SocketLimits, Transport } from './transport.ts';

const require = createRequire(import.meta.url);

function loadNative(): typeof Uws {
  const binary = `uWebSockets.js/binaries/uws_${process.platform}_${process.arch}_${process.versions.modules}.node`;
  let mod: typeof Uws;
  try {
    mod = require(binary) as typeof Uws;
  } catch (err) {
    throw new Error(
      `uWebSockets.js: no native binding for ${process.platform}/${process.arch}, Node ABI ${process.versions.modules} ` +
        `(${binary}): ${(err as Error).message}. Use Node 20 (ABI 115) on a supported platform.`,
      { cause: err },
    );
  }
  if (typeof mod.App !== 'function' || typeof mod.us_listen_socket_close !== 'function') {
    throw new Error(`uWebSockets.js: ${binary} loaded but does not look like the native binding`);
  }
  return mod;
}

export const uws: typeof Uws = loadNative();

/** True when the native .node binding is in use (the only way this module loads at all). */
export const uwsIsNative: boolean =
  typeof (uws as unknown as { getParts?: unknown }).getParts === 'function' &&
  typeof uws.us_listen_socket_close === 'function' &&
  typeof uws.us_socket_local_port === 'function';

/** A uWS App behind the Transport interface; the settings the gateway has always run with. */
export function createUwsTransport(): Transport {
  const app = uws.App();
  return {
    get: (pattern, handler) => app.get(pattern, handler),
    any: (pattern, handler) => app.any(pattern, handler),
    ws<T>(pattern: string, limits: SocketLimits, handlers: SocketHandlers<T>) {
      app.ws<T>(pattern, {
        maxPayloadLength: limits.maxPayloadLength,
        idleTimeout: limits.idleTimeoutSeconds,
        sendPingsAutomatically: true,
        maxBackpressure: limits.maxBackpressure,
        closeOnBackpressureLimit: 1,
        compression: uws.DISABLED,
        ...handlers,
      });
    },
    listen: (host, port) =>
      new Promise<Listener>((resolve, reject) => {
        app.listen(host, port, (socket) => {
          if (!socket) return reject(new Error(`gateway: cannot listen on ${host}:${port}`));
          // The listen socket is a us_socket as far as uSockets is concerned.
          const bound = uws.us_socket_local_port(socket as unknown as Uws.us_socket);
          resolve({ port: bound, close: () => uws.us_listen_socket_close(socket) });
        });
      }),
  };
}
