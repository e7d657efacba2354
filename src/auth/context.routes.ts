// GET /auth/contexts and POST /auth/switch (docs/domain.md#contexts) over
// HTTP; what a switch opens is in own-sessions.ts.
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { Type } from '@sinclair/typebox';
import { serviceContext } from '../context/service-context.ts';
import { badRequest } from '../../core/http/errors.ts';
import { authenticate } from './authenticate.ts';
import type { ContextRef } from './contexts.ts';
import { contextPage, switchContext } from './own-sessions.ts';
import { ContextTypeSchema, TokenPairSchema } from './schemas.ts';

const ContextItemSchema = Type.Object({ type: ContextTypeSchema, id: Type.String(), name: Type.String() });

function encodeCursor(ref: ContextRef): string {
  return Buffer.from(JSON.stringify([ref.type, ref.id])).toString('base64url');
}

function decodeCursor(cursor: string): ContextRef {
  try {
    const [type, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if ((type === 'TENANT' || type === 'RESELLER' || type === 'MERCHANT') && typeof id === 'string') return { type, id };
  } catch {
    // fall through
  }
  throw badRequest('invalid cursor');
}

export const contextRoutes: FastifyPluginAsyncTypebox = async (app) => {
  app.get(
    '/auth/contexts',
    {
      preHandler: authenticate,
      schema: {
        tags: ['auth'],
        summary: 'Contexts the caller may switch to (its own tenant, resellers and merchants it can access)',
        security: [{ bearer: [] }],
        querystring: Type.Object(
          {
            q: Type.Optional(Type.String({ maxLength: 100 })),
            cursor: Type.Optional(Type.String({ maxLength: 400 })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 100, default: 50 })),
          },
          { additionalProperties: false },
        ),
        response: { 200: Type.Object({ items: Type.Array(ContextItemSchema), nextCursor: Type.Union([Type.String(), Type.Null()]) }) },
      },
    },
    async (request) => {
      const { q, cursor, limit = 50 } = request.query;
      const page = await contextPage(serviceContext(request), { ...(q ? { q } : {}), ...(cursor ? { after: decodeCursor(cursor) } : {}), limit });
      return { items: page.items, nextCursor: page.next ? encodeCursor(page.next) : null };
    },
  );

  app.post(
    '/auth/switch',
    {
      preHandler: authenticate,
      schema: {
        tags: ['auth'],
        summary: 'New tokens in another permitted context (403 CONTEXT_FORBIDDEN otherwise)',
        security: [{ bearer: [] }],
        body: Type.Object({ type: ContextTypeSchema, id: Type.String({ minLength: 1, maxLength: 64 }) }, { additionalProperties: false }),
        response: { 200: TokenPairSchema },
      },
    },
    async (request) => {
      return switchContext(serviceContext(request), request.body);
    },
  );
};
