/**
 * English and French, chosen from the browser's languages (the first of them that we speak).
 * Each page keeps its own dictionary; `t` falls back to English, then to the key itself.
 */
export type Lang = 'en' | 'fr';
export type Dictionary = Record<string, string>;
export type Messages = Record<Lang, Dictionary>;

export function pickLang(languages: readonly string[] = navigator.languages ?? [navigator.language]): Lang {
  for (const l of languages) {
    const base = l.toLowerCase().split('-')[0];
    if (base === 'fr' || base === 'en') return base;
  }
  return 'en';
}

/** A translator over `messages` for `lang`; `{name}` placeholders are filled from `vars`. */
export function translator(messages: Messages, lang: Lang = pickLang()) {
  document.documentElement.lang = lang;
  return (key: string, vars: Record<string, string | number> = {}): string => {
    const text = messages[lang][key] ?? messages.en[key] ?? key;
    return text.replace(/\{(\w+)\}/g, (_, name: string) => String(vars[name] ?? `{${name}}`));
  };
}
