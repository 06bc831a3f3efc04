/**
 * Worker-thread load generator for bench/auth.ts: runs full three-level logins over its own
 * connections so the client's own crypto (X25519, HKDF, HMAC) uses another core than the server's
 * event loop. Posts { logins, seconds, cpuMs } when done (cpuMs is the whole process's: in a
 * worker it includes the server's thread, so bench/auth.ts does not use it).
 */
import { parentPort, workerData } from 'node:worker_threads';
import { prepareLoginLoad, type LoginLoadInput } from './login-drive.ts';

const load = prepareLoginLoad(workerData as LoginLoadInput);
parentPort?.postMessage(await load.go());
