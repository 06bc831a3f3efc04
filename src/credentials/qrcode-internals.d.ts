// qrcode's internal CommonJS modules, which ship no typings: each is typed where it is used
// (qr-segments.ts, qr-mask.ts). Imported, not required, so that a bundle (src/runtime/worker-thread.ts)
// holds one copy of qrcode shared with `import QRCode from 'qrcode'`: its modes are compared by
// identity, and two copies would not recognise each other's.
declare module 'qrcode/lib/core/mode.js' {
  const m: unknown;
  export default m;
}
declare module 'qrcode/lib/core/regex.js' {
  const m: unknown;
  export default m;
}
declare module 'qrcode/lib/core/utils.js' {
  const m: unknown;
  export default m;
}
declare module 'qrcode/lib/core/version.js' {
  const m: unknown;
  export default m;
}
declare module 'qrcode/lib/core/error-correction-level.js' {
  const m: unknown;
  export default m;
}
declare module 'qrcode/lib/core/format-info.js' {
  const m: unknown;
  export default m;
}
declare module 'qrcode/lib/core/error-correction-code.js' {
  const m: unknown;
  export default m;
}
declare module 'qrcode/lib/core/alignment-pattern.js' {
  const m: unknown;
  export default m;
}
