/** /receipt: load the receipt file (or open the receipt QR's link) and see the ballot on the board and, after the tally, counted. */
import { useEffect, useState } from 'preact/hooks';
import { checkReceipt, Connection, errorCode, gatewayUrl, parseReceiptFile, type ReceiptLookup, type ReceiptStatus } from './engine.ts';
import { ErrorBox, StepHeading, useT, type ShownError } from './ui.tsx';

type Lookup = ReceiptLookup;

/** The public part carried by the receipt QR's link (?election=…&ballot=…), when well-formed. */
function lookupFromQuery(search: string): Lookup | undefined {
  const q = new URLSearchParams(search);
  const electionId = q.get('election') ?? '';
  const ballotHash = q.get('ballot') ?? '';
  return /^[A-Za-z0-9_-]{1,64}$/.test(electionId) && /^[0-9a-f]{64}$/.test(ballotHash) ? { electionId, ballotHash } : undefined;
}

export function ReceiptPage({ langQuery }: { langQuery: string }) {
  const t = useT();
  const [lookup, setLookup] = useState<Lookup | undefined>(() => lookupFromQuery(location.search));
  const [busy, setBusy] = useState(false);
  const [result, setResult] = useState<ReceiptStatus>();
  const [error, setError] = useState<ShownError>();

  const check = async (l: Lookup) => {
    setBusy(true);
    setError(undefined);
    setResult(undefined);
    let conn: Connection | undefined;
    try {
      conn = await Connection.open(gatewayUrl());
      setResult(await checkReceipt(conn, l));
    } catch (err) {
      setError(errorCode(err));
    } finally {
      conn?.close();
      setBusy(false);
    }
  };

  useEffect(() => {
    if (lookup) void check(lookup);
  }, []);

  const onFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    input.value = '';
    try {
      const r = parseReceiptFile(await file.text());
      setLookup(r);
      await check(r);
    } catch (err) {
      setResult(undefined);
      setError(errorCode(err));
    }
  };

  const sep = langQuery ? '?' + langQuery : '';
  return (
    <section>
      <StepHeading focus={false}>{t('check.title')}</StepHeading>
      <p>{t('check.intro')}</p>
      <div class="panel">
        <label for="receipt-file">{t('check.file')}</label>
        <input id="receipt-file" type="file" accept="application/json,.json" onChange={onFile} disabled={busy} />
      </div>
      <div role="status" aria-live="polite" class="check-status">
        {busy && <p>{t('check.checking')}</p>}
        {result && <CheckResult result={result} />}
      </div>
      {error && <ErrorBox error={error} />}
      {lookup && !busy && (
        <button type="button" class="secondary" onClick={() => check(lookup)}>
          {t('check.again')}
        </button>
      )}
      <ul class="links">
        <li>
          <a href={`/vote${sep}`}>{t('check.vote')}</a>
        </li>
        {lookup && (
          <li>
            <a href={`/elections/${encodeURIComponent(lookup.electionId)}${sep}`}>{t('check.board')}</a>
          </li>
        )}
      </ul>
    </section>
  );
}

function CheckResult({ result }: { result: ReceiptStatus }) {
  const t = useT();
  const statusKey = `check.status.${result.status}`;
  const status = result.status ? (t(statusKey) === statusKey ? result.status : t(statusKey)) : '';
  return (
    <div class="panel result" data-testid="receipt-result">
      <dl class="facts">
        <dt>{t('check.election')}</dt>
        <dd class="mono">{result.electionId}</dd>
        <dt>{t('check.ballot')}</dt>
        <dd class="mono">{result.ballotHash}</dd>
      </dl>
      {result.signatureValid === false && <p class="error">{t('check.badSignature')}</p>}
      {result.fingerprintMatches === false && <p class="error">{t('check.badFingerprint')}</p>}
      {result.signatureValid === true && result.fingerprintMatches === true && <p class="ok">{t('check.signed')}</p>}
      {result.position === null ? (
        <p>{t('check.notYet')}</p>
      ) : (
        <>
          <p class="ok">{t('check.onBoard', { position: result.position })}</p>
          {result.status ? <p class="ok">{t('check.status', { status })}</p> : <p>{t('check.notCounted')}</p>}
          {result.choice !== null && <p class="ok counted-choice">{t('check.choice', { choice: result.choice })}</p>}
        </>
      )}
    </div>
  );
}
