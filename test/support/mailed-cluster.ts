import { EvoteConnection } from '../../src/client/connection.ts';
import type { Config } from '../../src/app/config.ts';
import { startTestCluster, type TestCluster } from './system.ts';
import { startSmtpSink, type SmtpSink, type SmtpSinkOptions } from './letters.ts';

/** A test cluster that mails letters to an in-process SMTP sink, with an admin connection to its first gateway. */
export interface MailedCluster {
  sink: SmtpSink;
  cluster: TestCluster;
  admin: EvoteConnection;
  close(): Promise<void>;
}

export async function startMailedCluster(opts: { processes?: number; config?: Partial<Config>; sink?: SmtpSinkOptions } = {}): Promise<MailedCluster> {
  const sink = await startSmtpSink(opts.sink);
  const cluster = await startTestCluster({ ...(opts.processes !== undefined && { processes: opts.processes }), config: { smtpUrl: sink.url, ...opts.config } });
  const admin = await EvoteConnection.connect(cluster.systems[0]!.gateway!.url);
  return {
    sink,
    cluster,
    admin,
    async close() {
      await admin.close();
      await cluster.close();
      await sink.close();
    },
  };
}
