// Matches the existing code. printWidth was measured with `prettier --check`
// on the whole tree: widths 165–172 reformat the fewest files, 170 also the
// fewest lines (many lines are 120–160 characters long). The other options are
// Prettier's defaults, spelled out: double quotes, semicolons, trailing commas
// wherever valid, `(x) =>` arrows.
/** @type {import("prettier").Config} */
const config = {
  printWidth: 170,
  semi: true,
  singleQuote: false,
  jsxSingleQuote: false,
  trailingComma: "all",
  arrowParens: "always",
  bracketSpacing: true,
};

export default config;
