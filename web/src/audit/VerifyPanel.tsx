/**
 * "Verify this election in your browser": the election's exported log (or a log file the user
 * chooses) checked in a Web Worker by the CLI auditor's own checks, with a progress bar and an
 * aria-live account, ending in PASSED, FAILED naming the first broken event, or INCOMPLETE.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { AuditFailure, AuditReport } from '../../../src/audit/report.ts';
import { formatFingerprint } from '../../../src/crypto/election-fingerprint-core.ts';
import { electionLogUrl, verifyInWorker, type RunningVerification, type VerifyOutcome } from './verify-client.ts';
import type { VerifyRequest } from './verify-protocol.ts';
import type { VerifyProgress } from './verify-run.ts';
import './verify.css';

type Lang = 'en' | 'fr';

const MESSAGES: Record<Lang, Record<string, string>> = {
  en: {
    title: 'Verify this election in your browser',
    intro: 'Your browser downloads the election’s public log and re-runs every check of the independent auditor (evote audit): the hash chain and signed checkpoints, each step of the election, every ballot’s decryption and the published tally. Nothing else is trusted.',
    verify: 'Verify this election',
    verifyFile: 'Or verify a log file you have (NDJSON, as “evote log export” writes it)',
    stop: 'Stop',
    starting: 'Starting the verification…',
    progress: '{events} events and {ballots} ballots checked, {lines} lines read, {rate} ballots/s',
    progressLabel: 'Verification progress',
    stopped: 'Verification stopped.',
    passed: 'PASSED',
    passedDetail: 'Every check passed: {events} events, {checkpoints} signed checkpoints, {ballots} ballots counted, in {seconds} s ({rate} ballots/s).',
    root: 'Final checkpoint: {size} events, root',
    fingerprint: 'Election fingerprint',
    tally: 'Recomputed tally:',
    elected: 'Recounted by {method} in {rounds} round(s), elected: {winners}.',
    failed: 'FAILED',
    failedAt: 'The first broken event is at position {position} ({type}, stream {stream}{leaf}{line}).',
    atLine: ', line {line} of the log',
    failedLine: 'The log breaks at line {line}, which is not an event.',
    failedLog: 'The log itself is not valid.',
    leaf: ', leaf {leaf}',
    check: 'Failed check:',
    incomplete: 'INCOMPLETE',
    incompleteDetail: 'Nothing in this log is broken, but it is not a whole election:',
    gapAt: 'from position {position} ({type})',
    warning: 'Note:',
    LOG_NOT_FOUND: 'This election has no log on this server.',
    LOG_UNAVAILABLE: 'The log could not be downloaded ({detail}). Try again later.',
    VERIFIER_FAILED: 'The verification stopped on an internal error ({detail}).',
  },
  fr: {
    title: 'Vérifier cette élection dans votre navigateur',
    intro: 'Votre navigateur télécharge le journal public de l’élection et refait chaque contrôle de l’auditeur indépendant (evote audit) : la chaîne de hachage et les points de contrôle signés, chaque étape de l’élection, le déchiffrement de chaque bulletin et le dépouillement publié. Rien d’autre n’est tenu pour sûr.',
    verify: 'Vérifier cette élection',
    verifyFile: 'Ou vérifier un fichier journal que vous avez (NDJSON, tel que l’écrit « evote log export »)',
    stop: 'Arrêter',
    starting: 'Début de la vérification…',
    progress: '{events} événements et {ballots} bulletins vérifiés, {lines} lignes lues, {rate} bulletins/s',
    progressLabel: 'Progression de la vérification',
    stopped: 'Vérification arrêtée.',
    passed: 'RÉUSSIE',
    passedDetail: 'Tous les contrôles sont passés : {events} événements, {checkpoints} points de contrôle signés, {ballots} bulletins comptés, en {seconds} s ({rate} bulletins/s).',
    root: 'Dernier point de contrôle : {size} événements, racine',
    fingerprint: 'Empreinte de l’élection',
    tally: 'Dépouillement recalculé :',
    elected: 'Recompté selon {method} en {rounds} tour(s), élus : {winners}.',
    failed: 'ÉCHEC',
    failedAt: 'Le premier événement fautif est à la position {position} ({type}, flux {stream}{leaf}{line}).',
    atLine: ', ligne {line} du journal',
    failedLine: 'Le journal est rompu à la ligne {line}, qui n’est pas un événement.',
    failedLog: 'Le journal lui-même n’est pas valide.',
    leaf: ', feuille {leaf}',
    check: 'Contrôle en échec :',
    incomplete: 'INCOMPLET',
    incompleteDetail: 'Rien n’est rompu dans ce journal, mais il ne contient pas toute l’élection :',
    gapAt: 'à partir de la position {position} ({type})',
    warning: 'Remarque :',
    LOG_NOT_FOUND: 'Cette élection n’a pas de journal sur ce serveur.',
    LOG_UNAVAILABLE: 'Le journal n’a pas pu être téléchargé ({detail}). Réessayez plus tard.',
    VERIFIER_FAILED: 'La vérification s’est arrêtée sur une erreur interne ({detail}).',
  },
};

function translate(lang: Lang) {
  const numbers = new Intl.NumberFormat(lang);
  return (key: string, vars: Record<string, string | number> = {}) =>
    (MESSAGES[lang][key] ?? MESSAGES.en[key] ?? key).replace(/\{(\w+)\}/g, (_, name: string) => {
      const v = vars[name];
      return typeof v === 'number' ? numbers.format(v) : String(v ?? '');
    });
}

type State =
  | { phase: 'idle' }
  | { phase: 'running'; progress?: VerifyProgress }
  | { phase: 'stopped' }
  | { phase: 'done'; outcome: VerifyOutcome };

/** Least time between two updates of the spoken progress text: a screen reader must not be flooded. */
const SPOKEN_EVERY_MS = 2000;

