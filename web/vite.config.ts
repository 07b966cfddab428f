/// <reference types="vitest/config" />
import { defineConfig } from 'vite';

// JSX goes through esbuild's automatic runtime: @vitejs/plugin-react's current major wants Vite 8,
// and nothing here needs Babel or fast refresh.
// VITE_API_PROXY (e.g. http://127.0.0.1:4000) lets `npm run dev` reach an API without CORS.
const apiProxy = process.env.VITE_API_PROXY;

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  server: apiProxy
    ? { proxy: { '/api': { target: apiProxy, changeOrigin: true, rewrite: (p) => p.replace(/^\/api/, '') } } }
    : undefined,
  build: { sourcemap: false, target: 'es2022' },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test-setup.ts'],
  },
});
