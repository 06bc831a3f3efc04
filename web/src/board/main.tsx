import { render } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { pickLang, translator } from '../shared/i18n.ts';
import { VerifyPanel } from '../audit/VerifyPanel.tsx';
import { BOARD_MESSAGES } from './messages.ts';
import { BoardLive, phaseOf, type BoardState, type Phase } from './live.ts';
import { electionFingerprint, formatFingerprint } from './keys.ts';
import { Ballots, BoothHash, Checkpoints, Results, Statuses, formatDate, type T } from './views.tsx';
import { Outcome } from '../shared/outcome.tsx';
import './board.css';

const lang = pickLang();
const t: T = translator(BOARD_MESSAGES, lang);

/** /elections/<id>: the id as the gateway routes it, or undefined when the path names none. */
function electionIdFromPath(path: string): string | undefined {
  const m = /^\/elections\/([^/]+)\/?$/.exec(path);
  if (!m) return undefined;
  let id: string;
  try {
    id = decodeURIComponent(m[1]!);
  } catch {
    return undefined;
  }
  return /^[A-Za-z0-9_-]{1,64}$/.test(id) ? id : undefined;
}

function LiveIndicator(props: { state: BoardState }) {
  const link = props.state.link;
  const text = link.kind === 'live' ? t('live.live') : link.kind === 'connecting' ? t('live.connecting') : t('live.reconnecting', { seconds: link.inSeconds });
  return (
    <p class={`live live-${link.kind}`} id="live-indicator" data-link={link.kind} title={t('live.help')}>
      <span class="dot" aria-hidden="true" />
      {text}
    </p>
  );
}

