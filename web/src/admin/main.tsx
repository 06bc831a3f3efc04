import { render } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
import { AdminSession, EvoteError } from './api.ts';
import { Applications } from './apps.tsx';
import { ElectionView } from './election.tsx';
import { ElectionList } from './elections.tsx';
import { t } from './messages.ts';
import { ErrorBox, Live } from './widgets.tsx';
import './admin.css';

type View = { kind: 'elections' } | { kind: 'election'; electionId: string } | { kind: 'apps' };

/**
 * The operator's console. The admin token is typed into a password field and lives in the
 * AdminSession object only: not in storage, not in the URL, gone on reload.
 */
function Console() {
  const [session, setSession] = useState<AdminSession | null>(null);
  const [lost, setLost] = useState(false);
  const [view, setView] = useState<View>({ kind: 'elections' });

  const signedIn = (s: AdminSession) => {
    s.conn.onClosed = () => setLost(true);
    setLost(false);
    setSession(s);
  };
  const signOut = () => {
    if (session) {
      session.conn.onClosed = undefined;
      session.close();
    }
    setSession(null);
    setLost(false);
    setView({ kind: 'elections' });
  };

  return (
    <>
      <header class="site">
        <nav aria-label={t('nav.label')}>
          <strong>evote</strong>
          {session ? (
            <>
              <button type="button" class="linklike" aria-current={view.kind !== 'apps' ? 'page' : undefined} onClick={() => setView({ kind: 'elections' })}>
                {t('nav.elections')}
              </button>
              <button type="button" class="linklike" aria-current={view.kind === 'apps' ? 'page' : undefined} onClick={() => setView({ kind: 'apps' })}>
                {t('nav.apps')}
              </button>
              <button type="button" class="secondary admin-signout" onClick={signOut}>
                {t('signout')}
              </button>
            </>
          ) : null}
        </nav>
      </header>
      <main>
        <h1>{t('title')}</h1>
        {!session ? <SignIn onSignedIn={signedIn} /> : null}
        {session && lost ? <Reconnect onReconnected={signedIn} onSignOut={signOut} /> : null}
        {session && !lost && view.kind === 'elections' ? <ElectionList session={session} onOpen={(electionId) => setView({ kind: 'election', electionId })} /> : null}
        {session && !lost && view.kind === 'election' ? <ElectionView session={session} electionId={view.electionId} onBack={() => setView({ kind: 'elections' })} /> : null}
        {session && !lost && view.kind === 'apps' ? <Applications session={session} /> : null}
      </main>
    </>
  );
}

/** The token form; the token reaches only AdminSession.open, and the field is cleared once it is accepted. */
function SignIn({ onSignedIn }: { onSignedIn: (s: AdminSession) => void }) {
  const [token, setToken] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const field = useRef<HTMLInputElement>(null);
  useEffect(() => field.current?.focus(), []);

  return (
    <form
      class="panel admin-signin"
      onSubmit={async (e) => {
        e.preventDefault();
        if (!token) {
          setError(new EvoteError('UNAUTHORIZED', t('signin.empty')));
          return;
        }
        setBusy(true);
        setError(null);
        try {
          const s = await AdminSession.open(token);
          setToken('');
          onSignedIn(s);
        } catch (err) {
          setError(err);
          setBusy(false);
          field.current?.focus();
        }
      }}
    >
      <fieldset>
        <legend>{t('signin.legend')}</legend>
        <label for="admin-token">{t('signin.token')}</label>
        <input
          id="admin-token"
          ref={field}
          class="admin-wide mono"
          type="password"
          autoComplete="off"
          spellcheck={false}
          aria-describedby="admin-token-help"
          value={token}
          onInput={(e) => setToken(e.currentTarget.value)}
        />
        <p id="admin-token-help" class="muted">
          {t('signin.help')}
        </p>
        <button type="submit" disabled={busy}>
          {t('signin.submit')}
        </button>
      </fieldset>
      <ErrorBox error={error} />
      <Live id="signin-live" text={busy ? t('signin.checking') : ''} />
    </form>
  );
}

/** After a dropped connection the token must be typed again: the console keeps no copy of it outside the closed session. */
function Reconnect({ onReconnected, onSignOut }: { onReconnected: (s: AdminSession) => void; onSignOut: () => void }) {
  return (
    <div>
      <p class="admin-error" role="alert">
        {t('conn.lost')}
      </p>
      <SignIn onSignedIn={onReconnected} />
      <button type="button" class="secondary" onClick={onSignOut}>
        {t('signout')}
      </button>
    </div>
  );
}

document.title = `evote — ${t('title')}`;
render(<Console />, document.getElementById('app')!);
