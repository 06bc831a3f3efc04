/**
 * A small election over the real gateway for board tests: created and filled by the admin, letters
 * issued by e-mail to a real SMTP sink, then votes cast with the Node client library.
 */
import { EvoteConnection } from '../../src/client/connection.ts';
import { vote, type Receipt } from '../../src/client/voter.ts';
import type { ClientApp } from '../../src/client/voter.ts';
import type { BallotInput } from '../../src/client/ballot-choice.ts';
import type { TallyOutcome } from '../../src/tally/tally-run.ts';
import { issueLettersByEmail, type ReceivedLetter, type SmtpSink } from './letters.ts';
import { voterCsv } from './system.ts';

export interface SmallElection {
  electionId: string;
  admin: EvoteConnection;
  token: string;
  url: string;
  letters: ReceivedLetter[];
  client: ClientApp;
  start(): Promise<void>;
  /** Votes with letters[i] for choices[i] (a name, or a ranking, approvals or grades by name), one after the other. */
  castVotes(choices: BallotInput[], from?: number): Promise<Receipt[]>;
  end(): Promise<void>;
  tally(): Promise<TallyOutcome>;
}

/** `rules`: form, method and seats as election.create takes them (docs/methods.md "Ballot forms"); none is single-choice plurality. */
export async function smallElection(input: {
  url: string;
  token: string;
  sink: SmtpSink;
  theme: string;
  choices: string[];
  voters: number;
  rules?: { form: Record<string, unknown>; method: string; seats?: number };
}): Promise<SmallElection> {
  const { url, token } = input;
  const admin = await EvoteConnection.connect(url);
  const { electionId } = await admin.request<{ electionId: string }>(
    'command',
    'election.create',
    { theme: input.theme, choices: input.choices, expectedVoters: input.voters, ...input.rules },
    { token },
  );
  await admin.request('command', 'election.importVoters', { electionId, csv: voterCsv(input.voters, `${electionId.slice(0, 8)}.example.org`) }, { token });
  const client = await admin.request<ClientApp>('command', 'clients.register', { name: 'board test app' }, { token });
  const e: SmallElection = {
    electionId,
    admin,
    token,
    url,
    letters: [],
    client,
    async start() {
      await admin.request('command', 'election.start', { electionId }, { token });
      e.letters = (await issueLettersByEmail(admin, token, electionId, input.sink)).letters;
    },
    async castVotes(choices, from = 0) {
      const out: Receipt[] = [];
      for (let i = 0; i < choices.length; i++) out.push(await vote({ url, credential: e.letters[from + i]!.credential, client, choice: choices[i]! }));
      return out;
    },
    async end() {
      await admin.request('command', 'election.end', { electionId }, { token });
    },
    tally: () => admin.request('command', 'tally.run', { electionId }, { token, timeoutMs: 120_000 }),
  };
  return e;
}
