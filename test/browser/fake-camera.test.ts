import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import jsQRModule from 'jsqr';
import type { Browser } from 'playwright-core';
import { renderLetterFiles } from '../../src/credentials/letter.ts';
import { formatCredentialUri } from '../../src/credentials/credential-uri.ts';
import { newToken } from '../../src/credentials/tokens.ts';
import { SECRET_CODE_BYTES } from '../../src/credentials/secret-code.ts';
import { cameraFrame, lumaToRgba, readY4mFrame, writeFakeCamera } from '../support/fake-camera.ts';
import { builtWebRoot, launchChromium } from '../support/browser.ts';
import { startTestCluster, type TestCluster } from '../support/system.ts';

const jsQR = jsQRModule.default;

/** One camera frame the way a booth grabs it: getUserMedia → video → canvas → getImageData (RGBA, base64). */
async function grabFrame(): Promise<{ width: number; height: number; rgba: string }> {
  const stream = await navigator.mediaDevices.getUserMedia({ video: true });
  const video = document.createElement('video');
  video.muted = true;
  video.srcObject = stream;
  await video.play();
  await new Promise<void>((resolve) => {
    const ready = () => (video.videoWidth > 0 ? resolve() : requestAnimationFrame(ready));
    ready();
  });
  const canvas = document.createElement('canvas');
  canvas.width = video.videoWidth;
  canvas.height = video.videoHeight;
  const ctx = canvas.getContext('2d')!;
  ctx.drawImage(video, 0, 0);
  const { data } = ctx.getImageData(0, 0, canvas.width, canvas.height);
  for (const t of stream.getTracks()) t.stop();
  let bin = '';
  for (let i = 0; i < data.length; i += 0x8000) bin += String.fromCharCode(...data.subarray(i, i + 0x8000));
  return { width: canvas.width, height: canvas.height, rgba: btoa(bin) };
}

const uri = formatCredentialUri({
  electionId: 'camera-election',
  voterId: 'voter-0001',
  secretCode: randomBytes(SECRET_CODE_BYTES).toString('base64url'),
  n1: newToken(),
  n2: newToken(),
});
const { png } = renderLetterFiles({ electionTheme: 'Camera', electionId: 'camera-election', fingerprint: 'ab'.repeat(32), voterId: 'voter-0001', n1: 'n1', n2: 'n2', uri });
const dir = mkdtempSync(path.join(tmpdir(), 'evote-camera-'));
const y4m = writeFakeCamera(path.join(dir, 'letter.y4m'), png);

describe('a letter’s QR as a fake camera (.y4m)', () => {
  it('decodes back in Node to the credential URI', () => {
    const frame = readY4mFrame(readFileSync(y4m));
    expect([frame.width, frame.height]).toEqual([640, 480]);
    expect(jsQR(lumaToRgba(frame), frame.width, frame.height)?.data).toBe(uri);
  });

  it('a frame with no QR decodes to nothing (the check above can fail)', () => {
    const blank = cameraFrame(png, { fill: 0.01 });
    expect(jsQR(lumaToRgba(blank), blank.width, blank.height)).toBeNull();
  });
});

describe('Chromium’s fake camera fed the .y4m', () => {
  let cluster: TestCluster;
  let browser: Browser;
  let base: string;

  beforeAll(async () => {
    await builtWebRoot();
    cluster = await startTestCluster();
    base = cluster.systems[0]!.gateway!.httpUrl;
    browser = await launchChromium({ fakeVideo: y4m });
  }, 120_000);

  afterAll(async () => {
    await browser?.close();
    await cluster?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('getUserMedia on a gateway page gives frames that decode to the same credential URI', async () => {
    const page = await browser.newPage();
    await page.goto(base + '/vote');
    // Grab one frame the way a booth would: video element → canvas → getImageData.
    const grabbed = await page.evaluate(grabFrame);
    await page.close();
    expect([grabbed.width, grabbed.height]).toEqual([640, 480]);
    const rgba = new Uint8ClampedArray(Buffer.from(grabbed.rgba, 'base64'));
    expect(jsQR(rgba, grabbed.width, grabbed.height)?.data).toBe(uri);
  }, 60_000);
});
