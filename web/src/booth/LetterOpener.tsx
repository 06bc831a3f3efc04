/** The three ways to open a letter: the camera, the letter's file (PNG or PDF), or typing its credential. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { credentialFromPixels, credentialFromText, errorCode, EvoteError, qrImageFromPdf, type Credential, type Pixels } from './engine.ts';
import { ErrorBox, StepHeading, useT, type ShownError } from './ui.tsx';

const SCAN_EVERY_MS = 200;
/** Frames and files are scaled down to this many pixels on the long side: jsQR's cost grows with area. */
const MAX_SIDE = 1600;

function pixelsOf(source: CanvasImageSource, width: number, height: number, canvas: HTMLCanvasElement): Pixels {
  const scale = Math.min(1, MAX_SIDE / Math.max(width, height));
  canvas.width = Math.max(1, Math.round(width * scale));
  canvas.height = Math.max(1, Math.round(height * scale));
  const ctx = canvas.getContext('2d', { willReadFrequently: true });
  if (!ctx) throw new EvoteError('UNSUPPORTED_FILE', 'no 2D canvas');
  // White under transparent pixels: a QR drawn on transparency would otherwise read as black on black.
  ctx.fillStyle = '#fff';
  ctx.fillRect(0, 0, canvas.width, canvas.height);
  ctx.drawImage(source, 0, 0, canvas.width, canvas.height);
  const img = ctx.getImageData(0, 0, canvas.width, canvas.height);
  return { data: img.data, width: img.width, height: img.height };
}

function isPdf(file: File, head: Uint8Array): boolean {
  return file.type === 'application/pdf' || /\.pdf$/i.test(file.name) || new TextDecoder().decode(head.subarray(0, 5)) === '%PDF-';
}

async function credentialFromFile(file: File, canvas: HTMLCanvasElement): Promise<Credential> {
  const bytes = new Uint8Array(await file.arrayBuffer());
  let pixels: Pixels;
  if (isPdf(file, bytes)) pixels = await qrImageFromPdf(bytes);
  else {
    let bitmap: ImageBitmap;
    try {
      bitmap = await createImageBitmap(new Blob([bytes], { type: file.type || 'image/png' }));
    } catch {
      throw new EvoteError('UNSUPPORTED_FILE', 'the file is neither an image nor a PDF');
    }
    pixels = pixelsOf(bitmap, bitmap.width, bitmap.height, canvas);
    bitmap.close();
  }
  const cred = credentialFromPixels(pixels);
  if (!cred) throw new EvoteError('NO_QR', 'no readable QR code in the file');
  return cred;
}

function cameraError(err: unknown): ShownError {
  const name = (err as { name?: string } | null)?.name;
  return { code: name === 'NotAllowedError' || name === 'SecurityError' ? 'CAMERA_DENIED' : 'CAMERA_UNAVAILABLE' };
}

export function LetterOpener({ onCredential, busy, error: outerError, focusHeading }: { onCredential: (c: Credential) => void; busy: boolean; error?: ShownError; focusHeading: boolean }) {
  const t = useT();
  const [error, setError] = useState<ShownError | undefined>(outerError);
  const [camera, setCamera] = useState<'off' | 'starting' | 'on'>('off');
  const [reading, setReading] = useState(false);
  const [typed, setTyped] = useState('');
  const video = useRef<HTMLVideoElement>(null);
  const canvas = useRef<HTMLCanvasElement>(null);
  const stream = useRef<MediaStream | null>(null);
  const timer = useRef<ReturnType<typeof setInterval> | undefined>(undefined);

  useEffect(() => setError(outerError), [outerError]);

  const stopCamera = () => {
    clearInterval(timer.current);
    timer.current = undefined;
    stream.current?.getTracks().forEach((tr) => tr.stop());
    stream.current = null;
    if (video.current) video.current.srcObject = null;
    setCamera('off');
  };
  useEffect(() => stopCamera, []);

  const found = (c: Credential) => {
    setTyped('');
    onCredential(c);
  };

  const startCamera = async () => {
    setError(undefined);
    if (!navigator.mediaDevices?.getUserMedia) return setError({ code: 'CAMERA_UNAVAILABLE' });
    setCamera('starting');
    try {
      stream.current = await navigator.mediaDevices.getUserMedia({ video: { facingMode: { ideal: 'environment' } }, audio: false });
      const v = video.current!;
      v.srcObject = stream.current;
      await v.play();
    } catch (err) {
      stopCamera();
      return setError(cameraError(err));
    }
    setCamera('on');
    timer.current = setInterval(() => {
      const v = video.current;
      if (!v || v.readyState < 2 || !v.videoWidth) return;
      try {
        const cred = credentialFromPixels(pixelsOf(v, v.videoWidth, v.videoHeight, canvas.current!));
        if (cred) {
          stopCamera();
          found(cred);
        }
      } catch (err) {
        // A QR code was read but holds no credential: say so rather than scan it forever.
        stopCamera();
        setError(errorCode(err));
      }
    }, SCAN_EVERY_MS);
  };

  const onFile = async (e: Event) => {
    const input = e.currentTarget as HTMLInputElement;
    const file = input.files?.[0];
    if (!file) return;
    setError(undefined);
    setReading(true);
    try {
      found(await credentialFromFile(file, canvas.current!));
    } catch (err) {
      setError(errorCode(err));
    } finally {
      setReading(false);
      input.value = '';
    }
  };

  const onTyped = (e: Event) => {
    e.preventDefault();
    setError(undefined);
    try {
      found(credentialFromText(typed));
    } catch (err) {
      setError(errorCode(err));
    }
  };

  const disabled = busy || reading;
  return (
    <section aria-labelledby="letter-title">
      <StepHeading id="letter-title" focus={focusHeading}>
        {t('letter.title')}
      </StepHeading>
      <p>{t('letter.intro')}</p>
      {error && <ErrorBox error={error} />}
      <p class="muted" role="status">
        {busy ? t('letter.opening') : reading ? t('letter.file.reading') : camera === 'on' ? t('letter.scan.looking') : ''}
      </p>

      <div class="panel">
        <h2>{t('letter.scan.title')}</h2>
        <video ref={video} class={camera === 'off' ? 'camera hidden' : 'camera'} muted playsInline aria-label={t('letter.scan.video')} />
        {camera === 'off' ? (
          <button type="button" onClick={startCamera} disabled={disabled}>
            {t('letter.scan.start')}
          </button>
        ) : (
          <button type="button" class="secondary" onClick={stopCamera}>
            {t('letter.scan.stop')}
          </button>
        )}
      </div>

      <div class="panel">
        <h2>{t('letter.file.title')}</h2>
        <label for="letter-file">{t('letter.file.label')}</label>
        <input id="letter-file" type="file" accept="image/png,image/*,application/pdf,.pdf,.png" onChange={onFile} disabled={disabled} />
      </div>

      <form class="panel" onSubmit={onTyped}>
        <h2>{t('letter.text.title')}</h2>
        <label for="letter-text">{t('letter.text.label')}</label>
        <textarea
          id="letter-text"
          class="mono credential-input"
          rows={3}
          value={typed}
          onInput={(e) => setTyped((e.currentTarget as HTMLTextAreaElement).value)}
          autocomplete="off"
          autocapitalize="off"
          spellcheck={false}
          disabled={disabled}
        />
        <div>
          <button type="submit" disabled={disabled || typed.trim() === ''}>
            {t('letter.text.submit')}
          </button>
        </div>
      </form>
      <canvas ref={canvas} class="hidden" aria-hidden="true" />
    </section>
  );
}
