// Creates the database named by DATABASE_URL when it does not exist yet.
import pg from 'pg';
import { loadConfig } from '../src/config/env.ts';

const url = new URL(loadConfig().DATABASE_URL);
const name = decodeURIComponent(url.pathname.slice(1));
if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`DATABASE_URL: unsupported database name "${name}"`);
const admin = new URL(url);
admin.pathname = '/postgres';
const client = new pg.Client({ connectionString: admin.toString() });
await client.connect();
const { rowCount } = await client.query('select 1 from pg_database where datname = $1', [name]);
if (!rowCount) {
  await client.query(`create database ${name}`);
  console.log(`created database ${name}`);
}
await client.end();