export function VerifyPanel(props: { electionId: string; lang: 'en' | 'fr' }) {
  const t = translate(props.lang);
  const [state, setState] = useState<State>({ phase: 'idle' });
  const [spoken, setSpoken] = useState('');
  const running = useRef<RunningVerification | null>(null);
  const lastSpoken = useRef(0);
  const result = useRef<HTMLDivElement>(null);

  useEffect(() => () => running.current?.cancel(), []);

  const progressText = (p?: VerifyProgress) =>
    p ? t('progress', { events: p.events, ballots: p.ballotsChecked, lines: p.lines, rate: Math.round(p.elapsedMs > 0 ? (p.ballotsChecked * 1000) / p.elapsedMs : 0) }) : t('starting');

  function start(request: VerifyRequest) {
    running.current?.cancel();
    // A measuring knob (benchmarks, tests): ?verify-helpers=N on the page's URL.
    const helpers = new URLSearchParams(location.search).get('verify-helpers');
    if (helpers !== null && /^\d$/.test(helpers)) request = { ...request, helpers: Number(helpers) };
    setState({ phase: 'running' });
    setSpoken(t('starting'));
    lastSpoken.current = performance.now();
    const run = verifyInWorker(request, (progress) => {
      if (running.current !== run) return;
      setState({ phase: 'running', progress });
      const now = performance.now();
      if (now - lastSpoken.current >= SPOKEN_EVERY_MS) {
        lastSpoken.current = now;
        setSpoken(progressText(progress));
      }
    });
    running.current = run;
    void run.done.then((outcome) => {
      if (running.current !== run) return;
      running.current = null;
      setState({ phase: 'done', outcome });
      setSpoken(outcomeSummary(outcome));
      // The verdict takes the focus, so a keyboard or screen reader user lands on it.
      requestAnimationFrame(() => result.current?.focus());
    });
  }

  function stop() {
    running.current?.cancel();
    running.current = null;
    setState({ phase: 'stopped' });
    setSpoken(t('stopped'));
  }

  function outcomeSummary(o: VerifyOutcome): string {
    if (o.kind === 'error') return t(o.code, { detail: o.detail });
    const r = o.report;
    if (r.verdict === 'PASSED') return `${t('passed')}. ${passedDetail(r)}`;
    if (r.verdict === 'FAILED' && r.failures[0]) return `${t('failed')}. ${where(r.failures[0])} ${t('check')} ${r.failures[0].check}: ${r.failures[0].message}`;
    return `${t('incomplete')}. ${t('incompleteDetail')} ${r.gaps.map((g) => `[${g.check}] ${g.message}`).join(' ')}`;
  }

  const passedDetail = (r: AuditReport) =>
    t('passedDetail', { events: r.events, checkpoints: r.checkpoints, ballots: r.ballotsCounted, seconds: (r.durationMs / 1000).toFixed(1), rate: Math.round(r.ballotsPerSecond) });

  function where(f: AuditFailure): string {
    if (f.position !== null) return t('failedAt', { position: f.position, type: f.type ?? '?', stream: f.streamId ?? '?', leaf: f.leafIndex !== undefined ? t('leaf', { leaf: f.leafIndex }) : '', line: f.line !== undefined ? t('atLine', { line: f.line }) : '' });
    return f.line !== undefined ? t('failedLine', { line: f.line }) : t('failedLog');
  }

  const onFile = (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (file) start({ source: 'file', file });
    // The same file can be chosen again (after an edit, say).
    input.value = '';
  };

  const isRunning = state.phase === 'running';
  const p = state.phase === 'running' ? state.progress : undefined;
  const fraction = p?.totalBytes ? Math.min(1, p.bytes / p.totalBytes) : undefined;

  return (
    <section aria-labelledby="verify-title" class="panel verify-panel">
      <h2 id="verify-title">{t('title')}</h2>
      <p class="muted">{t('intro')}</p>
      <div class="verify-actions">
        <button type="button" id="verify-start" onClick={() => start({ source: 'url', url: electionLogUrl(props.electionId) })} disabled={isRunning}>
          {t('verify')}
        </button>
        {isRunning && (
          <button type="button" class="secondary" onClick={stop}>
            {t('stop')}
          </button>
        )}
      </div>
      <p class="verify-file">
        <label for="verify-file">{t('verifyFile')}</label>
        <input id="verify-file" type="file" accept=".ndjson,.jsonl,.json,.txt,application/x-ndjson,application/json,text/plain" onChange={onFile} disabled={isRunning} />
      </p>
      {isRunning && (
        <p class="verify-progress">
          {/* Without a value the bar is indeterminate: a log whose size is not known yet. */}
          <progress id="verify-progress" aria-label={t('progressLabel')} max={1} {...(fraction !== undefined ? { value: fraction } : {})} />
          <span class="muted" aria-hidden="true">
            {progressText(p)}
          </span>
        </p>
      )}
      <p role="status" aria-live="polite" class="visually-hidden" id="verify-status">
        {spoken}
      </p>
      {state.phase === 'stopped' && <p class="muted">{t('stopped')}</p>}
      {state.phase === 'done' && (
        <div ref={result} tabIndex={-1} class="verify-result" data-verdict={state.outcome.kind === 'report' ? state.outcome.report.verdict : 'ERROR'} data-ballots-per-second={state.outcome.kind === 'report' ? String(state.outcome.report.ballotsPerSecond) : undefined}>
          {state.outcome.kind === 'error' ? <p class="error">{t(state.outcome.code, { detail: state.outcome.detail })}</p> : <Verdict report={state.outcome.report} t={t} where={where} passedDetail={passedDetail} />}
        </div>
      )}
    </section>
  );
}

