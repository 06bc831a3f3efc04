/**
 * Test only: no page imports it; test/support/browser-audit.ts builds it apart, to mount the verify
 * panel on a board page that does not place it yet, as a script of the gateway's own origin (so the
 * page's CSP allows it).
 */
import { render } from 'preact';
import { VerifyPanel } from './VerifyPanel.tsx';

const electionId = decodeURIComponent(location.pathname.split('/')[2] ?? '');
const host = document.createElement('div');
host.id = 'verify-mount';
(document.querySelector('main') ?? document.body).append(host);
render(<VerifyPanel electionId={electionId} lang={navigator.language.startsWith('fr') ? 'fr' : 'en'} />, host);
