import { defineConfig } from "vite";
import { fileURLToPath } from "node:url";

// The page lives in web/; `npm run web` serves it, `npm run web:build` writes static files to web/dist.
// web/public/deployments.json is the hardhat-deploy export written by `npm run node` (generated, gitignored).
const root = fileURLToPath(new URL(".", import.meta.url));
// The protocol module shared with the tasks, the keeper and the tests (../protocol; paths in web/tsconfig.json).
const protocol = fileURLToPath(new URL("../protocol/index.ts", import.meta.url));

export default defineConfig({
  root,
  base: "./",
  resolve: { alias: { "@ballast/protocol": protocol } },
  server: { host: "127.0.0.1", port: 5173, strictPort: false },
  preview: { host: "127.0.0.1", port: 4173 },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 1000 },
});
