import { cors } from 'hono/cors';

/**
 * Hosted Supabase answers CORS for any origin and reflects the requested headers, so
 * browser apps on any dev server work; these are the headers supabase-js reads back.
 */
export function supabaseCors() {
  return cors({
    origin: '*',
    allowMethods: ['GET', 'HEAD', 'PUT', 'PATCH', 'POST', 'DELETE', 'OPTIONS'],
    exposeHeaders: [
      'Content-Range',
      'Content-Profile',
      'Range-Unit',
      'Content-Location',
      'X-Client-Info',
      'ETag',
      // Auth's, as GoTrue's own CORS exposes them: supabase-js reads the API version header to
      // know an error body's `code` is the error code (without it, browsers lose every Auth
      // error code — "invalid_credentials" reads as a bare 400); the others page admin lists.
      'X-Supabase-Api-Version',
      'X-Total-Count',
      'Link',
    ],
    maxAge: 3600,
  });
}
