import { useEffect, useRef, useState } from 'preact/hooks';
import { EvoteError, lettersPdfPath, MAX_VOTERS_PAGE, planVoterImport, type AdminSession, type Channel, type ElectionRow, type TallyResults, type VoterRow } from './api.ts';
import { ElectionForm } from './elections.tsx';
import { RulesSummary } from './ballot-rules-fields.tsx';
import { t, type Key } from './messages.ts';
import { ConfirmButton, ErrorBox, Live, Section, useOperation } from './widgets.tsx';
import { Outcome } from '../shared/outcome.tsx';

type Props = { session: AdminSession; row: ElectionRow; reload: () => Promise<void>; announce: (text: string) => void };

/** One election: what the operator can do in its present state, in the order of its life. */
export function ElectionView({ session, electionId, onBack }: { session: AdminSession; electionId: string; onBack: () => void }) {
  const [row, setRow] = useState<ElectionRow | null>(null);
  const load = useOperation();
  const [announced, announce] = useState('');
  const heading = useRef<HTMLHeadingElement>(null);
  const reload = async () => {
    setRow(await session.getElection(electionId));
  };
  useEffect(() => {
    void load.run(reload);
    // Transitions made elsewhere (another operator, the automatic close) show here too.
    const unwatch = session.watchElection(electionId, () => void reload().catch(() => undefined)).catch(() => () => undefined);
    return () => void unwatch.then((stop) => stop());
  }, [electionId]);
  // A new state replaces the sections on screen: focus goes back to the election's heading.
  useEffect(() => {
    if (row) heading.current?.focus();
  }, [row?.electionId, row?.status]);

  return (
    <section aria-labelledby="election-title">
      <p>
        <button type="button" class="secondary" onClick={onBack}>
          {t('back')}
        </button>
      </p>
      <ErrorBox error={load.error} />
      {row ? (
        <>
          <h2 id="election-title" tabIndex={-1} ref={heading}>
            {row.theme}
          </h2>
          <dl class="admin-summary">
            <dt>{t('election.id')}</dt>
            <dd class="mono">{row.electionId}</dd>
            <dt>{t('election.status')}</dt>
            <dd>
              <span class={`admin-status admin-status-${row.status}`}>{t(`status.${row.status}` as Key)}</span>
            </dd>
            <dt>{t('election.voters')}</dt>
            <dd>{t('list.voters', { count: row.voterCount, expected: row.expectedVoters })}</dd>
            <RulesSummary ballot={row.ballot} weightClasses={row.weightClasses} />
            <dt>{t('election.closesAt')}</dt>
            <dd>{row.closesAt ? new Date(row.closesAt).toLocaleString() : t('election.none')}</dd>
          </dl>
          <p>
            <a href={`/elections/${encodeURIComponent(row.electionId)}`}>{t('election.board')}</a>
          </p>
          <Live id="election-live" text={announced} />
          {row.status === 'REGISTER' ? (
            <>
              <Configure session={session} row={row} reload={reload} announce={announce} />
              <ImportVoters session={session} row={row} reload={reload} announce={announce} />
              <StateChange session={session} row={row} reload={reload} announce={announce} which="start" />
            </>
          ) : null}
          {row.status === 'VOTE_STARTED' ? (
            <>
              <IssueLetters session={session} row={row} reload={reload} announce={announce} />
              <StateChange session={session} row={row} reload={reload} announce={announce} which="end" />
            </>
          ) : null}
          {row.status === 'VOTE_ENDED' ? <Tally session={session} row={row} reload={reload} announce={announce} /> : null}
          <Voters session={session} row={row} reload={reload} announce={announce} />
        </>
      ) : null}
    </section>
  );
}

