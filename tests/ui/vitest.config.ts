// Vitest configuration for the UI specs that drive the built window (ui/dist) in headless Chromium.
import { defineConfig } from "vitest/config";

export default defineConfig({
  root: import.meta.dirname,
  clearScreen: false,
  cacheDir: "../../node_modules/.vite",
  test: {
    include: ["*.spec.ts"],
    environment: "node",
    globalSetup: ["./global-setup.ts"],
    // One spec file at a time: a single Chromium is shared and the machine may be busy.
    fileParallelism: false,
    // The spec files share no state, so one worker can load playwright-core once for all of them.
    isolate: false,
    testTimeout: 30_000,
    hookTimeout: 60_000,
    teardownTimeout: 30_000,
    expect: { poll: { timeout: 10_000, interval: 50 } },
  },
});
