// Cursor pagination ({items, nextCursor}, docs/http.md#routes) by keyset: the cursor
// is the sort key of the last row served, so pages stay stable while rows are
// added and no OFFSET scan grows with the page number.
import type { EntityName, FilterQuery, QueryOrderMap } from '@mikro-orm/core';
import type { EntityManager } from '@mikro-orm/postgresql';
import { Type, type TSchema } from '@sinclair/typebox';
import { badRequest } from '../../core/http/errors.ts';

export const PageQuery = {
  cursor: Type.Optional(Type.String({ maxLength: 512 })),
  limit: Type.Integer({ minimum: 1, maximum: 100, default: 50 }),
};

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

/** A sort key: one column (and `id` as the tie-breaker, unless the column is `id`). */
export interface SortKey<T> {
  field: keyof T & string;
  direction: 'asc' | 'desc';
  /** The cursor holds the column's value as a string; dates are revived. */
  kind: 'string' | 'date';
}

type Row = { id: string };

function encodeCursor(values: string[]): string {
  return Buffer.from(JSON.stringify(values)).toString('base64url');
}

function decodeCursor(cursor: string, arity: number): string[] {
  try {
    const values: unknown = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
    if (Array.isArray(values) && values.length === arity && values.every((v) => typeof v === 'string')) return values;
  } catch {
    // fall through
  }
  throw badRequest('invalid cursor');
}

/** The ORM filter and order for the page after `cursor`. */
function keyset<T extends Row>(key: SortKey<T>, cursor: string | undefined) {
  const op = key.direction === 'asc' ? '$gt' : '$lt';
  const orderBy = key.field === 'id' ? { id: key.direction } : { [key.field]: key.direction, id: key.direction };
  if (cursor === undefined) return { where: {}, orderBy };
  if (key.field === 'id') {
    const [id] = decodeCursor(cursor, 1) as [string];
    return { where: { id: { [op]: id } }, orderBy };
  }
  const [raw, id] = decodeCursor(cursor, 2) as [string, string];
  const value = key.kind === 'date' ? new Date(raw) : raw;
  if (value instanceof Date && Number.isNaN(value.getTime())) throw badRequest('invalid cursor');
  return { where: { $or: [{ [key.field]: { [op]: value } }, { [key.field]: value, id: { [op]: id } }] }, orderBy };
}

/** Rows were fetched with `limit + 1`: the extra one only says there is a next page. */
function pageOf<T extends Row>(rows: T[], limit: number, key: SortKey<T>): Page<T> {
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  if (rows.length <= limit || !last) return { items, nextCursor: null };
  if (key.field === 'id') return { items, nextCursor: encodeCursor([last.id]) };
  const v = last[key.field] as unknown;
  return { items, nextCursor: encodeCursor([v instanceof Date ? v.toISOString() : String(v), last.id]) };
}

/** The page of `entity` rows matching every filter of `where`, after `cursor`, in `key` order. */
export async function findPage<T extends Row>(
  em: EntityManager,
  entity: EntityName<T>,
  where: FilterQuery<T>[],
  key: SortKey<T>,
  cursor: string | undefined,
  limit: number,
): Promise<Page<T>> {
  const page = keyset(key, cursor);
  const rows = await em.find(entity, { $and: [...where, page.where] } as FilterQuery<T>, {
    orderBy: page.orderBy as QueryOrderMap<T>,
    limit: limit + 1,
  });
  return pageOf(rows as T[], limit, key);
}

export const PageOf = <T extends TSchema>(item: T) =>
  Type.Object({ items: Type.Array(item), nextCursor: Type.Union([Type.String(), Type.Null()]) });