function Configure({ session, row, reload }: Props) {
  const op = useOperation();
  return (
    <Section title={t('configure.title')} id="configure-title">
      <ElectionForm
        key={row.position}
        initial={{ theme: row.theme, choices: row.choices, expectedVoters: row.expectedVoters, closesAt: row.closesAt }}
        submitLabel={t('configure.save')}
        busy={op.busy}
        onSubmit={(f) =>
          op.run(async () => {
            const input: Parameters<AdminSession['configureElection']>[0] = { electionId: row.electionId };
            if (f.theme !== row.theme) input.theme = f.theme;
            if (JSON.stringify(f.choices) !== JSON.stringify(row.choices)) input.choices = f.choices;
            if (f.expectedVoters !== row.expectedVoters) input.expectedVoters = f.expectedVoters;
            if (f.closesAt !== row.closesAt && !(f.closesAt && row.closesAt && Date.parse(f.closesAt) === Date.parse(row.closesAt))) input.closesAt = f.closesAt;
            await session.configureElection(input);
            await reload();
            return t('configure.saved');
          })
        }
      />
      <ErrorBox error={op.error} />
      <Live id="configure-live" text={op.busy ? t('working') : op.done} />
    </Section>
  );
}

function ImportVoters({ session, row, reload }: Props) {
  const [file, setFile] = useState<{ text: string; total: number } | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number; skipped: number } | null>(null);
  const op = useOperation();
  const input = useRef<HTMLInputElement>(null);

  const choose = (f: File | undefined) =>
    op.run(async () => {
      setFile(null);
      setProgress(null);
      if (!f) return;
      const text = await f.text();
      // The server's own checks, run here first: a bad line is named before anything is sent.
      const plan = planVoterImport(text);
      if (!plan.ok) throw new EvoteError(plan.error.code, plan.error.message, plan.error.details);
      setFile({ text, total: plan.total });
      return t('import.checked', { total: plan.total });
    });

  const send = () =>
    file &&
    op.run(async () => {
      setProgress({ done: 0, total: file.total, skipped: 0 });
      const r = await session.importVoters(row.electionId, file.text, (p) => setProgress({ done: p.done, total: p.total, skipped: p.skipped ?? 0 }));
      setProgress({ done: file.total, total: file.total, skipped: r.skipped });
      setFile(null);
      if (input.current) input.current.value = '';
      await reload();
      return t('import.done', { imported: r.imported, skipped: r.skipped });
    });

  const text = op.busy && progress ? t('import.progress', progress) : op.busy ? t('import.reading') : op.done;
  return (
    <Section title={t('import.title')} id="import-title">
      <label for="import-file">{t('import.file')}</label>
      <input id="import-file" ref={input} type="file" accept=".csv,text/csv,text/plain" disabled={op.busy} onChange={(e) => void choose(e.currentTarget.files?.[0])} />
      <p>
        <button type="button" disabled={!file || op.busy} onClick={() => void send()}>
          {file ? t('import.run', { total: file.total }) : t('import.runNone')}
        </button>
      </p>
      <ErrorBox error={op.error} />
      <Live id="import-live" text={text} done={progress?.done} total={progress?.total} />
    </Section>
  );
}

function StateChange({ session, row, reload, announce, which }: Props & { which: 'start' | 'end' }) {
  const op = useOperation();
  return (
    <Section title={t(`${which}.title`)} id={`${which}-title`}>
      <ConfirmButton
        label={t(`${which}.run`)}
        busy={op.busy}
        onConfirm={() =>
          void op.run(async () => {
            if (which === 'start') await session.startVoting(row.electionId);
            else await session.endVoting(row.electionId);
            // This section leaves the page with the old state: the election's own live region says it.
            announce(t(`${which}.done`));
            await reload();
          })
        }
      />
      <ErrorBox error={op.error} />
      <Live id={`${which}-live`} text={op.busy ? t('working') : op.done} />
    </Section>
  );
}

