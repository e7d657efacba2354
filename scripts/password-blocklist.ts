// Regenerates src/passwords/common-passwords.txt (run by hand, never at run
// time): the 10,000 most common passwords of the MIT-licensed list shipped in
// @zxcvbn-ts/language-common 4.1.3 (derived from public breach corpora),
// every entry of at least 10 characters from the whole list (those are the
// ones a 12-character minimum does not already refuse), and a short list of
// long, predictable passphrases written by hand.
//   npm pack @zxcvbn-ts/language-common@4.1.3 && tar xzf zxcvbn-ts-language-common-4.1.3.tgz
//   npx tsx scripts/password-blocklist.ts package/src/passwords.json > src/passwords/common-passwords.txt
import { readFileSync } from 'node:fs';

const file = process.argv[2];
if (!file) throw new Error('usage: tsx scripts/password-blocklist.ts <passwords.json>');
const list = JSON.parse(readFileSync(file, 'utf8')) as string[];
const handWritten = [
  'password1234', 'password12345', 'password123456', 'passwordpassword', 'password1234567890',
  'correcthorsebatterystaple', 'correct horse battery staple', 'iloveyou1234', 'letmein12345',
  'welcome12345', 'welcome123456', 'changeme1234', 'changeme123456', 'administrator1', 'admin1234567',
  'qwertyuiop12', 'qwertyuiop123', 'qwerty123456789', 'asdfghjkl123', 'zxcvbnm12345', '123456789012',
  '1234567890123', 'abcdefghijkl', 'abc123456789', 'passw0rd1234', 'p@ssw0rd1234', 'p@ssword1234',
  'summer2024!!', 'winter2024!!', 'spring2025!!', 'autumn2025!!', 'companyname1', 'letmeinplease',
  'trustno1trustno1', 'iloveyouforever', 'monkey123456', 'football1234', 'baseball1234', 'superman1234',
  'dragon123456', 'sunshine1234', 'princess1234', 'whatever1234', 'master123456', 'starwars1234',
];
const seen = new Set<string>();
const out: string[] = [];
const add = (p: string) => {
  const k = p.normalize('NFC').toLowerCase();
  if (!seen.has(k)) {
    seen.add(k);
    out.push(k);
  }
};
list.slice(0, 10_000).forEach(add);
list.filter((p) => [...p].length >= 10).forEach(add);
handWritten.forEach(add);
process.stdout.write('# Common passwords refused by every password policy (see scripts/password-blocklist.ts).\n');
process.stdout.write(out.join('\n') + '\n');
