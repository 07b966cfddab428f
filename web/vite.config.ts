/// <reference types="vitest/config" />
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { defineConfig, type Plugin } from 'vite';

// JSX goes through esbuild's automatic runtime: @vitejs/plugin-react's current major wants Vite 8,
// and nothing here needs Babel or fast refresh.
// VITE_API_PROXY (e.g. http://127.0.0.1:4000) lets `npm run dev` reach an API without CORS.
const apiProxy = process.env.VITE_API_PROXY;

/**
 * Cloudscape's global styles carry their fonts as base64 `data:` URLs (≈180 KB gzipped in the
 * first screen's CSS). This writes each font to a file of its own and points the CSS at it, so the
 * build emits it as an asset: cached apart, and fetched only when a page uses that face.
 */
function cloudscapeFontsAsFiles(): Plugin {
  const folder = join(__dirname, 'node_modules', '.cache', 'cloudscape-fonts');
  return {
    name: 'cloudscape-fonts-as-files',
    enforce: 'pre',
    transform(code, id) {
      if (!id.includes('@cloudscape-design/global-styles') || !id.endsWith('.css')) return null;
      mkdirSync(folder, { recursive: true });
      return code.replace(/url\((['"]?)data:font\/woff2;base64,([A-Za-z0-9+/=]+)\1\)/g, (_match, _quote, base64: string) => {
        const bytes = Buffer.from(base64, 'base64');
        const file = join(folder, `${createHash('sha256').update(bytes).digest('hex').slice(0, 16)}.woff2`);
        writeFileSync(file, bytes);
        return `url('${relative(dirname(id), file).split('\\').join('/')}')`;
      });
    },
  };
}

export default defineConfig({
  esbuild: { jsx: 'automatic' },
  plugins: [cloudscapeFontsAsFiles()],
  server: apiProxy
    ? { proxy: { '/api': { target: apiProxy, changeOrigin: true, rewrite: (p) => p.replace(/^\/api/, '') } } }
    : undefined,
  // Fonts and images are files of their own (cached, loaded when used), never base64 in the CSS.
  // The manifest lets scripts/first-screen-size.mjs measure the first screen.
  build: {
    sourcemap: false,
    target: 'es2022',
    assetsInlineLimit: 0,
    manifest: true,
    rollupOptions: {
      // Cloudscape and TanStack Query mark their modules "use client" (for React server
      // components); a client-only bundle drops the directive, as Rollup says once per module.
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
  test: {
    environment: 'jsdom',
    globals: true,
    setupFiles: ['./src/test-setup.ts'],
    css: false,
    // Cloudscape components in jsdom on a busy 2-core machine: give a walk through a modal time.
    testTimeout: 20_000,
  },
});
