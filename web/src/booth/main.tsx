import { render } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { pickLang, translator, type Lang } from '../shared/i18n.ts';
import { MESSAGES } from './messages.ts';
import { ReceiptPage } from './ReceiptPage.tsx';
import { I18n } from './ui.tsx';
import { VotePage } from './VotePage.tsx';
import './booth.css';

/** ?lang=fr|en (kept by the booth's own links) wins over the browser's languages: nothing is stored. */
function initialLang(): Lang {
  const q = new URLSearchParams(location.search).get('lang');
  return q === 'fr' || q === 'en' ? q : pickLang();
}

/** The booth bundle's hash (booth.json, written by web/build.js), for the voter to compare with the published one. */
function BoothHash({ label, help, unknown }: { label: string; help: string; unknown: string }) {
  const [hash, setHash] = useState<string | null>();
  useEffect(() => {
    fetch('/booth.json')
      .then((r) => (r.ok ? (r.json() as Promise<{ sha256?: unknown }>) : Promise.reject(new Error(String(r.status)))))
      .then((j) => setHash(typeof j.sha256 === 'string' ? j.sha256 : null))
      .catch(() => setHash(null));
  }, []);
  return (
    <footer class="booth-footer">
      <p class="small">
        {label} <span class="mono" data-testid="booth-hash">{hash === undefined ? '…' : (hash ?? unknown)}</span>
      </p>
      <p class="small muted">{help}</p>
    </footer>
  );
}

function App() {
  const [lang, setLang] = useState<Lang>(initialLang);
  const t = useMemo(() => translator(MESSAGES, lang), [lang]);
  const onReceipt = location.pathname.replace(/\/+$/, '') === '/receipt';
  // The booth's links carry the language only when the voter switched away from the browser's.
  const langQuery = lang === pickLang() ? '' : `lang=${lang}`;
  const sep = langQuery ? '?' + langQuery : '';
  useEffect(() => {
    document.title = `${onReceipt ? t('nav.receipt') : t('nav.vote')} — ${t('site.title')}`;
  }, [t]);
  const other: Lang = lang === 'fr' ? 'en' : 'fr';
  return (
    <I18n.Provider value={t}>
      <header class="site">
        <nav aria-label={t('site.title')}>
          <span class="brand">{t('site.title')}</span>
          <a href={`/vote${sep}`} aria-current={onReceipt ? undefined : 'page'}>
            {t('nav.vote')}
          </a>
          <a href={`/receipt${sep}`} aria-current={onReceipt ? 'page' : undefined}>
            {t('nav.receipt')}
          </a>
          <button type="button" class="secondary lang-switch" lang={other} aria-label={t('lang.switchLabel')} onClick={() => setLang(other)}>
            {t('lang.switch')}
          </button>
        </nav>
      </header>
      <main id="main">{onReceipt ? <ReceiptPage langQuery={langQuery} /> : <VotePage langQuery={langQuery} />}</main>
      <BoothHash label={t('footer.hash')} help={t('footer.hashHelp')} unknown={t('footer.hashUnknown')} />
    </I18n.Provider>
  );
}

render(<App />, document.getElementById('app')!);
