/** The people directory (issue 12): persons and the source accounts that are them; manual links. */
import type { FastifyPluginAsyncTypebox } from '@fastify/type-provider-typebox';
import { AppError } from '../../errors.js';
import type { AppDeps } from '../deps.js';
import { effectiveTenant } from '../plugins/auth.js';
import { LIMITS, bearerSecurity, errorResponses } from '../schemas/common.js';
import { PeopleListQuery, PeopleListResponse, PersonIdParams, PersonLinksBody, PersonSchema } from '../schemas/people.js';

export const peopleRoutes: FastifyPluginAsyncTypebox<{ deps: AppDeps }> = async (app, { deps }) => {
  const authOn = deps.apiKeys !== null;

  app.get(
    '/api/people',
    {
      schema: {
        tags: ['people'],
        summary: 'The tenant\'s persons, each with the source accounts linked to it',
        security: bearerSecurity,
        querystring: PeopleListQuery,
        response: { 200: PeopleListResponse, ...errorResponses(401, 403, 422, 503) },
      },
    },
    async (request) => {
      const { tenant_id, limit, ...filters } = request.query;
      const page = await deps.items.listPeople({
        ...filters,
        tenantId: effectiveTenant(request, tenant_id, authOn),
        limit: limit ?? LIMITS.items.def,
      });
      return { people: page.items, next_cursor: page.next_cursor };
    },
  );

  app.get(
    '/api/people/:id',
    {
      config: { notFoundCode: 'PERSON_NOT_FOUND' },
      schema: {
        tags: ['people'],
        summary: 'One person with its accounts',
        security: bearerSecurity,
        params: PersonIdParams,
        response: { 200: PersonSchema, ...errorResponses(401, 404, 503) },
      },
    },
    async (request) => {
      const person = await deps.items.getPerson(request.params.id, request.tenantId);
      if (!person) throw new AppError('PERSON_NOT_FOUND', 'no such person');
      return person;
    },
  );

  app.put(
    '/api/people/:id/links',
    {
      config: { notFoundCode: 'PERSON_NOT_FOUND' },
      schema: {
        tags: ['people'],
        summary: 'Sets the complete set of a person\'s accounts (manual link and unlink; no import undoes it)',
        security: bearerSecurity,
        params: PersonIdParams,
        body: PersonLinksBody,
        response: { 200: PersonSchema, ...errorResponses(400, 401, 404, 413, 415, 422, 503) },
      },
    },
    async (request) => {
      const person = await deps.items.setPersonLinks(request.params.id, request.tenantId, request.body.accounts);
      if (!person) throw new AppError('PERSON_NOT_FOUND', 'no such person');
      return person;
    },
  );
};
