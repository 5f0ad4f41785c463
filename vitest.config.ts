import { defineConfig } from "vitest/config"

export default defineConfig({
  test: {
    include: ["packages/*/test/**/*.test.ts", "test/**/*.test.ts"],
    // Built, packed and installed once per run by vitest.packaging.config.ts, not once per server.
    exclude: ["test/packaging/**", "**/node_modules/**"],
    // Starts one shared local cluster and one standalone server for the read/write tests (test/global-setup.ts).
    globalSetup: ["test/global-setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Two cores: tests that start their own servers must not all run at once.
    maxWorkers: 2
  }
})