/** The letters PDF fetched with the token, then offered as one download from an object URL. */
function useLettersDownload(session: AdminSession) {
  const [url, setUrl] = useState<{ href: string; name: string } | null>(null);
  useEffect(() => () => url && URL.revokeObjectURL(url.href), [url]);
  async function fetchFrom(result: unknown): Promise<number | undefined> {
    const path = lettersPdfPath(result);
    if (!path) return undefined;
    const blob = await session.fetchLetters(path);
    setUrl({ href: URL.createObjectURL(blob), name: path.split('/').pop() ?? 'letters.pdf' });
    return blob.size;
  }
  const link = url ? (
    <p>
      <a class="button" href={url.href} download={url.name}>
        {t('issue.download')}
      </a>
    </p>
  ) : null;
  return { fetchFrom, link, clear: () => setUrl(null) };
}

function IssueLetters({ session, row, reload }: Props) {
  const [channel, setChannel] = useState<Channel>('email');
  const [progress, setProgress] = useState<{ done: number; total: number; failed: number } | null>(null);
  const [fetching, setFetching] = useState(false);
  const op = useOperation();
  const pdf = useLettersDownload(session);

  const issue = () =>
    op.run(async () => {
      pdf.clear();
      setProgress(null);
      const r = await session.issueCredentials(row.electionId, channel, (p) => setProgress({ done: p.done, total: p.total, failed: p.failed }));
      const summary = t('issue.done', { issued: r.issued, failed: r.failed, already: r.alreadyIssued });
      await reload(); // the voters' letter column
      setFetching(true);
      try {
        const size = await pdf.fetchFrom(r);
        return size === undefined ? summary : `${summary} ${t('issue.ready', { size: Math.ceil(size / 1024) })}`;
      } finally {
        setFetching(false);
      }
    });

  const text = fetching ? t('issue.downloading') : op.busy ? (progress ? t('issue.progress', progress) : t('working')) : op.done;
  return (
    <Section title={t('issue.title')} id="issue-title">
      <fieldset>
        <legend>{t('issue.channel')}</legend>
        {(['email', 'letter'] as const).map((c) => (
          <div class="admin-radio" key={c}>
            <input type="radio" id={`issue-${c}`} name="issue-channel" value={c} checked={channel === c} onChange={() => setChannel(c)} />
            <label for={`issue-${c}`}>{t(`issue.${c}`)}</label>
          </div>
        ))}
      </fieldset>
      <button type="button" disabled={op.busy} onClick={() => void issue()}>
        {t('issue.run')}
      </button>
      <ErrorBox error={op.error} />
      <Live id="issue-live" text={text} done={progress?.done} total={progress?.total} />
      {pdf.link}
    </Section>
  );
}

/** Voters a page: enough to scan, short enough to scroll past at 360 px. */
const PAGE = 20;

/** An address that wraps after its @ on a narrow screen rather than inside a word. */
function breakableEmail(email: string) {
  const at = email.lastIndexOf('@');
  return at < 0 ? email : (
    <>
      {email.slice(0, at + 1)}
      <wbr />
      {email.slice(at + 1)}
    </>
  );
}

function credential(v: VoterRow): string {
  // A non-breaking hyphen: "e-mail" wraps as a word in a narrow column, not after its "e-".
  if (v.credentialStatus === 'issued') return t('cred.issued', { channel: v.channel ? t(`channel.${v.channel}`).replace('-', '\u2011') : '' });
  if (v.credentialStatus === 'failed') return t('cred.failed');
  return t('cred.none');
}

