/**
 * "Verify this election in your browser": fetches the election's exported log, runs the auditor's
 * checks in a Web Worker with a progress bar, and ends in PASSED or the first broken event, named.
 * STUB: the board places it; the audit helper implements it.
 */
export function VerifyPanel(props: { electionId: string; lang: 'en' | 'fr' }) {
  return <section aria-labelledby="verify-title"><h2 id="verify-title">{props.lang === 'fr' ? 'Vérifier cette élection dans votre navigateur' : 'Verify this election in your browser'}</h2></section>;
}
