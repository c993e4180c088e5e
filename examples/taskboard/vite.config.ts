import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The page gets only the API URL and the publishable key (GROUNDWORK_URL, GROUNDWORK_KEY, from
// the environment or a .env file here) and which OAuth providers to offer
// (GROUNDWORK_OAUTH_PROVIDERS, e.g. "github,google"); secret keys never reach the browser.
export default defineConfig({
  plugins: [react()],
  envPrefix: ['GROUNDWORK_URL', 'GROUNDWORK_KEY', 'GROUNDWORK_OAUTH_PROVIDERS'],
  // Auth's site_url (supabase/config.toml) is http://127.0.0.1:3000: links in mails point here.
  server: { host: '127.0.0.1', port: 3000 },
  preview: { host: '127.0.0.1', port: 3000 },
  // React, supabase-js and the SDK come to ≈580 kB minified (≈166 kB gzip) in the main chunk;
  // settings load as a chunk of their own. The default 500 kB warning would only repeat that.
  build: { chunkSizeWarningLimit: 700 },
});
