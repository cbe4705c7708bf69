// sql_duckdb.mjs — run SQL files on DuckDB (npm @duckdb/node-api), for test_sql.sh.
//
// Usage: node sql_duckdb.mjs MODULE_DIR [--times] SQL_FILE...
// Each file's statements end with ';' at the end of a line. A statement after
// a line '-- segment: NAME' is a segment's query: its rows are printed as
// "NAME<TAB>id" lines, or with --times "NAME<TAB>rows<TAB>milliseconds" once
// (tests/bench/bench_sql.sh). Any error prints the statement's start and exits 1.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const [moduleDir, ...args] = process.argv.slice(2);
const times = args[0] === '--times';
const files = times ? args.slice(1) : args;
const require = createRequire(join(moduleDir, 'package.json'));
const { DuckDBInstance } = await import(require.resolve('@duckdb/node-api'));
const con = await (await DuckDBInstance.create(':memory:')).connect();
const out = [];
for (const f of files) {
  for (const part of readFileSync(f, 'utf8').split(/;\s*$/m)) {
    const m = part.match(/^-- segment: (\S+)\s*$/m);
    const stmt = part.replace(/^--.*$/mg, '').trim();
    if (!stmt) continue;
    try {
      const t0 = performance.now();
      const rows = (await con.runAndReadAll(stmt)).getRows();
      const ms = performance.now() - t0;
      if (times) out.push(`${m ? m[1] : '(setup)'}\t${rows.length}\t${ms.toFixed(1)}`);
      else if (m) for (const r of rows) out.push(m[1] + '\t' + r[0]);
    } catch (e) {
      console.error(`${f}: ${m ? 'segment ' + m[1] : stmt.slice(0, 200)}: ${e.message}`);
      process.exit(1);
    }
  }
}
process.stdout.write(out.length ? out.join('\n') + '\n' : '');
