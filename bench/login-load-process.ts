/**
 * Child-process load generator for bench/auth.ts (`loginLoadProcesses`): a gateway serves remote
 * clients, so the fair measurement keeps the clients out of the server's process, and the server's
 * CPU time then counts the server alone. Protocol over the IPC channel:
 *   parent → { input }     child connects and warms up, then → 'ready'
 *   parent → 'go'          child runs the timed logins, then → { report } and exits
 */
import { prepareLoginLoad, type LoginLoadInput, type LoginLoadReport } from './login-drive.ts';

type FromParent = { input: LoginLoadInput } | 'go';
export type FromLoadProcess = 'ready' | { report: LoginLoadReport } | { error: string };

const send = (m: FromLoadProcess) => process.send?.(m);
let load: ReturnType<typeof prepareLoginLoad> | undefined;

process.on('message', (m: FromParent) => {
  if (m !== 'go') {
    load = prepareLoginLoad(m.input);
    load.ready.then(() => send('ready'), (err: unknown) => fail(err));
    return;
  }
  load!
    .go()
    .then((report) => {
      send({ report });
      process.disconnect();
    })
    .catch(fail);
});

function fail(err: unknown) {
  send({ error: (err as Error).message });
  process.exitCode = 1;
  process.disconnect();
}
