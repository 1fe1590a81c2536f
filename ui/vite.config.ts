// Vite (dev server and build) and Vitest configuration for the Tokenwatch window.
import { defineConfig } from "vitest/config";

export default defineConfig({
  // The directory of this file, so the config works from any working directory.
  root: import.meta.dirname,
  clearScreen: false,
  // Keep Vite's and Vitest's caches in the root node_modules (ignored by git), not ui/node_modules.
  cacheDir: "../node_modules/.vite",
  server: {
    port: 1420,
    strictPort: true,
  },
  envPrefix: ["VITE_", "TAURI_ENV_"],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // WebView2 (Windows) is Chromium; WKWebView (macOS) and WebKitGTK (Linux) are Safari-class.
    target: ["es2021", "chrome105", "safari15"],
    sourcemap: false,
  },
  test: {
    include: ["src/**/*.test.ts"],
    environment: "node",
  },
});
