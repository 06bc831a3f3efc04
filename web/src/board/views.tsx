/** The board's sections: results (table and chart), ballots page by page, signed checkpoints, the booth's hash. */
import { useEffect, useState } from 'preact/hooks';
import type { TallyResults } from '../../../src/projections/tally-queries.ts';
import type { BoardBallot, BoardCheckpoint } from '../../../src/projections/board-queries.ts';
import type { BoardLive } from './live.ts';
import { importLogKey, verifyCheckpoint, type SignatureCheck } from './keys.ts';

export type T = (key: string, vars?: Record<string, string | number>) => string;

const STATUSES = ['VALID', 'INVALID_SIGNATURE', 'DUPLICATE_N2', 'INVALID_CHOICE', 'UNDECRYPTABLE'] as const;

export function percent(lang: string, share: number): string {
  return new Intl.NumberFormat(lang, { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 }).format(share);
}

export function formatDate(lang: string, iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'medium' }).format(d);
}

/** A single-choice election's results in the choice order: a table (the text alternative) and a bar chart drawn in SVG. */
export function Results(props: { t: T; lang: string; choices: string[]; results: TallyResults }) {
  const { t, lang, choices, results } = props;
  const rows = choices.map((choice) => ({ choice, votes: results.counts[choice] ?? 0 }));
  const total = rows.reduce((n, r) => n + r.votes, 0);
  const share = (v: number) => (total === 0 ? 0 : v / total);
  const max = Math.max(1, ...rows.map((r) => r.votes));
  const rowHeight = 52;
  const items = rows.map((r) => t(r.votes === 1 ? 'results.chartItemOne' : 'results.chartItem', { choice: r.choice, votes: r.votes, share: percent(lang, share(r.votes)) })).join('; ');
  return (
    <>
      <div class="results-grid">
        <table class="results">
          <caption>{t('results.caption')}</caption>
          <thead>
            <tr>
              <th scope="col">{t('results.choice')}</th>
              <th scope="col" class="num">{t('results.votes')}</th>
              <th scope="col" class="num">{t('results.share')}</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.choice}>
                <th scope="row">{r.choice}</th>
                <td class="num">{r.votes}</td>
                <td class="num">{percent(lang, share(r.votes))}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">{t('results.total')}</th>
              <td class="num">{total}</td>
              <td class="num">{percent(lang, total === 0 ? 0 : 1)}</td>
            </tr>
          </tfoot>
        </table>
        <figure class="chart">
          <svg role="img" aria-labelledby="chart-title chart-desc" width="100%" height={rows.length * rowHeight} class="bars">
            <title id="chart-title">{t('results.chart')}</title>
            <desc id="chart-desc">{t('results.chartDesc', { items })}</desc>
            {rows.map((r, i) => (
              <g key={r.choice}>
                <text x="0" y={i * rowHeight + 16} class="bar-label">
                  {`${r.choice} — ${r.votes} (${percent(lang, share(r.votes))})`}
                </text>
                <rect x="0" y={i * rowHeight + 24} width="100%" height="18" rx="3" class="bar-track" />
                <rect x="0" y={i * rowHeight + 24} width={`${(r.votes / max) * 100}%`} height="18" rx="3" class={`bar bar-${i % 6}`} />
              </g>
            ))}
          </svg>
        </figure>
      </div>
    </>
  );
}

