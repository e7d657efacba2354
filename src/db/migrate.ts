// `npm run migrate`: apply committed migrations to DATABASE_URL.
import { loadConfig } from '../config/env.ts';
import { migrate, openOrm } from './orm.ts';

const config = loadConfig();
const orm = await openOrm(config.DATABASE_URL);
try {
  const applied = await migrate(orm);
  console.log(applied.length ? `applied: ${applied.join(', ')}` : 'database is up to date');
} finally {
  await orm.close();
}
