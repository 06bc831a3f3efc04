import { describe, it, expect } from 'vitest';
import { createLogger, logLevelFromEnv, REDACTED, SECRET_FIELDS, TOO_DEEP, type LogLevel } from '../../src/runtime/log.ts';

function capture(level: LogLevel = 'debug') {
  const lines: string[] = [];
  const log = createLogger({ level, destination: { write: (s: string) => void lines.push(s) } });
  return { log, lines, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

const secrets = {
  email: 'citizen7@town.example',
  secretCode: 'c0de-SECRET-c0de',
  n1: 'N1-SECRET-base64url',
  n2: 'N2-SECRET-base64url',
  accessToken: 'AT-SECRET',
  refreshToken: 'RT-SECRET',
  authorization: 'Bearer AUTH-SECRET',
  privateKey: 'PK-SECRET',
  d: 'JWK-D-SECRET',
};

describe('logger (pino)', () => {
  it('writes one JSON line per record with a level name, an ISO time, the message and the fields', () => {
    const { log, lines, records } = capture('info');
    log.debug('dropped below the level');
    log.info('projection rebuilt', { projection: 'voters', position: 42 });
    log.child({ component: 'gateway' }).error('request failed', { errorId: 'e1' });
    expect(lines).toHaveLength(2);
    expect(lines.every((l) => l.endsWith('\n') && !l.slice(0, -1).includes('\n'))).toBe(true);
    const [a, b] = records();
    expect(a).toMatchObject({ level: 'info', msg: 'projection rebuilt', projection: 'voters', position: 42 });
    expect(new Date(a!.time as string).toISOString()).toBe(a!.time);
    expect(b).toMatchObject({ level: 'error', msg: 'request failed', component: 'gateway', errorId: 'e1' });
  });

  it('censors secret fields at the top level, one object down and in child bindings', () => {
    const { log, lines, records } = capture();
    log.info('top', { ...secrets, electionId: 'el-1' });
    log.warn('nested', { voter: { email: secrets.email, voterId: 'v-1' }, headers: { authorization: secrets.authorization }, letter: 'whole' });
    log.child({ token: 'CHILD-TOKEN-SECRET', component: 'auth' }).info('child', { ['e-mail']: secrets.email });
    const text = lines.join('');
    for (const value of [...Object.values(secrets), 'CHILD-TOKEN-SECRET', 'whole']) expect(text).not.toContain(value);
    const [top, nested, child] = records();
    for (const k of Object.keys(secrets)) expect(top![k], k).toBe(REDACTED);
    expect(top!.electionId).toBe('el-1');
    expect(nested).toMatchObject({ voter: { email: REDACTED, voterId: 'v-1' }, headers: { authorization: REDACTED }, letter: REDACTED });
    expect(child).toMatchObject({ token: REDACTED, component: 'auth', 'e-mail': REDACTED });
  });

  it('censors nested fields at any depth up to the bound, in arrays too, and cuts off what is deeper', () => {
    const { log, lines, records } = capture();
    const when = new Date('2026-01-02T03:04:05.000Z');
    log.info('deep', {
      batch: { voters: [{ voterId: 'v-1', email: secrets.email }, { voterId: 'v-2', contact: { email: 'other@town.example' } }] },
      l1: { l2: { l3: { l4: { l5: { token: 'FIVE-DOWN-SECRET' } } } } },
      when,
    });
    expect(lines.join('')).not.toMatch(/citizen7|other@town|FIVE-DOWN-SECRET/);
    const [rec] = records();
    expect(rec).toMatchObject({
      batch: { voters: [{ voterId: 'v-1', email: REDACTED }, { voterId: 'v-2', contact: { email: REDACTED } }] },
      l1: { l2: { l3: { l4: { l5: TOO_DEEP } } } },
      when: when.toISOString(),
    });
  });

  it('censors every listed field name', () => {
    const { log, records } = capture();
    const all = Object.fromEntries(SECRET_FIELDS.map((f) => [f, `secret-${f}`]));
    log.info('all', { ...all, inner: all });
    const [rec] = records();
    for (const f of SECRET_FIELDS) {
      expect(rec![f], f).toBe(REDACTED);
      expect((rec!.inner as Record<string, unknown>)[f], f).toBe(REDACTED);
    }
  });

  it('takes the level from EVOTE_LOG_LEVEL and refuses an unknown one with a stable code', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ EVOTE_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(() => logLevelFromEnv({ EVOTE_LOG_LEVEL: 'verbose' })).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR', message: expect.stringMatching(/EVOTE_LOG_LEVEL must be one of debug, info, warn, error/) }));
  });
});