/** The voters, a page at a time or found by e-mail; while voting is open, one voter's letter can be sent again. */
function Voters({ session, row }: Props) {
  const [offset, setOffset] = useState(0);
  const [voters, setVoters] = useState<VoterRow[]>([]);
  const [query, setQuery] = useState('');
  const [found, setFound] = useState<string | null>(null);
  const [channel, setChannel] = useState<Channel>('email');
  const [scan, setScan] = useState(0);
  const list = useOperation();
  const resend = useOperation();
  const pdf = useLettersDownload(session);
  const canResend = row.status === 'VOTE_STARTED';

  const showPage = (at: number) =>
    list.run(async () => {
      setFound(null);
      const page = await session.listVoters(row.electionId, at, PAGE);
      setOffset(at);
      setVoters(page.voters);
    });
  // Every reload of the election (a new row object) reads the page again: letters may have changed it.
  useEffect(() => {
    void (found !== null ? search(found) : showPage(offset));
  }, [row]);

  // No search query on the server: the pages are read here, and the addresses (decrypted for the admin) filtered.
  const search = (q: string) =>
    list.run(async () => {
      const needle = q.trim().toLowerCase();
      if (!needle) return showPage(0);
      const matches: VoterRow[] = [];
      for (let at = 0; matches.length < PAGE; at += MAX_VOTERS_PAGE) {
        setScan(at);
        const page = await session.listVoters(row.electionId, at, MAX_VOTERS_PAGE);
        for (const v of page.voters) if (v.email?.toLowerCase().includes(needle) && matches.length < PAGE) matches.push(v);
        if (page.voters.length < MAX_VOTERS_PAGE) break;
      }
      setVoters(matches);
      setFound(q.trim());
      return t(matches.length === 0 ? 'voters.found0' : matches.length === 1 ? 'voters.found1' : 'voters.found', { count: matches.length, q: q.trim() });
    });

  const resendOne = (v: VoterRow) =>
    resend.run(async () => {
      pdf.clear();
      const r = await session.resendCredential(row.electionId, v.voterId, channel);
      await pdf.fetchFrom(r);
      const page = found === null ? await session.listVoters(row.electionId, offset, PAGE) : null;
      if (page) setVoters(page.voters);
      return t('resend.done', { email: v.email ?? v.voterId });
    });

  const total = row.voterCount;
  const status = list.busy && scan > 0 ? t('voters.searching', { done: scan }) : list.done;
  return (
    <Section title={t('voters.title')} id="voters-title">
      <form
        class="admin-row admin-search"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          void search(query);
        }}
      >
        <div>
          <label for="voter-search">{t('voters.search')}</label>
          <input id="voter-search" type="search" value={query} onInput={(e) => setQuery(e.currentTarget.value)} />
        </div>
        <button type="submit" disabled={list.busy}>
          {t('voters.searchRun')}
        </button>
        {found !== null ? (
          <button
            type="button"
            class="secondary"
            onClick={() => {
              setQuery('');
              void showPage(0);
            }}
          >
            {t('voters.clear')}
          </button>
        ) : null}
      </form>
      {canResend ? (
        <div>
          <label for="resend-channel">{t('resend.channel')}</label>
          <select id="resend-channel" value={channel} onChange={(e) => setChannel(e.currentTarget.value as Channel)}>
            <option value="email">{t('channel.email')}</option>
            <option value="letter">{t('channel.letter')}</option>
          </select>
        </div>
      ) : null}
      <ErrorBox error={list.error} />
      <Live id="voters-live" text={status} />
      {voters.length === 0 ? (
        <p class="muted">{t('voters.empty')}</p>
      ) : (
        <div class="admin-scroll">
          <table class="admin-voters">
            <caption class="visually-hidden">{t('voters.title')}</caption>
            <thead>
              <tr>
                <th scope="col">{t('voters.email')}</th>
                <th scope="col">{t('voters.credential')}</th>
                {canResend ? <th scope="col">{t('voters.action')}</th> : null}
              </tr>
            </thead>
            <tbody>
              {voters.map((v) => (
                <tr key={v.voterId}>
                  <td class="admin-email">{v.email ? breakableEmail(v.email) : t('voters.forgotten')}</td>
                  <td>{credential(v)}</td>
                  {canResend ? (
                    <td>
                      <button type="button" class="secondary" disabled={resend.busy} aria-label={t('resend.named', { email: v.email ?? v.voterId })} onClick={() => void resendOne(v)}>
                        {t('resend.run')}
                      </button>
                    </td>
                  ) : null}
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {found === null && total > PAGE ? (
        <div class="admin-pager">
          <span>{t('voters.page', { from: offset + 1, to: offset + voters.length, total })}</span>
          <button type="button" class="secondary" disabled={list.busy || offset === 0} onClick={() => void showPage(Math.max(0, offset - PAGE))}>
            {t('voters.prev')}
          </button>
          <button type="button" class="secondary" disabled={list.busy || offset + PAGE >= total} onClick={() => void showPage(offset + PAGE)}>
            {t('voters.next')}
          </button>
        </div>
      ) : null}
      <ErrorBox error={resend.error} />
      <Live id="resend-live" text={resend.busy ? t('working') : resend.done} />
      {pdf.link}
    </Section>
  );
}

function Tally({ session, row }: Props) {
  const [results, setResults] = useState<TallyResults | null>(null);
  const [progress, setProgress] = useState<{ done: number; total: number } | null>(null);
  const op = useOperation();
  const load = useOperation();
  useEffect(() => {
    void load.run(async () => {
      setResults(await session.results(row.electionId));
    });
  }, [row.electionId]);

  const run = () =>
    op.run(async () => {
      setProgress({ done: 0, total: 0 });
      await session.runTally(row.electionId, (p) => setProgress({ done: p.done, total: p.total }));
      setResults(await session.results(row.electionId));
      return t('tally.done');
    });

  const text = op.busy ? (progress && progress.total > 0 ? t('tally.progress', progress) : t('working')) : op.done;
  return (
    <>
      <Section title={t('tally.title')} id="tally-title">
        {results?.published ? null : (
          <button type="button" disabled={op.busy} onClick={() => void run()}>
            {t('tally.run')}
          </button>
        )}
        <ErrorBox error={op.error ?? load.error} />
        <Live id="tally-live" text={text} done={progress?.done} total={progress ? progress.total : undefined} />
      </Section>
      <Section title={t('results.title')} id="results-title">
        {results?.published ? <Results row={row} results={results} /> : <p class="muted">{t('results.notYet')}</p>}
      </Section>
    </>
  );
}

const outcomeT = (key: string, vars?: Record<string, string | number>) => t(key as Key, vars);

function Results({ row, results }: { row: ElectionRow; results: TallyResults }) {
  const choices = [...row.choices, ...Object.keys(results.counts).filter((c) => !row.choices.includes(c))];
  return (
    <>
      {results.outcome ? (
        <Outcome t={outcomeT} lang={document.documentElement.lang} choices={row.choices} outcome={results.outcome} scale={row.ballot?.form.kind === 'graded' ? row.ballot.form.scale : undefined} />
      ) : (
        <CountsTable choices={choices} results={results} />
      )}
      <p>{t('results.ballots', { ballots: results.ballots })}</p>
      <StatusesTable results={results} />
    </>
  );
}

function CountsTable({ choices, results }: { choices: string[]; results: TallyResults }) {
  return (
    <table class="admin-results">
      <caption>{t('results.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('results.choice')}</th>
          <th scope="col" class="num">
            {t('results.votes')}
          </th>
        </tr>
      </thead>
      <tbody>
        {choices.map((c) => (
          <tr key={c}>
            <th scope="row">{c}</th>
            <td class="num">{results.counts[c] ?? 0}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function StatusesTable({ results }: { results: TallyResults }) {
  return (
    <table class="admin-results">
      <caption>{t('results.statuses')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('results.status')}</th>
          <th scope="col" class="num">
            {t('results.count')}
          </th>
        </tr>
      </thead>
      <tbody>
        {Object.entries(results.statuses).map(([s, n]) => (
          <tr key={s}>
            <th scope="row">
              {t(`ballot.${s}` as Key)} <span class="mono muted">{s}</span>
            </th>
            <td class="num">{n}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
