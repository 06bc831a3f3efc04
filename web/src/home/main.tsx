import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { Connection } from '../shared/connection.ts';
import { pickLang, translator } from '../shared/i18n.ts';
import type { ElectionRow } from '../../../src/projections/read-models.ts';
import type { TallyResults } from '../../../src/projections/tally-queries.ts';
import { HOME_MESSAGES } from './messages.ts';
import './home.css';

const lang = pickLang();
const t = translator(HOME_MESSAGES, lang);

/**
 * At most this many closed elections have their tally state looked up (one query each, all at once):
 * below the gateway's 32 requests in flight per connection, beyond which it refuses.
 */
const TALLY_LOOKUPS = 30;

type Row = ElectionRow & { phase: string };

const date = (iso: string) => new Intl.DateTimeFormat(lang, { dateStyle: 'medium' }).format(new Date(iso));

function Elections() {
  const [elections, setElections] = useState<Row[] | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    let conn: Connection | undefined;
    Connection.open()
      .then(async (c) => {
        conn = c;
        const { elections } = await c.query<{ elections: ElectionRow[] }>('election.list');
        const sorted = [...elections].sort((a, b) => (a.createdAt < b.createdAt ? 1 : -1));
        // A closed election is further along once counted: say so, as its board does.
        let lookups = 0;
        const rows = await Promise.all(
          sorted.map(async (e): Promise<Row> => {
            if (e.status !== 'VOTE_ENDED' || lookups++ >= TALLY_LOOKUPS) return { ...e, phase: e.status };
            const r = await c.query<TallyResults>('tally.results', { electionId: e.electionId }).catch(() => undefined);
            return { ...e, phase: r?.published ? 'TALLIED' : (r?.counted ?? 0) > 0 ? 'TALLYING' : e.status };
          }),
        );
        setElections(rows);
      })
      .catch((err: Error) => setError(err.message))
      .finally(() => conn?.close());
  }, []);
  if (error) return <p class="error" role="alert">{t('error', { message: error })}</p>;
  if (!elections) return <p aria-busy="true">{t('loading')}</p>;
  if (elections.length === 0) return <p>{t('none')}</p>;
  return (
    <table class="elections">
      <caption>{t('caption')}</caption>
      <thead>
        <tr>
          <th scope="col">{t('col.theme')}</th>
          <th scope="col">{t('col.state')}</th>
          <th scope="col" class="num">{t('col.voters')}</th>
          <th scope="col">{t('col.created')}</th>
        </tr>
      </thead>
      <tbody>
        {elections.map((e) => (
          <tr key={e.electionId}>
            <th scope="row">
              <a href={`/elections/${encodeURIComponent(e.electionId)}`}>
                {e.theme}
              </a>
            </th>
            <td data-label={t('col.state')}>
              <span class={`state state-${e.phase}`}>{t(`state.${e.phase}`)}</span>
            </td>
            <td class="num" data-label={t('col.voters')}>
              {e.voterCount}
            </td>
            <td data-label={t('col.created')}>{date(e.createdAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function Home() {
  useEffect(() => {
    document.title = t('title');
  }, []);
  return (
    <>
      <header class="site">
        <nav aria-label="evote">
          <strong>evote</strong>
          <a href="/vote">{t('vote.link')}</a>
          <a href="/admin">{t('admin.link')}</a>
        </nav>
      </header>
      <main>
        <h1>{t('heading')}</h1>
        <p>{t('intro')}</p>
        <Elections />
        <section class="panel" aria-labelledby="vote-title">
          <h2 id="vote-title">{t('vote.title')}</h2>
          <p>{t('vote.text')}</p>
          <p>
            <a class="button" href="/vote">
              {t('vote.link')}
            </a>
          </p>
        </section>
        <p class="muted">
          <a href="/admin">{t('admin.link')}</a> — {t('admin.text')}
        </p>
      </main>
    </>
  );
}

render(<Home />, document.getElementById('app')!);
