#!/usr/bin/env node
import { run } from '../dist/cli/main.js';

const io = {
  stdout: (s) => process.stdout.write(s),
  stderr: (s) => process.stderr.write(s),
  isTTY: Boolean(process.stdout.isTTY),
  env: process.env,
  cwd: process.cwd(),
};
run(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (e) => {
    process.stderr.write(`regpress: internal error: ${e && e.stack ? e.stack : e}\n`);
    process.exitCode = 70;
  },
);
