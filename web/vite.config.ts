// Builds the UI into the Python package, where the meshscope server serves it with SPA fallback.
import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

const backend = process.env.MESHSCOPE_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "../src/meshscope/web/static",
    emptyOutDir: true,
    chunkSizeWarningLimit: 600,
  },
  server: { proxy: { "/api": backend, "/loki": { target: backend, ws: true } } },
  test: {
    environment: "happy-dom",
    include: ["src/**/*.test.{ts,tsx}"],
    setupFiles: ["src/test/setup.ts"],
    pool: "threads",
    maxWorkers: 2,
  },
});
