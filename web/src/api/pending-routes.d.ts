// TEMPORARY: the two routes of SPEC §6.1 the lead is adding to infra/openapi.yaml on main
// (`POST /customers/{id}/rejection`, `GET /platforms`). Delete this file once `git merge main`
// brings them and `npm run gen:api` has written them into schema.d.ts.
import type { components } from './schema';

declare module './schema' {
  interface paths {
    '/customers/{id}/rejection': {
      parameters: { query?: never; header?: never; path: { id: string }; cookie?: never };
      get?: never;
      put?: never;
      post: {
        parameters: { query?: never; header?: never; path: { id: string }; cookie?: never };
        requestBody: { content: { 'application/json': { reason: string } } };
        responses: {
          204: { headers: { [name: string]: unknown }; content?: never };
          default: { headers: { [name: string]: unknown }; content: { 'application/problem+json': components['schemas']['Problem'] } };
        };
      };
      delete?: never;
      options?: never;
      head?: never;
      patch?: never;
      trace?: never;
    };
    '/platforms': {
      parameters: { query?: never; header?: never; path?: never; cookie?: never };
      get: {
        parameters: { query?: never; header?: never; path?: never; cookie?: never };
        requestBody?: never;
        responses: {
          200: { headers: { [name: string]: unknown }; content: { 'application/json': { items: { id: string; displayName: string }[] } } };
        };
      };
      put?: never;
      post?: never;
      delete?: never;
      options?: never;
      head?: never;
      patch?: never;
      trace?: never;
    };
  }
}
