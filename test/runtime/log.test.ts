import { describe, it, expect } from 'vitest';
import { createLogger, logLevelFromEnv, REDACTED, SECRET_FIELDS, type LogLevel } from '../../src/runtime/log.ts';

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

  it('censors every listed field name', () => {
    const { log, records } = capture();
    log.info('all', Object.fromEntries(SECRET_FIELDS.map((f) => [f, `secret-${f}`])));
    const [rec] = records();
    for (const f of SECRET_FIELDS) expect(rec![f], f).toBe(REDACTED);
  });

  it('takes the level from EVOTE_LOG_LEVEL and refuses an unknown one with a stable code', () => {
    expect(logLevelFromEnv({})).toBe('info');
    expect(logLevelFromEnv({ EVOTE_LOG_LEVEL: 'debug' })).toBe('debug');
    expect(() => logLevelFromEnv({ EVOTE_LOG_LEVEL: 'verbose' })).toThrow(expect.objectContaining({ code: 'CONFIG_ERROR', message: expect.stringMatching(/EVOTE_LOG_LEVEL must be one of debug, info, warn, error/) }));
  });
});
