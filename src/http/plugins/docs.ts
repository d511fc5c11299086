/** OpenAPI 3.1 at /openapi.json and Swagger UI at /docs, generated from the route schemas. */
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { FastifyInstance } from 'fastify';
import { ErrorEnvelope } from '../schemas/common.js';

export async function registerDocs(app: FastifyInstance, version: string): Promise<void> {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'integration-service',
        version,
        description:
          'Imports work items from Jira, ServiceNow, GitHub and GitLab as tracked background jobs. ' +
          'Every error response is an Error envelope; every response carries X-Request-ID. ' +
          'A method a path does not support is 405 METHOD_NOT_ALLOWED with an Allow header.',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', description: 'an API key from API_KEYS (only when keys are configured)' },
        },
        schemas: { Error: ErrorEnvelope },
      },
      tags: [
        { name: 'imports', description: 'import jobs' },
        { name: 'items', description: 'imported, normalized work items' },
        { name: 'people', description: 'the persons behind source accounts, linked across sources by verified email or by hand' },
        { name: 'health', description: 'health and metrics' },
      ],
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
}
