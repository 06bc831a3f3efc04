/**
 * A letter's QR image as a camera: a YUV4MPEG2 (.y4m) file that Chromium plays through
 * `--use-file-for-fake-video-capture` (launchChromium({ fakeVideo })), so the booth's scan path
 * reads a real credential from a real getUserMedia track.
 */
import { writeFileSync } from 'node:fs';
import { PNG } from 'pngjs';

export interface FakeCameraOptions {
  width?: number;
  height?: number;
  /** Identical frames in the file; Chromium loops the file, so a few are enough. */
  frames?: number;
  /** The QR image's side as a share of the frame's shorter side (it is centred on white). */
  fill?: number;
}

/** An 8-bit luma plane (BT.601 full range, as the Y of C420jpeg). */
export interface LumaFrame {
  width: number;
  height: number;
  luma: Uint8Array;
}

/** The PNG's luma, composited over white (the letter's PNG is bilevel; any PNG works). */
function pngLuma(png: Buffer): LumaFrame {
  const image = PNG.sync.read(png);
  const luma = new Uint8Array(image.width * image.height);
  for (let i = 0; i < luma.length; i++) {
    const d = image.data;
    const y = 0.299 * d[4 * i]! + 0.587 * d[4 * i + 1]! + 0.114 * d[4 * i + 2]!;
    const a = d[4 * i + 3]!;
    luma[i] = Math.round((y * a + 255 * (255 - a)) / 255);
  }
  return { width: image.width, height: image.height, luma };
}

/**
 * The frame: white, with the PNG scaled (nearest neighbour, so module edges stay hard) to `fill`
 * of the shorter side and centred.
 */
export function cameraFrame(png: Buffer, opts: FakeCameraOptions = {}): LumaFrame {
  const width = opts.width ?? 640;
  const height = opts.height ?? 480;
  if (width % 2 || height % 2) throw new RangeError('a 4:2:0 frame has even sides');
  const src = pngLuma(png);
  const side = Math.floor(Math.min(width, height) * (opts.fill ?? 0.9));
  const x0 = Math.floor((width - side) / 2);
  const y0 = Math.floor((height - side) / 2);
  const luma = new Uint8Array(width * height).fill(255);
  for (let y = 0; y < side; y++) {
    const sy = Math.floor((y * src.height) / side);
    for (let x = 0; x < side; x++) {
      const sx = Math.floor((x * src.width) / side);
      luma[(y0 + y) * width + x0 + x] = src.luma[sy * src.width + sx]!;
    }
  }
  return { width, height, luma };
}

/** The frame repeated as a .y4m file: 4:2:0, chroma neutral (128), full-range luma (C420jpeg). */
export function y4mFromPng(png: Buffer, opts: FakeCameraOptions = {}): Buffer {
  const { width, height, luma } = cameraFrame(png, opts);
  const chroma = Buffer.alloc((width / 2) * (height / 2) * 2, 128);
  const frame = Buffer.concat([Buffer.from('FRAME\n', 'ascii'), luma, chroma]);
  const header = Buffer.from(`YUV4MPEG2 W${width} H${height} F30:1 Ip A1:1 C420jpeg\n`, 'ascii');
  return Buffer.concat([header, ...Array.from({ length: opts.frames ?? 3 }, () => frame)]);
}

/** Writes the .y4m for a letter's QR PNG to `file` (0600: it is a voter's credential) and returns the path. */
export function writeFakeCamera(file: string, png: Buffer, opts: FakeCameraOptions = {}): string {
  writeFileSync(file, y4mFromPng(png, opts), { mode: 0o600 });
  return file;
}

/** The first frame's luma of a .y4m file (for checking one back without Chromium). */
export function readY4mFrame(y4m: Buffer): LumaFrame {
  const headerEnd = y4m.indexOf(0x0a);
  const header = y4m.subarray(0, headerEnd).toString('ascii').split(' ');
  if (header[0] !== 'YUV4MPEG2') throw new Error('not a YUV4MPEG2 file');
  const tag = (t: string) => header.find((h) => h.startsWith(t))?.slice(1);
  const width = Number(tag('W'));
  const height = Number(tag('H'));
  if (!tag('C')?.startsWith('420')) throw new Error(`unsupported colour space ${tag('C')}`);
  const frameStart = y4m.indexOf(0x0a, headerEnd + 1) + 1;
  if (y4m.subarray(headerEnd + 1, headerEnd + 6).toString('ascii') !== 'FRAME') throw new Error('no FRAME after the header');
  return { width, height, luma: new Uint8Array(y4m.subarray(frameStart, frameStart + width * height)) };
}

/** Gray luma as RGBA (what jsQR and a canvas's ImageData hold). */
export function lumaToRgba(frame: LumaFrame): Uint8ClampedArray {
  const rgba = new Uint8ClampedArray(frame.width * frame.height * 4);
  for (let i = 0; i < frame.luma.length; i++) {
    const v = frame.luma[i]!;
    rgba[4 * i] = v;
    rgba[4 * i + 1] = v;
    rgba[4 * i + 2] = v;
    rgba[4 * i + 3] = 255;
  }
  return rgba;
}
