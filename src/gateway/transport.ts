/**
 * The gateway's transport seam: the HTTP and WebSocket server surface src/gateway uses. Only
 * uws.ts (uWebSockets.js, the one file that imports the package) implements it today; another
 * server (e.g. `ws` on node:http) could, behind the same interface: README, "Runtime: Node 20 and
 * uWebSockets.js". The shapes and rules are uWS's: a response answered after an await registers
 * onAborted first, writes happen inside cork, and the ArrayBuffers handed to callbacks are valid
 * only until they return.
 */

/** One HTTP response. */
export interface HttpResponse {
  writeStatus(status: string): HttpResponse;
  writeHeader(key: string, value: string): HttpResponse;
  /** False when the chunk was buffered under backpressure: wait for onWritable. */
  write(chunk: Uint8Array | string): boolean;
  end(body?: string): HttpResponse;
  /** Closes the connection at once (an incomplete body tells the client it is incomplete). */
  close(): HttpResponse;
  cork(cb: () => void): HttpResponse;
  onAborted(handler: () => void): HttpResponse;
  onWritable(handler: (offset: number) => boolean): HttpResponse;
  getRemoteAddressAsText(): ArrayBuffer;
  /** Accepts a WebSocket upgrade with the socket's state (in a SocketHandlers.upgrade only). */
  upgrade<T>(state: T, secWebSocketKey: string, secWebSocketProtocol: string, secWebSocketExtensions: string, context: UpgradeContext): void;
}

/** One HTTP request, readable only during its handler's synchronous run. */
export interface HttpRequest {
  getHeader(lowerCaseName: string): string;
  /** The path, without the query string. */
  getUrl(): string;
  getParameter(index: number): string | undefined;
}

/** The server's handle on one upgrade in progress, passed back to HttpResponse.upgrade. */
export type UpgradeContext = object;

export type HttpHandler = (res: HttpResponse, req: HttpRequest) => void;

/** Where features and the gateway register HTTP routes (first match wins; `/*` catches the rest). */
export interface HttpRouter {
  get(pattern: string, handler: HttpHandler): unknown;
  any(pattern: string, handler: HttpHandler): unknown;
}

/** One WebSocket connection carrying the state given at upgrade. */
export interface Socket<T> {
  /** 0 = backpressure (queued), 1 = sent, 2 = dropped by the transport's own limit. */
  send(message: string, isBinary?: boolean): number;
  end(code?: number, reason?: string): void;
  cork(cb: () => void): unknown;
  getBufferedAmount(): number;
  getUserData(): T;
}

export interface SocketHandlers<T> {
  upgrade(res: HttpResponse, req: HttpRequest, context: UpgradeContext): void;
  open(ws: Socket<T>): void;
  /** `message` is valid only until this returns. */
  message(ws: Socket<T>, message: ArrayBuffer, isBinary: boolean): void;
  close(ws: Socket<T>, code: number, reason: ArrayBuffer): void;
}

export interface SocketLimits {
  /** Frames beyond this close the connection. */
  maxPayloadLength: number;
  /** Seconds without traffic before the connection is closed (pings are sent automatically). */
  idleTimeoutSeconds: number;
  /** Unsent bytes beyond which the transport closes the socket itself. */
  maxBackpressure: number;
}

export interface Listener {
  port: number;
  /** Stops accepting connections; open ones stay. */
  close(): void;
}

/** An HTTP + WebSocket server, before it listens. */
export interface Transport extends HttpRouter {
  ws<T>(pattern: string, limits: SocketLimits, handlers: SocketHandlers<T>): void;
  listen(host: string, port: number): Promise<Listener>;
}
