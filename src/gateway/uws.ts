/**
 * Loads the native uWebSockets.js binding directly: the package's loader silently falls back to a
 * partial `ws` shim with other limits, which we refuse to run on.
 */
import { createRequire } from 'node:module';
import type * as Uws from 'uWebSockets.js';

export type { HttpRequest, HttpResponse, TemplatedApp, WebSocket, WebSocketBehavior, us_listen_socket, us_socket } from 'uWebSockets.js';

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