function Verdict(props: { report: AuditReport; t: ReturnType<typeof translate>; where: (f: AuditFailure) => string; passedDetail: (r: AuditReport) => string }) {
  const { report: r, t } = props;
  if (r.verdict === 'PASSED') {
    return (
      <div class="verdict verdict-passed">
        <p class="verdict-word">{t('passed')}</p>
        <p>{props.passedDetail(r)}</p>
        {r.verifiedHead && (
          <p>
            {t('root', { size: r.verifiedHead.size })} <code class="hash">{r.verifiedHead.root}</code>
          </p>
        )}
        {r.fingerprint && (
          <p>
            {t('fingerprint')} <code class="hash">{formatFingerprint(r.fingerprint)}</code>
          </p>
        )}
        {r.tallyPublished &&
          (r.elected ? (
            <p class="verify-elected">{t('elected', { method: r.elected.method, rounds: r.elected.rounds, winners: r.elected.winners.join(', ') || '—' })}</p>
          ) : (
            <p>
              {t('tally')} {Object.entries(r.counts).map(([c, n]) => `${c} ${n}`).join(', ')}
            </p>
          ))}
        <Warnings report={r} t={t} />
      </div>
    );
  }
  const first = r.failures[0];
  if (r.verdict === 'FAILED' && first) {
    return (
      <div class="verdict verdict-failed">
        <p class="verdict-word">{t('failed')}</p>
        <p class="verify-where">{props.where(first)}</p>
        <p>
          {t('check')} <code>{first.check}</code> — {first.message}
        </p>
        <Warnings report={r} t={t} />
      </div>
    );
  }
  return (
    <div class="verdict verdict-incomplete">
      <p class="verdict-word">{t('incomplete')}</p>
      <p>{t('incompleteDetail')}</p>
      <ul>
        {r.gaps.map((g) => (
          <li key={g.check}>
            <code>{g.check}</code> {g.position !== null && t('gapAt', { position: g.position, type: g.type ?? '?' })}: {g.message}
          </li>
        ))}
      </ul>
    </div>
  );
}

function Warnings(props: { report: AuditReport; t: ReturnType<typeof translate> }) {
  if (props.report.warnings.length === 0) return null;
  return (
    <ul class="muted">
      {props.report.warnings.map((w) => (
        <li key={w}>
          {props.t('warning')} {w}
        </li>
      ))}
    </ul>
  );
}
