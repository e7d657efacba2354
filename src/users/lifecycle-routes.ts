// The user lifecycle over HTTP (docs/domain.md#user-lifecycle); the
// transitions and the hard delete are in lifecycle.ts.
import type { FastifyPluginAsync } from 'fastify';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { serviceContext } from '../context/service-context.ts';
import { ApprovalPending, pendingView } from '../approvals/view.ts';
import { authenticate } from '../auth/authenticate.ts';
import { IdParams, NoBody, bearer, errorResponses } from '../http/schemas.ts';
import { changeUser } from './change.ts';
import { hardDeleteUser, transitions } from './lifecycle.ts';
import { UserView, userView } from './view.ts';

export const userLifecycleRoutes: FastifyPluginAsync = async (fastify) => {
  const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
  app.addHook('onRequest', authenticate);

  for (const [name, { summary, change }] of Object.entries(transitions)) {
    app.post(`/users/:id/${name}`, {
      schema: { tags: ['users'], summary, security: bearer, params: IdParams, body: NoBody, response: { 200: UserView, ...errorResponses(400, 403, 404, 409) } },
    }, async (request) => userView(await changeUser(serviceContext(request), request.params.id, change)));
  }

  app.delete('/users/:id', {
    schema: {
      tags: ['users'],
      summary: 'Hard delete a user (needs user_hard_delete: RW); permanent',
      description: 'When the tenant requires a checker for hard deletes (approval settings), answers 202 {approvalId} and deletes once approved.',
      security: bearer,
      params: IdParams,
      body: NoBody,
      response: { 202: ApprovalPending, 204: { type: 'null', description: 'deleted' }, ...errorResponses(400, 403, 404) },
    },
  }, async (request, reply) => {
    const outcome = await hardDeleteUser(serviceContext(request), request.params.id);
    if ('pending' in outcome) return reply.code(202).send(pendingView(outcome.pending));
    return reply.code(204).send();
  });
};
