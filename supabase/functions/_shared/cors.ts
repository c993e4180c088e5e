/**
 * CORS for functions called from browsers: hosted Supabase passes preflights to the
 * function, so each function answers them. These are the headers supabase-js sends, and the
 * API key header (docs/api-keys.md).
 */
export const corsHeaders: Record<string, string> = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Allow-Headers': 'authorization, x-client-info, apikey, content-type, groundwork-api-key',
  'Access-Control-Allow-Methods': 'POST, OPTIONS',
};

/** The answer to a preflight, or undefined for any other request. */
export function preflight(request: Request): Response | undefined {
  return request.method === 'OPTIONS' ? new Response('ok', { headers: corsHeaders }) : undefined;
}
