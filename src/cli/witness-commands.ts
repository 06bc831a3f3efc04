/** `evote witness keygen|run|status` (docs/witnesses.md). */
import { createReadStream } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { generateWitnessKey, parseVkey, vkeyOf, witnessSignerOf, type Cosignature, type WitnessKey } from '../audit/cosignature.ts';
import { createWitness } from '../audit/witness.ts';
import { witnessExport } from '../audit/witness-export.ts';
import { loadWitnessState } from '../audit/witness-state.ts';
import { ndjsonLineBatches } from '../audit/ndjson-lines.ts';
import { EvoteConnection } from '../client/connection.ts';
import { witnessLive } from '../client/witness-follow.ts';
import { CliError, EXIT } from './exit-codes.ts';
import { parseFingerprint } from '../crypto/election-fingerprint.ts';
import { printResult } from './output.ts';
import type { GlobalOptions } from './session.ts';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (err) {
    throw new CliError(EXIT.LOCAL_INPUT, `cannot read ${what} ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 'FILE_UNREADABLE');
  }
}

/** A vkey (`name+keyid+base64`), or a file holding one, or a witness key file (its public half). */
export async function witnessKeyFrom(spec: string): Promise<WitnessKey> {
  const direct = parseVkey(spec);
  if (direct) return direct;
  const text = (await readText(spec, 'witness key')).trim();
  const fromText = parseVkey(text);
  if (fromText) return fromText;
  try {
    const signer = witnessSignerOf(JSON.parse(text) as object);
    if (signer) return { name: signer.name, publicKey: signer.publicKey };
  } catch {
    // not JSON: reported below
  }
  throw new CliError(EXIT.LOCAL_INPUT, `${spec} is neither a witness vkey nor a witness key file`, 'BAD_WITNESS_KEY');
}

async function signerFrom(path: string) {
  let parsed: object;
  try {
    parsed = JSON.parse(await readText(path, 'witness key')) as object;
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(EXIT.LOCAL_INPUT, `${path} is not a witness key file`, 'BAD_WITNESS_KEY');
  }
  const signer = witnessSignerOf(parsed);
  if (!signer) throw new CliError(EXIT.LOCAL_INPUT, `${path} is not a witness key file (or its halves do not match)`, 'BAD_WITNESS_KEY');
  return signer;
}

const refused = (r: { code: string; message: string; size: number }) => new CliError(EXIT.WITNESS_REFUSED, `refused the checkpoint of size ${r.size}: [${r.code}] ${r.message}`, r.code);

interface RunOptions {
  key: string;
  state: string;
  election?: string;
  from?: string;
  submit?: boolean;
  untilTally?: boolean;
  out?: string;
  fingerprint?: string;
}

export function registerWitnessCommands(program: Command, globals: () => GlobalOptions): void {
  const witness = program.command('witness').description("an independent witness: co-signs an election's log checkpoints only after checking it grew consistently");
  witness
    .command('keygen')
    .description('make a witness Ed25519 key: the private key file (mode 0600) and <out>.pub, its public vkey for auditors')
    .requiredOption('--out <file>', 'the private key file to write (never overwritten)')
    .requiredOption('--name <name>', 'the witness name, a schema-less URL such as witness.example.org/w1')
    .action(async (o: { out: string; name: string }) => {
      let key;
      try {
        key = generateWitnessKey(o.name);
      } catch (err) {
        throw new CliError(EXIT.USAGE, (err as Error).message, 'USAGE');
      }
      const vkey = vkeyOf(key);
      try {
        await writeFile(o.out, JSON.stringify(key) + '\n', { mode: 0o600, flag: 'wx' });
        await writeFile(`${o.out}.pub`, vkey + '\n', { mode: 0o644, flag: 'wx' });
      } catch (err) {
        throw new CliError(EXIT.LOCAL_INPUT, `cannot write ${o.out}: ${(err as NodeJS.ErrnoException).code}`, 'FILE_UNWRITABLE');
      }
      printResult(globals(), { name: key.name, publicKey: key.publicKey, vkey, file: o.out }, () => `witness key written to ${o.out}; give auditors its vkey (also in ${o.out}.pub):\n${vkey}`);
    });

  witness
    .command('run')
    .description('co-sign the checkpoints of an election: live from the server (--url), or from an export (--from); exit 7 at the first refused checkpoint (fork, rollback, bad signature), state unchanged')
    .requiredOption('--key <file>', 'the witness key file (evote witness keygen)')
    .requiredOption('--state <file>', 'the state file: the last checkpoint co-signed, per election (created if absent)')
    .option('--election <id>', 'the election to follow live (required without --from)')
    .option('--from <export>', 'an exported log (evote log export) instead of following the server')
    .option('--submit', 'with --from: also submit the co-signatures to the server at --url')
    .option('--until-tally', 'live: stop once a checkpoint covering TallyPublished is co-signed')
    .option('--out <file>', 'also write the co-signatures as NDJSON to this file')
    .option('--fingerprint <fp>', "the election fingerprint (from the officials): co-sign nothing of an election whose keys give another (default: trust the first ElectionCreated's log key)")
    .action(async (o: RunOptions) => {
      const g = globals();
      const fingerprint = o.fingerprint === undefined ? undefined : parseFingerprint(o.fingerprint);
      if (o.fingerprint !== undefined && !fingerprint) throw new CliError(EXIT.USAGE, '--fingerprint must be 64 hex digits (spaces allowed)', 'USAGE');
      const signer = await signerFrom(o.key);
      const state = await loadWitnessState(o.state).catch((err: unknown) => {
        throw new CliError(EXIT.LOCAL_INPUT, `cannot read the state ${o.state}: ${(err as Error).message}`, 'BAD_WITNESS_STATE');
      });
      const w = createWitness({ signer, statePath: o.state, state });
      const made: Cosignature[] = [];
      const report = (c: Cosignature, note: string) => printResult(g, c, () => `co-signed ${c.electionId} size ${c.size} root ${c.root}${note}`);
      if (o.from) {
        const input = createReadStream(o.from);
        const r = await witnessExport(w, ndjsonLineBatches(input), fingerprint).catch((err: unknown) => {
          throw new CliError(EXIT.LOCAL_INPUT, `cannot read the export ${o.from}: ${(err as Error).message}`, 'BAD_EXPORT');
        });
        input.destroy();
        made.push(...r.cosignatures);
        let conn: EvoteConnection | undefined;
        if (o.submit && r.cosignatures.length > 0) conn = await EvoteConnection.connect(g.url, { timeoutMs: Number(g.timeout) });
        try {
          for (const c of r.cosignatures) {
            const sent = conn ? await conn.request<{ duplicate: boolean }>('command', 'witness.cosign', c) : undefined;
            report(c, sent ? (sent.duplicate ? ' (already published)' : ' (published)') : '');
          }
        } finally {
          await conn?.close();
        }
        if (o.out) await writeFile(o.out, made.map((c) => JSON.stringify(c) + '\n').join(''));
        if (r.refusal) throw refused(r.refusal);
        return;
      }
      if (!o.election) throw new CliError(EXIT.USAGE, '--election is required to follow a server (or give --from)', 'USAGE');
      const aborted = new AbortController();
      let dropped = false;
      const conn = await EvoteConnection.connect(g.url, { timeoutMs: Number(g.timeout), onClosed: () => ((dropped = true), aborted.abort()) }).catch((err: unknown) => {
        throw new CliError(EXIT.UNREACHABLE, `cannot reach the server at ${g.url} (${(err as Error).message})`, 'UNREACHABLE');
      });
      process.once('SIGINT', () => aborted.abort());
      process.once('SIGTERM', () => aborted.abort());
      try {
        const r = await witnessLive(conn, o.election, w, {
          untilTally: o.untilTally,
          ...(fingerprint && { fingerprint }),
          signal: aborted.signal,
          onCosigned: (c, sent) => {
            made.push(c);
            report(c, 'error' in sent ? ` (NOT published: ${sent.error})` : sent.duplicate ? ' (already published)' : ' (published)');
          },
        });
        if (o.out) await writeFile(o.out, made.map((c) => JSON.stringify(c) + '\n').join(''));
        if (r.refusal) throw refused(r.refusal);
        if (dropped && r.ended === 'aborted') throw new CliError(EXIT.UNREACHABLE, 'the server closed the connection: run again to resume from the state', 'CONNECTION_CLOSED');
        if (r.ended === 'failed') throw new CliError(EXIT.UNREACHABLE, `following the log failed: ${r.error ?? '?'}`, 'FOLLOW_FAILED');
        if (r.submitErrors > 0) throw new CliError(EXIT.REFUSED, `${r.submitErrors} co-signature(s) were not accepted by the server`, 'COSIGN_REFUSED');
      } finally {
        await conn.close();
      }
    });

  witness
    .command('status')
    .description("what the witness last co-signed of each election's log (size, root, time): a log shorter than this was cut")
    .requiredOption('--state <file>', 'the state file')
    .action(async (o: { state: string }) => {
      const state = await loadWitnessState(o.state).catch((err: unknown) => {
        throw new CliError(EXIT.LOCAL_INPUT, `cannot read the state ${o.state}: ${(err as Error).message}`, 'BAD_WITNESS_STATE');
      });
      const rows = Object.entries(state.logs).map(([electionId, l]) => ({ electionId, size: l.size, root: l.root, cosignedAt: new Date(l.time * 1000).toISOString() }));
      printResult(globals(), rows, (rs) => (rs.length ? rs.map((r) => `${r.electionId}: size ${r.size} root ${r.root} co-signed ${r.cosignedAt}`).join('\n') : 'no log co-signed yet'));
    });
}
