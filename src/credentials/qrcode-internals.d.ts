// qrcode's internal CommonJS modules, untyped. Imported, not required, so a bundle holds one copy
// of qrcode: its modes are compared by identity.
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
