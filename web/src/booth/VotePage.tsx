/** /vote: open the letter, check the election, choose, confirm, watch the steps, keep the receipt. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { castVote, Connection, errorCode, gatewayUrl, loadBoothApp, loadElection, receiptFileText, type BoothApp, type BoothElection, type Credential, type Receipt, type VoteStep } from './engine.ts';
import { LetterOpener } from './LetterOpener.tsx';
import { BallotInputs } from './BallotInputs.tsx';
import { approvalOverflow, ballotWords, checkDraft, emptyDraft, formOf, type Draft, type Problem } from './ballot-marks.ts';
import { ErrorBox, formatFingerprint, StepHeading, useT, type ShownError } from './ui.tsx';

const STEPS: VoteStep[] = ['connecting', 'level1', 'level2', 'level3', 'logged-in', 'blinding', 'signed', 'encrypting', 'casting', 'cast'];

type Stage =
  | { kind: 'letter'; busy: boolean; error?: ShownError }
  | { kind: 'election'; cred: Credential; election: BoothElection; app: BoothApp; draft?: Draft }
  | { kind: 'confirm'; cred: Credential; election: BoothElection; app: BoothApp; draft: Draft; choice: string; words: string[] | null }
  | { kind: 'voting'; step: VoteStep }
  | { kind: 'failed'; error: ShownError }
  | { kind: 'receipt'; receipt: Receipt; weight: number | null; election: BoothElection };

export function VotePage({ langQuery }: { langQuery: string }) {
  const [stage, setStage] = useState<Stage>({ kind: 'letter', busy: false });
  // The first heading is not focused on page load (the page's own title is announced then).
  const [moved, setMoved] = useState(false);
  const go = (s: Stage) => {
    setMoved(true);
    setStage(s);
  };

  const open = async (cred: Credential) => {
    setStage({ kind: 'letter', busy: true });
    let conn: Connection | undefined;
    try {
      conn = await Connection.open(gatewayUrl());
      const election = await loadElection(conn, cred.electionId);
      const app = await loadBoothApp(conn);
      go({ kind: 'election', cred, election, app });
    } catch (err) {
      setStage({ kind: 'letter', busy: false, error: errorCode(err) });
    } finally {
      conn?.close();
    }
  };

  const cast = async (s: Extract<Stage, { kind: 'confirm' }>) => {
    go({ kind: 'voting', step: 'connecting' });
    try {
      const { receipt, weight } = await castVote({
        url: gatewayUrl(),
        credential: s.cred,
        app: s.app,
        election: s.election,
        choice: s.choice,
        onStep: (step) => setStage({ kind: 'voting', step }),
      });
      // The credential is dropped with this stage: only the receipt stays in the page.
      go({ kind: 'receipt', receipt, weight, election: s.election });
    } catch (err) {
      go({ kind: 'failed', error: errorCode(err) });
    }
  };

  switch (stage.kind) {
    case 'letter':
      return <LetterOpener focusHeading={moved} onCredential={open} busy={stage.busy} error={stage.error} />;
    case 'election':
      return <ElectionStep stage={stage} onChoose={(draft, choice, words) => go({ ...stage, kind: 'confirm', draft, choice, words })} onCancel={() => go({ kind: 'letter', busy: false })} />;
    case 'confirm':
      return <ConfirmStep election={stage.election} words={stage.words} onCast={() => cast(stage)} onBack={() => go({ ...stage, kind: 'election' })} />;
    case 'voting':
      return <ProgressStep step={stage.step} />;
    case 'failed':
      return <FailedStep error={stage.error} onRestart={() => go({ kind: 'letter', busy: false })} />;
    case 'receipt':
      return <ReceiptStep receipt={stage.receipt} weight={stage.weight} election={stage.election} langQuery={langQuery} onAgain={() => go({ kind: 'letter', busy: false })} />;
  }
}

function ElectionFacts({ election }: { election: BoothElection }) {
  const t = useT();
  return (
    <dl class="facts">
      <dt>{t('election.theme')}</dt>
      <dd class="theme">{election.theme}</dd>
      <dt>{t('election.id')}</dt>
      <dd class="mono">{election.electionId}</dd>
      <dt>{t('election.state')}</dt>
      <dd>{t(`state.${election.state}`)}</dd>
      <dt>{t('election.fingerprint')}</dt>
      <dd>
        <span class="mono fingerprint" data-testid="fingerprint">
          {formatFingerprint(election.fingerprint)}
        </span>
        <p class="muted small">{t('election.fingerprintHelp')}</p>
      </dd>
    </dl>
  );
}

/** The language the translator set on the page (ordinals differ). */
const pageLang = () => document.documentElement.lang || 'en';

