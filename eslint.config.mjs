import js from "@eslint/js";
import tseslint from "typescript-eslint";

export default tseslint.config(
  { ignores: ["dist/", "node_modules/", "data/", "coverage/"] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { globals: { process: "readonly", console: "readonly" } },
    rules: {
      "@typescript-eslint/no-unused-vars": ["error", { argsIgnorePattern: "^_", varsIgnorePattern: "^_" }],
      "no-console": ["error", { allow: ["error"] }],
    },
  },
  { files: ["scripts/**", "test/**"], rules: { "no-console": "off" } },
  // The web cabinet's browser script: plain ES5 in the browser, optional catch bindings unused on purpose.
  {
    files: ["src/web/static/**/*.js"],
    languageOptions: { sourceType: "script", globals: { window: "readonly", document: "readonly", location: "readonly", history: "readonly", URLSearchParams: "readonly", JSON: "readonly" } },
    rules: { "@typescript-eslint/no-unused-vars": ["error", { caughtErrors: "none" }] },
  },
  { files: ["**/*.js", "**/*.cjs"], ignores: ["src/web/static/**"], languageOptions: { sourceType: "commonjs", globals: { module: "writable", require: "readonly", __dirname: "readonly" } } },
);
