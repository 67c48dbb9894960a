import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const here = path.dirname(fileURLToPath(import.meta.url));

// The dashboard is served by the Switchboard server itself from web/dist (src/routes/web.routes.ts).
// In development, `npx vite --config web/vite.config.ts` proxies /api to a server on :3000.
export default defineConfig({
  root: here,
  base: '/',
  plugins: [react()],
  resolve: { alias: { '@shared': path.resolve(here, '../src/lib') } },
  build: {
    outDir: path.resolve(here, 'dist'),
    emptyOutDir: true,
    sourcemap: false,
    chunkSizeWarningLimit: 400,
    rollupOptions: {
      output: {
        manualChunks(id: string) {
          if (id.includes('libphonenumber-js')) return 'phone';
          if (id.includes('node_modules')) return 'vendor';
          return undefined;
        },
      },
    },
  },
  server: {
    fs: { allow: [path.resolve(here, '..')] },
    proxy: { '/api': { target: 'http://127.0.0.1:3000', changeOrigin: false }, '/media': 'http://127.0.0.1:3000' },
  },
});
