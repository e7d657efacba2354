// core/principal/load.ts and other raw readers over the control plane's
// entity manager. MikroORM's connection binds `?`; the shared statements use
// pg's `$n`, each once and in order, so the rewrite is positional.
import type { EntityManager } from '@mikro-orm/postgresql';
import type { RowQuery } from '../../core/db/rows.ts';

export function emRows(em: EntityManager): RowQuery {
  return (text, values) => em.getConnection().execute(text.replace(/\$\d+/g, '?'), [...values]);
}
