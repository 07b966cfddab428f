// TEMPORARY: `GET /platforms` (SPEC §6.1), which the lead is adding to infra/openapi.yaml on
// main. Delete this file once `git merge main` brings it and `npm run gen:api` has written it
// into schema.d.ts.
import './schema';

declare module './schema' {
  interface paths {
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