export function Statuses(props: { t: T; results: TallyResults }) {
  const { t, results } = props;
  return (
    <table class="statuses">
      <caption>{t('statuses.caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('statuses.status')}</th>
          <th scope="col" class="num">{t('statuses.ballots')}</th>
        </tr>
      </thead>
      <tbody>
        {STATUSES.map((s) => (
          <tr key={s} data-status={s}>
            <th scope="row">{t(`status.${s}`)}</th>
            <td class="num">{results.statuses[s] ?? 0}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const PAGE = 20;

/** Ballots in log order, 20 a page; keyset cursors kept in a stack so "previous" needs no offset. */
export function Ballots(props: { t: T; live: BoardLive; version: number; tallied: boolean }) {
  const { t, live, version, tallied } = props;
  const [cursors, setCursors] = useState<number[]>([-1]);
  const [page, setPage] = useState<{ ballots: BoardBallot[]; next: number | null } | undefined>();
  const after = cursors[cursors.length - 1]!;
  useEffect(() => {
    let current = true;
    const payload: Record<string, unknown> = { electionId: live.electionId, limit: PAGE };
    if (after >= 0) payload.after = after;
    live.query<{ ballots: BoardBallot[]; next: number | null }>('board.ballots', payload).then(
      (p) => current && setPage(p),
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [live, after, version]);
  if (!page) return null;
  if (page.ballots.length === 0 && cursors.length === 1) return <p>{t('ballots.none')}</p>;
  const statusText = (b: BoardBallot) => (b.status ? t(`status.${b.status}`) : tallied ? t('status.excluded') : t('status.pending'));
  return (
    <>
      <table class="ballots stack">
        <caption>{t('ballots.caption', { page: cursors.length })}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">{t('ballots.leaf')}</th>
            <th scope="col">{t('ballots.hash')}</th>
            <th scope="col">{t('ballots.status')}</th>
          </tr>
        </thead>
        <tbody>
          {page.ballots.map((b) => (
            <tr key={b.leafIndex}>
              <td class="num" data-label={t('ballots.leaf')}>
                {b.leafIndex}
              </td>
              <td data-label={t('ballots.hash')}>
                <code class="mono hash">{b.ballotHash}</code>
              </td>
              <td data-label={t('ballots.status')} class={b.status === 'VALID' ? 'ok' : b.status ? 'error' : 'muted'}>
                {statusText(b)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      {(cursors.length > 1 || page.next !== null) && (
      <nav class="pager" aria-label={t('ballots.pager')}>
        <button type="button" class="secondary" disabled={cursors.length === 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          {t('ballots.prev')}
        </button>
        <button type="button" class="secondary" disabled={page.next === null} onClick={() => page.next !== null && setCursors([...cursors, page.next])}>
          {t('ballots.next')}
        </button>
      </nav>
      )}
    </>
  );
}

/** Signed checkpoints, newest first; each signature checked here with WebCrypto Ed25519 under the election's log key. */
export function Checkpoints(props: { t: T; lang: string; live: BoardLive; version: number; logPublicKey?: string }) {
  const { t, lang, live, version, logPublicKey } = props;
  const [limit, setLimit] = useState(5);
  const [data, setData] = useState<{ checkpoints: BoardCheckpoint[]; next: number | null } | undefined>();
  const [checks, setChecks] = useState<Record<number, SignatureCheck>>({});
  useEffect(() => {
    let current = true;
    live.query<{ checkpoints: BoardCheckpoint[]; next: number | null }>('board.checkpoints', { electionId: live.electionId, limit }).then(
      async (d) => {
        if (!current) return;
        setData(d);
        const key = await importLogKey(logPublicKey);
        const out: Record<number, SignatureCheck> = {};
        for (const c of d.checkpoints) {
          if (key === 'unsupported') out[c.revision] = 'unsupported';
          else out[c.revision] = key ? ((await verifyCheckpoint(key, { electionId: live.electionId, ...c }, c.signature)) ? 'ok' : 'bad') : 'bad';
        }
        if (current) setChecks(out);
      },
      () => undefined,
    );
    return () => {
      current = false;
    };
  }, [live, version, limit, logPublicKey]);
  if (!data) return null;
  if (data.checkpoints.length === 0) return <p>{t('checkpoints.none')}</p>;
  return (
    <>
      <table class="checkpoints stack">
        <caption>{t('checkpoints.caption')}</caption>
        <thead>
          <tr>
            <th scope="col" class="num">{t('checkpoints.size')}</th>
            <th scope="col">{t('checkpoints.at')}</th>
            <th scope="col">{t('checkpoints.root')}</th>
            <th scope="col">{t('checkpoints.signature')}</th>
            <th scope="col">{t('checkpoints.check')}</th>
          </tr>
        </thead>
        <tbody>
          {data.checkpoints.map((c) => {
            const check = checks[c.revision];
            return (
              <tr key={c.revision} data-revision={c.revision} data-check={check ?? 'pending'}>
                <td class="num" data-label={t('checkpoints.size')}>
                  {c.size}
                </td>
                <td data-label={t('checkpoints.at')}>{formatDate(lang, c.checkpointedAt)}</td>
                <td data-label={t('checkpoints.root')}>
                  <code class="mono hash">{c.root}</code>
                </td>
                <td data-label={t('checkpoints.signature')}>
                  <code class="mono hash">{c.signature}</code>
                </td>
                <td data-label={t('checkpoints.check')} class={check === 'ok' ? 'ok' : check === 'bad' ? 'error' : 'muted'}>
                  {check === 'ok' ? `✓ ${t('checkpoints.ok')}` : check === 'bad' ? `✗ ${t('checkpoints.bad')}` : check === 'unsupported' ? t('checkpoints.unsupported') : t('checkpoints.checking')}
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      {data.next !== null && (
        <button type="button" class="secondary" onClick={() => setLimit(Math.min(100, limit + 10))}>
          {t('checkpoints.more')}
        </button>
      )}
    </>
  );
}

/** The booth bundle's hash from /booth.json (web/build.js), with what to compare it with. */
export function BoothHash(props: { t: T }) {
  const { t } = props;
  const [hash, setHash] = useState<string | null | undefined>();
  useEffect(() => {
    fetch('/booth.json')
      .then((r) => (r.ok ? (r.json() as Promise<{ sha256?: unknown }>) : Promise.reject(new Error(String(r.status)))))
      .then((j) => setHash(typeof j.sha256 === 'string' && /^[0-9a-f]{64}$/.test(j.sha256) ? j.sha256 : null))
      .catch(() => setHash(null));
  }, []);
  const [before, after] = t('booth.help').split('{command}');
  return (
    <>
      {hash === null ? (
        <p class="error">{t('booth.unavailable')}</p>
      ) : (
        <dl class="facts">
          <dt>{t('booth.hash')}</dt>
          <dd>
            <code class="mono" id="booth-hash">
              {hash ?? '…'}
            </code>
          </dd>
        </dl>
      )}
      <p>
        {before}
        <code>evote booth hash</code>
        {after}
      </p>
    </>
  );
}
