import { defineConfig } from "vitest/config"

// The packaging tests (test/packaging): build, pack and install the packages once per `npm test`, independent of the
// server matrix (they start the one small cluster they need).
export default defineConfig({
  test: {
    include: ["test/packaging/**/*.test.ts"],
    testTimeout: 180_000,
    hookTimeout: 360_000
  }
})
