import { defineConfig } from '@playwright/test';
import base from './playwright.config';

// Browser benchmarks: not part of the test run (they take minutes and assert no timings).
export default defineConfig({
  ...base,
  testDir: './bench',
  testMatch: '**/*.bench.ts',
  timeout: 900_000,
  reporter: [['list']],
});
