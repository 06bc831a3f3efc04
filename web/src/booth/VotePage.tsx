/** /vote: open the letter, check the election, choose, confirm, watch the steps, keep the receipt. */
import { useEffect, useMemo, useState } from 'preact/hooks';
import QRCode from 'qrcode';
import { castVote, Connection, errorCode, gatewayUrl, loadBoothApp, loadElection, receiptFileText, type BoothApp, type BoothElection, type Credential, type Receipt, type VoteStep } from './engine.ts';
import { LetterOpener } from './LetterOpener.tsx';
import { ErrorBox, formatFingerprint, StepHeading, useT, type ShownError } from './ui.tsx';

const STEPS: VoteStep[] = ['connecting', 'level1', 'level2', 'level3', 'logged-in', 'blinding', 'signed', 'encrypting', 'casting', 'cast'];

type Stage =
  | { kind: 'letter'; busy: boolean; error?: ShownError }
  | { kind: 'election'; cred: Credential; election: BoothElection; app: BoothApp; choice?: string }
  | { kind: 'confirm'; cred: Credential; election: BoothElection; app: BoothApp; choice: string }
  | { kind: 'voting'; step: VoteStep }
  | { kind: 'failed'; error: ShownError }
  | { kind: 'receipt'; receipt: Receipt; election: BoothElection };

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
      const receipt = await castVote({
        url: gatewayUrl(),
        credential: s.cred,
        app: s.app,
        election: s.election,
        choice: s.choice,
        onStep: (step) => setStage({ kind: 'voting', step }),
      });
      // The credential is dropped with this stage: only the receipt stays in the page.
      go({ kind: 'receipt', receipt, election: s.election });
    } catch (err) {
      go({ kind: 'failed', error: errorCode(err) });
    }
  };

  switch (stage.kind) {
    case 'letter':
      return <LetterOpener focusHeading={moved} onCredential={open} busy={stage.busy} error={stage.error} />;
    case 'election':
      return <ElectionStep stage={stage} onChoose={(choice) => go({ ...stage, kind: 'confirm', choice })} onCancel={() => go({ kind: 'letter', busy: false })} />;
    case 'confirm':
      return <ConfirmStep theme={stage.election.theme} choice={stage.choice} onCast={() => cast(stage)} onBack={() => go({ ...stage, kind: 'election' })} />;
    case 'voting':
      return <ProgressStep step={stage.step} />;
    case 'failed':
      return <FailedStep error={stage.error} onRestart={() => go({ kind: 'letter', busy: false })} />;
    case 'receipt':
      return <ReceiptStep receipt={stage.receipt} election={stage.election} langQuery={langQuery} onAgain={() => go({ kind: 'letter', busy: false })} />;
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

function ElectionStep({ stage, onChoose, onCancel }: { stage: Extract<Stage, { kind: 'election' }>; onChoose: (c: string) => void; onCancel: () => void }) {
  const t = useT();
  const { election } = stage;
  const [choice, setChoice] = useState<string | undefined>(stage.choice);
  const [missing, setMissing] = useState(false);
  const closed = election.state !== 'VOTE_STARTED';
  const submit = (e: Event) => {
    e.preventDefault();
    if (choice === undefined) return setMissing(true);
    onChoose(choice);
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
        <form onSubmit={submit} noValidate>
          <fieldset class="choices" aria-describedby={missing ? 'choice-missing' : undefined}>
            <legend>{t('choice.legend')}</legend>
            {election.choices.map((c, i) => (
              <div class="choice" key={c}>
                <input
                  type="radio"
                  id={`choice-${i}`}
                  name="choice"
                  value={c}
                  checked={choice === c}
                  onChange={() => {
                    setChoice(c);
                    setMissing(false);
                  }}
                />
                <label for={`choice-${i}`}>{c}</label>
              </div>
            ))}
          </fieldset>
          {missing && (
            <p id="choice-missing" class="error" role="alert">
              {t('choice.none')}
            </p>
          )}
          <div class="actions">
            <button type="submit">{t('choice.continue')}</button>
            <button type="button" class="secondary" onClick={onCancel}>
              {t('choice.cancel')}
            </button>
          </div>
        </form>
      )}
    </section>
  );
}

function ConfirmStep({ theme, choice, onCast, onBack }: { theme: string; choice: string; onCast: () => void; onBack: () => void }) {
  const t = useT();
  return (
    <section>
      <StepHeading>{t('confirm.title')}</StepHeading>
      <p class="chosen-theme">{theme}</p>
      <p>{t('confirm.text')}</p>
      <p class="chosen">{choice}</p>
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

function ReceiptStep({ receipt, election, langQuery, onAgain }: { receipt: Receipt; election: BoothElection; langQuery: string; onAgain: () => void }) {
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
