// The example form definitions, read from forms/definitions/*.json, so that
// every new definition is checked by the specs without touching them.
import fs from 'node:fs';
import path from 'node:path';

export type Text = { de: string; en?: string | null };

export type Definition = {
  id: string;
  title: Text;
  summary: Text;
  authority: { id: string; name: Text };
};

export const definitionsDir =
  process.env.AMTSWEG_DEFINITIONS_DIR ??
  path.resolve(__dirname, '..', '..', 'forms', 'definitions');

/** The text in `lang`, falling back to German as the portal does. */
export function text(t: Text, lang: 'de' | 'en'): string {
  if (lang === 'en' && t.en && t.en.trim() !== '') return t.en;
  return t.de;
}

export function loadDefinitions(): Definition[] {
  const files = fs
    .readdirSync(definitionsDir)
    .filter((f) => f.endsWith('.json'))
    .sort();
  const defs = files.map((f) => JSON.parse(fs.readFileSync(path.join(definitionsDir, f), 'utf8')) as Definition);
  if (defs.length === 0) throw new Error(`no form definitions in ${definitionsDir}`);
  return defs;
}

/** Escapes a string for use in a RegExp. */
export function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