function ElectionStep({ stage, onChoose, onCancel }: { stage: Extract<Stage, { kind: 'election' }>; onChoose: (d: Draft, choice: string, words: string[] | null) => void; onCancel: () => void }) {
  const t = useT();
  const { election } = stage;
  const form = formOf(election.ballot);
  const [draft, setDraft] = useState<Draft>(stage.draft ?? emptyDraft(election.choices.length));
  const [problem, setProblem] = useState<Problem>();
  const closed = election.state !== 'VOTE_STARTED';
  const lang = pageLang();
  const over = approvalOverflow(form, draft);
  const shownProblem = problem ?? over;
  const change = (d: Draft) => {
    setDraft(d);
    setProblem(undefined);
  };
  const submit = (e: Event) => {
    e.preventDefault();
    const checked = checkDraft(form, election.choices, draft);
    if (!checked.ok) return setProblem(checked.problem);
    const ungraded = form.kind === 'graded' ? t('graded.ungradedWords', { lowest: form.scale[0] ?? '' }) : '';
    onChoose(draft, checked.text, ballotWords(form, election.choices, checked.marks, lang, ungraded));
  };
  return (
    <section>
      <StepHeading>{t('election.title')}</StepHeading>
      <ElectionFacts election={election} />
      {closed ? (
        <ErrorBox error={{ code: election.state === 'REGISTER' ? 'NOT_STARTED' : 'ENDED' }}>
          <button type="button" onClick={onCancel}>
            {t('choice.cancel')}
          </button>
        </ErrorBox>
      ) : (
        <form onSubmit={submit} noValidate data-form={form.kind}>
          <BallotInputs form={form} candidates={election.choices} draft={draft} lang={lang} onChange={change} errorId={shownProblem ? 'choice-missing' : undefined} />
          {shownProblem && (
            <p id="choice-missing" class="error" role="alert" data-problem={shownProblem.key}>
              {t(shownProblem.key, shownProblem.vars)}
            </p>
          )}
          <div class="actions">
            <button type="submit" aria-disabled={over ? 'true' : undefined}>
              {t('choice.continue')}
            </button>
            <button type="button" class="secondary" onClick={onCancel}>
              {t('choice.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function ConfirmStep({ election, words, onCast, onBack }: { election: BoothElection; words: string[] | null; onCast: () => void; onBack: () => void }) {
  const t = useT();
  const kind = formOf(election.ballot).kind;
  return (
    <section>
      <StepHeading>{t('confirm.title')}</StepHeading>
      <p class="chosen-theme">{election.theme}</p>
      <p>{words === null ? t('confirm.blankText') : t(`confirm.text.${kind}`)}</p>
      {words === null ? (
        <p class="chosen">{t('confirm.blank')}</p>
      ) : words.length === 1 && kind === 'single' ? (
        <p class="chosen">{words[0]}</p>
      ) : (
        <ul class="chosen chosen-list">
          {words.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      )}
      <p>{t('confirm.final')}</p>
      <div class="actions">
        <button type="button" onClick={onCast}>
          {t('confirm.cast')}
        </button>
        <button type="button" class="secondary" onClick={onBack}>
          {t('confirm.back')}
        </button>
      </div>
    </section>
  );
}

function ProgressStep({ step }: { step: VoteStep }) {
  const t = useT();
  const at = STEPS.indexOf(step);
  return (
    <section>
      <StepHeading>{t('progress.title')}</StepHeading>
      <p>{t('progress.keep')}</p>
      <p class="visually-hidden" role="status" aria-live="polite">
        {t(`step.${step}`)}
      </p>
      <progress max={STEPS.length} value={at + 1} aria-label={t('progress.title')} />
      <ol class="steps">
        {STEPS.map((s, i) => (
          <li key={s} class={i < at ? 'done' : i === at ? 'current' : 'todo'} aria-current={i === at ? 'step' : undefined}>
            {t(`step.${s}`)}
            {i < at && <span class="visually-hidden"> ({t('step.done')})</span>}
            {i === at && <span class="visually-hidden"> ({t('step.current')})</span>}
          </li>
        ))}
      </ol>
    </section>
  );
}

function FailedStep({ error, onRestart }: { error: ShownError; onRestart: () => void }) {
  const t = useT();
  return (
    <section>
      <StepHeading>{t('error.title')}</StepHeading>
      <ErrorBox error={error}>
        <button type="button" onClick={onRestart}>
          {t('error.restart')}
        </button>
      </ErrorBox>
    </section>
  );
}

/** The public part of a receipt as a link to /receipt: a phone that scans it opens the check. */
export function publicReceiptUrl(electionId: string, ballotHash: string): string {
  return `${location.origin}/receipt?election=${encodeURIComponent(electionId)}&ballot=${ballotHash}`;
}

function ReceiptStep({ receipt, weight, election, langQuery, onAgain }: { receipt: Receipt; weight: number | null; election: BoothElection; langQuery: string; onAgain: () => void }) {
  const t = useT();
  const [qr, setQr] = useState<string>();
  const fileUrl = useMemo(() => URL.createObjectURL(new Blob([receiptFileText(receipt)], { type: 'application/json' })), [receipt]);
  useEffect(() => () => URL.revokeObjectURL(fileUrl), [fileUrl]);
  useEffect(() => {
    QRCode.toDataURL(publicReceiptUrl(receipt.electionId, receipt.ballotHash), { margin: 2, width: 240, errorCorrectionLevel: 'M' }).then(setQr, () => setQr(undefined));
  }, [receipt]);
  const sep = langQuery ? '?' + langQuery : '';
  return (
    <section>
      <StepHeading>{t('receipt.title')}</StepHeading>
      <p class="chosen-theme">{election.theme}</p>
      {weight !== null && <p data-testid="vote-weight">{weight === 1 ? t('receipt.weightOne') : t('receipt.weight', { weight: weight.toLocaleString(pageLang()) })}</p>}
      <h2>{t('receipt.hash')}</h2>
      <p class="mono ballot-hash" data-testid="ballot-hash">
        {receipt.ballotHash}
      </p>
      <p class="muted small">{t('receipt.hashHelp')}</p>
      <div class="panel">
        <p>{t('receipt.private')}</p>
        <a class="button" href={fileUrl} download={`evote-receipt-${receipt.electionId}.json`}>
          {t('receipt.download')}
        </a>
      </div>
      <div class="receipt-qr">
        {qr && <img src={qr} width={240} height={240} alt={t('receipt.qrAlt')} />}
        <p class="small">{t('receipt.qr')}</p>
      </div>
      <ul class="links">
        <li>
          <a href={`/receipt${sep}`}>{t('receipt.check')}</a>
        </li>
        <li>
          <a href={`/elections/${encodeURIComponent(receipt.electionId)}${sep}`}>{t('receipt.board')}</a>
        </li>
      </ul>
      <button type="button" class="secondary" onClick={onAgain}>
        {t('receipt.again')}
      </button>
    </section>
  );
}
