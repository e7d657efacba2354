// Common passwords shipped with the project (common-passwords.txt, generated
// by scripts/password-blocklist.ts). NIST SP 800-63B 3.1.1.2 asks verifiers
// to refuse values from breach corpora and dictionaries; the file is read once.
import { readFileSync } from 'node:fs';

let entries: Set<string> | null = null;

function load(): Set<string> {
  const text = readFileSync(new URL('./common-passwords.txt', import.meta.url), 'utf8');
  return new Set(text.split('\n').filter((l) => l !== '' && !l.startsWith('#')));
}

/** Case-insensitive: `Password1234` is as guessable as `password1234`. */
export function isCommonPassword(password: string): boolean {
  entries ??= load();
  return entries.has(password.normalize('NFC').toLowerCase());
}

export function blocklistSize(): number {
  entries ??= load();
  return entries.size;
}
