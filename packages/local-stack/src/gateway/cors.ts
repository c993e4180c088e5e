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
    ],
    maxAge: 3600,
  });
}