function Board(props: { electionId: string }) {
  const live = useMemo(() => new BoardLive(props.electionId), [props.electionId]);
  const [state, setState] = useState<BoardState>(live.state);
  const [fingerprint, setFingerprint] = useState<string | null>();
  const [announcement, setAnnouncement] = useState('');
  const lastPhase = useRef<Phase | undefined>(undefined);

  useEffect(() => {
    const off = live.onChange(setState);
    live.start();
    return () => {
      off();
      live.stop();
    };
  }, [live]);

  const election = state.election;
  const phase = phaseOf(state);

  useEffect(() => {
    if (election) void electionFingerprint(election).then(setFingerprint);
  }, [election?.electionId, election?.logPublicKey]);

  useEffect(() => {
    // Announce changes of phase, not the first state the page loads with.
    if (phase && lastPhase.current && phase !== lastPhase.current && phase !== 'REGISTER') setAnnouncement(t(`announce.${phase}`));
    lastPhase.current = phase;
    document.title = `${election?.theme ?? props.electionId} — ${t('title.suffix')}`;
  }, [phase, election?.theme]);

  const results = state.results;
  const progress = (() => {
    const fromResults = results ? { done: results.counted, total: results.ballots } : undefined;
    const p = state.progress;
    if (p && (!fromResults || p.done >= fromResults.done)) return p;
    return fromResults;
  })();

  let body;
  if (state.notFound) body = <p class="error">{t('notFound')}</p>;
  else if (!election) body = state.error ? <p class="error">{t('error', { message: state.error })}</p> : <p>{t('loading')}</p>;
  else
    body = (
      <>
        <section aria-labelledby="about-title">
          <h2 id="about-title">{t('about.title')}</h2>
          <dl class="facts">
            <dt>{t('about.state')}</dt>
            <dd>
              <span class={`state state-${phase}`} id="election-state" data-phase={phase}>
                {t(`state.${phase}`)}
              </span>
            </dd>
            <dt>{t('about.choices')}</dt>
            <dd>
              <ul class="choices">
                {election.choices.map((c) => (
                  <li key={c}>{c}</li>
                ))}
              </ul>
            </dd>
            <dt>{t('about.voters')}</dt>
            <dd id="voter-count">{election.voterCount}</dd>
            <dt>{t('about.ballots')}</dt>
            <dd>
              <span id="ballot-count" class="big">
                {state.summary?.ballots ?? 0}
              </span>
              <span class="muted small block">{t('about.ballotsHelp')}</span>
            </dd>
            {election.startedAt && (
              <>
                <dt>{t('about.opened')}</dt>
                <dd>{formatDate(lang, election.startedAt)}</dd>
              </>
            )}
            {election.endedAt ? (
              <>
                <dt>{t('about.closed')}</dt>
                <dd>{formatDate(lang, election.endedAt)}</dd>
              </>
            ) : (
              election.closesAt && (
                <>
                  <dt>{t('about.closesAt')}</dt>
                  <dd>{formatDate(lang, election.closesAt)}</dd>
                </>
              )
            )}
            <dt>{t('about.fingerprint')}</dt>
            <dd>
              <code class="mono" id="fingerprint">
                {fingerprint ? formatFingerprint(fingerprint) : '…'}
              </code>
              <span class="muted small block">{t('about.fingerprintHelp')}</span>
            </dd>
          </dl>
        </section>

        {(phase === 'TALLYING' || phase === 'TALLIED') && progress && (
          <section aria-labelledby="tally-title">
            <h2 id="tally-title">{t('tally.title')}</h2>
            <progress id="tally-progress" max={Math.max(1, progress.total)} value={progress.done} aria-labelledby="tally-title" />
            <p>{t('tally.progress', { done: progress.done, total: progress.total })}</p>
          </section>
        )}

        <section aria-labelledby="results-title" id="results">
          <h2 id="results-title">{t('results.title')}</h2>
          {results?.published ? (
            <>
              <p class="muted">{t('results.published', { date: formatDate(lang, results.publishedAt) })}</p>
              {results.outcome ? (
                <Outcome t={t} lang={lang} choices={election.choices} outcome={results.outcome} scale={election.ballot?.form.kind === 'graded' ? election.ballot.form.scale : undefined} />
              ) : (
                <Results t={t} lang={lang} choices={election.choices} results={results} />
              )}
              <Statuses t={t} results={results} />
            </>
          ) : (
            <p class="muted">{t('results.none')}</p>
          )}
        </section>

        {/* Before the long lists: on a phone the check must not sit below every ballot. */}
        <VerifyPanel electionId={props.electionId} lang={lang} />

        <section aria-labelledby="ballots-title" id="ballots">
          <h2 id="ballots-title">{t('ballots.title')}</h2>
          <p class="muted">{t('ballots.help')}</p>
          <Ballots t={t} live={live} version={state.logVersion} tallied={!!results?.published} />
        </section>

        <section aria-labelledby="checkpoints-title" id="checkpoints">
          <h2 id="checkpoints-title">{t('checkpoints.title')}</h2>
          <p class="muted">{t('checkpoints.help')}</p>
          <Checkpoints t={t} lang={lang} live={live} version={state.logVersion} logPublicKey={election.logPublicKey} />
        </section>

        <section aria-labelledby="booth-title">
          <h2 id="booth-title">{t('booth.title')}</h2>
          <BoothHash t={t} />
        </section>

      </>
    );

  return (
    <>
      <header class="site">
        <nav aria-label="evote">
          <a href="/">{t('nav.home')}</a>
          <a href="/vote">{t('nav.vote')}</a>
          <LiveIndicator state={state} />
        </nav>
      </header>
      <main id="board">
        <h1>{election?.theme ?? props.electionId}</h1>
        <p class="visually-hidden" aria-live="polite" id="announcements">
          {announcement}
        </p>
        {body}
      </main>
    </>
  );
}

const electionId = electionIdFromPath(location.pathname);
render(
  electionId ? (
    <Board electionId={electionId} />
  ) : (
    <main>
      <h1>evote</h1>
      <p class="error">{t('badId')}</p>
      <p>
        <a href="/">{t('nav.home')}</a>
      </p>
    </main>
  ),
  document.getElementById('app')!,
);
