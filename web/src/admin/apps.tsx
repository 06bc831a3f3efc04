import { useEffect, useState } from 'preact/hooks';
import type { AdminSession } from './api.ts';
import { t } from './messages.ts';
import { ConfirmButton, ErrorBox, Live, Section, useOperation } from './widgets.tsx';

/** Voting applications: register one (its key shown once), choose the web booth's, revoke one by id. */
export function Applications({ session }: { session: AdminSession }) {
  const [name, setName] = useState('');
  const [fresh, setFresh] = useState<{ clientId: string; clientKey: string } | null>(null);
  const [copied, setCopied] = useState('');
  const [booth, setBooth] = useState<{ clientId: string } | null | undefined>(undefined);
  const [boothId, setBoothId] = useState('');
  const [revokeId, setRevokeId] = useState('');
  const register = useOperation();
  const boothOp = useOperation();
  const revoke = useOperation();

  const loadBooth = async () => setBooth(await session.boothApp());
  useEffect(() => {
    void boothOp.run(loadBooth);
  }, [session]);

  const setBoothApp = (clientId: string) =>
    boothOp.run(async () => {
      await session.setBoothApp(clientId);
      await loadBooth().catch(() => setBooth({ clientId }));
      return t('apps.boothSet', { id: clientId });
    });

  const copy = async (key: string) => {
    try {
      await navigator.clipboard.writeText(key);
      setCopied(t('apps.copied'));
    } catch {
      (document.getElementById('fresh-key') as HTMLInputElement | null)?.select();
      setCopied(t('apps.copyFailed'));
    }
  };

  return (
    <section aria-labelledby="apps-title">
      <h2 id="apps-title" tabIndex={-1}>
        {t('apps.title')}
      </h2>
      <p class="muted">{t('apps.intro')}</p>
      <Section title={t('apps.registerTitle')} id="apps-register-title">
        <form
          onSubmit={(e) => {
            e.preventDefault();
            void register.run(async () => {
              setCopied('');
              const r = await session.registerClient(name.trim());
              setFresh({ clientId: r.clientId, clientKey: r.clientKey });
              setName('');
              return t('apps.registered', { id: r.clientId });
            });
          }}
        >
          <label for="app-name">{t('apps.name')}</label>
          <input id="app-name" class="admin-wide" required maxLength={100} value={name} onInput={(e) => setName(e.currentTarget.value)} />
          <p>
            <button type="submit" disabled={register.busy}>
              {t('apps.register')}
            </button>
          </p>
        </form>
        <ErrorBox error={register.error} />
        <Live id="apps-live" text={register.busy ? t('working') : register.done} />
        {fresh ? (
          <div class="admin-key">
            <p class="admin-warning" role="note">
              ⚠ {t('apps.keyWarning')}
            </p>
            <label for="fresh-key">{t('apps.keyLabel', { id: fresh.clientId })}</label>
            <input id="fresh-key" class="admin-wide mono" readOnly value={fresh.clientKey} onFocus={(e) => e.currentTarget.select()} />
            <div class="admin-row">
              <button type="button" onClick={() => void copy(fresh.clientKey)}>
                {t('apps.copy')}
              </button>
              <button type="button" onClick={() => void setBoothApp(fresh.clientId)} disabled={boothOp.busy}>
                {t('apps.setBooth')}
              </button>
              <button
                type="button"
                class="secondary"
                onClick={() => {
                  setFresh(null);
                  setCopied('');
                }}
              >
                {t('apps.hideKey')}
              </button>
            </div>
            <p role="status" aria-live="polite">
              {copied}
            </p>
          </div>
        ) : null}
      </Section>
      <Section title={t('apps.boothTitle')} id="apps-booth-title">
        <p id="booth-app-now">{booth === undefined ? '' : booth ? t('apps.boothIs', { id: booth.clientId }) : t('apps.boothNone')}</p>
        <form
          onSubmit={(e) => {
            e.preventDefault();
            if (boothId.trim()) void setBoothApp(boothId.trim());
          }}
        >
          <label for="booth-id">{t('apps.boothId')}</label>
          <input id="booth-id" class="admin-wide mono" required value={boothId} onInput={(e) => setBoothId(e.currentTarget.value)} />
          <p>
            <button type="submit" disabled={boothOp.busy}>
              {t('apps.boothRun')}
            </button>
          </p>
        </form>
        <ErrorBox error={boothOp.error} />
        <Live id="booth-live" text={boothOp.busy ? t('working') : boothOp.done} />
      </Section>
      <Section title={t('apps.revokeTitle')} id="apps-revoke-title">
        <label for="revoke-id">{t('apps.revokeId')}</label>
        <input id="revoke-id" class="admin-wide mono" value={revokeId} onInput={(e) => setRevokeId(e.currentTarget.value)} />
        <div class="admin-actions">
          <ConfirmButton
            label={t('apps.revoke')}
            busy={revoke.busy || !revokeId.trim()}
            onConfirm={() =>
              void revoke.run(async () => {
                const id = revokeId.trim();
                await session.revokeClient(id);
                setRevokeId('');
                return t('apps.revoked', { id });
              })
            }
          />
        </div>
        <ErrorBox error={revoke.error} />
        <Live id="revoke-live" text={revoke.busy ? t('working') : revoke.done} />
      </Section>
    </section>
  );
}
